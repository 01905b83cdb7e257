import { existingTransferKeys } from '../ledger';
import { Entity, Index, PrimaryKey, Property, type EntityManager } from '@mikro-orm/core';
import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  ObjectType,
  Query,
  registerEnumType,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../common/context';
import { graphqlError } from '../../common/errors';
import { newId } from '../../common/ids';
import { Money, parseAmount } from '../../common/money';
import { bigint, build } from '../../common/orm';
import type { StatusLineResult } from './payout.batch';
import { PaidVia, PayoutBatch, PayoutBatchStatus, Withdrawal, WithdrawalStatus } from './payout.entity';
import type { PayoutCtx } from './payout.service';

/*
 * Reconciliation: every line the bank sent back (status CSV or camt.053 statement) is kept as a PayoutBankLine, with
 * what it did, so an admin can later lay side by side, per batch line, the ledger's hold (held, posted, released,
 * returned), the withdrawal in the batch and the bank's lines about it, and see every mismatch: a batch line the bank
 * never mentioned (MISSING), a bank line about no batch line (EXTRA), an amount or currency that differs, a
 * withdrawal paid by two different bank lines (PAID_TWICE), a ledger state that does not follow the withdrawal's.
 * Reading only: nothing here changes a withdrawal (the import does, through the status file's matching).
 */

export enum BankLineSource {
  CSV = 'CSV',
  CAMT053 = 'CAMT053',
}
registerEnumType(BankLineSource, {
  name: 'PayoutBankLineSource',
  description: 'Which bank file a line came from. Values only grow.',
  valuesConfig: {
    CSV: { description: 'The bank’s status CSV.' },
    CAMT053: { description: 'An ISO 20022 camt.053 end-of-day statement (a booked entry).' },
  },
});

@Entity({ tableName: 'payout_bank_line' })
@Index({ properties: ['withdrawalRef'] })
@Index({ properties: ['importId', 'lineNo'] })
@ObjectType({ description: 'One line the bank sent back about a payout, as imported, and what it did.' })
export class PayoutBankLine {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "pbl_".' })
  id: string = newId('pbl');

  /** One id per imported file ("pbi_…"). */
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The import it came with ("pbi_…"): one per file.' })
  importId!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => BankLineSource)
  source!: BankLineSource;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'CSV: the line number (header = 1); camt.053: the transaction’s place (1, 2, …).' })
  lineNo!: number;

  /** The withdrawal id the line names (CSV withdrawal_id, camt.053 EndToEndId), as given: not necessarily ours. */
  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'The withdrawal id the line names, as given by the bank.' })
  withdrawalRef: string | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  @Field(() => String, { nullable: true, description: 'What the bank says: PAID, REJECTED or RETURNED.' })
  status: string | null = null;

  /** The amount the line states, minor units; null when it was not a valid amount. */
  @Property({ type: bigint(), nullable: true })
  amountMinor: bigint | null = null;

  @Property({ type: 'string', length: 3, nullable: true })
  @Field(() => String, { nullable: true })
  currency: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'The bank’s reference for the payment.' })
  bankReference: string | null = null;

  @Property({ type: 'string', length: 300, nullable: true })
  @Field(() => String, { nullable: true, description: 'A rejection or return reason (camt.053: its reason code).' })
  reason: string | null = null;

  /** A PayoutStatusLineOutcome. */
  @Property({ type: 'string', length: 20 })
  outcome!: string;

  @Property({ type: 'string', length: 300 })
  @Field(() => String)
  message!: string;

  @Property({ type: 'string', length: 40 })
  importedBy!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  importedAt: Date = new Date();
}

/** The bank's lines as the status importer read them (CSV column names), one per result. */
export type BankRow = Record<string, string>;

