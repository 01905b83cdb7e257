import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import type { Config } from '../common/config';
import { log } from '../common/log';
import { createRateLimits, type RateLimits } from '../common/rate-limit';

/**
 * The app's rate limits: in Redis when REDIS_URL is set, so every process of the deployment shares one budget; in
 * memory otherwise. Keys carry a digest of the database, so deployments (or test runs) sharing one Redis never share
 * budgets, and no connection string lands in Redis.
 */
export function createAppRateLimits(config: Config): RateLimits {
  const database = config.database.kind === 'sqlite' ? config.database.path : config.database.url;
  const prefix = `tollgate:rl:${createHash('sha256').update(database).digest('hex').slice(0, 12)}`;
  if (!config.redisUrl) return createRateLimits({ redis: null, prefix, scale: config.rateLimitScale });
  // No offline queue: while Redis is away a command fails at once and the in-memory insurance answers, instead of
  // every request waiting for a reconnect.
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let warned = false;
  redis.on('error', (error: Error) => {
    if (!warned) log.warn({ err: error }, 'rate limits: Redis unavailable; counting in memory until it is back');
    warned = true;
  });
  redis.on('ready', () => {
    if (warned) log.info('rate limits: Redis is back');
    warned = false;
  });
  const limits = createRateLimits({ redis, prefix, scale: config.rateLimitScale });
  return {
    ...limits,
    close: async () => {
      await limits.close();
      redis.disconnect();
    },
  };
}
