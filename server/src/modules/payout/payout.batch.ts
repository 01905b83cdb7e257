import { LockMode, type EntityManager } from '@mikro-orm/core';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { create } from 'xmlbuilder2';
import type { Config } from '../../common/config';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { formatAmount, isCurrency, parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { recordAudit } from '../audit';
import { PaidVia, PayoutBatch, PayoutDestination, PayoutRail, Withdrawal, WithdrawalStatus } from './payout.entity';
import { parseCamt053 } from './payout.camt';
import { BankLineSource, recordBankLines } from './payout.reconcile';
import {
  assertNotSentToCard,
  checkReason,
  markPaid,
  markReturned,
  settleBatchIfDone,
  transition,
  type PayoutCtx,
} from './payout.service';

/*
 * Payout batches and the bank's answer. An admin groups the approved withdrawals of one rail and currency into a
 * batch (they go IN_BATCH), exports its file — SEPA credit transfer pain.001.001.03 XML for the SEPA rail, CSV for
 * the others — as often as needed (the same file each time: its ids and times are the batch's), and imports the
 * bank's status CSV, which marks each line paid, rejected or returned. Nothing is paid without a matching line (same
 * withdrawal, amount sent and currency) or an admin's override with a reason.
 */

export const MAX_BATCH = 1000;

/** Groups the approved withdrawals of a rail and currency (oldest first, up to MAX_BATCH) into a new batch. */
export async function createBatch(ctx: PayoutCtx, input: { rail: PayoutRail; currency: string }): Promise<PayoutBatch> {
  const currency = input.currency.trim().toUpperCase();
  if (!isCurrency(currency)) {
    throw new UserFacingError(UserErrorCode.INVALID_CURRENCY, `"${currency}" is not a currency`, ['input', 'currency']);
  }
  if (input.rail === PayoutRail.SEPA && currency !== 'EUR') {
    throw new UserFacingError(UserErrorCode.CURRENCY_MISMATCH, 'SEPA credit transfers are in EUR', [
      'input',
      'currency',
    ]);
  }
  return ctx.em.fork().transactional(async (em) => {
    const batch = build(PayoutBatch, { rail: input.rail, currency, createdBy: ctx.viewer?.userId ?? 'system' });
    // Locked, so two admins building batches at once never put one withdrawal in both.
    const approved = await em.find(
      Withdrawal,
      { rail: input.rail, currency, status: WithdrawalStatus.APPROVED },
      { orderBy: { id: 'asc' }, limit: MAX_BATCH, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!approved.length) {
      throw new UserFacingError(UserErrorCode.NOT_FOUND, `no approved ${input.rail} withdrawals in ${currency}`, [
        'input',
        'rail',
      ]);
    }
    let total = 0n;
    for (const withdrawal of approved) {
      withdrawal.batchId = batch.id;
      await transition(em, ctx, withdrawal, 'batch');
      total += withdrawal.amountMinor - withdrawal.feeMinor;
    }
    batch.count = approved.length;
    batch.totalMinor = total;
    em.persist(batch);
    recordAudit(em, ctx, {
      action: 'payout_batch.create',
      merchantId: null,
      targetId: batch.id,
      details: { rail: batch.rail, currency, count: batch.count, total: formatAmount(total, currency) },
    });
    await em.flush();
    return batch;
  });
}

export interface PayoutFile {
  fileName: string;
  contentType: string;
  content: string;
}

interface Line {
  withdrawal: Withdrawal;
  destination: PayoutDestination;
}

async function linesOf(em: EntityManager, batch: PayoutBatch): Promise<Line[]> {
  const withdrawals = await em.find(Withdrawal, { batchId: batch.id }, { orderBy: { id: 'asc' } });
  const destinations = await em.find(PayoutDestination, { id: { $in: withdrawals.map((w) => w.destinationId) } });
  const byId = new Map(destinations.map((d) => [d.id, d]));
  return withdrawals.map((withdrawal) => ({ withdrawal, destination: byId.get(withdrawal.destinationId)! }));
}

/** "2026-12-05T10:00:00": ISO 20022's ISODateTime, in UTC, without fractions. */
const isoDateTime = (date: Date) => date.toISOString().slice(0, 19);

/** SEPA allows Latin letters, digits and a few marks; anything else becomes a space or its plain letter. */
function sepaText(value: string, max: number): string {
  const plain = value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return (
    plain
      .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, max) || 'Unknown'
  );
}

/**
 * A SEPA credit transfer initiation (pain.001.001.03): one payment information block from the platform's account,
 * one transaction per withdrawal (end-to-end id = the withdrawal's id, amount = what the merchant receives). The
 * group header's count and control sum are the transactions'.
 */
export function sepaXml(batch: PayoutBatch, lines: Line[], debtor: NonNullable<Config['payoutDebtor']>): string {
  const amount = (minor: bigint) => formatAmount(minor, 'EUR');
  const total = lines.reduce((sum, { withdrawal }) => sum + withdrawal.amountMinor - withdrawal.feeMinor, 0n);
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele(
    'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03',
    'Document',
  );
  const initiation = doc.ele('CstmrCdtTrfInitn');
  const header = initiation.ele('GrpHdr');
  header.ele('MsgId').txt(batch.id);
  header.ele('CreDtTm').txt(isoDateTime(batch.createdAt));
  header.ele('NbOfTxs').txt(String(lines.length));
  header.ele('CtrlSum').txt(amount(total));
  header.ele('InitgPty').ele('Nm').txt(sepaText(debtor.name, 70));
  const info = initiation.ele('PmtInf');
  info.ele('PmtInfId').txt(batch.id);
  info.ele('PmtMtd').txt('TRF');
  info.ele('BtchBookg').txt('false');
  info.ele('NbOfTxs').txt(String(lines.length));
  info.ele('CtrlSum').txt(amount(total));
  info.ele('PmtTpInf').ele('SvcLvl').ele('Cd').txt('SEPA');
  info.ele('ReqdExctnDt').txt(batch.createdAt.toISOString().slice(0, 10));
  info.ele('Dbtr').ele('Nm').txt(sepaText(debtor.name, 70));
  info.ele('DbtrAcct').ele('Id').ele('IBAN').txt(debtor.iban);
  info.ele('DbtrAgt').ele('FinInstnId').ele('BIC').txt(debtor.bic);
  info.ele('ChrgBr').txt('SLEV');
  for (const { withdrawal, destination } of lines) {
    const tx = info.ele('CdtTrfTxInf');
    tx.ele('PmtId').ele('EndToEndId').txt(withdrawal.id);
    tx.ele('Amt')
      .ele('InstdAmt', { Ccy: 'EUR' })
      .txt(amount(withdrawal.amountMinor - withdrawal.feeMinor));
    tx.ele('CdtrAgt').ele('FinInstnId').ele('BIC').txt(destination.bic!);
    tx.ele('Cdtr').ele('Nm').txt(sepaText(destination.holderName, 70));
    tx.ele('CdtrAcct').ele('Id').ele('IBAN').txt(destination.iban!);
    tx.ele('RmtInf')
      .ele('Ustrd')
      .txt(sepaText(`Tollgate payout ${withdrawal.id}`, 140));
  }
  return doc.end({ prettyPrint: true });
}

export const BATCH_CSV_COLUMNS = [
  'batch_id',
  'withdrawal_id',
  'merchant_id',
  'rail',
  'currency',
  'amount',
  'beneficiary',
  'iban',
  'bic',
  'card_token',
  'wallet_provider',
  'wallet_id',
  'reference',
] as const;

/** Every other rail: one CSV row per withdrawal (RFC 4180, header first), amounts as decimal strings. */
export function batchCsv(batch: PayoutBatch, lines: Line[]): string {
  return stringify(
    lines.map(({ withdrawal, destination }) => ({
      batch_id: batch.id,
      withdrawal_id: withdrawal.id,
      merchant_id: withdrawal.merchantId,
      rail: withdrawal.rail,
      currency: withdrawal.currency,
      amount: formatAmount(withdrawal.amountMinor - withdrawal.feeMinor, withdrawal.currency),
      beneficiary: destination.holderName,
      iban: destination.iban ?? '',
      bic: destination.bic ?? '',
      card_token: destination.cardTokenId ?? '',
      wallet_provider: destination.walletProvider ?? '',
      wallet_id: destination.walletId ?? '',
      reference: `Tollgate payout ${withdrawal.id}`,
    })),
    { header: true, columns: [...BATCH_CSV_COLUMNS], record_delimiter: '\r\n' },
  );
}

/** The batch's bank file; exporting again gives the same file (and is counted, audited). */
export async function exportBatch(ctx: PayoutCtx, id: string): Promise<{ batch: PayoutBatch; file: PayoutFile }> {
  return ctx.em.fork().transactional(async (em) => {
    const batch = await em.findOne(PayoutBatch, id);
    if (!batch) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such payout batch', ['input', 'id']);
    const lines = await linesOf(em, batch);
    let file: PayoutFile;
    if (batch.rail === PayoutRail.SEPA) {
      if (!ctx.config.payoutDebtor) {
        throw new UserFacingError(
          UserErrorCode.INVALID,
          'set PAYOUT_DEBTOR_NAME, PAYOUT_DEBTOR_IBAN and PAYOUT_DEBTOR_BIC first',
        );
      }
      file = {
        fileName: `${batch.id}.xml`,
        contentType: 'application/xml',
        content: sepaXml(batch, lines, ctx.config.payoutDebtor),
      };
    } else {
      file = { fileName: `${batch.id}.csv`, contentType: 'text/csv', content: batchCsv(batch, lines) };
    }
    batch.exportCount += 1;
    batch.lastExportedAt = new Date();
    recordAudit(em, ctx, {
      action: 'payout_batch.export',
      merchantId: null,
      targetId: batch.id,
      details: { exportCount: batch.exportCount },
    });
    await em.flush();
    return { batch, file };
  });
}

// --- The bank's answer ---------------------------------------------------------------------------------------------

export enum StatusLineOutcome {
  PAID = 'PAID',
  REJECTED = 'REJECTED',
  RETURNED = 'RETURNED',
  ALREADY_DONE = 'ALREADY_DONE',
  UNKNOWN_WITHDRAWAL = 'UNKNOWN_WITHDRAWAL',
  NOT_IN_BATCH = 'NOT_IN_BATCH',
  AMOUNT_DIFFERS = 'AMOUNT_DIFFERS',
  CURRENCY_DIFFERS = 'CURRENCY_DIFFERS',
  INVALID_LINE = 'INVALID_LINE',
  REFUSED = 'REFUSED',
}

export interface StatusLineResult {
  line: number;
  withdrawalId: string | null;
  outcome: StatusLineOutcome;
  message: string;
}

export const STATUS_CSV_COLUMNS = [
  'withdrawal_id',
  'status',
  'amount',
  'currency',
  'bank_reference',
  'reason',
] as const;
const MAX_STATUS_LINES = 5000;

/**
 * Imports a bank status CSV (header: withdrawal_id,status,amount,currency,bank_reference[,reason]; status PAID,
 * REJECTED or RETURNED; amount = what was sent). Each line is matched to its withdrawal and applied in its own
 * transaction; a line that does not match (unknown id, not in a batch, amount or currency differs) changes nothing
 * and is reported. Importing the same file again pays nothing twice (ALREADY_DONE).
 */
export async function importStatusCsv(ctx: PayoutCtx, csv: string): Promise<StatusLineResult[]> {
  let rows: Record<string, string>[];
  try {
    rows = parse(csv, {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      to: MAX_STATUS_LINES + 1,
    });
  } catch (error) {
    throw new UserFacingError(UserErrorCode.INVALID, `not a CSV file: ${(error as Error).message}`.slice(0, 300), [
      'input',
      'csv',
    ]);
  }
  if (rows.length > MAX_STATUS_LINES) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `at most ${MAX_STATUS_LINES} lines per file`, ['input', 'csv']);
  }
  const missing = ['withdrawal_id', 'status', 'amount', 'currency'].filter(
    (column) => rows.length && !(column in rows[0]),
  );
  if (missing.length) {
    throw new UserFacingError(UserErrorCode.INVALID, `the header lacks ${missing.join(', ')}`, ['input', 'csv']);
  }
  return applyBankRows(ctx, BankLineSource.CSV, rows, (index) => index + 2);
}

