import type { Payment, PaymentKind, PaymentStatus } from './payment.entity';

/** Live updates for one payer's page. Keyed by the unguessable page token, never by the public reference. */
export const paymentTopic = (pageToken: string) => `payment:${pageToken}`;

/** Live updates for a merchant's dashboards: every payment of that merchant. */
export const merchantPaymentsTopic = (merchantId: string) => `merchant-payments:${merchantId}`;

/**
 * A payment's committed state as published. Plain JSON (amounts as minor-unit strings), so it crosses Redis
 * unchanged. Carries no page token and no payer data: a topic's subscribers see only what they may see anyway.
 */
export interface PaymentEvent {
  id: string;
  merchantId: string;
  kind: PaymentKind;
  status: PaymentStatus;
  reference: string;
  amount: string;
  amountReceived: string;
  /** Payer credit spent on it (minor units), part of amountReceived's money. */
  credit: string;
  currency: string;
  description: string;
  paidAt: string | null;
  updatedAt: string;
  /** Grows with every change: a subscriber drops any event not newer than what it has shown. */
  version: number;
}

export function paymentEvent(payment: Payment): PaymentEvent {
  return {
    id: payment.id,
    merchantId: payment.merchantId,
    kind: payment.kind,
    status: payment.status,
    reference: payment.reference,
    amount: payment.amount.toString(),
    amountReceived: payment.amountReceived.toString(),
    credit: payment.creditMinor.toString(),
    currency: payment.currency,
    description: payment.description,
    paidAt: payment.paidAt?.toISOString() ?? null,
    updatedAt: payment.updatedAt.toISOString(),
    version: payment.version,
  };
}

/**
 * The current state first, then every newer change: what a (re)connecting live page needs to lose nothing.
 *
 * It listens before it reads, so a change committed between the read and the first event is not missed; events
 * that are not newer than what was already yielded (the read already saw them, or they arrived twice or out of
 * order) are dropped. Resolves to null when `readCurrent` finds nothing.
 */
export async function currentThenChanges(
  source: AsyncIterable<unknown>,
  readCurrent: () => Promise<PaymentEvent | null>,
): Promise<AsyncIterableIterator<PaymentEvent> | null> {
  const upstream = source[Symbol.asyncIterator]();
  // The pub/sub starts listening on the first next() (a lazy Repeater); keep that promise as the first event.
  let pending: Promise<IteratorResult<unknown>> | null = upstream.next();
  let current: PaymentEvent | null;
  try {
    current = await readCurrent();
  } catch (error) {
    await upstream.return?.();
    throw error;
  }
  if (!current) {
    await upstream.return?.();
    return null;
  }
  let lastVersion = -1;
  let first: PaymentEvent | null = current;

  const iterator: AsyncIterableIterator<PaymentEvent> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (first) {
        const value = first;
        lastVersion = value.version;
        first = null;
        return { value, done: false };
      }
      for (;;) {
        const result = await (pending ?? upstream.next());
        pending = null;
        if (result.done) return { value: undefined, done: true };
        const event = result.value as PaymentEvent;
        if (event.version > lastVersion) {
          lastVersion = event.version;
          return { value: event, done: false };
        }
      }
    },
    // Unsubscribing ends the upstream listener, which also settles a next() still waiting for an event.
    async return() {
      await upstream.return?.();
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
