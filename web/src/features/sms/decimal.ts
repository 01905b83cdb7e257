/**
 * Exact arithmetic on the API's decimal strings ("12.50"): amounts become integers of minor units at a given scale,
 * never floats, so a comparison like "does this SMS pay the rest" is exact.
 */

/** "12.5" at scale 2 → 1250n; null when the text is not a plain decimal or has more fraction digits than `scale`. */
export function toMinor(amount: string, scale: number): bigint | null {
  const match = /^(-)?(\d+)(?:\.(\d*))?$/.exec(amount.trim());
  if (!match) return null;
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (fraction.length > scale) return null;
  const minor = BigInt(whole + fraction.padEnd(scale, '0'));
  return sign ? -minor : minor;
}

/** 1250n at scale 2 → "12.50". */
export function fromMinor(minor: bigint, scale: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** The number of fraction digits an API amount carries ("12.50" → 2, "900" → 0). */
export function scaleOf(amount: string): number {
  const dot = amount.indexOf('.');
  return dot < 0 ? 0 : amount.length - dot - 1;
}
