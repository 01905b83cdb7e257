import type { MoneyValue } from '../../app/components/Money';
import { usePayer } from '../../i18n/payer';

/** Above zero: "12.50" yes, "0.00" and "-1.00" no (decimal strings, never parsed to floats). */
export function isPositive(amount: string): boolean {
  return !amount.trim().startsWith('-') && /[1-9]/.test(amount);
}

/**
 * Credit from the payer's own earlier SMS, spent on this payment (part of what it received). Nothing when none was
 * spent: the credit counts only once an SMS from the same phone arrived on the payment.
 */
export function CreditApplied({ credit }: { credit: MoneyValue | null | undefined }) {
  const { t, money } = usePayer();
  if (!credit || !isPositive(credit.amount)) return null;
  return (
    <p className="notice notice--good" data-testid="credit-applied">
      {t('credit.applied', { credit: money(credit) })}
    </p>
  );
}
