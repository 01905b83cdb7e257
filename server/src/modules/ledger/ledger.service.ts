import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { newId } from '../../common/ids';
import { ledgerPostings } from '../../common/metrics';
import { isCurrency } from '../../common/money';
import { recordAudit } from '../audit';
import { Merchant } from '../merchant';
import {
  LedgerAccount,
  LedgerAccountPurpose,
  LedgerTransfer,
  LedgerTransferKind,
  PLATFORM_OWNER,
  PURPOSES,
} from './ledger.entity';

/*
 * The write path is plain SQL on the entity manager's connection, in one transaction (a savepoint when the caller
 * already has one), without the unit of work: per transfer it is one insert of the transfer, one select that locks
 * the touched accounts in id order (PostgreSQL; SQLite has a single writer), one update of their balances and one
 * insert of the entries. The idempotency key, a hold's resolution and a reversal are each guarded by a unique index,
 * and database triggers refuse overdrafts and any change to entries and transfers (Migration0002_ledger_guards in
 * both migrations folders).
 */

export const MAX_KEY_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 500;

export interface EntryInput {
  accountId: string;
  /** Minor units; positive credits the account, negative debits it. */
  amount: bigint;
}

export interface TransferInput {
  /** The merchant the transfer belongs to (it scopes the idempotency key and may see the transfer); null: platform. */
  ownerId: string | null;
  idempotencyKey: string;
  currency: string;
  /** At least two, on distinct accounts, summing to zero. */
  entries: EntryInput[];
  /** A hold: the debits are reserved (they reduce `available`) until postPending or voidPending resolves it. */
  pending?: boolean;
  paymentId?: string | null;
  description?: string | null;
}

export interface TransferResult {
  transfer: LedgerTransfer;
  /** True when the idempotency key had already written this transfer: nothing new was written now. */
  replayed: boolean;
}

/** One account's balances, in minor units. */
export interface AccountBalance {
  accountId: string;
  purpose: LedgerAccountPurpose;
  currency: string;
  /** Sum of the posted entries. */
  posted: bigint;
  /** What may be debited now: posted less what holds reserve. */
  available: bigint;
  /** Incoming money held by pending transfers. */
  pending: bigint;
  /** Outgoing money reserved by pending transfers (positive). */
  held: bigint;
}

export interface LedgerViolation {
  invariant: 'I1' | 'I2' | 'I3';
  message: string;
  accountId: string | null;
  transferId: string | null;
  currency: string | null;
}

/** The account of an owner (a merchant, or null for the platform), currency and purpose; created on first use. */
export async function ledgerAccount(
  em: EntityManager,
  input: { merchantId: string | null; currency: string; purpose: LedgerAccountPurpose },
): Promise<LedgerAccount> {
  const rule = PURPOSES[input.purpose];
  if (!rule) throw new UserFacingError(UserErrorCode.INVALID, `unknown account purpose "${input.purpose}"`);
  if (rule.owner === 'merchant' && !input.merchantId) {
    throw new UserFacingError(UserErrorCode.REQUIRED, `a ${input.purpose} account belongs to a merchant`, [
      'input',
      'merchantId',
    ]);
  }
  if (rule.owner === 'platform' && input.merchantId) {
    throw new UserFacingError(UserErrorCode.INVALID, `a ${input.purpose} account belongs to the platform`, [
      'input',
      'merchantId',
    ]);
  }
  const currency = checkCurrency(input.currency);
  const sql = sqlOn(em, outerTransaction(em));
  const find = () =>
    sql.all('select * from ledger_account where owner_key = ? and currency = ? and purpose = ?', [
      input.merchantId ?? PLATFORM_OWNER,
      currency,
      input.purpose,
    ]);
  let [row] = await find();
  if (!row) {
    if (input.merchantId && !(await em.count(Merchant, { id: input.merchantId }))) {
      throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId']);
    }
    // Two first uses may race: the unique index keeps one account, and both read it back.
    await sql.all(
      `insert into ledger_account
         (id, merchant_id, owner_key, currency, purpose, allow_negative, balance, pending_debits, pending_credits, created_at)
       values (?, ?, ?, ?, ?, ?, 0, 0, 0, ?) on conflict do nothing`,
      [
        newId('lac'),
        input.merchantId,
        input.merchantId ?? PLATFORM_OWNER,
        currency,
        input.purpose,
        rule.allowNegative,
        new Date(),
      ],
    );
    [row] = await find();
  }
  return em.map(LedgerAccount, row);
}

