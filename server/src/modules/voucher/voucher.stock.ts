import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { Voucher, VoucherKind, VoucherStatus } from './voucher.entity';

/*
 * A project's stock: parsing what the seller pastes, and the statements that move one voucher between states. Every
 * move is one conditional UPDATE (its WHERE names the state it leaves), so two racing moves can never both succeed.
 */

export const MAX_CSV_LINES = 10_000;
const MAX_CODE_LENGTH = { [VoucherKind.PIN]: 200, [VoucherKind.LOGIN]: 200, [VoucherKind.LINK]: 2000 } as const;
const MAX_PASSWORD_LENGTH = 200;
const HEADER = /^(pin|code|pin ?code|voucher|login|user(name)?|link|url|activation ?link)([,;\t]\s*"?password"?)?$/i;

export interface ParsedVoucher {
  line: number;
  code: string;
  password: string | null;
  codeHash: string;
}

/** Why a line was refused: its number (1-based, as an editor shows it) and a sentence. */
export interface LineError {
  line: number;
  code: UserErrorCode;
  message: string;
}

export function hashCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** One CSV line's fields: commas, semicolons or tabs between them, double quotes around any ("" inside). */
function splitLine(text: string): string[] | null {
  const delimiter = text.includes('\t') ? '\t' : text.includes(';') && !text.includes(',') ? ';' : ',';
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && !field.trim()) {
      field = '';
      quoted = true;
    } else if (char === delimiter) {
      fields.push(field.trim());
      field = '';
    } else field += char;
  }
  if (quoted) return null;
  fields.push(field.trim());
  return fields;
}

/**
 * Reads pasted or uploaded CSV into vouchers of `kind`: one voucher per line (PIN: the code; LOGIN: login, password;
 * LINK: an http(s) URL). Blank lines and a header line are skipped. A line repeating an earlier line's code is
 * refused, naming that line; checking against the project's stock is the caller's.
 */
export function parseVoucherCsv(kind: VoucherKind, csv: string): { vouchers: ParsedVoucher[]; errors: LineError[] } {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.length > MAX_CSV_LINES) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `upload at most ${MAX_CSV_LINES} lines at a time`, [
      'input',
      'csv',
    ]);
  }
  const vouchers: ParsedVoucher[] = [];
  const errors: LineError[] = [];
  const seen = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    if (vouchers.length === 0 && errors.length === 0 && HEADER.test(raw.trim().replace(/"/g, ''))) return;
    const fail = (code: UserErrorCode, message: string) =>
      errors.push({ line, code, message: `line ${line}: ${message}` });
    const fields = splitLine(raw);
    if (!fields) return fail(UserErrorCode.INVALID, 'a quote is not closed');
    const expected = kind === VoucherKind.LOGIN ? 2 : 1;
    if (fields.length !== expected) {
      return fail(
        UserErrorCode.INVALID,
        kind === VoucherKind.LOGIN
          ? `expected "login,password", found ${fields.length} field(s)`
          : `expected one ${kind === VoucherKind.LINK ? 'link' : 'code'} per line, found ${fields.length} fields`,
      );
    }
    const [code, password = null] = fields;
    if (!code) return fail(UserErrorCode.REQUIRED, kind === VoucherKind.LOGIN ? 'the login is empty' : 'empty');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(code + (password ?? ''))) return fail(UserErrorCode.INVALID, 'control characters');
    if (code.length > MAX_CODE_LENGTH[kind]) {
      return fail(UserErrorCode.TOO_LONG, `longer than ${MAX_CODE_LENGTH[kind]} characters`);
    }
    if (kind === VoucherKind.LOGIN) {
      if (!password) return fail(UserErrorCode.REQUIRED, 'the password is empty');
      if (password.length > MAX_PASSWORD_LENGTH) {
        return fail(UserErrorCode.TOO_LONG, `the password is longer than ${MAX_PASSWORD_LENGTH} characters`);
      }
    }
    if (kind === VoucherKind.LINK && !isHttpUrl(code)) return fail(UserErrorCode.INVALID_URL, 'not an http(s) link');
    const first = seen.get(code);
    if (first !== undefined) return fail(UserErrorCode.TAKEN, `duplicate of line ${first}`);
    seen.set(code, line);
    vouchers.push({ line, code, password, codeHash: hashCode(code) });
  });
  return { vouchers, errors };
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !!url.hostname;
  } catch {
    return false;
  }
}