/**
 * Imports a camt.053 end-of-day statement: its booked payout transactions become status lines (payout.camt.ts),
 * matched and applied exactly as the status CSV's are.
 */
export async function importStatementXml(ctx: PayoutCtx, xml: string): Promise<StatusLineResult[]> {
  const { rows } = parseCamt053(xml);
  if (rows.length > MAX_STATUS_LINES) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `at most ${MAX_STATUS_LINES} lines per file`, ['input', 'xml']);
  }
  return applyBankRows(ctx, BankLineSource.CAMT053, rows, (index) => index + 1);
}

/** Applies the bank's lines one by one, keeps them (for the reconciliation view) and audits the import. */
async function applyBankRows(
  ctx: PayoutCtx,
  source: BankLineSource,
  rows: Record<string, string>[],
  lineOf: (index: number) => number,
): Promise<StatusLineResult[]> {
  const results: StatusLineResult[] = [];
  for (const [index, row] of rows.entries()) {
    results.push(await applyStatusLine(ctx, lineOf(index), row));
  }
  const importId = await recordBankLines(ctx, source, rows, results);
  const fork = ctx.em.fork();
  recordAudit(fork, ctx, {
    action: 'payout_status.import',
    merchantId: null,
    targetId: importId,
    details: {
      source,
      lines: results.length,
      outcomes: Object.fromEntries(
        Object.values(StatusLineOutcome).map((o) => [o, results.filter((r) => r.outcome === o).length]),
      ),
    },
  });
  await fork.flush();
  return results;
}