/** Keeps the lines of one imported file with what each did (in their own transaction, after the lines applied). */
export async function recordBankLines(
  ctx: PayoutCtx,
  source: BankLineSource,
  rows: readonly BankRow[],
  results: readonly StatusLineResult[],
): Promise<string> {
  const importId = newId('pbi');
  const em = ctx.em.fork();
  const importedAt = new Date();
  for (const [index, row] of rows.entries()) {
    const result = results[index];
    const currency = (row.currency ?? '').trim().toUpperCase().slice(0, 3) || null;
    let amountMinor: bigint | null = null;
    try {
      amountMinor = currency ? parseAmount(row.amount ?? '', currency) : null;
    } catch {
      amountMinor = null;
    }
    em.persist(
      build(PayoutBankLine, {
        importId,
        source,
        lineNo: result.line,
        withdrawalRef: (row.withdrawal_id ?? '').slice(0, 100) || null,
        status: (row.status ?? '').toUpperCase().slice(0, 10) || null,
        amountMinor,
        currency,
        bankReference: (row.bank_reference ?? '').slice(0, 100) || null,
        reason: (row.reason ?? '').slice(0, 300) || null,
        outcome: result.outcome,
        message: result.message.slice(0, 300),
        importedBy: ctx.viewer?.userId ?? 'system',
        importedAt,
      }),
    );
  }
  await em.flush();
  return importId;
}

// --- The view ------------------------------------------------------------------------------------------------------

export enum ReconciliationFlag {
  MISSING = 'MISSING',
  EXTRA = 'EXTRA',
  AMOUNT_DIFFERS = 'AMOUNT_DIFFERS',
  CURRENCY_DIFFERS = 'CURRENCY_DIFFERS',
  PAID_TWICE = 'PAID_TWICE',
  LEDGER_DIFFERS = 'LEDGER_DIFFERS',
  PAID_BY_OVERRIDE = 'PAID_BY_OVERRIDE',
}
registerEnumType(ReconciliationFlag, {
  name: 'PayoutReconciliationFlag',
  description: 'A mismatch between the ledger, the batch and the bank’s lines. Values only grow.',
  valuesConfig: {
    MISSING: { description: 'In the batch, but no bank line mentions it.' },
    EXTRA: { description: 'A bank line about no withdrawal of any batch (unknown id, or never sent).' },
    AMOUNT_DIFFERS: { description: 'A bank line states another amount than was sent.' },
    CURRENCY_DIFFERS: { description: 'A bank line states another currency.' },
    PAID_TWICE: { description: 'Two different bank lines say it was paid (two bank references).' },
    LEDGER_DIFFERS: { description: 'The ledger’s hold is not where the withdrawal’s state says it should be.' },
    PAID_BY_OVERRIDE: { description: 'Marked paid by an admin’s override, without a bank line (audited).' },
  },
});

export enum LedgerHoldState {
  NONE = 'NONE',
  HELD = 'HELD',
  POSTED = 'POSTED',
  RELEASED = 'RELEASED',
  RETURNED = 'RETURNED',
}
registerEnumType(LedgerHoldState, {
  name: 'PayoutLedgerHoldState',
  description: 'Where a withdrawal’s money stands in the ledger.',
  valuesConfig: {
    NONE: { description: 'No hold (never confirmed).' },
    HELD: { description: 'Held (withdrawal-hold), neither posted nor released.' },
    POSTED: { description: 'The hold was posted and the payout booked out (withdrawal-post, withdrawal-out).' },
    RELEASED: { description: 'The hold was voided: the money is available again (withdrawal-void).' },
    RETURNED: { description: 'Posted, then booked back to the merchant (withdrawal-return).' },
  },
});

/** What the ledger should show for each state of a withdrawal in a batch. */
const EXPECTED_LEDGER: Partial<Record<WithdrawalStatus, LedgerHoldState>> = {
  [WithdrawalStatus.IN_BATCH]: LedgerHoldState.HELD,
  [WithdrawalStatus.PAID]: LedgerHoldState.POSTED,
  [WithdrawalStatus.REJECTED]: LedgerHoldState.RELEASED,
  [WithdrawalStatus.RETURNED]: LedgerHoldState.RETURNED,
};

export interface ReconciliationLine {
  withdrawal: Withdrawal;
  sentMinor: bigint;
  ledger: LedgerHoldState;
  bankLines: PayoutBankLine[];
  flags: ReconciliationFlag[];
}

