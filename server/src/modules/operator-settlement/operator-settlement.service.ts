import type { EntityManager } from '@mikro-orm/core';
import { parse } from 'csv-parse/sync';
import type { Context } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { newId } from '../../common/ids';
import { formatAmount, isCurrency, parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { recordAudit } from '../audit';
import { LedgerAccountPurpose, transferByKey } from '../ledger';
import { reverseUnbilledSms } from '../payment';
import { SmsDirection, SmsMessage } from '../sms';
import { emitEvent } from '../webhook';
import { OperatorLineOutcome, OperatorSettlementLine } from './operator-settlement.entity';

/*
 * Operator settlement: an SMS aggregator or mobile operator reports, per message, whether it billed the payer and what
 * it paid us. Each line is reconciled against the ledger's booking of that SMS (`sms:<smsId>`, which expected the
 * price less the operator's share): billed and paid as expected, billed with another amount (reported, nothing
 * changes), or not billed — then what we credited for it is reversed through settlement (payment/
 * operator.settlement.ts, once per SMS), the merchant's part taken from its available balance or owed as a
 * receivable, and the merchant told (sms.unbilled). Every line is kept, for the report per operator and month.
 */

export type OperatorCtx = Pick<Context, 'em' | 'viewer' | 'ip'>;

export const MAX_REPORT_LINES = 20_000;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const BILLED = new Map<string, boolean>([
  ...['yes', 'y', 'true', '1', 'billed'].map((v) => [v, true] as [string, boolean]),
  ...['no', 'n', 'false', '0', 'unbilled', 'not billed'].map((v) => [v, false] as [string, boolean]),
]);

export interface OperatorImportInput {
  operator: string;
  month: string;
  csv: string;
  /** Only SMS that came in through this provider ('http:<aggregator>', 'smpp:<smsc>'); any when absent. */
  provider?: string | null;
}

function checkInput(input: OperatorImportInput): { operator: string; month: string; provider: string | null } {
  const operator = input.operator?.trim() ?? '';
  if (!operator) throw new UserFacingError(UserErrorCode.REQUIRED, 'name the operator', ['input', 'operator']);
  // eslint-disable-next-line no-control-regex
  if (operator.length > 60 || /[\u0000-\u001f\u007f]/.test(operator)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'at most 60 characters, no control characters', [
      'input',
      'operator',
    ]);
  }
  const month = input.month?.trim() ?? '';
  if (!MONTH.test(month)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'a month as YYYY-MM, e.g. 2026-11', ['input', 'month']);
  }
  const provider = input.provider?.trim() || null;
  if (provider && provider.length > 60) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'at most 60 characters', ['input', 'provider']);
  }
  return { operator, month, provider };
}

function readCsv(csv: string): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(csv, {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      to: MAX_REPORT_LINES + 1,
    });
  } catch (error) {
    throw new UserFacingError(UserErrorCode.INVALID, `not a CSV file: ${(error as Error).message}`.slice(0, 300), [
      'input',
      'csv',
    ]);
  }
  if (rows.length > MAX_REPORT_LINES) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `at most ${MAX_REPORT_LINES} lines per file`, ['input', 'csv']);
  }
  const missing = ['message_id', 'billed', 'amount'].filter((column) => rows.length && !(column in rows[0]));
  if (missing.length) {
    throw new UserFacingError(UserErrorCode.INVALID, `the header lacks ${missing.join(', ')}`, ['input', 'csv']);
  }
  return rows;
}

type Found = Pick<
  OperatorSettlementLine,
  'smsId' | 'merchantId' | 'billed' | 'amountMinor' | 'expectedMinor' | 'reversedMinor' | 'currency' | 'outcome'
> & { message: string; reversalTransferId?: string | null };

async function findSms(em: EntityManager, messageId: string, provider: string | null): Promise<SmsMessage | null> {
  const where = provider ? { provider } : {};
  return (
    (await em.findOne(SmsMessage, { id: messageId, direction: SmsDirection.IN, ...where })) ??
    (await em.findOne(
      SmsMessage,
      { providerMessageId: messageId, direction: SmsDirection.IN, ...where },
      { orderBy: { id: 'asc' } },
    ))
  );
}

