import type { MoneyValue } from '../../app/components/Money';
import { usePayer } from '../../i18n/payer';
import { fromMinor, scaleOf, toMinor } from '../sms/decimal';

/** What arrived beyond the amount, exactly (decimal strings of one currency); null when nothing did. */
export function overpayment(amount: MoneyValue, received: MoneyValue): MoneyValue | null {
  if (amount.currency !== received.currency) return null;
  const scale = Math.max(scaleOf(amount.amount), scaleOf(received.amount));
  const due = toMinor(amount.amount, scale);
  const got = toMinor(received.amount, scale);
  if (due === null || got === null || got <= due) return null;
  return { amount: fromMinor(got - due, scale), currency: amount.currency };
}

/**
 * "Received 5.34 of 5.00", in plain words: SMS prices come in steps, so the SMS a payer sends may pay a little more
 * than the price. Settlement books the whole of what arrived to the merchant, so the extra is the merchant's.
 */
export function Overpaid({ amount, received }: { amount: MoneyValue; received: MoneyValue }) {
  const { t, money } = usePayer();
  const extra = overpayment(amount, received);
  if (!extra) return null;
  return (
    <div className="notice" data-testid="overpaid">
      <p>
        <strong>{t('overpaid.summary', { received: money(received), amount: money(amount) })}</strong>
      </p>
      <p className="small">{t('overpaid.explain', { extra: money(extra) })}</p>
    </div>
  );
}
