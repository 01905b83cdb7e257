/**
 * An API amount (a decimal string) in the locale's way of writing numbers, on the string itself: the whole part goes
 * through Intl as a BigInt and the fraction digits are kept as they are, so an amount is never turned into a float.
 */
export function formatAmount(amount: string, locale: string): string {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return amount;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true }).format(BigInt(whole));
  return `${sign}${grouped}${fraction ? decimalSeparator(locale) + fraction : ''}`;
}

const separators = new Map<string, string>();

/** The locale's decimal mark ("." in English, "," in Russian and Bulgarian). */
function decimalSeparator(locale: string): string {
  let mark = separators.get(locale);
  if (mark === undefined) {
    mark = new Intl.NumberFormat(locale).formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.';
    separators.set(locale, mark);
  }
  return mark;
}

/** A money value for the payer: the locale's number and the currency's ISO code ("2,00 USD" in Russian). */
export function formatMoney(money: { amount: string; currency: string }, locale: string): string {
  return `${formatAmount(money.amount, locale)} ${money.currency}`;
}

/** A point in time in the locale's words, in the reader's time zone. */
export function formatTime(value: string, locale: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A country's name in the page's language: the API's own (English) name in English, Intl's in the others. */
export function countryName(code: string, locale: string, fallback: string): string {
  if (locale === 'en') return fallback;
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? fallback;
  } catch {
    return fallback;
  }
}
