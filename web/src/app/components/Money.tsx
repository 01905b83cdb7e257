/** Groups the whole part of a decimal string by thousands, on the string itself: amounts are never parsed to floats. */
export function formatDecimal(amount: string): string {
  const match = /^(-)?(\d+)(\.\d+)?$/.exec(amount.trim());
  if (!match) return amount;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

export interface MoneyValue {
  amount: string;
  currency: string;
}

/** An amount as the API gives it (a decimal string at the currency's scale) with its currency code. */
export function Money({ money, signed = false }: { money: MoneyValue; signed?: boolean }) {
  const negative = money.amount.trim().startsWith('-');
  const positive = !negative && /[1-9]/.test(money.amount);
  const className = ['money', signed && negative ? 'money--debit' : '', signed && positive ? 'money--credit' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <span className={className}>
      {signed && positive ? '+' : ''}
      {formatDecimal(money.amount)} <span className="money__currency">{money.currency}</span>
    </span>
  );
}
