import { createHash, timingSafeEqual } from 'node:crypto';
import { PurseLanguage, type ExtraField } from './purse.entity';

/*
 * The sms:bank wire protocol (seed 001, digest B1–B7), pure: field names, their order, the three MD5 signatures, and
 * the checks of the merchant's form. Every value is used exactly as it travelled (decoded from the form, never
 * trimmed or reformatted), because both sides hash those strings.
 */

/** The form's own fields (B1), in the order the signature joins them (s_sign last). */
export const FORM_FIELDS = ['s_purse', 's_order_id', 's_amount', 's_clear_amount', 's_description', 's_sign'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** B1: at most 127 characters (not bytes) of UTF-8. */
export const MAX_DESCRIPTION_CHARS = 127;
/** B2: all extra `name=value` pairs together, in characters. */
export const MAX_EXTRA_CHARS = 155;
/** `s_order_id` is an int in the protocol; the FAQ sends longer or alphabetic order numbers in an extra field. */
const MAX_INT = 2_147_483_647;
/** A dollar amount with at most cents: "2", "2.5", "2.50". */
const AMOUNT = /^(\d{1,7})(?:\.(\d{1,2}))?$/;

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** B1 `s_sign`: MD5 of `s_purse::s_order_id::s_amount::s_clear_amount::s_description::secret`. */
export function formSignature(fields: Record<Exclude<FormField, 's_sign'>, string>, secret: string): string {
  return md5(
    [fields.s_purse, fields.s_order_id, fields.s_amount, fields.s_clear_amount, fields.s_description, secret].join(
      '::',
    ),
  );
}

export interface ReturnFields {
  s_purse: string;
  s_order_id: string;
  s_amount: string;
  s_clear_amount: string;
  /** "1" success, "0" fail. */
  s_status: string;
}

/** B5 `s_sign`: MD5 of `secret::s_purse::s_order_id::s_amount::s_clear_amount::s_status`. */
export function returnSignature(fields: ReturnFields, secret: string): string {
  return md5(
    [secret, fields.s_purse, fields.s_order_id, fields.s_amount, fields.s_clear_amount, fields.s_status].join('::'),
  );
}

export interface ResultFields {
  s_purse: string;
  s_order_id: string;
  s_amount: string;
  s_clear_amount: string;
  s_inv: string;
  s_phone: string;
}

/** B6 `s_sign_v2`: MD5 of `secret::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone`. */
export function resultSignature(fields: ResultFields, secret: string): string {
  return md5(
    [
      secret,
      fields.s_purse,
      fields.s_order_id,
      fields.s_amount,
      fields.s_clear_amount,
      fields.s_inv,
      fields.s_phone,
    ].join('::'),
  );
}

/** The Success/Fail return form (B5): its fields in the documented order, `s_sign`, then the merchant's extras. */
export function returnForm(fields: ReturnFields, secret: string, extras: readonly ExtraField[]): [string, string][] {
  return [
    ['s_purse', fields.s_purse],
    ['s_order_id', fields.s_order_id],
    ['s_amount', fields.s_amount],
    ['s_clear_amount', fields.s_clear_amount],
    ['s_status', fields.s_status],
    ['s_sign', returnSignature(fields, secret)],
    ...extras.map((extra): [string, string] => [extra.name, extra.value]),
  ];
}

/** The Result URL callback (B6): its fields in the documented order, `s_sign_v2`, then the merchant's extras. */
export function resultForm(fields: ResultFields, secret: string, extras: readonly ExtraField[]): [string, string][] {
  return [
    ['s_purse', fields.s_purse],
    ['s_order_id', fields.s_order_id],
    ['s_amount', fields.s_amount],
    ['s_clear_amount', fields.s_clear_amount],
    ['s_inv', fields.s_inv],
    ['s_phone', fields.s_phone],
    ['s_sign_v2', resultSignature(fields, secret)],
    ...extras.map((extra): [string, string] => [extra.name, extra.value]),
  ];
}

/** Characters as a person counts them (code points), not UTF-16 units or bytes. */
export function charCount(text: string): number {
  return [...text].length;
}

/** What the form's checks may refuse; each has a sentence in each language (purse.pages.ts). */
export type FormProblem =
  | { kind: 'NOT_FORM' }
  | { kind: 'MISSING'; field: string }
  | { kind: 'DUPLICATE'; field: string }
  | { kind: 'NOT_UTF8'; field: string }
  | { kind: 'NUL_BYTE'; field: string }
  | { kind: 'UNKNOWN_LANGUAGE'; language: string }
  | { kind: 'RESERVED'; field: string }
  | { kind: 'UNKNOWN_PURSE' }
  | { kind: 'BAD_SIGNATURE' }
  | { kind: 'BAD_ORDER_ID' }
  | { kind: 'BAD_AMOUNT' }
  | { kind: 'BAD_CLEAR_AMOUNT' }
  | { kind: 'DESCRIPTION_TOO_LONG'; length: number }
  | { kind: 'EXTRAS_TOO_LONG'; length: number }
  /** A request budget is spent (HTTP 429 with Retry-After): per source address, or per purse. */
  | { kind: 'TOO_MANY'; retryAfterSeconds: number };

export class FormError extends Error {
  constructor(readonly problem: FormProblem) {
    super(problem.kind);
    this.name = 'FormError';
  }
}

/** The merchant's form as it came, before the purse is known. */
export interface ParsedForm {
  fields: Record<FormField, string>;
  extras: ExtraField[];
}

/**
 * Reads a form-urlencoded body (UTF-8) into the protocol's fields and the extras, in order. Refuses missing and
 * repeated fields, bytes that are not UTF-8 (a page in another charset would otherwise fail its signature for no
 * visible reason), and extra fields named like the protocol's own (`s_…`), which would collide with what Tollgate
 * sends back.
 */
export function parseForm(body: Buffer | string): ParsedForm {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  const seen = new Set<string>();
  const fields: Partial<Record<FormField, string>> = {};
  const extras: ExtraField[] = [];
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq), null);
    const value = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1), name);
    if (seen.has(name)) throw new FormError({ kind: 'DUPLICATE', field: name });
    seen.add(name);
    if ((FORM_FIELDS as readonly string[]).includes(name)) fields[name as FormField] = value;
    else if (name.toLowerCase().startsWith('s_')) throw new FormError({ kind: 'RESERVED', field: name });
    else extras.push({ name, value });
  }
  for (const field of FORM_FIELDS) {
    if (fields[field] === undefined) throw new FormError({ kind: 'MISSING', field });
  }
  return { fields: fields as Record<FormField, string>, extras };
}

