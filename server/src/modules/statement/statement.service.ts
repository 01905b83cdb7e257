import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { isCurrency } from '../../common/money';
import { LedgerAccountPurpose, merchantBalanceAt, merchantMovements, type MerchantMovement } from '../ledger';
import { Merchant } from '../merchant';
import { Payment } from '../payment';

/*
 * A merchant's statement for one currency and period: the opening balance, every posted movement of its money, and
 * the closing balance, read from the ledger (ledger/ledger.statement.ts). "Its money" is the sum of its available,
 * pending, reserve and receivable accounts, so money moving between them (an SMS payment completing, a reserve
 * released, a debt covered) is no movement, and the closing balance is what the ledger holds for the merchant. Holds
 * are not movements: a withdrawal counts when it is paid. opening + Σ movements = closing, always.
 */

export const STATEMENT_PURPOSES: readonly LedgerAccountPurpose[] = [
  LedgerAccountPurpose.MERCHANT_AVAILABLE,
  LedgerAccountPurpose.MERCHANT_PENDING,
  LedgerAccountPurpose.MERCHANT_RESERVE,
  LedgerAccountPurpose.MERCHANT_RECEIVABLE,
];

/** The longest period one statement covers, in days. */
export const MAX_PERIOD_DAYS = 366;
/** The most movements one statement lists; a busier period is asked for in parts. */
export const MAX_LINES = 10_000;
/** How long a download link stays valid. */
export const LINK_TTL_SECONDS = 15 * 60;
const DAY_MS = 86_400_000;

export enum StatementLineType {
  CREDIT = 'CREDIT',
  REFUND = 'REFUND',
  CHARGEBACK = 'CHARGEBACK',
  PAYOUT = 'PAYOUT',
  ADJUSTMENT = 'ADJUSTMENT',
}

/** A bad argument, named; the resolver makes it a BAD_USER_INPUT error, the download route a 400. */
export class StatementInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'StatementInputError';
  }
}

export interface StatementLineData {
  at: Date;
  transferId: string;
  type: StatementLineType;
  /** The payment's kind for a credit, refund or chargeback of a payment (PURSE, VOUCHER, CARD…), else null. */
  product: string | null;
  description: string;
  /** Before fees: what the movement was worth to the merchant (for a payout: what left its balance). */
  gross: bigint;
  /** Tollgate's fee taken by the movement (negative), or given back (positive). */
  fee: bigint;
  /** gross + fee: what the merchant's balance changed by. */
  net: bigint;
  /** The balance after this line. */
  balance: bigint;
}

export interface ProductTotalData {
  product: string;
  amount: bigint;
  count: number;
}

export interface StatementData {
  merchantId: string;
  merchantName: string;
  currency: string;
  /** First day, YYYY-MM-DD (UTC), included. */
  from: string;
  /** Last day, YYYY-MM-DD (UTC), included. */
  to: string;
  openingBalance: bigint;
  creditsByProduct: ProductTotalData[];
  credits: bigint;
  fees: bigint;
  payouts: bigint;
  refunds: bigint;
  chargebacks: bigint;
  adjustments: bigint;
  closingBalance: bigint;
  lines: StatementLineData[];
}

export interface StatementPeriod {
  from: string;
  to: string;
  start: Date;
  /** The instant after the last day: the period is [start, end). */
  end: Date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(value: string, field: string): Date {
  const match = DATE.exec(value.trim());
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!match || !day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value.trim()) {
    throw new StatementInputError(field, `a date as YYYY-MM-DD (UTC), e.g. 2026-01-31`);
  }
  return day;
}

/** Checks a period of whole UTC days, `from` and `to` included, at most MAX_PERIOD_DAYS long. */
export function parsePeriod(from: string, to: string): StatementPeriod {
  const start = parseDay(from, 'from');
  const last = parseDay(to, 'to');
  if (last < start) throw new StatementInputError('to', 'the period ends before it starts');
  const end = new Date(last.getTime() + DAY_MS);
  if (end.getTime() - start.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    throw new StatementInputError('to', `a statement covers at most ${MAX_PERIOD_DAYS} days`);
  }
  return { from: from.trim(), to: to.trim(), start, end };
}

export function parseCurrency(value: string): string {
  const currency = value.trim().toUpperCase();
  if (!isCurrency(currency)) throw new StatementInputError('currency', `unsupported currency "${value}"`);
  return currency;
}

function typeOf(movement: MerchantMovement): StatementLineType {
  const key = movement.idempotencyKey;
  if (key.startsWith('withdrawal-')) return StatementLineType.PAYOUT;
  if (key.startsWith('chargeback:')) return StatementLineType.CHARGEBACK;
  if (key.startsWith('refund:') || key.startsWith('card-refund:') || key.startsWith('credit-refund:')) {
    return StatementLineType.REFUND;
  }
  if (key.startsWith('adjustment:')) return StatementLineType.ADJUSTMENT;
  if (key.startsWith('voucher-prepay:')) return StatementLineType.CREDIT;
  if (movement.paymentId && movement.amount + movement.platformFee > 0n) return StatementLineType.CREDIT;
  return StatementLineType.ADJUSTMENT;
}

