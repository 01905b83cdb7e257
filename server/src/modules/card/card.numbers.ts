/*
 * Card numbers as they arrive at the tokeniser: the only code that ever holds one. Pure functions, no logging.
 */

/** Whether a digit string passes the Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The digits of `partial` followed by the Luhn check digit that makes them valid. */
export function withCheckDigit(partial: string): string {
  for (let check = 0; check <= 9; check++) {
    if (luhnValid(partial + String(check))) return partial + String(check);
  }
  throw new Error('unreachable: one check digit always fits');
}

/** Card brands Tollgate recognises by their number's prefix (IIN ranges). */
export enum CardBrand {
  VISA = 'VISA',
  MASTERCARD = 'MASTERCARD',
  AMEX = 'AMEX',
  DISCOVER = 'DISCOVER',
  JCB = 'JCB',
  UNKNOWN = 'UNKNOWN',
}

export function brandOf(digits: string): CardBrand {
  if (/^4/.test(digits)) return CardBrand.VISA;
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return CardBrand.MASTERCARD;
  if (/^3[47]/.test(digits)) return CardBrand.AMEX;
  if (/^(6011|65|64[4-9])/.test(digits)) return CardBrand.DISCOVER;
  if (/^35(2[89]|[3-8]\d)/.test(digits)) return CardBrand.JCB;
  return CardBrand.UNKNOWN;
}

/** A typed card number without the spaces and dashes people type; null when anything else is in it. */
export function cardDigits(typed: string): string | null {
  const digits = typed.replace(/[\s-]/g, '');
  return /^\d+$/.test(digits) ? digits : null;
}
