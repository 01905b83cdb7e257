import { useEffect, type SelectHTMLAttributes } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';

const AccountCurrencyDocument = graphql(`
  query AccountCurrency {
    me {
      merchant {
        id
        currency
      }
    }
  }
`);

/** Currencies a form offers (those the API handles, see server/src/common/money.ts); the account's own comes first. */
const COMMON = [
  'USD',
  'EUR',
  'GBP',
  'BGN',
  'RUB',
  'JPY',
  'INR',
  'PLN',
  'CZK',
  'RON',
  'HUF',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'UAH',
  'KZT',
  'TRY',
  'BRL',
  'KRW',
];
/** An admin has no merchant: SMS money's currency. */
const FALLBACK = 'USD';

/** The caller's account currency (its merchant's, see Merchant.currency), else USD; null while loading. */
export function useAccountCurrency(): string | null {
  const [query] = useQuery({ query: AccountCurrencyDocument });
  if (!query.data) return null;
  return query.data.me?.merchant?.currency ?? FALLBACK;
}

/**
 * A currency picked from a list, starting at the account's currency until the merchant picks another. `currencies`
 * narrows the list to what the form can take (cards: USD or EUR); the account's currency is the start only when it
 * is one of them, else the first.
 */
export function CurrencySelect({
  value,
  onChange,
  currencies,
  ...props
}: {
  value: string;
  onChange: (currency: string) => void;
  currencies?: readonly string[];
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>) {
  const accountCurrency = useAccountCurrency();
  const allowed = currencies?.length ? currencies : null;
  const start =
    accountCurrency === null ? null : !allowed || allowed.includes(accountCurrency) ? accountCurrency : allowed[0];
  useEffect(() => {
    if (!value && start) onChange(start);
  }, [value, start, onChange]);
  const options = allowed
    ? [...new Set([...allowed, ...(value ? [value] : [])])]
    : [...new Set([accountCurrency ?? FALLBACK, ...COMMON, ...(value ? [value] : [])])];
  return (
    <select {...props} value={value || start || options[0]} onChange={(event) => onChange(event.target.value)}>
      {options.map((currency) => (
        <option key={currency} value={currency}>
          {currency}
        </option>
      ))}
    </select>
  );
}
