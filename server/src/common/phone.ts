import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { UserErrorCode, UserFacingError } from './errors';

/** What a person may type around a phone number: digits, spaces, dashes, dots, brackets and one leading "+". */
const TYPED_PHONE = /^\+?[\d\s().-]{1,40}$/;

/**
 * A phone number in international (E.164) form, "+359888123456", or null when it is not a valid number. Written
 * internationally ("+359 888 123 456", "00359…") it needs no country; in national form ("0888 123 456") it is read
 * as a number of `defaultCountry`. Without a country, digits alone are taken as international ("359888123456"), as
 * aggregators and gateways send MSISDNs. Letters, extensions and anything else libphonenumber would skip over make
 * it invalid rather than quietly dropped.
 */
export function parsePhone(input: string, defaultCountry?: string | null): string | null {
  const text = input.trim();
  if (!TYPED_PHONE.test(text)) return null;
  const country = defaultCountry?.toUpperCase() as CountryCode | undefined;
  const international = text.startsWith('+') || text.startsWith('00');
  const candidates = international
    ? [text.startsWith('00') ? `+${text.slice(2)}` : text]
    : country
      ? [text, `+${text}`]
      : [`+${text}`];
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, international ? undefined : country);
    if (parsed?.isValid()) return parsed.number;
  }
  return null;
}

/**
 * A typed phone number at an input boundary, in E.164 form; an unreadable one is a user error naming `field`
 * (e.g. `['input', 'payerPhone']`).
 */
export function phoneInput(input: string, field: string[], defaultCountry?: string | null): string {
  const phone = parsePhone(input, defaultCountry);
  if (!phone) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      'enter a valid phone number in international form, e.g. +359888123456',
      field,
    );
  }
  return phone;
}

/** "+359888123456" → "+359******456": enough for a merchant to tell payers apart, not to call them. */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length);
  return phone.slice(0, 4) + '*'.repeat(phone.length - 7) + phone.slice(-3);
}