async function applyStatusLine(ctx: PayoutCtx, line: number, row: Record<string, string>): Promise<StatusLineResult> {
  const id = row.withdrawal_id || null;
  const result = (outcome: StatusLineOutcome, message: string): StatusLineResult => ({
    line,
    withdrawalId: id,
    outcome,
    message,
  });
  const status = (row.status ?? '').toUpperCase();
  if (!id || !['PAID', 'REJECTED', 'RETURNED'].includes(status)) {
    return result(StatusLineOutcome.INVALID_LINE, 'needs a withdrawal_id and a status of PAID, REJECTED or RETURNED');
  }
  try {
    return await ctx.em.fork().transactional(async (em) => {
      const withdrawal = await em.findOne(Withdrawal, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (!withdrawal) return result(StatusLineOutcome.UNKNOWN_WITHDRAWAL, 'no such withdrawal');
      if (!withdrawal.batchId) return result(StatusLineOutcome.NOT_IN_BATCH, `it is ${withdrawal.status}, in no batch`);
      const currency = (row.currency ?? '').toUpperCase();
      if (currency !== withdrawal.currency) {
        return result(
          StatusLineOutcome.CURRENCY_DIFFERS,
          `the line says ${currency}, the withdrawal is in ${withdrawal.currency}`,
        );
      }
      let amount: bigint | null = null;
      try {
        amount = parseAmount(row.amount ?? '', currency);
      } catch {
        amount = null;
      }
      const sent = withdrawal.amountMinor - withdrawal.feeMinor;
      if (amount !== sent) {
        return result(
          StatusLineOutcome.AMOUNT_DIFFERS,
          `the line says ${row.amount}, ${formatAmount(sent, currency)} was sent`,
        );
      }
      const bankReference = (row.bank_reference ?? '').slice(0, 100) || null;
      const reason = (row.reason ?? '').slice(0, 300) || null;
      const done = (outcome: StatusLineOutcome) => result(outcome, `${withdrawal.status} already`);
      if (status !== 'RETURNED' && withdrawal.status === WithdrawalStatus.IN_BATCH) {
        await assertNotSentToCard(em, withdrawal);
      }
      if (status === 'PAID') {
        if (withdrawal.status !== WithdrawalStatus.IN_BATCH) return done(StatusLineOutcome.ALREADY_DONE);
        await markPaid(em, ctx, withdrawal, { kind: PaidVia.BANK_LINE, bankReference });
      } else if (status === 'REJECTED') {
        if (withdrawal.status !== WithdrawalStatus.IN_BATCH) return done(StatusLineOutcome.ALREADY_DONE);
        await transition(em, ctx, withdrawal, 'reject', { reason: reason ?? 'refused by the bank' });
        await settleBatchIfDone(em, withdrawal.batchId);
      } else {
        if (withdrawal.status === WithdrawalStatus.RETURNED) return done(StatusLineOutcome.ALREADY_DONE);
        await markReturned(em, ctx, withdrawal, reason ?? 'returned by the bank');
      }
      await em.flush();
      return result(StatusLineOutcome[status as 'PAID' | 'REJECTED' | 'RETURNED'], `${id} ${status.toLowerCase()}`);
    });
  } catch (error) {
    if (error instanceof UserFacingError) return result(StatusLineOutcome.REFUSED, error.message);
    throw error;
  }
}

/** An admin's override: marks a withdrawal in a batch paid without a bank line, with a reason (audited). */
export async function overridePaid(
  ctx: PayoutCtx,
  input: { id: string; reason: string; bankReference?: string | null },
): Promise<Withdrawal> {
  const reason = checkReason(input.reason);
  return ctx.em.fork().transactional(async (em) => {
    const withdrawal = await em.findOne(Withdrawal, input.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!withdrawal) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such withdrawal', ['input', 'id']);
    await assertNotSentToCard(em, withdrawal);
    await markPaid(em, ctx, withdrawal, {
      kind: PaidVia.ADMIN_OVERRIDE,
      bankReference: input.bankReference ?? null,
      reason,
    });
    await em.flush();
    return withdrawal;
  });
}

/** An admin records a payout the bank sent back (within the return window), with its reason. */
export async function overrideReturned(ctx: PayoutCtx, input: { id: string; reason: string }): Promise<Withdrawal> {
  const reason = checkReason(input.reason);
  return ctx.em.fork().transactional(async (em) => {
    const withdrawal = await em.findOne(Withdrawal, input.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!withdrawal) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such withdrawal', ['input', 'id']);
    await markReturned(em, ctx, withdrawal, reason);
    await em.flush();
    return withdrawal;
  });
}