/** One form-urlencoded component ("+" is a space) as UTF-8; invalid escapes or bytes are refused. */
function decodeComponent(raw: string, field: string | null): string {
  // The body was read as latin1, so every byte is one char; percent-escapes and raw bytes both become bytes here.
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (char === '+') bytes.push(0x20);
    else if (char === '%' && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(raw.charCodeAt(i) & 0xff);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new FormError({ kind: 'NOT_UTF8', field: field ?? 'field name' });
  }
  // No database column takes a NUL byte: refused here, with the field's name, never a failed insert.
  if (text.includes('\u0000')) throw new FormError({ kind: 'NUL_BYTE', field: field ?? 'field name' });
  return text;
}

/** The checked form: the purse number and the amount's value in cents; the strings stay as they came. */
export interface CheckedForm extends ParsedForm {
  purseNumber: number;
  amountMinor: bigint;
}

/** `s_purse` as a purse number, or null when it cannot name one (the caller answers "unknown purse"). */
export function purseNumberOf(field: string): number | null {
  if (!/^\d{1,10}$/.test(field)) return null;
  const number = Number(field);
  return number >= 1 && number <= MAX_INT ? number : null;
}

/** Constant-time comparison of the sent `s_sign` (hex, any case) with the expected one. */
export function signatureMatches(sent: string, expected: string): boolean {
  if (!/^[0-9a-fA-F]{32}$/.test(sent)) return false;
  return timingSafeEqual(Buffer.from(sent.toLowerCase(), 'hex'), Buffer.from(expected, 'hex'));
}

/**
 * The checks after the signature (B1, B2): an int order id, a positive dollar amount with at most cents,
 * `s_clear_amount` 0 or 1, a description of at most 127 characters, extras of at most 155 characters in all.
 */
export function checkValues(form: ParsedForm): { amountMinor: bigint } {
  const { fields } = form;
  if (!/^\d{1,10}$/.test(fields.s_order_id) || Number(fields.s_order_id) > MAX_INT) {
    throw new FormError({ kind: 'BAD_ORDER_ID' });
  }
  const amount = AMOUNT.exec(fields.s_amount);
  const amountMinor = amount ? BigInt(amount[1]) * 100n + BigInt((amount[2] ?? '').padEnd(2, '0') || '0') : 0n;
  if (amountMinor <= 0n) throw new FormError({ kind: 'BAD_AMOUNT' });
  if (fields.s_clear_amount !== '0' && fields.s_clear_amount !== '1') {
    throw new FormError({ kind: 'BAD_CLEAR_AMOUNT' });
  }
  const description = charCount(fields.s_description);
  if (description > MAX_DESCRIPTION_CHARS) throw new FormError({ kind: 'DESCRIPTION_TOO_LONG', length: description });
  const extras = extrasLength(form.extras);
  if (extras > MAX_EXTRA_CHARS) throw new FormError({ kind: 'EXTRAS_TOO_LONG', length: extras });
  return { amountMinor };
}

/** B2's measure: the characters of every `name=value` pair, added up. */
export function extrasLength(extras: readonly ExtraField[]): number {
  return extras.reduce((sum, extra) => sum + charCount(extra.name) + 1 + charCount(extra.value), 0);
}

/** The language a URL names (`/language/<language>/bank/`, `?lang=`): names and ISO codes, any case. */
export function languageNamed(name: string | null | undefined): PurseLanguage | null {
  switch (name?.trim().toLowerCase()) {
    case 'english':
    case 'en':
    case 'eng':
      return PurseLanguage.EN;
    case 'russian':
    case 'ru':
    case 'rus':
      return PurseLanguage.RU;
    default:
      return null;
  }
}

/** `s_phone`: the payer's number in international form without the "+" (an MSISDN), as gateways send it. */
export function protocolPhone(phone: string): string {
  return phone.replace(/^\+/, '');
}