/** Reconciles one line in its own transaction (a reversal and its event commit together, or neither). */
async function reconcileLine(
  ctx: OperatorCtx,
  row: Record<string, string>,
  provider: string | null,
  names: { operator: string; month: string },
): Promise<Found> {
  const empty = {
    smsId: null,
    merchantId: null,
    billed: null,
    amountMinor: null,
    expectedMinor: null,
    reversedMinor: null,
    currency: null,
  };
  const billed = BILLED.get((row.billed ?? '').toLowerCase());
  if (billed === undefined) {
    return { ...empty, outcome: OperatorLineOutcome.INVALID_LINE, message: 'billed must be yes or no' };
  }
  return ctx.em.fork().transactional(async (em) => {
    const sms = await findSms(em, row.message_id, provider);
    if (!sms) return { ...empty, billed, outcome: OperatorLineOutcome.UNKNOWN_MESSAGE, message: 'no such SMS' };
    const found = { ...empty, smsId: sms.id, merchantId: sms.merchantId, billed };
    const booked = await transferByKey(em, sms.merchantId, `sms:${sms.id}`);
    const leg = (purpose: LedgerAccountPurpose) =>
      booked?.entries.filter((e) => e.purpose === purpose).reduce((sum, e) => sum + e.amount, 0n) ?? 0n;
    const expected = booked ? -leg(LedgerAccountPurpose.WORLD) - leg(LedgerAccountPurpose.OPERATOR_SHARE) : null;
    const bookedCurrency = booked?.currency ?? null;
    const currency = (row.currency ?? '').toUpperCase() || bookedCurrency;
    let amount: bigint | null = null;
    if (row.amount) {
      if (!currency || !isCurrency(currency)) {
        return { ...found, outcome: OperatorLineOutcome.INVALID_LINE, message: 'give the amount’s currency' };
      }
      try {
        amount = parseAmount(row.amount, currency);
      } catch {
        return { ...found, outcome: OperatorLineOutcome.INVALID_LINE, message: `"${row.amount}" is not an amount` };
      }
    }
    const values = { ...found, amountMinor: amount, expectedMinor: expected, currency: bookedCurrency ?? currency };
    if (billed) {
      if (!booked) {
        return {
          ...values,
          outcome: OperatorLineOutcome.BILLED_NOT_CREDITED,
          message: `billed, but we credited nothing for it (${sms.status})`,
        };
      }
      if (currency !== bookedCurrency || amount !== expected) {
        return {
          ...values,
          outcome: OperatorLineOutcome.AMOUNT_DIFFERS,
          message:
            `paid ${row.amount || 'nothing'} ${currency ?? ''}, the ledger expects ` +
            `${formatAmount(expected!, bookedCurrency!)} ${bookedCurrency}`,
        };
      }
      return { ...values, outcome: OperatorLineOutcome.BILLED, message: 'billed as booked' };
    }
    if (!booked) {
      return { ...values, outcome: OperatorLineOutcome.UNBILLED_NOT_CREDITED, message: 'nothing was credited for it' };
    }
    if (!sms.merchantId) {
      return { ...values, outcome: OperatorLineOutcome.UNBILLED_IN_SUSPENSE, message: 'its money is in suspense' };
    }
    const reversal = await reverseUnbilledSms(em, {
      smsId: sms.id,
      merchantId: sms.merchantId,
      paymentId: sms.paymentId,
    });
    const money = (minor: bigint) => `${formatAmount(minor, reversal.currency!)} ${reversal.currency}`;
    switch (reversal.outcome) {
      case 'IN_SUSPENSE':
        return { ...values, outcome: OperatorLineOutcome.UNBILLED_IN_SUSPENSE, message: 'its money is in suspense' };
      case 'PAYMENT_OPEN':
        return {
          ...values,
          outcome: OperatorLineOutcome.UNBILLED_PAYMENT_OPEN,
          message: 'its payment still takes money: import again once it has closed',
        };
      case 'NOT_CREDITED':
        return { ...values, outcome: OperatorLineOutcome.UNBILLED_NOT_CREDITED, message: 'nothing was credited' };
      case 'ALREADY_REVERSED':
        return {
          ...values,
          reversedMinor: reversal.merchantMinor,
          reversalTransferId: reversal.transferId,
          outcome: OperatorLineOutcome.ALREADY_REVERSED,
          message: `reversed before (${money(reversal.merchantMinor)})`,
        };
      case 'REVERSED':
        await emitEvent(em, 'sms.unbilled', sms.merchantId, {
          smsId: sms.id,
          paymentId: sms.paymentId,
          operator: names.operator,
          month: names.month,
          amount: formatAmount(reversal.merchantMinor, reversal.currency!),
          receivable: formatAmount(reversal.receivableMinor, reversal.currency!),
          currency: reversal.currency,
        });
        await em.flush();
        return {
          ...values,
          reversedMinor: reversal.merchantMinor,
          reversalTransferId: reversal.transferId,
          outcome: OperatorLineOutcome.UNBILLED_REVERSED,
          message:
            `not billed: ${money(reversal.merchantMinor)} taken back from the merchant` +
            (reversal.receivableMinor ? `, ${money(reversal.receivableMinor)} of it owed` : ''),
        };
    }
  });
}

/**
 * Imports an operator's settlement report for a month (CSV header message_id,billed,amount[,currency]; billed yes or
 * no; amount what the operator paid us for the message): each line reconciled and kept; unbilled SMS reversed.
 */
