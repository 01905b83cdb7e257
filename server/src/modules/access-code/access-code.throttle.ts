import net from 'node:net';

/**
 * Guessing defence, in memory, consulted before any database query. Invalid checks are counted per source (all
 * services) and per source and service, in a sliding window: past a first threshold each further check of that
 * source waits a little longer before it is looked at (slowed); past a second the source is refused for a while
 * (blocked). Per service, invalid checks from everyone are counted too, only to raise a flood alert: a flood
 * never blocks a service, so payers with good codes from other addresses still get in.
 *
 * State is per process; behind N processes a guesser gets N times the budget (still tiny against the code space).
 */
export interface ThrottleOptions {
  windowMs: number;
  /** Per source and service. */
  pairSlowAfter: number;
  pairBlockAt: number;
  /** Per source, all services together. */
  ipSlowAfter: number;
  ipBlockAt: number;
  blockMs: number;
  /** Delay per invalid check past the slow threshold, and its cap. */
  slowStepMs: number;
  slowMaxMs: number;
  /** Invalid checks of one service within floodWindowMs that raise an alert. */
  floodThreshold: number;
  floodWindowMs: number;
  /** Bound on remembered sources, so a spray from many addresses cannot exhaust memory. */
  maxSources: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  windowMs: 15 * 60_000,
  pairSlowAfter: 3,
  pairBlockAt: 10,
  ipSlowAfter: 10,
  ipBlockAt: 30,
  // At least 30 minutes after 10 failures, as PCI DSS 8.3.4 asks of logins.
  blockMs: 30 * 60_000,
  slowStepMs: 250,
  slowMaxMs: 2_000,
  floodThreshold: 100,
  floodWindowMs: 60_000,
  maxSources: 100_000,
};

interface Counter {
  /** Times of recent invalid checks (at most the block threshold are kept). */
  failures: number[];
  blockedUntil: number;
}

export interface ThrottledSource {
  ip: string;
  failures: number;
  blockedUntil: Date | null;
}

/** IPv6 sources are counted per /64, the block one subscriber usually gets; IPv4 per address. */
export function sourceKey(ip: string): string {
  const plain = ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (net.isIPv6(plain)) return `${expandIpv6(plain.toLowerCase()).split(':').slice(0, 4).join(':')}::/64`;
  return plain;
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

export class Throttle {
  options: ThrottleOptions;
  private readonly perIp = new Map<string, Counter>();
  /** serviceId → source → counter. */
  private readonly perPair = new Map<string, Map<string, Counter>>();
  private readonly floods = new Map<string, { start: number; count: number; alerted: boolean }>();
  private sources = 0;

  constructor(
    options: Partial<ThrottleOptions> = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  private recent(counter: Counter | undefined, now: number): number {
    if (!counter) return 0;
    const since = now - this.options.windowMs;
    while (counter.failures.length && counter.failures[0] <= since) counter.failures.shift();
    return counter.failures.length;
  }

  /** Milliseconds the source must wait before it may check anything (0: not blocked). Cheap; no I/O. */
  blockedFor(ip: string, serviceId?: string): number {
    const now = this.clock();
    const key = sourceKey(ip);
    const own = this.perIp.get(key)?.blockedUntil ?? 0;
    const pair = serviceId ? (this.perPair.get(serviceId)?.get(key)?.blockedUntil ?? 0) : 0;
    return Math.max(0, own - now, pair - now);
  }

  /** How long to hold a check back before looking at it: grows with the source's recent invalid checks. */
  delayFor(ip: string, serviceId: string): number {
    const now = this.clock();
    const key = sourceKey(ip);
    const o = this.options;
    const overPair = this.recent(this.perPair.get(serviceId)?.get(key), now) - o.pairSlowAfter + 1;
    const overIp = this.recent(this.perIp.get(key), now) - o.ipSlowAfter + 1;
    const over = Math.max(overPair, overIp, 0);
    return Math.min(o.slowMaxMs, over * o.slowStepMs);
  }

  /**
   * Records an invalid check (a wrong code, or an unknown service). Returns true when it made the service's
   * invalid checks cross the flood threshold in the current window (once per window).
   */
  fail(ip: string, serviceId: string | null): boolean {
    const now = this.clock();
    const key = sourceKey(ip);
    const o = this.options;
    this.bump(this.counter(this.perIp, key), now, o.ipBlockAt);
    if (!serviceId) return false;
    let pairs = this.perPair.get(serviceId);
    if (!pairs) this.perPair.set(serviceId, (pairs = new Map<string, Counter>()));
    this.bump(this.counter(pairs, key), now, o.pairBlockAt);

    let flood = this.floods.get(serviceId);
    if (!flood || now - flood.start >= o.floodWindowMs) {
      flood = { start: now, count: 0, alerted: false };
      this.floods.set(serviceId, flood);
    }
    flood.count += 1;
    if (!flood.alerted && flood.count >= o.floodThreshold) {
      flood.alerted = true;
      return true;
    }
    return false;
  }

  /** Invalid checks of a service in the current flood window (for the dashboard). */
  recentInvalid(serviceId: string): number {
    const flood = this.floods.get(serviceId);
    return flood && this.clock() - flood.start < this.options.floodWindowMs ? flood.count : 0;
  }

  /** The sources a service's payers would find slowed or blocked now, most failures first. */
  throttledSources(serviceId: string): ThrottledSource[] {
    const now = this.clock();
    const out: ThrottledSource[] = [];
    for (const [ip, counter] of this.perPair.get(serviceId) ?? []) {
      const failures = this.recent(counter, now);
      const blocked = counter.blockedUntil > now;
      if (blocked || failures >= this.options.pairSlowAfter) {
        out.push({ ip, failures, blockedUntil: blocked ? new Date(counter.blockedUntil) : null });
      }
    }
    return out.sort((a, b) => b.failures - a.failures).slice(0, 100);
  }

  private counter(map: Map<string, Counter>, key: string): Counter {
    let counter = map.get(key);
    if (!counter) {
      if (this.sources >= this.options.maxSources) this.evict();
      counter = { failures: [], blockedUntil: 0 };
      map.set(key, counter);
      this.sources += 1;
    }
    return counter;
  }

  private bump(counter: Counter, now: number, blockAt: number): void {
    this.recent(counter, now);
    counter.failures.push(now);
    if (counter.failures.length > blockAt) counter.failures.shift();
    if (counter.failures.length >= blockAt && counter.blockedUntil <= now) {
      counter.blockedUntil = now + this.options.blockMs;
    }
  }

  /** Forgets idle sources (no recent failure, not blocked); if none are idle, the oldest tenth. */
  private evict(): void {
    const now = this.clock();
    const maps: Map<string, Counter>[] = [this.perIp, ...this.perPair.values()];
    for (const map of maps) {
      for (const [key, counter] of map) {
        if (counter.blockedUntil <= now && this.recent(counter, now) === 0) {
          map.delete(key);
          this.sources -= 1;
        }
      }
    }
    if (this.sources < this.options.maxSources) return;
    let drop = Math.ceil(this.options.maxSources / 10);
    for (const map of maps) {
      for (const key of map.keys()) {
        if (drop-- <= 0) return;
        map.delete(key);
        this.sources -= 1;
      }
    }
  }
}
