import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { AccessCodeAlphabet, AccessCodeKind, PERIOD_KINDS, USE_KINDS } from './access-code.entity';

/*
 * The pure rules of access codes: alphabets, drawing codes, the reply template and the allow-list. No database.
 */

/** Never in a code, whatever the merchant says: the look-alikes of seed A4. */
export const ALWAYS_EXCLUDED = '0OQ1I';
const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const MIN_CODE_LENGTH = 4;
export const MAX_CODE_LENGTH = 32;
/** Fewer symbols than this and codes are too easy to guess for any length a merchant might pick. */
export const MIN_ALPHABET_SIZE = 4;

/** The characters codes of a service are drawn from: the alphabet minus the fixed and the merchant's look-alikes. */
export function codeCharacters(alphabet: AccessCodeAlphabet, excluded = ''): string {
  const base =
    alphabet === AccessCodeAlphabet.DIGITS
      ? DIGITS
      : alphabet === AccessCodeAlphabet.LETTERS
        ? LETTERS
        : DIGITS + LETTERS;
  const out = (ALWAYS_EXCLUDED + excluded).toUpperCase();
  return [...base].filter((char) => !out.includes(char)).join('');
}

/** The merchant's extra exclusions as stored: upper-case letters and digits, once each, in order. */
export function normaliseExcluded(value: string): string {
  return [...new Set(value.toUpperCase().replace(/[^A-Z0-9]/g, ''))].join('');
}

/**
 * A code of `length` characters, each drawn uniformly from `characters` with a cryptographic source. Rejection
 * sampling: a random byte is used only if it is below the largest multiple of the alphabet's size that fits in a
 * byte, so `byte % size` favours no symbol (plain modulo would, e.g. with 31 symbols the first 8 by 1/256).
 */
export function randomCode(characters: string, length: number, random: (size: number) => Buffer = randomBytes): string {
  const size = characters.length;
  if (size < 2 || size > 256) throw new Error('randomCode: the alphabet needs 2 to 256 characters');
  const limit = 256 - (256 % size);
  let code = '';
  while (code.length < length) {
    // Enough bytes that one draw nearly always suffices (at most half are rejected).
    for (const byte of random(2 * (length - code.length) + 8)) {
      if (byte >= limit) continue;
      code += characters[byte % size];
      if (code.length === length) break;
    }
  }
  return code;
}

/** What a payer typed, as codes are stored: upper case, without spaces and dashes ("k7m2-xr9d" → "K7M2XR9D"). */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase();
}

/** A hint of an attempted code for the dashboard, never the code: its first two characters and its length. */
export function codeHint(code: string): string | null {
  if (!code) return null;
  return `${code.slice(0, 2)}…(${Math.min(code.length, 999)})`;
}

// --- The reply template ----------------------------------------------------------------------------------------

/** GSM 03.38 default alphabet (one septet each) and its extension table (two septets: escape + char). */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿' +
    'abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');
export const GSM7_LIMIT = 160;
export const UCS2_LIMIT = 70;

export interface SmsSize {
  encoding: 'GSM-7' | 'UCS-2';
  /** GSM-7 septets, or UCS-2 16-bit units (a character outside the BMP, like an emoji, takes two). */
  length: number;
  limit: number;
}

/** How much of one SMS a text takes: GSM-7 if every character has a septet, else UCS-2 (e.g. any Cyrillic). */
export function smsSize(text: string): SmsSize {
  let septets = 0;
  for (const char of text) {
    if (GSM7_BASIC.has(char)) septets += 1;
    else if (GSM7_EXTENSION.has(char)) septets += 2;
    else return { encoding: 'UCS-2', length: text.length, limit: UCS2_LIMIT };
  }
  return { encoding: 'GSM-7', length: septets, limit: GSM7_LIMIT };
}