/** The statement of a merchant's money in a currency over a period, read in one go from the ledger. */
export async function buildStatement(
  em: EntityManager,
  input: { merchantId: string; currency: string; period: StatementPeriod },
): Promise<StatementData> {
  const { merchantId, currency, period } = input;
  const merchant = await em.findOne(Merchant, merchantId);
  if (!merchant) throw new StatementInputError('merchantId', 'no such merchant');
  const accounts = { merchantId, currency, purposes: STATEMENT_PURPOSES };
  // One read transaction, so the opening balance, the movements and the closing balance agree.
  return em.transactional(async (tx) => {
    const openingBalance = await merchantBalanceAt(tx, { ...accounts, at: period.start });
    const movements = await merchantMovements(tx, {
      ...accounts,
      from: period.start,
      to: period.end,
      limit: MAX_LINES + 1,
    });
    const closingBalance = await merchantBalanceAt(tx, { ...accounts, at: period.end });
    if (movements.length > MAX_LINES) {
      throw new StatementInputError('to', `more than ${MAX_LINES} movements: ask for a shorter period`);
    }
    const paymentIds = [...new Set(movements.flatMap((m) => (m.paymentId ? [m.paymentId] : [])))];
    const kinds = new Map<string, string>();
    for (let i = 0; i < paymentIds.length; i += 500) {
      const payments = await tx.find(
        Payment,
        { id: { $in: paymentIds.slice(i, i + 500) } },
        { fields: ['id', 'kind'] },
      );
      for (const payment of payments) kinds.set(payment.id, payment.kind);
    }

    const data: StatementData = {
      merchantId,
      merchantName: merchant.name,
      currency,
      from: period.from,
      to: period.to,
      openingBalance,
      creditsByProduct: [],
      credits: 0n,
      fees: 0n,
      payouts: 0n,
      refunds: 0n,
      chargebacks: 0n,
      adjustments: 0n,
      closingBalance,
      lines: [],
    };
    const byProduct = new Map<string, ProductTotalData>();
    let balance = openingBalance;
    for (const movement of movements) {
      const type = typeOf(movement);
      // A payout's fee is Tollgate's, but it left the balance as part of the payout: shown in it, not as a fee.
      const fee = type === StatementLineType.PAYOUT ? 0n : -movement.platformFee;
      const net = movement.amount;
      if (net === 0n && fee === 0n) continue; // money moved between the merchant's own accounts
      const gross = net - fee;
      const product = movement.idempotencyKey.startsWith('voucher-prepay:')
        ? 'VOUCHER'
        : movement.paymentId
          ? (kinds.get(movement.paymentId) ?? null)
          : null;
      balance += net;
      data.lines.push({
        at: movement.createdAt,
        transferId: movement.transferId,
        type,
        product: type === StatementLineType.PAYOUT ? null : product,
        description: movement.description ?? '',
        gross,
        fee,
        net,
        balance,
      });
      data.fees += fee;
      switch (type) {
        case StatementLineType.CREDIT: {
          data.credits += gross;
          const name = product ?? 'OTHER';
          const total = byProduct.get(name) ?? { product: name, amount: 0n, count: 0 };
          total.amount += gross;
          total.count += 1;
          byProduct.set(name, total);
          break;
        }
        case StatementLineType.REFUND:
          data.refunds += gross;
          break;
        case StatementLineType.CHARGEBACK:
          data.chargebacks += gross;
          break;
        case StatementLineType.PAYOUT:
          data.payouts += gross;
          break;
        case StatementLineType.ADJUSTMENT:
          data.adjustments += gross;
          break;
      }
    }
    data.creditsByProduct = [...byProduct.values()].sort((a, b) => (a.product < b.product ? -1 : 1));
    if (balance !== closingBalance) {
      // Entries are append-only and read in one transaction: this would be a ledger defect, not a user's mistake.
      throw new Error(`statement of ${merchantId} ${currency} does not add up: ${balance} ≠ ${closingBalance}`);
    }
    return data;
  });
}

// --- Download links -----------------------------------------------------------------------------------------------

export type StatementFormat = 'csv' | 'pdf';

export interface StatementLink {
  merchantId: string;
  currency: string;
  from: string;
  to: string;
  format: StatementFormat;
  /** Unix seconds. */
  expires: number;
}

function mac(secret: string, link: StatementLink): Buffer {
  const message = ['statement-download', link.merchantId, link.currency, link.from, link.to, link.format, link.expires];
  return createHmac('sha256', secret).update(message.join('\n')).digest();
}

/** A download path valid until `expires`, signed with the platform's secret: whoever holds it may download once-ish. */
export function signedStatementPath(secret: string, link: StatementLink): string {
  const query = new URLSearchParams({
    from: link.from,
    to: link.to,
    expires: String(link.expires),
    signature: mac(secret, link).toString('hex'),
  });
  return `/statements/${encodeURIComponent(link.merchantId)}/${link.currency}.${link.format}?${query.toString()}`;
}

/** Whether a link's signature is right and it has not expired (constant-time comparison). */
export function verifyStatementLink(secret: string, link: StatementLink, signature: string, now = new Date()): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  if (!Number.isSafeInteger(link.expires) || link.expires * 1000 < now.getTime()) return false;
  return timingSafeEqual(mac(secret, link), Buffer.from(signature, 'hex'));
}
