import { describe, expect, it } from 'vitest';
import { createAppPubSub } from './pubsub';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function firstEvent(iterable: AsyncIterable<unknown>): Promise<unknown> {
  for await (const event of iterable) return event;
  return undefined;
}

describe('pub/sub', () => {
  it('delivers within one process without Redis', async () => {
    const pubsub = createAppPubSub(null);
    const received = firstEvent(pubsub.subscribe('payment:abc'));
    pubsub.publish('payment:abc', { status: 'PAID' });
    await expect(received).resolves.toEqual({ status: 'PAID' });
    await pubsub.close();
  });

  it('carries an event from one server process to a subscriber of another through Redis', async () => {
    const publisher = createAppPubSub(REDIS_URL);
    const subscriber = createAppPubSub(REDIS_URL);
    const topic = `payment:${Math.random().toString(36).slice(2)}`;
    const received = firstEvent(subscriber.subscribe(topic));
    // The subscription is registered with Redis asynchronously; publish until it is heard.
    let heard = false;
    void received.then(() => (heard = true));
    for (let attempt = 0; attempt < 50 && !heard; attempt++) {
      publisher.publish(topic, { status: 'PAID', amount: '12.50' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect(received).resolves.toEqual({ status: 'PAID', amount: '12.50' });
    await publisher.close();
    await subscriber.close();
  });
});
