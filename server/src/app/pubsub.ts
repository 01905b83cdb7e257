import { createPubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import Redis from 'ioredis';
import type { PubSubLike } from '../common/context';

export interface AppPubSub extends PubSubLike {
  close(): Promise<void>;
}

/** In-process pub/sub, or Redis-backed when `redisUrl` is set so events reach subscribers on every server process. */
export function createAppPubSub(redisUrl: string | null): AppPubSub {
  if (!redisUrl) {
    const pubsub = createPubSub();
    return {
      publish: (topic, payload) => pubsub.publish(topic as never, payload),
      subscribe: (topic) => pubsub.subscribe(topic as never),
      close: async () => undefined,
    };
  }
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const pubsub = createPubSub({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  return {
    publish: (topic, payload) => pubsub.publish(topic as never, payload),
    subscribe: (topic) => pubsub.subscribe(topic as never),
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
