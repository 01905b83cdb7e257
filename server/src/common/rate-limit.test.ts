import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createRateLimits, RateLimited, RATE_LIMITS, sourceKey, type RateLimits } from './rate-limit';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function refusal(limits: RateLimits, ...charges: Parameters<RateLimits['consume']>): Promise<unknown> {
  return limits.consume(...charges).then(
    () => null,
    (error: unknown) => error,
  );
}

describe('rate limits, in memory', () => {
  afterEach(() => vi.useRealTimers());

  it('refuse past the budget with RATE_LIMITED and the wait, per key, and again allow once the window passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const limits = createRateLimits({ redis: null, prefix: 'unit' });
    const { points, seconds } = RATE_LIMITS['login:email'];
    for (let i = 0; i < points; i++) await limits.consume(['login:email', 'a@example.com']);
    const refused = await refusal(limits, ['login:email', 'a@example.com']);
    expect(refused).toBeInstanceOf(RateLimited);
    expect(refused).toMatchObject({
      limit: 'login:email',
      retryAfterSeconds: seconds,
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds, http: { status: 429 } },
    });
    // Another key has its own budget.
    await limits.consume(['login:email', 'b@example.com']);
    vi.setSystemTime(Date.now() + seconds * 1000 + 1);
    await limits.consume(['login:email', 'a@example.com']);
  });

  it('charge budgets in order and stop at the first spent one', async () => {
    const limits = createRateLimits({ redis: null, prefix: 'unit', scale: 0.05 });
    // login:ip 60 × 0.05 = 3 points.
    for (let i = 0; i < 3; i++) await limits.consume(['login:ip', '198.51.100.1'], ['login:email', `u${i}@x.test`]);
    expect(await refusal(limits, ['login:ip', '198.51.100.1'], ['login:email', 'victim@x.test'])).toBeInstanceOf(
      RateLimited,
    );
    // The refused request did not eat the email's budget (20 × 0.05 = 1 point).
    await limits.consume(['login:ip', '198.51.100.2'], ['login:email', 'victim@x.test']);
  });

  it('count IPv6 sources per /64, and take any string as a key', async () => {
    const limits = createRateLimits({ redis: null, prefix: 'unit', scale: 0.02 });
    await limits.consume(['purse-form:ip', '2001:db8:7:8::1']);
    expect(await refusal(limits, ['purse-form:ip', sourceKey('2001:db8:7:8:ffff::2')])).toBeNull();
    const key = `a\u0000b${'x'.repeat(10_000)}`;
    await limits.consume(['login:email', key]);
    expect(await refusal(limits, ['login:email', key])).toBeInstanceOf(RateLimited);
  });
});

describe('rate limits, in Redis', () => {
  const clients: Redis[] = [];
  const client = (url = REDIS_URL) => {
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };
  afterAll(() => {
    for (const redis of clients) redis.disconnect();
  });

  it('share one budget between processes, and end it with the window', async () => {
    const prefix = `unit-${randomBytes(6).toString('hex')}`;
    const [a, b] = [client(), client()];
    await Promise.all([a.connect(), b.connect()]);
    const first = createRateLimits({ redis: a, prefix });
    const second = createRateLimits({ redis: b, prefix });
    const limiter = (limits: RateLimits) => limits.limiter('shared', { points: 4, seconds: 1 });
    const [one, two] = [limiter(first), limiter(second)];
    expect((await one.hit('k')).allowed).toBe(true);
    expect((await two.hit('k')).allowed).toBe(true);
    expect((await one.hit('k')).allowed).toBe(true);
    expect(await two.hit('k')).toMatchObject({ consumed: 4, allowed: true });
    expect(await one.hit('k')).toMatchObject({ consumed: 5, allowed: false });
    expect(await two.peek('k')).toMatchObject({ consumed: 5, allowed: false });
    // Redis counts whole seconds: the window ends within one.
    await vi.waitFor(async () => expect(await two.peek('k')).toBeNull(), { timeout: 3_000, interval: 100 });
    expect(await one.hit('k')).toMatchObject({ consumed: 1, allowed: true });
  });

  it('keep answering from memory while Redis is away, still refusing past the budget', async () => {
    // Nothing listens on port 1: the client never gets ready, and every command fails at once.
    const away = client('redis://127.0.0.1:1');
    await away.connect().catch(() => undefined);
    const limits = createRateLimits({ redis: away, prefix: 'down', scale: 0.05 });
    for (let i = 0; i < 3; i++) await limits.consume(['login:ip', '198.51.100.9']);
    expect(await refusal(limits, ['login:ip', '198.51.100.9'])).toBeInstanceOf(RateLimited);
  });
});
