import { sourceKey, type Limiter, type RateLimits } from '../../common/rate-limit';

export { sourceKey } from '../../common/rate-limit';

/**
 * Guessing defence, consulted before any database query. Invalid checks are counted per source (all services) and
 * per source and service, in a window: past a first threshold each further check of that source waits a little
 * longer before it is looked at (slowed); past a second the source is refused for a while (blocked). Per service,
 * invalid checks from everyone are counted too, only to raise a flood alert: a flood never blocks a service, so
 * payers with good codes from other addresses still get in.
 *
 * The counts live on the platform's rate-limit store: in Redis when the deployment has one, so N processes share
 * one budget (a guesser gets no more tries by landing on another process); in memory otherwise. Entries end with
 * their window, so a spray from many addresses holds memory only for that long.
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
};

export interface ThrottledSource {
  ip: string;
  failures: number;
  blockedUntil: Date | null;
}

/** What the throttle knows of a source before its service is known. */
export interface SourceState {
  key: string;
  failures: number;
  /** Milliseconds the source must wait before it may check anything (0: not blocked). */
  blockedMs: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class Throttle {
  private settings: ThrottleOptions = DEFAULT_THROTTLE;
  private perIp!: Limiter;
  private perPair!: Limiter;
  private floods!: Limiter;

  constructor(
    private readonly limits: RateLimits,
    options: Partial<ThrottleOptions> = {},
  ) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  get options(): ThrottleOptions {
    return this.settings;
  }

  /** New thresholds take effect at once (tests lower them); counts of this process's memory start again. */
  set options(options: ThrottleOptions) {
    this.settings = options;
    const window = seconds(options.windowMs);
    const block = seconds(options.blockMs);
    // The blockAt-th failure passes the budget (points = blockAt - 1), which blocks the source for blockMs.
    this.perIp = this.limits.limiter('code-guess:ip', {
      points: options.ipBlockAt - 1,
      seconds: window,
      blockSeconds: block,
    });
    this.perPair = this.limits.limiter('code-guess:pair', {
      points: options.pairBlockAt - 1,
      seconds: window,
      blockSeconds: block,
    });
    this.floods = this.limits.limiter('code-guess:service', {
      points: options.floodThreshold,
      seconds: seconds(options.floodWindowMs),
    });
  }

  /** The source's own state (all services). One read of the store; no database. */
  async source(ip: string): Promise<SourceState> {
    const key = sourceKey(ip);
    const state = await this.perIp.peek(key);
    return { key, failures: state?.consumed ?? 0, blockedMs: state && !state.allowed ? state.msBeforeNext : 0 };
  }

  /**
   * For one service: how long the source is still refused (0: not blocked), and how long to hold its check back
   * before looking at it, growing with its recent invalid checks.
   */
  async forService(source: SourceState, serviceId: string): Promise<{ blockedMs: number; delayMs: number }> {
    const pair = await this.perPair.peek(`${serviceId}:${source.key}`);
    if (pair && !pair.allowed) return { blockedMs: pair.msBeforeNext, delayMs: 0 };
    const o = this.settings;
    const over = Math.max((pair?.consumed ?? 0) - o.pairSlowAfter + 1, source.failures - o.ipSlowAfter + 1, 0);
    return { blockedMs: 0, delayMs: Math.min(o.slowMaxMs, over * o.slowStepMs) };
  }

  /**
   * Records an invalid check (a wrong code, or an unknown service). Returns the service's invalid checks in the
   * flood window when this one crossed the flood threshold (exactly once per window, across processes: the store
   * counts atomically), null otherwise.
   */
  async fail(ip: string, serviceId: string | null): Promise<number | null> {
    const key = sourceKey(ip);
    await this.perIp.hit(key);
    if (!serviceId) return null;
    await this.perPair.hit(`${serviceId}:${key}`);
    const flood = await this.floods.hit(serviceId);
    return flood.consumed === this.settings.floodThreshold ? flood.consumed : null;
  }

  /** Invalid checks of a service in the current flood window, from every process (for the dashboard). */
  async recentInvalid(serviceId: string): Promise<number> {
    return (await this.floods.peek(serviceId))?.consumed ?? 0;
  }

  /**
   * Of the given addresses (those the check log shows failing lately), the sources a service's payers would find
   * slowed or blocked now, most failures first.
   */
  async throttledSources(serviceId: string, addresses: readonly string[]): Promise<ThrottledSource[]> {
    const now = Date.now();
    const keys = [...new Set(addresses.map(sourceKey))];
    const out: ThrottledSource[] = [];
    for (const key of keys) {
      const state = await this.perPair.peek(`${serviceId}:${key}`);
      if (!state) continue;
      const blocked = !state.allowed;
      if (blocked || state.consumed >= this.settings.pairSlowAfter) {
        out.push({
          ip: key,
          failures: state.consumed,
          blockedUntil: blocked ? new Date(now + state.msBeforeNext) : null,
        });
      }
    }
    return out.sort((a, b) => b.failures - a.failures).slice(0, 100);
  }
}
