import { Badge, type Tone } from '../../app/components/Badge';
import type { SmsDirection, SmsFlag, SmsStatus } from '../../gql/graphql';

export const SMS_STATUSES: readonly SmsStatus[] = [
  'RECEIVED',
  'COUNTED',
  'CREDITED',
  'FLAGGED',
  'UNMATCHED',
  'QUEUED',
  'SENT',
  'DELIVERED',
  'FAILED',
];

const STATUS: Record<SmsStatus, { label: string; tone: Tone }> = {
  RECEIVED: { label: 'Processing', tone: 'info' },
  COUNTED: { label: 'Counted', tone: 'good' },
  CREDITED: { label: 'Kept as payer credit', tone: 'info' },
  FLAGGED: { label: 'Not counted', tone: 'warn' },
  UNMATCHED: { label: 'Unmatched', tone: 'bad' },
  QUEUED: { label: 'Queued', tone: 'info' },
  SENT: { label: 'Sent', tone: 'neutral' },
  DELIVERED: { label: 'Delivered', tone: 'good' },
  FAILED: { label: 'Failed', tone: 'bad' },
};

export function smsStatusLabel(status: SmsStatus): string {
  return STATUS[status]?.label ?? status;
}

export function SmsStatusBadge({ status }: { status: SmsStatus }) {
  const known = STATUS[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={known.tone}>{known.label}</Badge>;
}

export function SmsDirectionBadge({ direction }: { direction: SmsDirection }) {
  return direction === 'IN' ? <Badge tone="info">In</Badge> : <Badge>Reply</Badge>;
}

/** Why a flagged SMS was kept but not counted, in words a merchant or an admin can act on. */
export const FLAG_EXPLANATIONS: Record<SmsFlag, { title: string; detail: string }> = {
  PHONE_MISMATCH: {
    title: 'Phone mismatch',
    detail: "Sent from another phone number than the payment's first SMS; anti-fraud keeps one phone per payment.",
  },
  COUNTRY_MISMATCH: {
    title: 'Country mismatch',
    detail: "Sent from another country than the payment's first SMS; anti-fraud keeps one country per payment.",
  },
  NO_TARIFF: {
    title: 'No tariff',
    detail: "No active tariff for this short code in the sender's country, so its value is unknown.",
  },
  PAYMENT_CLOSED: {
    title: 'Payment closed',
    detail: 'The payment no longer took money (paid, cancelled or expired) when the SMS arrived.',
  },
  CURRENCY_NOT_SUPPORTED: {
    title: 'Not a USD payment',
    detail: 'SMS pay in US dollars; this payment is in another currency.',
  },
};

export const UNMATCHED_EXPLANATION = 'Its text names no open payment, so it belongs to no merchant.';

/** The reason an inbound SMS was not counted, or nothing when it was (or is not inbound). */
export function SmsReason({ status, flagReason }: { status: SmsStatus; flagReason?: SmsFlag | null }) {
  if (flagReason) {
    const flag = FLAG_EXPLANATIONS[flagReason];
    return (
      <span className="sms-reason">
        <strong>{flag?.title ?? flagReason}:</strong> {flag?.detail}
      </span>
    );
  }
  if (status === 'UNMATCHED') return <span className="sms-reason">{UNMATCHED_EXPLANATION}</span>;
  return null;
}
