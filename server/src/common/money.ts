import { Field, ObjectType } from 'type-graphql';

/** ISO 4217 minor-unit scale of the currencies Tollgate handles. */
const SCALES: Record<string, number> = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  RUB: 2,
  BGN: 2,
  UAH: 2,
  KZT: 2,
  PLN: 2,
  CZK: 2,
  RON: 2,
  INR: 2,
  TRY: 2,
  BRL: 2,
  JPY: 0,
  KRW: 0,
  HUF: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  KWD: 3,
  BHD: 3,
  JOD: 3,
};

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

export function currencyScale(currency: string): number {
  const scale = SCALES[currency];
  if (scale === undefined) throw new MoneyError(`unsupported currency "${currency}"`);
  return scale;
}

export function isCurrency(currency: string): boolean {
  return SCALES[currency] !== undefined;
}

/** Parses a decimal string ("12.5", "-3", "0.07") into minor units at the currency's scale; never through floats. */
export function parseAmount(decimal: string, currency: string): bigint {
  const scale = currencyScale(currency);
  const match = /^(-)?(\d{1,18})(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new MoneyError(`"${decimal}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > scale) {
    throw new MoneyError(`${currency} has ${scale} decimal places; "${decimal}" has ${fraction.length}`);
  }
  const minor = BigInt(whole + fraction.padEnd(scale, '0'));
  return sign ? -minor : minor;
}

/** Formats minor units as a decimal string at the currency's scale ("1250" USD → "12.50"). */
export function formatAmount(minor: bigint, currency: string): string {
  const scale = currencyScale(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale ? '.' + fraction : ''}`;
}

@ObjectType({ description: "An amount of money: a decimal string at the currency's ISO 4217 scale, never a float." })
export class Money {
  @Field(() => String, { description: 'Decimal string, e.g. "12.50"; exact, at the currency\'s minor-unit scale.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 currency code, e.g. "USD".' })
  currency!: string;

  static of(minor: bigint | string | number, currency: string): Money {
    const money = new Money();
    money.amount = formatAmount(BigInt(minor), currency);
    money.currency = currency;
    return money;
  }
}