export const PLACEHOLDERS = ['code', 'expires', 'uses'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{([A-Za-z_]+)\}/g;

/** The rules a reply depends on. */
export interface CodeRules {
  kind: AccessCodeKind;
  validitySeconds: number | null;
  maxUses: number | null;
  codeLength: number;
}

/** "3600" → "1 hour", "5400" → "90 minutes": the largest unit that divides the period exactly. */
export function formatDuration(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const [size, name] = units.find(([unit]) => seconds % unit === 0)!;
  const count = seconds / size;
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}

/** {expires} of a code whose expiry is known: UTC to the minute, e.g. "2026-11-23 18:58 UTC" (always 20 chars). */
export function formatExpiry(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The placeholders' values for one code (expiresAt: null until known). */
export function placeholderValues(
  rules: Pick<CodeRules, 'kind' | 'validitySeconds' | 'maxUses'>,
  code: string,
  expiresAt: Date | null,
): Record<Placeholder, string> {
  let expires: string;
  if (expiresAt) expires = formatExpiry(expiresAt);
  else if (rules.kind === AccessCodeKind.PERIOD_FROM_FIRST_USE) {
    expires = `${formatDuration(rules.validitySeconds ?? 0)} after first use`;
  } else expires = 'no time limit';
  return { code, expires, uses: rules.maxUses === null ? 'unlimited' : String(rules.maxUses) };
}

/**
 * Each placeholder at its longest for these rules: the code at its length, the expiry as a date (the longest form
 * a period counted from issue takes; "9999-12-31 23:59 UTC" is as long as any), the uses as digits. All are GSM-7.
 */
function longestValues(rules: CodeRules): Record<Placeholder, string> {
  const code = 'W'.repeat(rules.codeLength);
  const dated = rules.kind === AccessCodeKind.PERIOD_FROM_ISSUE || rules.kind === AccessCodeKind.USES_AND_PERIOD;
  return placeholderValues(rules, code, dated ? new Date('9999-12-31T23:59:00Z') : null);
}

export function renderTemplate(template: string, values: Record<Placeholder, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    (PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole,
  );
}

/** Why a template cannot be used, or null: {code} missing, an unknown placeholder, or too long for one SMS. */
export function templateProblem(
  template: string,
  rules: CodeRules,
): { field: 'replyTemplate'; message: string } | null {
  const text = template.trim();
  if (!text) return { field: 'replyTemplate', message: 'write the reply, with {code} where the code goes' };
  const names = [...text.matchAll(PLACEHOLDER)].map((match) => match[1]);
  const unknown = names.find((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown) {
    return { field: 'replyTemplate', message: `{${unknown}} is not a placeholder; use {code}, {expires} or {uses}` };
  }
  if (!names.includes('code')) return { field: 'replyTemplate', message: 'the reply must contain {code}' };
  const size = smsSize(renderTemplate(text, longestValues(rules)));
  if (size.length > size.limit) {
    const unit = size.encoding === 'GSM-7' ? 'characters' : 'characters (UCS-2, as some character is not GSM-7)';
    return {
      field: 'replyTemplate',
      message:
        `the reply can take ${size.length} ${unit} with the placeholders at their longest; one SMS holds ` +
        `${size.limit}`,
    };
  }
  return null;
}

// --- Rules of a kind ------------------------------------------------------------------------------------------

export const MAX_VALIDITY_SECONDS = 10 * 366 * 86_400;
export const MIN_VALIDITY_SECONDS = 60;
export const MAX_USES = 1_000_000;

export function kindHasPeriod(kind: AccessCodeKind): boolean {
  return PERIOD_KINDS.includes(kind);
}

export function kindHasUses(kind: AccessCodeKind): boolean {
  return USE_KINDS.includes(kind);
}

// --- The allow-list -------------------------------------------------------------------------------------------

/** Whether an allow-list entry is an IP address or a CIDR range. */
export function validIpEntry(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = net.isIP(address ?? '');
  if (!family || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
}

/** The entries as a BlockList; IPv4-mapped IPv6 sources ("::ffff:10.0.0.1") are checked as IPv4. */
export function ipMatcher(entries: readonly string[]): (ip: string) => boolean {
  if (!entries.length) return () => false;
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (ip) => {
    const plain = ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
    const family = net.isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