export interface Reconciliation {
  batches: PayoutBatch[];
  lines: ReconciliationLine[];
  extras: PayoutBankLine[];
}

const MAX_LINES = 2000;

async function ledgerStates(em: EntityManager, withdrawals: Withdrawal[]): Promise<Map<string, LedgerHoldState>> {
  const states = new Map<string, LedgerHoldState>();
  if (!withdrawals.length) return states;
  const keys = withdrawals.flatMap((w) =>
    ['hold', 'post', 'void', 'return'].map((step) => `withdrawal-${step}:${w.id}`),
  );
  const found = await existingTransferKeys(em, keys);
  for (const w of withdrawals) {
    const has = (step: string) => found.has(`withdrawal-${step}:${w.id}`);
    states.set(
      w.id,
      has('return')
        ? LedgerHoldState.RETURNED
        : has('post')
          ? LedgerHoldState.POSTED
          : has('void')
            ? LedgerHoldState.RELEASED
            : has('hold')
              ? LedgerHoldState.HELD
              : LedgerHoldState.NONE,
    );
  }
  return states;
}

/**
 * The reconciliation of one batch, or of every open batch when none is named: each batch line with its ledger state
 * and bank lines, flagged; and the bank lines about no batch line (EXTRA) — all of them for the open batches' view,
 * none for one batch (they belong to no batch).
 */
export async function reconcile(ctx: PayoutCtx, batchId?: string | null): Promise<Reconciliation> {
  const em = ctx.em.fork();
  const batches = batchId
    ? await em.find(PayoutBatch, { id: batchId })
    : await em.find(PayoutBatch, { status: PayoutBatchStatus.OPEN }, { orderBy: { id: 'asc' } });
  const withdrawals = batches.length
    ? await em.find(
        Withdrawal,
        { batchId: { $in: batches.map((b) => b.id) } },
        { orderBy: { id: 'asc' }, limit: MAX_LINES },
      )
    : [];
  const bankLines = withdrawals.length
    ? await em.find(
        PayoutBankLine,
        { withdrawalRef: { $in: withdrawals.map((w) => w.id) } },
        { orderBy: { importedAt: 'asc', lineNo: 'asc' } },
      )
    : [];
  const ledger = await ledgerStates(em, withdrawals);
  const lines = withdrawals.map((withdrawal): ReconciliationLine => {
    const mine = bankLines.filter((line) => line.withdrawalRef === withdrawal.id);
    const sentMinor = withdrawal.amountMinor - withdrawal.feeMinor;
    const flags = new Set<ReconciliationFlag>();
    if (!mine.length) flags.add(ReconciliationFlag.MISSING);
    for (const line of mine) {
      if (line.outcome === 'CURRENCY_DIFFERS' || (line.currency && line.currency !== withdrawal.currency)) {
        flags.add(ReconciliationFlag.CURRENCY_DIFFERS);
      } else if (line.outcome === 'AMOUNT_DIFFERS' || line.amountMinor !== sentMinor) {
        flags.add(ReconciliationFlag.AMOUNT_DIFFERS);
      }
    }
    // The same file imported twice is not a second payment: lines count apart only by their bank reference.
    const payments = new Set(
      mine
        .filter((line) => line.status === 'PAID')
        .map((line) => line.bankReference ?? `${line.importId}:${line.lineNo}`),
    );
    if (payments.size > 1) flags.add(ReconciliationFlag.PAID_TWICE);
    const expected = EXPECTED_LEDGER[withdrawal.status];
    const state = ledger.get(withdrawal.id) ?? LedgerHoldState.NONE;
    if (expected !== state) flags.add(ReconciliationFlag.LEDGER_DIFFERS);
    if (withdrawal.paidVia === PaidVia.ADMIN_OVERRIDE) flags.add(ReconciliationFlag.PAID_BY_OVERRIDE);
    return { withdrawal, sentMinor, ledger: state, bankLines: mine, flags: [...flags] };
  });
  let extras: PayoutBankLine[] = [];
  if (!batchId) {
    const candidates = await em.find(
      PayoutBankLine,
      { outcome: { $in: ['UNKNOWN_WITHDRAWAL', 'NOT_IN_BATCH', 'INVALID_LINE'] } },
      { orderBy: { importedAt: 'desc' }, limit: MAX_LINES },
    );
    // A line unknown when imported may name a withdrawal batched since: only those still in no batch are extra.
    const refs = [...new Set(candidates.map((line) => line.withdrawalRef).filter((ref): ref is string => !!ref))];
    const batched = refs.length
      ? new Set(
          (await em.find(Withdrawal, { id: { $in: refs }, batchId: { $ne: null } }, { fields: ['id'] })).map(
            (w) => w.id,
          ),
        )
      : new Set<string>();
    extras = candidates.filter((line) => !line.withdrawalRef || !batched.has(line.withdrawalRef));
  }
  return { batches, lines, extras };
}

