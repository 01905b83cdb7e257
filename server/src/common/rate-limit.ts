import { createHash } from 'node:crypto';
import net from 'node:net';
import { GraphQLError } from 'graphql';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Request budgets of the public operations, shared by every process of a deployment: counted in Redis when the
 * platform has one (REDIS_URL), in this process's memory otherwise. Built once per app (app/rate-limits.ts) and
 * handed to modules as `platform.limits` and `ctx.limits`; modules never build their own.
 */

/** `points` requests per `seconds`, counted from the first; past it, refused until the window ends. */
export interface Budget {
  points: number;
  seconds: number;
  /** Once spent, refuse for this long instead of until the window ends. */
  blockSeconds?: number;
}

/**
 * The budgets, by name: `<operation>:<what is counted>`. Generous: a person, an office behind one address, or a shop's
 * checkout never meets them; a script does. RATE_LIMIT_SCALE multiplies every `points`.
 */
export const RATE_LIMITS = {
  /**
   * Each login hashes a password, slow on purpose: one address gets a bounded share of the CPU. Login budgets count
   * failures: a successful login gives its request back, so people who sign in often never meet them.
   */
  'login:ip': { points: 60, seconds: 5 * 60 },
  /** Logins for one email from anywhere: a spray over many addresses stays slow (the account also locks). */
  'login:email': { points: 20, seconds: 5 * 60 },
  /** Voucher payments started from one address: each reserves stock (and see the reservation cap). */
  'voucher-start:ip': { points: 60, seconds: 60 },
  /** Voucher payments started in one shop from everyone: a botnet cannot churn a shop's stock faster. */
  'voucher-start:shop': { points: 1_200, seconds: 60 },
  /** Access codes bought by card, started from one address: each makes a payment and, once paid, a mail. */
  'access-code-start:ip': { points: 30, seconds: 60 },
  /** Card purchases started for one access-code service from everyone. */
  'access-code-start:service': { points: 1_200, seconds: 60 },
  /**
   * Payer pages and their buttons by token (payment, voucher and purse pages): pages reload and poll, and tokens
   * cannot be guessed, so this only bounds the work one address can ask for.
   */
  'payer-page:ip': { points: 600, seconds: 60 },
  /** Finding a voucher payment by its number and phone: the phone is the secret, so few tries are allowed. */
  'payment-lookup:ip': { points: 30, seconds: 10 * 60 },
  'payment-lookup:payment': { points: 10, seconds: 10 * 60 },
  /** Purse form posts (/bank/): a shop's checkout sends each payer once. */
  'purse-form:ip': { points: 60, seconds: 60 },
  'purse-form:purse': { points: 1_200, seconds: 60 },
  /** Cards typed into payer pages (POST /card/tokens): a payer types a card or two; a card tester types hundreds. */
  'card-token:ip': { points: 30, seconds: 10 * 60 },
  /**
   * Card testing: declined card payments (counted when tried, given back once approved). A source, a payment and a
   * card each get a few declines an hour; past that, payByCard answers RATE_LIMITED before asking the processor.
   */
  'card-decline:ip': { points: 10, seconds: 60 * 60 },
  'card-decline:payment': { points: 5, seconds: 60 * 60 },
  'card-decline:fingerprint': { points: 5, seconds: 60 * 60 },
} satisfies Record<string, Budget>;

export type LimitName = keyof typeof RATE_LIMITS;

/**
 * A spent budget. A GraphQL error with `extensions.code: RATE_LIMITED` and `retryAfterSeconds`, answered as HTTP 429
 * with `Retry-After` (Apollo applies `extensions.http`); HTTP routes answer 429 with `Retry-After` themselves.
 */
export class RateLimited extends GraphQLError {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`too many requests; try again in ${retryAfterSeconds} seconds`, {
      extensions: {
        code: 'RATE_LIMITED',
        retryAfterSeconds,
        http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
      },
    });
    this.name = 'RateLimited';
  }
}

/** A key's count in a limiter's current window. */
export interface LimitState {
  consumed: number;
  /** Until the window (or the block) ends. */
  msBeforeNext: number;
  /** False once the count passed the budget. */
  allowed: boolean;
}

/** One budget on the platform's store, for a module's own policy (the access-code throttle counts failures). */
export interface Limiter {
  readonly budget: Budget;
  /** Counts `points` for `key`; returns the state after, spent or not (never throws for a spent budget). */
  hit(key: string, points?: number): Promise<LimitState>;
  /** Takes back `points` counted for `key`. */
  refund(key: string, points?: number): Promise<void>;
  /** The state without counting; null when nothing is counted in the current window. */
  peek(key: string): Promise<LimitState | null>;
}