/** What a seller's list shows of a voucher: enough to recognise it, not to use it. */
export function previewOf(kind: VoucherKind, code: string): string {
  if (kind === VoucherKind.LINK) {
    try {
      return `${new URL(code).host}/…`;
    } catch {
      return '…';
    }
  }
  if (code.length <= 4) return '•'.repeat(code.length);
  const shown = code.length >= 8 ? 2 : 1;
  return `${code.slice(0, shown)}${'•'.repeat(Math.min(code.length - 2 * shown, 12))}${code.slice(-shown)}`;
}

// --- Moving vouchers ---------------------------------------------------------------------------------------------

function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name === 'PostgreSqlPlatform';
}

/** MikroORM keeps datetimes as epoch milliseconds on SQLite and as timestamptz on PostgreSQL. */
function sqlTime(em: EntityManager, date: Date): Date | number {
  return isPostgres(em) ? date : date.getTime();
}

function run(em: EntityManager, sql: string, params: unknown[], method: 'all' | 'run') {
  return em.getConnection('write').execute(sql, params, method, em.getTransactionContext());
}

/** How many times a claim looks again when every available voucher is held by a concurrent, unfinished claim. */
const CLAIM_ATTEMPTS = 50;

/**
 * Reserves one available voucher of the project for the payment and returns it, or null when none is left. Run it
 * in the transaction that creates or locks the payment.
 *
 * Race-free on both dialects by one conditional UPDATE: the inner select picks the oldest available voucher and the
 * outer WHERE repeats `status = 'AVAILABLE'`, so of two claims on one row only one changes it. On PostgreSQL the
 * inner select also locks it with SKIP LOCKED, so concurrent buyers take different rows instead of queueing on the
 * same one (the inner select is a scalar subquery, which PostgreSQL evaluates once, before the update, unlike an
 * `IN (… LIMIT n)` that it may rescan: see markPrepaid); when every available row is locked by claims still in flight (which may yet roll back), it looks again
 * until one is free or none is available. SQLite runs one writer at a time, so the statement is atomic as it is. The
 * unique index on payment_id makes a second voucher for the same payment fail loudly rather than happen.
 */
export async function claimVoucher(
  em: EntityManager,
  input: { projectId: string; paymentId: string; now: Date },
): Promise<Voucher | null> {
  const postgres = isPostgres(em);
  const time = sqlTime(em, input.now);
  const sql =
    `update voucher set status = ?, payment_id = ?, reserved_at = ?, updated_at = ? ` +
    `where id = (select id from voucher where project_id = ? and status = ? order by id limit 1` +
    `${postgres ? ' for update skip locked' : ''}) and status = ? returning id`;
  const params = [
    VoucherStatus.RESERVED,
    input.paymentId,
    time,
    time,
    input.projectId,
    VoucherStatus.AVAILABLE,
    VoucherStatus.AVAILABLE,
  ];
  for (let attempt = 1; ; attempt++) {
    const rows = (await run(em, sql, params, 'all')) as { id: string }[];
    if (rows.length) return em.findOneOrFail(Voucher, rows[0].id, { refresh: true });
    if (!postgres) return null;
    const [row] = (await run(
      em,
      'select count(*) as n from voucher where project_id = ? and status = ?',
      [input.projectId, VoucherStatus.AVAILABLE],
      'all',
    )) as { n: number | string }[];
    if (Number(row.n) === 0) return null;
    if (attempt >= CLAIM_ATTEMPTS) {
      throw new UserFacingError(UserErrorCode.INVALID, 'many buyers are paying right now; try again in a moment');
    }
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10 * Math.min(attempt, 5)));
  }
}