export async function importOperatorReport(
  ctx: OperatorCtx,
  input: OperatorImportInput,
): Promise<OperatorSettlementLine[]> {
  const { operator, month, provider } = checkInput(input);
  const rows = readCsv(input.csv);
  const importId = newId('osi');
  const importedAt = new Date();
  const seen = new Set<string>();
  const lines: OperatorSettlementLine[] = [];
  for (const [index, row] of rows.entries()) {
    const messageId = (row.message_id ?? '').slice(0, 100);
    let found: Found;
    if (!messageId) {
      found = {
        smsId: null,
        merchantId: null,
        billed: null,
        amountMinor: null,
        expectedMinor: null,
        reversedMinor: null,
        currency: null,
        outcome: OperatorLineOutcome.INVALID_LINE,
        message: 'needs a message_id',
      };
    } else if (seen.has(messageId)) {
      found = {
        smsId: null,
        merchantId: null,
        billed: null,
        amountMinor: null,
        expectedMinor: null,
        reversedMinor: null,
        currency: null,
        outcome: OperatorLineOutcome.DUPLICATE,
        message: 'the same message appears earlier in this file',
      };
    } else {
      seen.add(messageId);
      found = await reconcileLine(ctx, row, provider, { operator, month });
    }
    lines.push(
      build(OperatorSettlementLine, {
        importId,
        operator,
        month,
        lineNo: index + 2,
        messageId: messageId || '',
        ...found,
        reversalTransferId: found.reversalTransferId ?? null,
        message: found.message.slice(0, 300),
        importedBy: ctx.viewer?.userId ?? 'system',
        importedAt,
      }),
    );
  }
  const em = ctx.em.fork();
  em.persist(lines);
  recordAudit(em, ctx, {
    action: 'operator_settlement.import',
    merchantId: null,
    targetId: importId,
    details: {
      operator,
      month,
      lines: lines.length,
      outcomes: Object.fromEntries(
        Object.values(OperatorLineOutcome).map((o) => [o, lines.filter((line) => line.outcome === o).length]),
      ),
    },
  });
  await em.flush();
  return lines;
}

export interface OperatorReport {
  operator: string;
  month: string;
  currency: string | null;
  lines: OperatorSettlementLine[];
  billedCount: number;
  billedMinor: bigint;
  expectedMinor: bigint;
  unbilledCount: number;
  reversedMinor: bigint;
  differingCount: number;
  /** Paid less expected over the differing lines (negative: we were paid less). */
  differenceMinor: bigint;
  unknownIds: string[];
}

const BILLED_OUTCOMES = [
  OperatorLineOutcome.BILLED,
  OperatorLineOutcome.AMOUNT_DIFFERS,
  OperatorLineOutcome.BILLED_NOT_CREDITED,
];

/** The report of an operator's month: the latest line per message over every import of it, summed. */
export async function operatorReport(em: EntityManager, operatorName: string, month: string): Promise<OperatorReport> {
  const { operator } = checkInput({ operator: operatorName, month, csv: '' });
  const all = await em.find(
    OperatorSettlementLine,
    { operator, month, outcome: { $nin: [OperatorLineOutcome.DUPLICATE, OperatorLineOutcome.INVALID_LINE] } },
    { orderBy: { importedAt: 'asc', lineNo: 'asc' } },
  );
  const latest = new Map<string, OperatorSettlementLine>();
  for (const line of all) latest.set(line.messageId, line);
  const lines = [...latest.values()];
  const sum = (of: OperatorSettlementLine[], pick: (line: OperatorSettlementLine) => bigint | null) =>
    of.reduce((total, line) => total + (pick(line) ?? 0n), 0n);
  const billed = lines.filter((line) => BILLED_OUTCOMES.includes(line.outcome));
  const unbilled = lines.filter((line) => line.billed === false && line.smsId);
  const differing = lines.filter((line) => line.outcome === OperatorLineOutcome.AMOUNT_DIFFERS);
  return {
    operator,
    month,
    currency: lines.find((line) => line.currency)?.currency ?? null,
    lines,
    billedCount: billed.length,
    billedMinor: sum(billed, (line) => line.amountMinor),
    expectedMinor: sum(billed, (line) => line.expectedMinor),
    unbilledCount: unbilled.length,
    reversedMinor: sum(unbilled, (line) => line.reversedMinor),
    differingCount: differing.length,
    differenceMinor: sum(differing, (line) => (line.amountMinor ?? 0n) - (line.expectedMinor ?? 0n)),
    unknownIds: lines
      .filter((line) => line.outcome === OperatorLineOutcome.UNKNOWN_MESSAGE)
      .map((line) => line.messageId),
  };
}
