/** What every amount field says when it cannot read what was typed. */
export const AMOUNT_HINT = 'Enter an amount like 12.50';

/**
 * Reads an amount as a merchant types it, in either convention: "12.50" and "12,50" both mean 12.50. Thousands
 * separators are taken when they are unambiguous ("1,234.50", "1.234,50", "1 234,50"); a lone separator followed by
 * three digits ("1,234") could be either and is refused. Returns the canonical decimal string the API takes
 * ("1234.50"), or null when the text is not an amount.
 */
export function parseAmountInput(text: string): string | null {
  const compact = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (!/^\d[\d.,]*$/.test(compact)) return null;
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  let whole: string;
  let fraction = '';
  if (lastDot >= 0 && lastComma >= 0) {
    // Both: the later one is the decimal mark, the other groups thousands.
    const decimal = lastDot > lastComma ? '.' : ',';
    const group = decimal === '.' ? ',' : '.';
    const at = compact.lastIndexOf(decimal);
    whole = compact.slice(0, at);
    fraction = compact.slice(at + 1);
    if (!/^\d{1,3}(\d{3})*$/.test(whole.split(group).join('')) || !groupedByThousands(whole, group)) return null;
    whole = whole.split(group).join('');
  } else if (lastDot >= 0 || lastComma >= 0) {
    const mark = lastDot >= 0 ? '.' : ',';
    const parts = compact.split(mark);
    if (parts.length === 2 && parts[1].length !== 3) {
      [whole, fraction] = [parts[0], parts[1]];
    } else if (parts.length > 2 && groupedByThousands(compact, mark)) {
      whole = parts.join('');
    } else {
      return null;
    }
  } else {
    whole = compact;
  }
  if (!/^\d+$/.test(whole) || !/^\d{0,2}$/.test(fraction)) return null;
  whole = whole.replace(/^0+(?=\d)/, '');
  return fraction ? `${whole}.${fraction.padEnd(2, '0')}` : whole;
}

function groupedByThousands(text: string, group: string): boolean {
  const [first, ...rest] = text.split(group);
  return /^\d{1,3}$/.test(first) && rest.every((part) => /^\d{3}$/.test(part));
}

/** Like parseAmountInput, with a sign in front when there is one ("-12,50" → "-12.50"): ledger entries. */
export function parseSignedAmountInput(text: string): string | null {
  const match = /^\s*([-+\u2212]?)\s*(.*)$/s.exec(text);
  const amount = parseAmountInput(match?.[2] ?? '');
  if (amount === null) return null;
  return match?.[1] === '-' || match?.[1] === '\u2212' ? `-${amount}` : amount;
}
