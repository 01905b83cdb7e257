import { Badge, type Tone } from '../../app/components/Badge';

const TONES: Record<string, Tone> = {
  OPEN: 'info',
  PARTIALLY_PAID: 'warn',
  PAID: 'good',
  CANCELLED: 'neutral',
  EXPIRED: 'neutral',
  REFUNDED: 'warn',
};

export const PAYMENT_STATUSES = ['OPEN', 'PARTIALLY_PAID', 'PAID', 'CANCELLED', 'EXPIRED', 'REFUNDED'] as const;

export function humanize(value: string): string {
  const text = value.toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function PaymentStatusBadge({ status }: { status: string }) {
  return <Badge tone={TONES[status] ?? 'neutral'}>{humanize(status)}</Badge>;
}

/** Payments that may still take money; only these can be cancelled. */
export function isCancellable(status: string): boolean {
  return status === 'OPEN' || status === 'PARTIALLY_PAID';
}