/**
 * Posts a balanced transfer (or, with `pending`, a hold) at most once per owner and idempotency key: the same key
 * again returns the first transfer; with different content it is an IDEMPOTENCY_CONFLICT. Refuses, writing nothing,
 * an unbalanced transfer, an account in another currency and a debit beyond a non-negative account's available
 * balance.
 */
export async function transfer(em: EntityManager, input: TransferInput): Promise<TransferResult> {
  const currency = checkCurrency(input.currency);
  const entries = checkEntries(input.entries);
  const kind = input.pending ? LedgerTransferKind.PENDING : LedgerTransferKind.TRANSFER;
  const paymentId = input.paymentId ?? null;
  const description = checkDescription(input.description);
  const canonical = [...entries].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  const plan: Plan = {
    merchantId: input.ownerId,
    idempotencyKey: checkKey(input.idempotencyKey),
    money: { kind, currency, entries: canonical, paymentId },
    kind,
    currency,
    amount: credits(entries),
    pendingId: null,
    reversesId: null,
    paymentId,
    description,
    entries: entries.map((entry) => ({ ...entry, pending: kind === LedgerTransferKind.PENDING })),
    released: [],
    fieldOf: (accountId) => {
      const index = entries.findIndex((entry) => entry.accountId === accountId);
      return ['input', 'entries', String(index), 'accountId'];
    },
  };
  return write(em, async () => plan);
}

/**
 * Resolves a hold by posting it: all of it, or `amount` (≤ the held amount) of a two-entry hold, the rest released.
 * A hold resolves at most once: a second resolution under another key is ALREADY_RESOLVED.
 */
export function postPending(
  em: EntityManager,
  pendingTransferId: string,
  options: { amount?: bigint; idempotencyKey: string; description?: string | null },
): Promise<TransferResult> {
  return resolve(em, pendingTransferId, LedgerTransferKind.POST, options);
}

/** Resolves a hold by releasing all of it; nothing moves. */
export function voidPending(
  em: EntityManager,
  pendingTransferId: string,
  options: { idempotencyKey: string; description?: string | null },
): Promise<TransferResult> {
  return resolve(em, pendingTransferId, LedgerTransferKind.VOID, options);
}

/** Compensates a posted transfer (TRANSFER or POST) with opposite entries, at most once. */
export async function reverse(
  em: EntityManager,
  transferId: string,
  options: { idempotencyKey: string; description?: string | null },
): Promise<TransferResult> {
  const idempotencyKey = checkKey(options.idempotencyKey);
  const description = checkDescription(options.description);
  return write(em, async (sql) => {
    const original = await loadTransfer(sql, transferId);
    if (original.kind !== LedgerTransferKind.TRANSFER && original.kind !== LedgerTransferKind.POST) {
      throw new UserFacingError(
        UserErrorCode.INVALID_TRANSITION,
        original.kind === LedgerTransferKind.PENDING
          ? 'a pending transfer is voided, not reversed'
          : `a ${original.kind.toLowerCase()} transfer cannot be reversed`,
      );
    }
    const entries = await loadEntries(sql, transferId);
    return {
      merchantId: original.merchantId,
      idempotencyKey,
      money: { kind: LedgerTransferKind.REVERSAL, reversesId: transferId },
      kind: LedgerTransferKind.REVERSAL,
      currency: original.currency,
      amount: original.amount,
      pendingId: null,
      reversesId: transferId,
      paymentId: original.paymentId,
      description,
      entries: entries.map((entry) => ({ accountId: entry.accountId, amount: -entry.amount, pending: false })),
      released: [],
    };
  });
}

/** The balances of every account of a merchant, read from the database (never a stale identity map). */
/** A merchant's accounts, or with `null` the platform's own (WORLD, fees, clearing…). */
export async function balances(em: EntityManager, merchantId: string | null): Promise<AccountBalance[]> {
  const rows = await sqlOn(em, outerTransaction(em)).all(
    `select id, purpose, currency, balance, pending_debits, pending_credits
       from ledger_account where owner_key = ? order by currency, purpose`,
    [merchantId ?? PLATFORM_OWNER],
  );
  return rows.map((row) => {
    const posted = int(row.balance);
    const pendingDebits = int(row.pending_debits);
    return {
      accountId: String(row.id),
      purpose: row.purpose as LedgerAccountPurpose,
      currency: String(row.currency),
      posted,
      available: posted + pendingDebits,
      pending: int(row.pending_credits),
      held: -pendingDebits,
    };
  });
}

