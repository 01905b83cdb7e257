import type { EntityManager } from '@mikro-orm/core';
import { LedgerAccountPurpose, LedgerTransferKind } from './ledger.entity';

/*
 * Read-only views of a merchant's ledger for statements: its posted entries on some of its accounts in a period, one
 * row per transfer, and the balance of those accounts at an instant. Holds (pending entries) are not movements: a
 * hold counts when it is posted. Read inside the caller's transaction, if any.
 */

/** A transfer's effect on a merchant's accounts of the asked purposes, with the fee the same transfer took. */
export interface MerchantMovement {
  transferId: string;
  idempotencyKey: string;
  kind: LedgerTransferKind;
  paymentId: string | null;
  description: string | null;
  createdAt: Date;
  /** The sum of the transfer's posted entries on those accounts: what the merchant's balance changed by. */
  amount: bigint;
  /** The sum of the transfer's entries on PLATFORM_FEES (positive: a fee taken; negative: a fee given back). */
  platformFee: bigint;
}

export interface MerchantAccountsQuery {
  merchantId: string;
  currency: string;
  purposes: readonly LedgerAccountPurpose[];
}

type Row = Record<string, unknown>;

function execute(em: EntityManager, query: string, params: unknown[]): Promise<Row[]> {
  return em.getConnection('write').execute(query, params, 'all', em.getTransactionContext()) as Promise<Row[]>;
}

function int(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  return 0n;
}

function date(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  const text = String(value);
  return new Date(/^\d+$/.test(text) ? Number(text) : text);
}

function purposeList(purposes: readonly LedgerAccountPurpose[]): string {
  if (!purposes.length) throw new Error('name at least one purpose');
  return purposes.map(() => '?').join(', ');
}

/**
 * The transfers that moved a merchant's accounts of `purposes` in `currency` within [from, to), oldest first, at most
 * `limit` of them (ask for one more than you show to know whether there were more). Transfers that moved money only
 * between those accounts appear with amount 0.
 */
export async function merchantMovements(
  em: EntityManager,
  input: MerchantAccountsQuery & { from: Date; to: Date; limit: number },
): Promise<MerchantMovement[]> {
  const rows = await execute(
    em,
    `select t.id, t.idempotency_key, t.kind, t.payment_id, t.description, t.created_at, sum(e.amount) as amount,
            (select coalesce(sum(f.amount), 0) from ledger_entry f join ledger_account fa on fa.id = f.account_id
              where f.transfer_id = t.id and fa.purpose = ? and not f.pending) as platform_fee
       from ledger_entry e
       join ledger_account a on a.id = e.account_id
       join ledger_transfer t on t.id = e.transfer_id
      where e.merchant_id = ? and e.currency = ? and not e.pending and a.purpose in (${purposeList(input.purposes)})
        and e.created_at >= ? and e.created_at < ?
      group by t.id, t.idempotency_key, t.kind, t.payment_id, t.description, t.created_at
      order by t.created_at, t.id
      limit ${Math.max(1, Math.floor(input.limit))}`,
    [LedgerAccountPurpose.PLATFORM_FEES, input.merchantId, input.currency, ...input.purposes, input.from, input.to],
  );
  return rows.map((row) => ({
    transferId: String(row.id),
    idempotencyKey: String(row.idempotency_key),
    kind: row.kind as LedgerTransferKind,
    paymentId: typeof row.payment_id === 'string' ? row.payment_id : null,
    description: typeof row.description === 'string' ? row.description : null,
    createdAt: date(row.created_at),
    amount: int(row.amount),
    platformFee: int(row.platform_fee),
  }));
}

/** The posted balance of a merchant's accounts of `purposes` in `currency` just before `at` (sum of earlier entries). */
export async function merchantBalanceAt(
  em: EntityManager,
  input: MerchantAccountsQuery & { at: Date },
): Promise<bigint> {
  const [row] = await execute(
    em,
    `select coalesce(sum(e.amount), 0) as total
       from ledger_entry e join ledger_account a on a.id = e.account_id
      where e.merchant_id = ? and e.currency = ? and not e.pending and a.purpose in (${purposeList(input.purposes)})
        and e.created_at < ?`,
    [input.merchantId, input.currency, ...input.purposes, input.at],
  );
  return int(row?.total);
}