/** RESERVED → SOLD for the payment's voucher; the number of rows changed (0 or 1). */
export function sellVoucher(em: EntityManager, paymentId: string, now: Date): Promise<number> {
  return em.nativeUpdate(
    Voucher,
    { paymentId, status: VoucherStatus.RESERVED },
    { status: VoucherStatus.SOLD, soldAt: now, updatedAt: now },
  );
}

/** RESERVED → AVAILABLE: the payment lets its voucher go back to stock. The number of rows changed (0 or 1). */
export function releaseVoucher(em: EntityManager, paymentId: string, now: Date): Promise<number> {
  return em.nativeUpdate(
    Voucher,
    { paymentId, status: VoucherStatus.RESERVED },
    { status: VoucherStatus.AVAILABLE, paymentId: null, reservedAt: null, updatedAt: now },
  );
}

/** AVAILABLE → WITHDRAWN, unless the platform prepaid it; the number of rows changed (0 or 1). */
export function withdrawAvailable(em: EntityManager, voucherId: string, now: Date): Promise<number> {
  return em.nativeUpdate(
    Voucher,
    { id: voucherId, status: VoucherStatus.AVAILABLE, prepaidBlockId: null },
    { status: VoucherStatus.WITHDRAWN, updatedAt: now },
  );
}

/**
 * Marks `count` available, not yet prepaid vouchers of the project as bought by the platform (block `blockId`), by
 * one conditional UPDATE like a claim; returns how many it marked (the caller refuses a short block).
 */
export async function markPrepaid(
  em: EntityManager,
  input: { projectId: string; blockId: string; count: number; now: Date },
): Promise<number> {
  const pick = `select id from voucher where project_id = ? and status = ? and prepaid_block_id is null order by id limit ?`;
  // PostgreSQL may run an `IN (… LIMIT n)` subquery as a semi-join and rescan it, and a rescan after our own update
  // finds further rows: more than n would be marked. A materialised CTE picks the rows once.
  const sql = isPostgres(em)
    ? `with picked as materialized (${pick} for update skip locked) ` +
      `update voucher set prepaid_block_id = ?, updated_at = ? from picked ` +
      `where voucher.id = picked.id and voucher.status = ? and voucher.prepaid_block_id is null`
    : `update voucher set prepaid_block_id = ?, updated_at = ? where id in (${pick}) ` +
      `and status = ? and prepaid_block_id is null`;
  const pickParams = [input.projectId, VoucherStatus.AVAILABLE, input.count];
  const setParams = [input.blockId, sqlTime(em, input.now)];
  const params = isPostgres(em)
    ? [...pickParams, ...setParams, VoucherStatus.AVAILABLE]
    : [...setParams, ...pickParams, VoucherStatus.AVAILABLE];
  const result = (await run(em, sql, params, 'run')) as { affectedRows: number };
  return result.affectedRows;
}

export interface StockCounts {
  available: number;
  reserved: number;
  sold: number;
  withdrawn: number;
  prepaid: number;
}

/** A project's vouchers by status, and how many of them the platform prepaid. */
export async function stockCounts(em: EntityManager, projectId: string): Promise<StockCounts> {
  const rows = (await run(
    em,
    'select status, count(*) as n, count(prepaid_block_id) as prepaid from voucher where project_id = ? group by status',
    [projectId],
    'all',
  )) as { status: string; n: number | string; prepaid: number | string }[];
  const counts: StockCounts = { available: 0, reserved: 0, sold: 0, withdrawn: 0, prepaid: 0 };
  for (const row of rows) {
    const key = row.status.toLowerCase() as keyof StockCounts;
    if (key in counts) counts[key] = Number(row.n);
    counts.prepaid += Number(row.prepaid);
  }
  return counts;
}