/**
 * The currency a merchant's money first arrived in (its oldest available account); null before any. Forms start
 * there, so one payment in another currency does not change what the merchant is offered first.
 */
export async function firstAccountCurrency(em: EntityManager, merchantId: string): Promise<string | null> {
  const rows = await sqlOn(em, outerTransaction(em)).all(
    `select currency from ledger_account where owner_key = ? and purpose = ? order by created_at, id limit 1`,
    [merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE],
  );
  return rows.length ? String(rows[0].currency) : null;
}

/**
 * What may be debited now (posted less held) from each of an owner's accounts of `purposes` in a currency, read
 * inside the caller's transaction; 0 for an account never opened (reading opens none). On PostgreSQL the rows stay
 * locked, taken in id order in one statement, until the transaction ends: a decision taken on these balances (how
 * much of a debt to cover, how much a refund takes from available) cannot race another one's, and callers that lock
 * the same set first queue instead of deadlocking.
 */
export async function lockedBalances<P extends LedgerAccountPurpose>(
  em: EntityManager,
  input: { merchantId: string | null; currency: string; purposes: readonly P[] },
): Promise<Record<P, bigint>> {
  const sql = sqlOn(em, outerTransaction(em));
  const rows = await sql.all(
    `select purpose, balance, pending_debits from ledger_account
      where owner_key = ? and currency = ? and purpose in (${input.purposes.map(() => '?').join(', ')})
      order by id${sql.postgres ? ' for update' : ''}`,
    [input.merchantId ?? PLATFORM_OWNER, input.currency, ...input.purposes],
  );
  const out = Object.fromEntries(input.purposes.map((purpose) => [purpose, 0n])) as Record<P, bigint>;
  for (const row of rows) out[row.purpose as P] = int(row.balance) + int(row.pending_debits);
  return out;
}

/** `lockedBalances` of one account. */
export async function lockedBalance(
  em: EntityManager,
  input: { merchantId: string | null; currency: string; purpose: LedgerAccountPurpose },
): Promise<bigint> {
  const balances = await lockedBalances(em, { ...input, purposes: [input.purpose] });
  return balances[input.purpose];
}

/** A transfer an owner wrote under an idempotency key, with its entries by account purpose; null when none. */
export interface KeyedTransfer {
  id: string;
  amount: bigint;
  currency: string;
  entries: { purpose: LedgerAccountPurpose; amount: bigint }[];
}

/** The transfer written under `idempotencyKey` by `ownerId` (null: the platform), read in the caller's transaction. */
export async function transferByKey(
  em: EntityManager,
  ownerId: string | null,
  idempotencyKey: string,
): Promise<KeyedTransfer | null> {
  const sql = sqlOn(em, outerTransaction(em));
  const [row] = await sql.all(
    'select id, amount, currency from ledger_transfer where owner_key = ? and idempotency_key = ?',
    [ownerId ?? PLATFORM_OWNER, idempotencyKey],
  );
  if (!row) return null;
  const entries = await sql.all(
    `select a.purpose, e.amount from ledger_entry e join ledger_account a on a.id = e.account_id
      where e.transfer_id = ? order by e.id`,
    [row.id],
  );
  return {
    id: String(row.id),
    amount: int(row.amount),
    currency: String(row.currency),
    entries: entries.map((entry) => ({ purpose: entry.purpose as LedgerAccountPurpose, amount: int(entry.amount) })),
  };
}

/**
 * How many transfers stand under each idempotency key that starts with `prefix`, keyed `<owner>|<key>` (owner:
 * the merchant id, or PLATFORM_OWNER). For checks that a module's postings match its own records.
 */
export async function transferCountsByKeyPrefix(em: EntityManager, prefix: string): Promise<Map<string, number>> {
  const rows = await sqlOn(em, outerTransaction(em)).all(
    `select owner_key, idempotency_key, count(*) as n from ledger_transfer
      where idempotency_key like ? escape '\\' group by owner_key, idempotency_key`,
    [`${prefix.replace(/[\\%_]/g, '\\$&')}%`],
  );
  return new Map(rows.map((row) => [`${String(row.owner_key)}|${String(row.idempotency_key)}`, Number(row.n)]));
}

