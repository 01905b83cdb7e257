import type { MoneyValue } from '../../app/components/Money';

/*
 * Fee plans as people read them: percentages ("1.9") rather than basis points (190), and fixed amounts as
 * "0.25 EUR, 0.30 USD". Exact string arithmetic: nothing goes through a float.
 */

/** 190 → "1.9"; 1000 → "10"; 5 → "0.05". */
export function percentOf(bps: number): string {
  const whole = Math.floor(bps / 100);
  const fraction = String(bps % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** "1.9" → 190, "10" → 1000, "" → 0; null when it is not a percentage with at most two decimals. */
export function bpsOf(percent: string): number | null {
  const text = percent.trim().replace(/%$/, '').trim();
  if (!text) return 0;
  const match = /^(\d{1,5})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** [{0.25 EUR}, {0.30 USD}] → "0.25 EUR, 0.30 USD". */
export function amountsText(amounts: readonly MoneyValue[]): string {
  return amounts.map((money) => `${money.amount} ${money.currency}`).join(', ');
}

/** "1.9% + 0.25 EUR", "2.7%", "1.00 EUR", "free". */
export function describeRule(rule: { percentBps: number; fixed: readonly MoneyValue[]; fromTariff: boolean }): string {
  if (rule.fromTariff) return 'by the SMS tariff';
  const parts = [];
  if (rule.percentBps) parts.push(`${percentOf(rule.percentBps)}%`);
  if (rule.fixed.length) parts.push(amountsText(rule.fixed).replace(/, /g, ' / '));
  return parts.length ? parts.join(' + ') : 'free';
}
