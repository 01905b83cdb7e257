import { Badge, type Tone } from '../../app/components/Badge';

const TONES: Record<string, Tone> = {
  PENDING: 'warn',
  DELIVERED: 'good',
  DEAD: 'bad',
  SUCCEEDED: 'good',
  FAILED: 'bad',
};

/** A delivery's or attempt's state (PENDING, DELIVERED, DEAD; SUCCEEDED, FAILED). */
export function DeliveryStatusBadge({ status }: { status: string }) {
  return <Badge tone={TONES[status] ?? 'neutral'}>{status.toLowerCase()}</Badge>;
}