/** Which of these idempotency keys have a transfer (any owner's). */
export async function existingTransferKeys(em: EntityManager, keys: readonly string[]): Promise<Set<string>> {
  const sql = sqlOn(em, outerTransaction(em));
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 400) {
    const chunk = keys.slice(i, i + 400);
    const rows = await sql.all(
      `select idempotency_key from ledger_transfer where idempotency_key in (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const row of rows) found.add(String(row.idempotency_key));
  }
  return found;
}

/** A transfer of a payment as settlement reads it back: plain values, never a managed entity to flush. */
export interface PaymentTransferRow {
  id: string;
  idempotencyKey: string;
  kind: LedgerTransferKind;
  amount: bigint;
  reversesId: string | null;
}

/** Every transfer written for a payment, oldest first, read inside the caller's transaction. */
export async function paymentTransferRows(em: EntityManager, paymentId: string): Promise<PaymentTransferRow[]> {
  const rows = await sqlOn(em, outerTransaction(em)).all(
    'select id, idempotency_key, kind, amount, reverses_id from ledger_transfer where payment_id = ? order by id',
    [paymentId],
  );
  return rows.map((row) => ({
    id: String(row.id),
    idempotencyKey: String(row.idempotency_key),
    kind: row.kind as LedgerTransferKind,
    amount: int(row.amount),
    reversesId: typeof row.reverses_id === 'string' ? row.reverses_id : null,
  }));
}

/**
 * Checks the whole ledger: I1 every transfer and every currency sums to zero, I2 every stored balance equals the sum
 * of its entries (posted, and pending of unresolved holds), I3 no account that must not go negative is negative.
 * Returns the violations (none when consistent). Scans every entry: for operators and tests, not for requests.
 */
export async function checkLedger(em: EntityManager): Promise<LedgerViolation[]> {
  const sql = sqlOn(em, outerTransaction(em));
  const violations: LedgerViolation[] = [];
  const add = (violation: Omit<LedgerViolation, 'accountId' | 'transferId' | 'currency'> & Partial<LedgerViolation>) =>
    violations.push({ accountId: null, transferId: null, currency: null, ...violation });

  for (const row of await sql.all(
    'select currency, sum(amount) as total from ledger_entry group by currency having sum(amount) <> 0',
  )) {
    add({
      invariant: 'I1',
      currency: String(row.currency),
      message: `${String(row.currency)} entries sum to ${int(row.total)}, not 0`,
    });
  }
  // Per transfer: balanced, in its own currency, all its entries there (a VOID has none), its amount their credits.
  for (const row of await sql.all(
    `select t.id, t.currency, count(e.id) as n, coalesce(sum(e.amount), 0) as total
       from ledger_transfer t left join ledger_entry e on e.transfer_id = t.id
      group by t.id, t.kind, t.currency, t.amount
     having coalesce(sum(e.amount), 0) <> 0
         or min(e.currency) <> t.currency or max(e.currency) <> t.currency
         or (t.kind = 'VOID' and count(e.id) > 0)
         or (t.kind <> 'VOID' and (count(e.id) < 2
             or t.amount <> sum(case when e.amount > 0 then e.amount else 0 end)))`,
  )) {
    add({
      invariant: 'I1',
      transferId: String(row.id),
      currency: String(row.currency),
      message: `transfer ${String(row.id)} has ${Number(row.n)} entries summing to ${int(row.total)}, in the wrong currency or amount`,
    });
  }
  for (const row of await sql.all(
    `select e.id, e.account_id, e.transfer_id, e.currency, a.currency as account_currency
       from ledger_entry e left join ledger_account a on a.id = e.account_id
      where a.id is null or a.currency <> e.currency
         or not exists (select 1 from ledger_transfer t where t.id = e.transfer_id)`,
  )) {
    add({
      invariant: 'I2',
      accountId: String(row.account_id),
      transferId: String(row.transfer_id),
      currency: String(row.currency),
      message: `entry ${String(row.id)} has no matching account or transfer`,
    });
  }
  // A hold's entries count in the pending columns until a POST or VOID names it as pendingId.
  for (const row of await sql.all(
    `select a.id, a.currency, a.balance, a.pending_debits, a.pending_credits,
            coalesce(s.posted, 0) as posted, coalesce(s.debits, 0) as debits, coalesce(s.credits, 0) as credits
       from ledger_account a
       left join (
         select e.account_id,
                sum(case when e.pending then 0 else e.amount end) as posted,
                sum(case when e.pending and r.id is null and e.amount < 0 then e.amount else 0 end) as debits,
                sum(case when e.pending and r.id is null and e.amount > 0 then e.amount else 0 end) as credits
           from ledger_entry e left join ledger_transfer r on r.pending_id = e.transfer_id
          group by e.account_id
       ) s on s.account_id = a.id
      where a.balance <> coalesce(s.posted, 0)
         or a.pending_debits <> coalesce(s.debits, 0)
         or a.pending_credits <> coalesce(s.credits, 0)`,
  )) {
    add({
      invariant: 'I2',
      accountId: String(row.id),
      currency: String(row.currency),
      message:
        `account ${String(row.id)} stores balance/pending debits/pending credits ` +
        `${int(row.balance)}/${int(row.pending_debits)}/${int(row.pending_credits)} ` +
        `but its entries sum to ${int(row.posted)}/${int(row.debits)}/${int(row.credits)}`,
    });
  }
  for (const row of await sql.all(
    `select id, purpose, currency, allow_negative, balance, pending_debits from ledger_account
      where balance + pending_debits < 0`,
  )) {
    const rule = PURPOSES[row.purpose as LedgerAccountPurpose];
    if (rule?.allowNegative && truthy(row.allow_negative)) continue;
    add({
      invariant: 'I3',
      accountId: String(row.id),
      currency: String(row.currency),
      message: `${String(row.purpose)} account ${String(row.id)} is overdrawn: available ${int(row.balance) + int(row.pending_debits)}`,
    });
  }
  return violations;
}

/** An admin's manual transfer between accounts named by purpose and owner, audited with it in one transaction. */
export async function createAdjustment(
  em: EntityManager,
  actor: { viewer: Viewer | null; ip?: string | null },
  input: {
    merchantId: string | null;
    idempotencyKey: string;
    currency: string;
    description: string;
    entries: { purpose: LedgerAccountPurpose; merchantId: string | null; amount: bigint }[];
  },
): Promise<TransferResult> {
  const description = input.description.trim();
  if (!description) {
    throw new UserFacingError(UserErrorCode.REQUIRED, 'say why the adjustment is made', ['input', 'description']);
  }
  const currency = checkCurrency(input.currency);
  return em.transactional(async (tx) => {
    if (input.merchantId && !(await tx.count(Merchant, { id: input.merchantId }))) {
      throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId']);
    }
    const accounts: LedgerAccount[] = [];
    for (const [index, entry] of input.entries.entries()) {
      try {
        accounts.push(await ledgerAccount(tx, { merchantId: entry.merchantId, currency, purpose: entry.purpose }));
      } catch (error) {
        if (!(error instanceof UserFacingError)) throw error;
        throw new UserFacingError(error.code, error.message, ['input', 'entries', String(index), 'merchantId']);
      }
    }
    const result = await transfer(tx, {
      ownerId: input.merchantId,
      // Its own namespace, so an adjustment's key can never replay another module's transfer.
      idempotencyKey: `adjustment:${input.idempotencyKey}`,
      currency,
      entries: input.entries.map((entry, index) => ({ accountId: accounts[index].id, amount: entry.amount })),
      description,
    });
    if (!result.replayed) {
      recordAudit(tx, actor, {
        action: 'ledger.adjust',
        merchantId: input.merchantId,
        targetId: result.transfer.id,
        details: {
          currency,
          description,
          idempotencyKey: input.idempotencyKey,
          entries: input.entries.map((entry, index) => ({
            accountId: accounts[index].id,
            purpose: entry.purpose,
            merchantId: entry.merchantId,
            amount: entry.amount.toString(),
          })),
        },
      });
    }
    return result;
  });
}

// ---------------------------------------------------------------------------------------------------------------

interface PlannedEntry {
  accountId: string;
  amount: bigint;
  pending: boolean;
}

/** Everything one write needs: the transfer row, the entries to add and the hold entries it releases. */
interface Plan {
  merchantId: string | null;
  idempotencyKey: string;
  /** What a replay must repeat (see fingerprint). */
  money: Record<string, unknown>;
  kind: LedgerTransferKind;
  currency: string;
  amount: bigint;
  pendingId: string | null;
  reversesId: string | null;
  paymentId: string | null;
  description: string | null;
  entries: PlannedEntry[];
  /** Entries of the hold this transfer resolves: they leave the accounts' pending columns. */
  released: EntryInput[];
  /** Where an account's error points in the caller's input, if the caller named the accounts. */
  fieldOf?: (accountId: string) => string[];
}

interface StoredTransfer {
  id: string;
  merchantId: string | null;
  kind: LedgerTransferKind;
  currency: string;
  amount: bigint;
  paymentId: string | null;
}

async function resolve(
  em: EntityManager,
  pendingTransferId: string,
  kind: LedgerTransferKind.POST | LedgerTransferKind.VOID,
  options: { amount?: bigint; idempotencyKey: string; description?: string | null },
): Promise<TransferResult> {
  const idempotencyKey = checkKey(options.idempotencyKey);
  const description = checkDescription(options.description);
  return write(em, async (sql) => {
    const hold = await loadTransfer(sql, pendingTransferId);
    if (hold.kind !== LedgerTransferKind.PENDING) {
      throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'only a pending transfer can be posted or voided');
    }
    const held = await loadEntries(sql, pendingTransferId);
    let entries: PlannedEntry[] = [];
    let amount = hold.amount;
    if (kind === LedgerTransferKind.POST) {
      amount = options.amount ?? hold.amount;
      if (amount <= 0n || amount > hold.amount) {
        throw new UserFacingError(
          UserErrorCode.INVALID_AMOUNT,
          'post more than zero and at most the held amount (void the hold to release it all)',
          ['input', 'amount'],
        );
      }
      if (amount === hold.amount) {
        entries = held.map((entry) => ({ ...entry, pending: false }));
      } else if (held.length === 2) {
        entries = held.map((entry) => ({
          accountId: entry.accountId,
          amount: entry.amount < 0n ? -amount : amount,
          pending: false,
        }));
      } else {
        throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'only a two-entry hold can be posted in part', [
          'input',
          'amount',
        ]);
      }
    }
    return {
      merchantId: hold.merchantId,
      idempotencyKey,
      money: { kind, pendingId: pendingTransferId, amount },
      kind,
      currency: hold.currency,
      amount,
      pendingId: pendingTransferId,
      reversesId: null,
      paymentId: hold.paymentId,
      description,
      entries,
      released: held,
    };
  });
}

/**
 * Writes a planned transfer in one transaction. The transfer row goes first, so a concurrent request with the same
 * key (or resolving the same hold) waits on its unique index before taking any account lock, and, under SQLite, so
 * the transaction holds the write lock before it reads balances.
 */
async function write(em: EntityManager, plan: (sql: Sql) => Promise<Plan>): Promise<TransferResult> {
  const { row, replayed } = await em.getConnection('write').transactional(
    async (trx) => {
      const sql = sqlOn(em, trx);
      const p = await plan(sql);
      const now = new Date();
      const [inserted] = await sql.all(
        `insert into ledger_transfer
             (id, merchant_id, owner_key, idempotency_key, fingerprint, kind, currency, amount,
              pending_id, reverses_id, payment_id, description, created_at)
           values (?, ?, ?, ?, ?, ?, ?, ${int(p.amount)}, ?, ?, ?, ?, ?)
           on conflict do nothing returning *`,
        [
          newId('ltr'),
          p.merchantId,
          p.merchantId ?? PLATFORM_OWNER,
          p.idempotencyKey,
          fingerprint(p.money),
          p.kind,
          p.currency,
          p.pendingId,
          p.reversesId,
          p.paymentId,
          p.description,
          now,
        ],
      );
      if (!inserted) return { row: await earlier(sql, p), replayed: true };
      const owners = await moveBalances(sql, p);
      if (p.entries.length) {
        await sql.all(
          `insert into ledger_entry (id, transfer_id, account_id, merchant_id, currency, amount, pending, created_at)
             values ${p.entries.map((entry) => `(?, ?, ?, ?, ?, ${int(entry.amount)}, ?, ?)`).join(', ')}`,
          p.entries.flatMap((entry) => [
            newId('len'),
            inserted.id,
            entry.accountId,
            owners.get(entry.accountId) ?? null,
            p.currency,
            entry.pending,
            now,
          ]),
        );
      }
      return { row: inserted, replayed: false };
    },
    { ctx: outerTransaction(em) },
  );
  const written = em.map(LedgerTransfer, row);
  // Counted when written: a caller's transaction that rolls back later still counted it (rare, and only a metric).
  if (!replayed) ledgerPostings.inc({ kind: written.kind });
  return { transfer: written, replayed };
}

/** The transfer a conflicting insert ran into: this key's earlier transfer, or the hold's or original's resolution. */
async function earlier(sql: Sql, plan: Plan): Promise<Row> {
  const [byKey] = await sql.all('select * from ledger_transfer where owner_key = ? and idempotency_key = ?', [
    plan.merchantId ?? PLATFORM_OWNER,
    plan.idempotencyKey,
  ]);
  if (byKey) {
    // Transfers written before descriptions left the fingerprint hashed theirs last: the same money matches either.
    const legacy = fingerprint({ ...plan.money, description: byKey.description ?? null });
    if (byKey.fingerprint !== fingerprint(plan.money) && byKey.fingerprint !== legacy) {
      throw new UserFacingError(
        UserErrorCode.IDEMPOTENCY_CONFLICT,
        'this idempotency key was already used for a different transfer',
        ['input', 'idempotencyKey'],
      );
    }
    return byKey;
  }
  if (plan.pendingId) {
    throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'this pending transfer is already posted or voided');
  }
  if (plan.reversesId) {
    throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'this transfer is already reversed');
  }
  throw new Error('ledger transfer insert conflicted with no known unique key');
}

/** How a transfer changes one account's stored sums. */
interface Delta {
  balance: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}
const COLUMNS = [
  ['balance', 'balance'],
  ['pending_debits', 'pendingDebits'],
  ['pending_credits', 'pendingCredits'],
] as const;

/**
 * Locks the touched accounts in id order (so concurrent transfers cannot deadlock), checks currency and available
 * balances, and applies the deltas in one update. Returns each account's merchant, which its entries copy.
 */
async function moveBalances(sql: Sql, plan: Plan): Promise<Map<string, string | null>> {
  const deltas = new Map<string, Delta>();
  const delta = (accountId: string) => {
    let d = deltas.get(accountId);
    if (!d) deltas.set(accountId, (d = { balance: 0n, pendingDebits: 0n, pendingCredits: 0n }));
    return d;
  };
  for (const entry of plan.entries) {
    const d = delta(entry.accountId);
    if (!entry.pending) d.balance += entry.amount;
    else if (entry.amount < 0n) d.pendingDebits += entry.amount;
    else d.pendingCredits += entry.amount;
  }
  for (const entry of plan.released) {
    const d = delta(entry.accountId);
    if (entry.amount < 0n) d.pendingDebits -= entry.amount;
    else d.pendingCredits -= entry.amount;
  }
  const ids = [...deltas.keys()].sort();
  const rows = await sql.all(
    `select id, merchant_id, currency, purpose, allow_negative, balance, pending_debits from ledger_account
      where id in (${ids.map(() => '?').join(', ')}) order by id${sql.postgres ? ' for update' : ''}`,
    ids,
  );
  const accounts = new Map(rows.map((row) => [String(row.id), row]));
  const owners = new Map<string, string | null>();
  for (const id of ids) {
    const account = accounts.get(id);
    const field = plan.fieldOf?.(id) ?? null;
    if (!account) throw new UserFacingError(UserErrorCode.NOT_FOUND, `no ledger account ${id}`, field);
    if (account.currency !== plan.currency) {
      throw new UserFacingError(
        UserErrorCode.CURRENCY_MISMATCH,
        `account ${id} is in ${String(account.currency)}, the transfer in ${plan.currency}`,
        field,
      );
    }
    const d = deltas.get(id)!;
    const available = int(account.balance) + int(account.pending_debits);
    const change = d.balance + d.pendingDebits;
    if (change < 0n && !truthy(account.allow_negative) && available + change < 0n) {
      throw new UserFacingError(
        UserErrorCode.INSUFFICIENT_FUNDS,
        `${String(account.purpose)} account ${id} has ${available} available (minor units), ${-change} needed`,
        field,
      );
    }
    owners.set(id, (account.merchant_id as string | null) ?? null);
  }
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [column, key] of COLUMNS) {
    const changed = ids.filter((id) => deltas.get(id)![key] !== 0n);
    if (!changed.length) continue;
    const cases = changed.map((id) => `when ? then ${int(deltas.get(id)![key])}`).join(' ');
    sets.push(`${column} = ${column} + case id ${cases} else 0 end`);
    params.push(...changed);
  }
  if (sets.length) {
    await sql.run(`update ledger_account set ${sets.join(', ')} where id in (${ids.map(() => '?').join(', ')})`, [
      ...params,
      ...ids,
    ]);
  }
  return owners;
}

async function loadTransfer(sql: Sql, id: string): Promise<StoredTransfer> {
  const [row] = await sql.all(
    'select id, merchant_id, kind, currency, amount, payment_id from ledger_transfer where id = ?',
    [id],
  );
  if (!row) throw new UserFacingError(UserErrorCode.NOT_FOUND, `no ledger transfer ${id}`);
  return {
    id: String(row.id),
    merchantId: (row.merchant_id as string | null) ?? null,
    kind: row.kind as LedgerTransferKind,
    currency: String(row.currency),
    amount: int(row.amount),
    paymentId: (row.payment_id as string | null) ?? null,
  };
}

async function loadEntries(sql: Sql, transferId: string): Promise<EntryInput[]> {
  const rows = await sql.all('select account_id, amount from ledger_entry where transfer_id = ? order by id', [
    transferId,
  ]);
  return rows.map((row) => ({ accountId: String(row.account_id), amount: int(row.amount) }));
}

// --- validation ------------------------------------------------------------------------------------------------

function checkKey(key: string): string {
  if (!key)
    throw new UserFacingError(UserErrorCode.REQUIRED, 'an idempotency key is required', ['input', 'idempotencyKey']);
  if (key.length > MAX_KEY_LENGTH) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${MAX_KEY_LENGTH} characters`, [
      'input',
      'idempotencyKey',
    ]);
  }
  return key;
}