// --- GraphQL -------------------------------------------------------------------------------------------------------

@ObjectType('PayoutReconciliationLine', { description: 'One batch line: the ledger ↔ the withdrawal ↔ the bank.' })
export class ReconciliationLineType {
  @Field(() => Withdrawal)
  withdrawal!: Withdrawal;

  @Field(() => Money, { description: 'What the bank was asked to send (amount less fee).' })
  sent!: Money;

  @Field(() => LedgerHoldState, { description: 'Where its money stands in the ledger.' })
  ledger!: LedgerHoldState;

  @Field(() => [PayoutBankLine], { description: 'Every bank line that named it, oldest first.' })
  bankLines!: PayoutBankLine[];

  @Field(() => [ReconciliationFlag], { description: 'Its mismatches; empty when the three agree.' })
  flags!: ReconciliationFlag[];
}

@ObjectType('PayoutReconciliation', { description: 'Ledger holds ↔ batch lines ↔ bank lines, with every mismatch.' })
export class ReconciliationType {
  @Field(() => [PayoutBatch], { description: 'The batches reconciled (the one asked for, or every open one).' })
  batches!: PayoutBatch[];

  @Field(() => [ReconciliationLineType])
  lines!: ReconciliationLineType[];

  @Field(() => [PayoutBankLine], {
    description: 'EXTRA: bank lines about no withdrawal of any batch (shown when no batch is named).',
  })
  extras!: PayoutBankLine[];

  @Field(() => Int, { description: 'How many lines carry a flag, extras included.' })
  mismatches!: number;
}

@Resolver(() => PayoutBankLine)
export class PayoutReconciliationResolver {
  @Authorized('ADMIN')
  @Query(() => ReconciliationType, {
    description:
      'Admins: the reconciliation of a payout batch (or of every open batch, with the bank lines about no batch): ' +
      'each line’s ledger state, the withdrawal and the bank’s lines, flagged MISSING, EXTRA, AMOUNT_DIFFERS, ' +
      'CURRENCY_DIFFERS, PAID_TWICE, LEDGER_DIFFERS or PAID_BY_OVERRIDE.',
  })
  async payoutReconciliation(
    @Arg('batchId', () => ID, { nullable: true }) batchId: string | null,
    @Ctx() ctx: Context,
  ): Promise<ReconciliationType> {
    const result = await reconcile(ctx, batchId);
    if (batchId && !result.batches.length) throw graphqlError('NOT_FOUND', 'no such payout batch');
    const lines = result.lines.map((line) => ({
      withdrawal: line.withdrawal,
      sent: Money.of(line.sentMinor, line.withdrawal.currency),
      ledger: line.ledger,
      bankLines: line.bankLines,
      flags: line.flags,
    }));
    return {
      batches: result.batches,
      lines,
      extras: result.extras,
      mismatches: lines.filter((line) => line.flags.length).length + result.extras.length,
    };
  }

  @FieldResolver(() => Money, { nullable: true, description: 'The amount the line states; null when unreadable.' })
  amount(@Root() line: PayoutBankLine): Money | null {
    return line.amountMinor !== null && line.currency ? Money.of(line.amountMinor, line.currency) : null;
  }

  @FieldResolver(() => String, { description: 'What the line did when imported (a PayoutStatusLineOutcome).' })
  outcome(@Root() line: PayoutBankLine): string {
    return line.outcome;
  }
}
