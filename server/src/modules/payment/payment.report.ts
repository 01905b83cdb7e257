import type { EntityManager } from '@mikro-orm/core';
import { isPostgres, sqlTime, utcDaySql } from '../../common/date-range';
import { PaymentKind } from './payment.entity';

/*
 * The payment figures of the reporting home, computed here because only this module reads the payment table.
 * Revenue is what paid payments received (amount_received, in their own currency), counted on the UTC day they were
 * paid; conversion counts the payments started in the range and how many of those were paid.
 */

/** One merchant's payments in a half-open range [from, to). */
export interface PaymentReportScope {
  merchantId: string;
  from: Date;
  to: Date;
}

export interface DailyRevenue {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  currency: string;
  /** Minor units of `currency`. */
  amountMinor: bigint;
  payments: number;
}

export interface PaymentConversion {
  /** Payments created in the range. */
  started: number;
  /** Of those, the ones paid (by now). */
  paid: number;
}

export interface ProductRevenue {
  kind: PaymentKind;
  /**
   * The purse, voucher project or access-code service that took the payments; null for kinds that belong to no
   * product (top-ups, card payments: one row per kind and currency). Its name is the product module's to give.
   */
  productId: string | null;
  currency: string;
  amountMinor: bigint;
  payments: number;
}

type Row = Record<string, string | number | bigint | null>;

function select(em: EntityManager, query: string, params: unknown[]): Promise<Row[]> {
  return em.getConnection('read').execute(query, params, 'all', em.getTransactionContext()) as Promise<Row[]>;
}

function minor(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  return 0n;
}

/**
 * Where each product notes, in the metadata of the payments it creates, the product that took them. Read for that
 * kind only: a card payment's metadata is the merchant's own and may hold any key.
 */
const PRODUCT_KEYS: Partial<Record<PaymentKind, string>> = {
  [PaymentKind.PURSE]: 'purseId',
  [PaymentKind.VOUCHER]: 'voucherProjectId',
  [PaymentKind.ACCESS_CODE]: 'accessCodeServiceId',
};

function productIdSql(em: EntityManager): string {
  const cases = Object.entries(PRODUCT_KEYS).map(
    ([kind, key]) =>
      `when '${kind}' then ${isPostgres(em) ? `metadata->>'${key}'` : `json_extract(metadata, '$.${key}')`}`,
  );
  return `case kind ${cases.join(' ')} else null end`;
}

/** Revenue per UTC day and currency (days without revenue are absent). */
export async function revenueByDay(em: EntityManager, scope: PaymentReportScope): Promise<DailyRevenue[]> {
  const day = utcDaySql(em, 'paid_at');
  const rows = await select(
    em,
    `select ${day} as day, currency, sum(amount_received) as amount, count(*) as payments
       from payment
      where merchant_id = ? and paid_at is not null and paid_at >= ? and paid_at < ?
      group by ${day}, currency
      order by day, currency`,
    [scope.merchantId, sqlTime(em, scope.from), sqlTime(em, scope.to)],
  );
  return rows.map((row) => ({
    day: String(row.day),
    currency: String(row.currency),
    amountMinor: minor(row.amount),
    payments: Number(row.payments),
  }));
}

/** Started → paid: payments created in the range, and how many of them are paid. */
export async function paymentConversion(em: EntityManager, scope: PaymentReportScope): Promise<PaymentConversion> {
  const [row] = await select(
    em,
    `select count(*) as started, coalesce(sum(case when paid_at is not null then 1 else 0 end), 0) as paid
       from payment
      where merchant_id = ? and created_at >= ? and created_at < ?`,
    [scope.merchantId, sqlTime(em, scope.from), sqlTime(em, scope.to)],
  );
  return { started: Number(row?.started ?? 0), paid: Number(row?.paid ?? 0) };
}

/** Revenue per product (purse, voucher project, access-code service; top-ups and card payments each as one), largest first. */
export async function revenueByProduct(
  em: EntityManager,
  scope: PaymentReportScope,
  limit = 10,
): Promise<ProductRevenue[]> {
  const product = productIdSql(em);
  const rows = await select(
    em,
    `select kind, ${product} as product_id, currency, sum(amount_received) as amount, count(*) as payments
       from payment
      where merchant_id = ? and paid_at is not null and paid_at >= ? and paid_at < ?
      group by kind, ${product}, currency
      order by amount desc, payments desc, kind
      limit ?`,
    [scope.merchantId, sqlTime(em, scope.from), sqlTime(em, scope.to), limit],
  );
  return rows.map((row) => ({
    kind: String(row.kind) as PaymentKind,
    productId: row.product_id === null || row.product_id === undefined ? null : String(row.product_id),
    currency: String(row.currency),
    amountMinor: minor(row.amount),
    payments: Number(row.payments),
  }));
}
