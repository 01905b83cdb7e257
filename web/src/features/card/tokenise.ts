/**
 * The card's one trip: straight from the form to Tollgate's tokeniser (`POST /card/tokens` for a payer's card,
 * `POST /card/payout-tokens` for a merchant's payout card), never through GraphQL, never into the app's state or
 * cache, never logged. Only the token and what is printed on a receipt come back.
 */

/** What the payer typed, read from the form at submit and dropped right after. */
export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  holderName: string;
}

/** The tokeniser's answer: a token to pay with and what may be shown (brand, last four digits, expiry). */
export interface CardToken {
  token: string;
  brand: string;
  last4: string;
  expMonth?: number;
  expYear?: number;
}

/** The inputs of the card form; a refusal names one of these when it can. */
export type CardField = 'number' | 'expiry' | 'cvc' | 'holderName';

export class CardTokenError extends Error {
  constructor(
    message: string,
    readonly field: CardField | null,
    readonly code: string,
  ) {
    super(message);
    this.name = 'CardTokenError';
  }
}

/** Digits only: spaces and dashes are how people copy numbers from a card. */
export function cardDigits(number: string): string {
  return number.replace(/[\s-]/g, '');
}

/** The Luhn check every card number passes: catches a mistyped digit before the network does. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** "4242 4242 4242 4242" as typed, grouped by four for reading (the value sent is the digits alone). */
export function groupCardNumber(number: string): string {
  const digits = cardDigits(number).replace(/\D/g, '').slice(0, 19);
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** "MM/YY" or "MM/YYYY" → month and four-digit year; null when it is not a date. */
export function parseExpiry(text: string): { month: number; year: number } | null {
  const match = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return null;
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) return null;
  return { month, year };
}

/** A card is good through the last day of its expiry month. */
export function expired(expiry: { month: number; year: number }, now = new Date()): boolean {
  const year = now.getFullYear();
  return expiry.year < year || (expiry.year === year && expiry.month < now.getMonth() + 1);
}

/** The words of checkCard's messages: English by default, the payer page's language when it passes its own. */
export const CARD_CHECK_WORDS = {
  numberMissing: 'Enter the card number.',
  numberDigits: 'A card number has digits only.',
  numberInvalid: 'This card number is not valid. Check the digits.',
  expiryMissing: 'Enter the expiry date as MM/YY.',
  expiryFormat: 'Write the expiry date as MM/YY, e.g. 04/29.',
  expired: 'This card has expired.',
  cvc: 'The security code is the 3 or 4 digits on the card.',
  name: 'Enter the name printed on the card.',
};

/** The checks a person can fix before sending: each message names the input it belongs to. */
export function checkCard(
  values: {
    number: string;
    expiry: string;
    cvc: string;
    holderName: string;
  },
  words: typeof CARD_CHECK_WORDS = CARD_CHECK_WORDS,
): Partial<Record<CardField, string>> {
  const errors: Partial<Record<CardField, string>> = {};
  const digits = cardDigits(values.number);
  if (!digits) errors.number = words.numberMissing;
  else if (!/^\d+$/.test(digits)) errors.number = words.numberDigits;
  else if (!luhnValid(digits)) errors.number = words.numberInvalid;
  const expiry = parseExpiry(values.expiry);
  if (!values.expiry.trim()) errors.expiry = words.expiryMissing;
  else if (!expiry) errors.expiry = words.expiryFormat;
  else if (expired(expiry)) errors.expiry = words.expired;
  if (!/^\d{3,4}$/.test(values.cvc.trim())) errors.cvc = words.cvc;
  if (!values.holderName.trim()) errors.holderName = words.name;
  return errors;
}

/** The tokeniser names fields as the API does (number, expMonth, expYear, cvc, holderName); the form groups them. */
function formField(name: unknown): CardField | null {
  switch (name) {
    case 'number':
      return 'number';
    case 'expMonth':
    case 'expYear':
    case 'expiry':
      return 'expiry';
    case 'cvc':
      return 'cvc';
    case 'holderName':
      return 'holderName';
    default:
      return null;
  }
}

interface ErrorBody {
  error?: { code?: string; field?: string | string[]; message?: string };
  errors?: { code?: string; field?: string | string[]; message?: string }[];
}

/**
 * Sends the card to one of the tokeniser's routes and answers its token. A refusal (bad number, expired, too many
 * tries, not allowed) throws a CardTokenError with the server's words and the input it names; the card itself is
 * never part of an error.
 */
async function postCard(path: string, body: Record<string, unknown>): Promise<CardToken> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      // No cache, no referrer: nothing about this request is kept by the browser beyond the answer.
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      body: JSON.stringify(body),
    });
  } catch {
    throw new CardTokenError('Tollgate cannot be reached. Check your connection and try again.', null, 'NETWORK');
  }
  const answer = (await response.json().catch(() => null)) as (CardToken & ErrorBody) | null;
  if (response.ok && answer?.token) return { token: answer.token, brand: answer.brand, last4: answer.last4 };
  const error = answer?.error ?? answer?.errors?.[0];
  const field = formField(Array.isArray(error?.field) ? error.field[error.field.length - 1] : error?.field);
  if (response.status === 429) {
    const retry = response.headers.get('retry-after');
    throw new CardTokenError(
      error?.message ?? `Too many attempts. Try again${retry ? ` in ${retry} seconds` : ' later'}.`,
      null,
      'RATE_LIMITED',
    );
  }
  throw new CardTokenError(
    error?.message ?? 'The card could not be read. Check it and try again.',
    field,
    error?.code ?? `HTTP_${response.status}`,
  );
}

/** A payer's card for the payment of one hosted page (`POST /card/tokens`): the token pays only that payment. */
export function tokeniseCard(card: CardInput, pageToken: string): Promise<CardToken> {
  return postCard('/card/tokens', { ...card, number: cardDigits(card.number), pageToken });
}

/**
 * The signed-in merchant's own payout card (`POST /card/payout-tokens`, by the session cookie): the token may only
 * become a CARD payout destination of that merchant.
 */
export function tokenisePayoutCard(card: CardInput): Promise<CardToken> {
  return postCard('/card/payout-tokens', { ...card, number: cardDigits(card.number) });
}
