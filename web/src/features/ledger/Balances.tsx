import type { LedgerAccountPurpose } from '../../gql/graphql';
import { Money, type MoneyValue } from '../../app/components/Money';
import { usePaymentChanges } from '../payments/live';
import { purposeLabel, PURPOSE_ORDER } from './purposes';

interface BalanceView {
  accountId: string;
  purpose: LedgerAccountPurpose;
  available: MoneyValue;
  posted: MoneyValue;
  pending: MoneyValue;
  held: MoneyValue;
}

function isZero(amount: string): boolean {
  return !/[1-9]/.test(amount);
}

/**
 * A merchant's balances, one tile per account (purpose and currency), available money first. Live: while shown, the
 * SMS subscription runs and the cache refetches the balances when money moved (app/cache.ts).
 */
export function Balances({ balances }: { balances: readonly BalanceView[] }) {
  usePaymentChanges();
  if (balances.length === 0)
    return <p className="muted">No money has moved yet: balances appear with the first payment.</p>;
  const sorted = [...balances].sort(
    (a, b) =>
      a.available.currency.localeCompare(b.available.currency) ||
      PURPOSE_ORDER.indexOf(a.purpose) - PURPOSE_ORDER.indexOf(b.purpose),
  );
  return (
    <ul className="balances" aria-label="Balances">
      {sorted.map((balance) => (
        <li key={balance.accountId} className="balance">
          <span className="balance__label">
            {purposeLabel(balance.purpose)} · {balance.available.currency}
          </span>
          <Money money={balance.available} />
          <span className="balance__detail">
            posted <Money money={balance.posted} />
            {!isZero(balance.pending.amount) && (
              <>
                {' '}
                · incoming <Money money={balance.pending} />
              </>
            )}
            {!isZero(balance.held.amount) && (
              <>
                {' '}
                · held <Money money={balance.held} />
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