function checkCurrency(currency: string): string {
  if (!isCurrency(currency)) {
    throw new UserFacingError(UserErrorCode.INVALID_CURRENCY, `unsupported currency "${currency}"`, [
      'input',
      'currency',
    ]);
  }
  return currency;
}

function checkDescription(description: string | null | undefined): string | null {
  if (description && description.length > MAX_DESCRIPTION_LENGTH) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${MAX_DESCRIPTION_LENGTH} characters`, [
      'input',
      'description',
    ]);
  }
  return description || null;
}

function checkEntries(entries: EntryInput[]): EntryInput[] {
  if (entries.length < 2) {
    throw new UserFacingError(UserErrorCode.UNBALANCED, 'a transfer needs at least two entries', ['input', 'entries']);
  }
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    if (typeof entry.amount !== 'bigint' || entry.amount === 0n) {
      throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'each entry moves a non-zero amount', [
        'input',
        'entries',
        String(index),
        'amount',
      ]);
    }
    if (seen.has(entry.accountId)) {
      throw new UserFacingError(UserErrorCode.INVALID, 'each account appears once in a transfer', [
        'input',
        'entries',
        String(index),
        'accountId',
      ]);
    }
    seen.add(entry.accountId);
  }
  const sum = entries.reduce((total, entry) => total + entry.amount, 0n);
  if (sum !== 0n) {
    throw new UserFacingError(UserErrorCode.UNBALANCED, `the entries sum to ${sum} minor units, not zero`, [
      'input',
      'entries',
    ]);
  }
  return entries.map((entry) => ({ accountId: entry.accountId, amount: entry.amount }));
}

function credits(entries: EntryInput[]): bigint {
  return entries.reduce((total, entry) => (entry.amount > 0n ? total + entry.amount : total), 0n);
}

/**
 * What an idempotency key must repeat to replay: the money (kind, currency, entries, payment, amounts), never the
 * description. A description is prose: a retry worded otherwise (translated, an SMS's text) is the same transfer, and
 * the first description stays.
 */
function fingerprint(content: Record<string, unknown>): string {
  const json = JSON.stringify(content, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  return createHash('sha256').update(json).digest('hex');
}

// --- SQL -------------------------------------------------------------------------------------------------------

type Row = Record<string, unknown>;

/** Plain SQL on one transaction (or none), through MikroORM's connection: `?` placeholders, rows as the driver gives. */
interface Sql {
  postgres: boolean;
  all(query: string, params?: unknown[]): Promise<Row[]>;
  run(query: string, params?: unknown[]): Promise<number>;
}

/** `trx` is MikroORM's transaction handle (untyped), or undefined to run outside any transaction. */
function sqlOn(em: EntityManager, trx: unknown): Sql {
  const connection = em.getConnection('write');
  return {
    postgres: em.getPlatform().constructor.name === 'PostgreSqlPlatform',
    all: async (query, params = []) => (await connection.execute(query, params, 'all', trx)) as Row[],
    run: async (query, params = []) =>
      ((await connection.execute(query, params, 'run', trx)) as { affectedRows: number }).affectedRows,
  };
}

/** The caller's transaction, if it has one: ledger writes then nest in it as a savepoint. */
function outerTransaction(em: EntityManager): unknown {
  return em.getTransactionContext();
}

/**
 * A bigint as an SQL integer literal, or a column value read back as one. The drivers' escapers do not know bigint,
 * and a bigint's decimal digits cannot inject anything.
 */
function int(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  if (value === null || value === undefined) return 0n;
  throw new Error(`not an integer: ${JSON.stringify(value)}`);
}

/** PostgreSQL answers booleans as booleans, SQLite as 0/1. */
function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}
