import type { EntityManager } from '@mikro-orm/core';
import { sqlTime } from '../../common/date-range';
import { SmsDirection, SmsStatus } from './sms.entity';
import { SMS_CURRENCY } from './sms.pipeline';

/*
 * The SMS figures of the reporting home, computed here because only this module reads the SMS table: a merchant's
 * billed inbound SMS (counted on a payment, or kept as the payer's credit with the merchant) received in a range,
 * by the payer's country or mobile operator. Amounts are in SMS_CURRENCY, as tariffs value SMS.
 */

export interface SmsReportScope {
  merchantId: string;
  from: Date;
  to: Date;
}

export interface SmsTotals {
  /** ISO country code of the payer's operator; null when the provider did not say. */
  country: string | null;
  /** The payer's mobile operator (only in the by-operator view); null when unknown. */
  operator: string | null;
  sms: number;
  currency: string;
  /** What payers paid for them, minor units. */
  grossMinor: bigint;
  /** The merchant's part by the tariff, minor units. */
  yieldMinor: bigint;
}

/** The SMS that brought the merchant money: counted, or credited to the payer because the payment had closed. */
const BILLED = [SmsStatus.COUNTED, SmsStatus.CREDITED];

type Row = Record<string, string | number | bigint | null>;

function minor(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  return 0n;
}

function text(value: string | number | bigint | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

async function smsTotals(em: EntityManager, scope: SmsReportScope, columns: string[]): Promise<SmsTotals[]> {
  const group = columns.join(', ');
  const rows = (await em.getConnection('read').execute(
    `select ${group}, count(*) as sms, coalesce(sum(price_usd_minor), 0) as gross,
            coalesce(sum(yield_usd_minor), 0) as yield
       from sms_message
      where merchant_id = ? and direction = ? and status in (?, ?) and received_at >= ? and received_at < ?
      group by ${group}
      order by gross desc, sms desc, ${group}`,
    [scope.merchantId, SmsDirection.IN, ...BILLED, sqlTime(em, scope.from), sqlTime(em, scope.to)],
    'all',
    em.getTransactionContext(),
  )) as Row[];
  return rows.map((row) => ({
    country: text(row.country),
    operator: text(row.operator),
    sms: Number(row.sms),
    currency: SMS_CURRENCY,
    grossMinor: minor(row.gross),
    yieldMinor: minor(row.yield),
  }));
}

/** Billed SMS and their money per payer country, largest first. */
export function smsByCountry(em: EntityManager, scope: SmsReportScope): Promise<SmsTotals[]> {
  return smsTotals(em, scope, ['country']);
}

/** Billed SMS and their money per mobile operator (with its country: operators' names are per country). */
export function smsByOperator(em: EntityManager, scope: SmsReportScope): Promise<SmsTotals[]> {
  return smsTotals(em, scope, ['country', 'operator']);
}