export interface RateLimits {
  /**
   * Takes one request from each budget for its key, in order, and throws RateLimited at the first one spent (later
   * ones are not charged: a source refused by its own budget does not eat a shop's).
   */
  consume(...charges: [LimitName, string][]): Promise<void>;
  /** Gives back one request to each budget: for budgets meant to count failures, once an attempt succeeded. */
  refund(...charges: [LimitName, string][]): Promise<void>;
  /**
   * A limiter for a module's own budget, on the same store. `name` prefixes its keys: the same name in every process
   * shares counts, so pick one no other module uses.
   */
  limiter(name: string, budget: Budget): Limiter;
  close(): Promise<void>;
}

/**
 * The unit a source is counted in: IPv6 per /64, the block one subscriber usually gets (a single address is free to
 * change within it); IPv4 per address, IPv4-mapped IPv6 as IPv4.
 */
export function sourceKey(ip: string): string {
  const plain = ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (net.isIPv6(plain)) return `${expandIpv6(plain.toLowerCase()).split(':').slice(0, 4).join(':')}::/64`;
  return plain || 'unknown';
}

function expandIpv6(address: string): string {
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return (address.includes('::') ? [...left, ...middle, ...right] : left)
    .map((part) => part.padStart(4, '0'))
    .join(':');
}

/** Keys come from outside (emails, slugs): anything long or unusual is hashed, so a key stays short and inert. */
function safeKey(key: string): string {
  return key.length <= 80 && /^[\w.:@+/-]*$/.test(key) ? key : `#${createHash('sha256').update(key).digest('hex')}`;
}

function stateOf(res: RateLimiterRes, points: number): LimitState {
  return {
    consumed: res.consumedPoints,
    msBeforeNext: Math.max(0, res.msBeforeNext),
    allowed: res.consumedPoints <= points,
  };
}

export interface RateLimitOptions {
  /** Counts in Redis, shared by every process using it; null: in this process's memory. */
  redis: Redis | null;
  /** Separates deployments sharing one Redis (app/rate-limits.ts derives it from the database). */
  prefix: string;
  /** Multiplies the points of every RATE_LIMITS budget (RATE_LIMIT_SCALE); never below 1 point. */
  scale?: number;
}

export function createRateLimits(options: RateLimitOptions): RateLimits {
  const build = (name: string, budget: Budget): Limiter => {
    const settings = {
      keyPrefix: `${options.prefix}:${name}`,
      points: budget.points,
      duration: budget.seconds,
      blockDuration: budget.blockSeconds ?? 0,
    };
    const limiter: RateLimiterAbstract = options.redis
      ? new RateLimiterRedis({
          ...settings,
          storeClient: options.redis,
          // While Redis is away, each process counts in memory instead: limits hold per process, requests still
          // get answers (never a 500 for every request, never an open door).
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(settings),
        })
      : new RateLimiterMemory(settings);
    return {
      budget,
      async hit(key, points = 1) {
        const res = await limiter.consume(safeKey(key), points).catch((refusal: unknown) => {
          if (refusal instanceof RateLimiterRes) return refusal;
          throw refusal;
        });
        return stateOf(res, budget.points);
      },
      async refund(key, points = 1) {
        await limiter.reward(safeKey(key), points);
      },
      async peek(key) {
        const res = await limiter.get(safeKey(key));
        // An entry past its end may linger in memory until its timer runs: it counts for nothing.
        if (!res || (res.msBeforeNext <= 0 && res.msBeforeNext !== -1)) return null;
        return stateOf(res, budget.points);
      },
    };
  };

  const scale = options.scale ?? 1;
  const named = new Map<LimitName, Limiter>();
  for (const [name, budget] of Object.entries(RATE_LIMITS) as [LimitName, Budget][]) {
    named.set(name, build(name, { ...budget, points: Math.max(1, Math.round(budget.points * scale)) }));
  }

  return {
    async consume(...charges) {
      for (const [name, key] of charges) {
        const state = await named.get(name)!.hit(key);
        if (!state.allowed) throw new RateLimited(name, Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    },
    async refund(...charges) {
      for (const [name, key] of charges) await named.get(name)!.refund(key);
    },
    limiter: build,
    close: async () => {
      // The Redis client is the app's to close; memory limiters hold only unref'd timers.
    },
  };
}
