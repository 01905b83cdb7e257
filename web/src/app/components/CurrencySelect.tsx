import { useEffect, type SelectHTMLAttributes } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';

const AccountCurrencyDocument = graphql(`
  query AccountCurrency {
    me {
      merchant {
        id
        balances {
          accountId
          purpose
          available {
            amount
            currency
          }
        }
      }
    }
  }
`);

/** Currencies a form offers; the account's own comes first. */
const COMMON = ['USD', 'EUR', 'GBP', 'BGN', 'RUB', 'JPY', 'INR'];
/** SMS money is booked in USD: the currency of an account that has no balance yet. */
const FALLBACK = 'USD';

/** The caller's account currency: its available balance's (the first it got), else USD. */
export function useAccountCurrency(): string | null {
  const [query] = useQuery({ query: AccountCurrencyDocument });
  if (!query.data) return null;
  const balances = query.data.me?.merchant?.balances ?? [];
  return balances.find((balance) => balance.purpose === 'MERCHANT_AVAILABLE')?.available.currency ?? FALLBACK;
}

/** A currency picked from a list, starting at the account's currency until the merchant picks another. */
export function CurrencySelect({
  value,
  onChange,
  ...props
}: {
  value: string;
  onChange: (currency: string) => void;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>) {
  const accountCurrency = useAccountCurrency();
  useEffect(() => {
    if (!value && accountCurrency) onChange(accountCurrency);
  }, [value, accountCurrency, onChange]);
  const options = [...new Set([accountCurrency ?? FALLBACK, ...COMMON, ...(value ? [value] : [])])];
  return (
    <select {...props} value={value || accountCurrency || FALLBACK} onChange={(event) => onChange(event.target.value)}>
      {options.map((currency) => (
        <option key={currency} value={currency}>
          {currency}
        </option>
      ))}
    </select>
  );
}
