import type { EntityManager } from '@mikro-orm/core';
import type { PubSubLike } from '../../common/context';
import { afterCommit } from '../payment';
import type { SmsMessage } from './sms.entity';

/** A merchant's live SMS feed. */
export const merchantSmsTopic = (merchantId: string) => `merchant-sms:${merchantId}`;
/** Every inbound SMS, unmatched ones included: platform admins only. */
export const ADMIN_SMS_TOPIC = 'admin-sms';
/** The SMS lines of one payer's page, keyed by the unguessable page token like the payment's own topic. */
export const paymentSmsTopic = (pageToken: string) => `payment-sms:${pageToken}`;

/**
 * What is published: only which SMS changed. Subscribers read the committed row back and check access on it, so a
 * stale, duplicated or reordered event can never show anything wrong or anything the subscriber may not see.
 */
export interface SmsEvent {
  id: string;
  merchantId: string | null;
  paymentId: string | null;
}

/** Publishes the SMS's change on its topics once the transaction commits (never if it rolls back). */
export function announceSms(
  em: EntityManager,
  pubsub: PubSubLike | null,
  sms: SmsMessage,
  payment: { pageToken: string } | null,
): void {
  if (!pubsub) return;
  afterCommit(
    em,
    () => {
      const event: SmsEvent = { id: sms.id, merchantId: sms.merchantId, paymentId: sms.paymentId };
      pubsub.publish(ADMIN_SMS_TOPIC, event);
      if (sms.merchantId) pubsub.publish(merchantSmsTopic(sms.merchantId), event);
      if (payment) pubsub.publish(paymentSmsTopic(payment.pageToken), event);
    },
    `sms:${sms.id}`,
  );
}

/**
 * A live view that loses nothing: the current items first, then, for every event, the item read back fresh; an
 * item is yielded only when it differs from what was last yielded under its key (duplicates and stale events are
 * dropped, and reading back makes reordered events harmless).
 *
 * It listens before it reads, so a change committed between the read and the first event is not missed. `return()`
 * ends the upstream listener, which also settles a `next()` still waiting for an event.
 */
export async function liveView<T>(
  source: AsyncIterable<unknown>,
  options: {
    current: () => Promise<T[]>;
    onEvent: (event: unknown) => Promise<T | null>;
    key: (item: T) => string;
    fingerprint: (item: T) => string;
  },
): Promise<AsyncIterableIterator<T>> {
  const upstream = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<unknown>> | null = upstream.next();
  let queue: T[];
  try {
    queue = await options.current();
  } catch (error) {
    await upstream.return?.();
    throw error;
  }
  const seen = new Map<string, string>();
  const fresh = (item: T) => {
    const key = options.key(item);
    const print = options.fingerprint(item);
    if (seen.get(key) === print) return false;
    seen.set(key, print);
    return true;
  };

  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      for (;;) {
        const queued = queue.shift();
        if (queued !== undefined) {
          if (fresh(queued)) return { value: queued, done: false };
          continue;
        }
        const result = await (pending ?? upstream.next());
        pending = null;
        if (result.done) return { value: undefined, done: true };
        const item = await options.onEvent(result.value);
        if (item !== null && fresh(item)) return { value: item, done: false };
      }
    },
    async return() {
      queue = [];
      await upstream.return?.();
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
