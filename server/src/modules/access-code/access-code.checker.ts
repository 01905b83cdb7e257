import { setTimeout as sleep } from 'node:timers/promises';
import { raw, type EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { RateLimits } from '../../common/rate-limit';
import { newId } from '../../common/ids';
import { log } from '../../common/log';
import { User, UserRole } from '../auth';
import { sendMail } from '../mail';
import { emitEvent } from '../webhook';
import {
  AccessCode,
  AccessCodeCheck,
  AccessCodeCheckChannel,
  AccessCodeCheckResult,
  AccessCodeKind,
  AccessCodeService,
  AccessCodeStatus,
} from './access-code.entity';
import { codeLookup, proofSignature, sameLookup } from './access-code.crypto';
import { codeHint, ipMatcher, normaliseCode } from './access-code.rules';
import { codeStatus } from './access-code.service';
import { Throttle, type ThrottledSource } from './access-code.throttle';

/** What a check needs of a service, kept in memory for a few seconds so most checks cost one query. */
export interface CachedService {
  id: string;
  merchantId: string;
  name: string;
  paidUrl: string;
  expiredUrl: string;
  invalidUrl: string;
  secret: string;
  allowed: (ip: string) => boolean;
}

export type Verdict = 'PAID' | 'EXPIRED' | 'INVALID';

export type CheckOutcome =
  | { kind: 'NO_SERVICE' }
  | { kind: 'THROTTLED'; retryAfterSeconds: number }
  | { kind: 'FORBIDDEN'; service: CachedService }
  | {
      kind: 'VERDICT';
      service: CachedService;
      result: AccessCodeCheckResult;
      verdict: Verdict;
      /** The code as normalised (upper case, no spaces or dashes). */
      code: string;
      expiresAt: Date | null;
      usesLeft: number | null;
      /** For PAID: the proof the merchant verifies (see PROOF_FORMULA). */
      proof: { timestamp: number; signature: string } | null;
    };

export function verdictOf(result: AccessCodeCheckResult): Verdict {
  if (result === AccessCodeCheckResult.PAID) return 'PAID';
  if (result === AccessCodeCheckResult.EXPIRED || result === AccessCodeCheckResult.USED_UP) return 'EXPIRED';
  return 'INVALID';
}

const SERVICE_ID = /^acs_[0-9a-z]{26}$/;
/** Codes have at most 32 characters; anything much longer is not worth hashing. */
const MAX_INPUT = 64;
/** How long a service's settings may be stale in another process (this one forgets them at once on change). */
const SERVICE_TTL_MS = 5_000;
const MAX_CACHED_SERVICES = 10_000;
/** A flood alert at most once per hour per service. */
export const FLOOD_ALERT_WINDOW_MS = 60 * 60_000;

type CodeRow = Pick<
  AccessCode,
  'id' | 'lookup' | 'kind' | 'validitySeconds' | 'usesLeft' | 'expiresAt' | 'firstUsedAt' | 'revokedAt'
>;

const READ_CODE =
  'select id, lookup, kind, validity_seconds, uses_left, expires_at, first_used_at, revoked_at ' +
  'from access_code where service_id = ? and lookup = ? limit 1';

type RawDate = Date | string | number | null;
interface RawCodeRow {
  id: string;
  lookup: string | null;
  kind: AccessCodeKind;
  validity_seconds: number | string | null;
  uses_left: number | string | null;
  expires_at: RawDate;
  first_used_at: RawDate;
  revoked_at: RawDate;
}

interface RunResult {
  affectedRows: number;
}

/**
 * The statements that admit a check, plain SQL for the same reason as READ_CODE. Each is one conditional UPDATE
 * judged by its affected rows, so concurrent checks cannot admit more than the code allows: PostgreSQL re-checks the
 * WHERE on the row it waited for, SQLite has one writer.
 */
const ADMIT_USE =
  'update access_code set uses = uses + 1, uses_left = uses_left - 1 ' +
  'where id = ? and revoked_at is null and uses_left > 0 and (expires_at is null or expires_at > ?)';
const START_PERIOD =
  'update access_code set uses = uses + 1, first_used_at = ?, expires_at = ? ' +
  'where id = ? and revoked_at is null and first_used_at is null and (uses_left is null or uses_left > 0) ' +
  'and (expires_at is null or expires_at > ?)';

/** Addresses with invalid or refused checks of a service lately (the dashboard's throttled sources). */
const FAILING_SOURCES =
  'select distinct ip from access_code_check where service_id = ? and checked_at >= ? ' +
  "and result in ('INVALID', 'REVOKED', 'THROTTLED') limit 1000";

/** A datetime column as either driver returns it raw: epoch milliseconds (SQLite), a string (PostgreSQL), a Date. */
export function toDate(value: Date | string | number | bigint | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value !== 'string') throw new Error('access codes: unreadable time');
  // "2026-11-23 20:37:23.068181+00": ISO 8601 needs the T and a full offset to parse the same everywhere.
  const date = new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  // An unreadable time must never read as "no expiry": fail the check instead.
  if (Number.isNaN(date.getTime())) throw new Error(`access codes: unreadable time ${value}`);
  return date;
}

const RESULT_OF_STATUS: Record<Exclude<AccessCodeStatus, AccessCodeStatus.ACTIVE>, AccessCodeCheckResult> = {
  [AccessCodeStatus.EXPIRED]: AccessCodeCheckResult.EXPIRED,
  [AccessCodeStatus.USED_UP]: AccessCodeCheckResult.USED_UP,
  [AccessCodeStatus.REVOKED]: AccessCodeCheckResult.REVOKED,
};

/**
 * Checks codes for one database: the throttle on the platform's rate-limit store (shared by every process when it
 * is Redis), the service cache in memory, the verdict from at most two statements, the attempt written later by the
 * recorder. One per app (see `checkerFor`).
 */
export class AccessCodeChecker {
  readonly throttle: Throttle;
  readonly recorder: CheckRecorder;
  /** The time codes are judged at; tests move it to see codes expire. */
  now: () => Date = () => new Date();
  private readonly services = new Map<string, { service: CachedService | null; at: number }>();
  private readonly loading = new Map<string, Promise<CachedService | null>>();

  constructor(
    /** A long-lived fork used only for native statements (no identity map involved). */
    private readonly em: EntityManager,
    private readonly config: Config,
    limits: RateLimits,
  ) {
    this.throttle = new Throttle(limits);
    this.recorder = new CheckRecorder(em, config, this);
  }

  /** A service's check settings, from the cache or the database; null for unknown or deleted services. */
  async service(id: string): Promise<CachedService | null> {
    const cached = this.services.get(id);
    if (cached && Date.now() - cached.at < SERVICE_TTL_MS) return cached.service;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.em
        .fork()
        .findOne(AccessCodeService, { id, deletedAt: null })
        .then((row) => {
          const service = row && {
            id: row.id,
            merchantId: row.merchantId,
            name: row.name,
            paidUrl: row.paidUrl,
            expiredUrl: row.expiredUrl,
            invalidUrl: row.invalidUrl,
            secret: row.secret,
            allowed: ipMatcher(row.allowedIps),
          };
          if (this.services.size >= MAX_CACHED_SERVICES) this.services.clear();
          this.services.set(id, { service, at: Date.now() });
          return service;
        })
        .finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  /**
   * The sources a service's payers would find slowed or blocked now, from every process: the check log names the
   * addresses that failed lately (any process wrote them), the shared counts say how far each is.
   */
  async throttledSources(serviceId: string): Promise<ThrottledSource[]> {
    const since = new Date(Date.now() - this.throttle.options.windowMs);
    const rows = (await this.em.getConnection().execute(FAILING_SOURCES, [serviceId, this.param(since)], 'all')) as {
      ip: string;
    }[];
    return this.throttle.throttledSources(
      serviceId,
      rows.map((row) => row.ip),
    );
  }

  /** Drops a service from the cache after it changed, so this process uses the new settings at once. */
  forget(id: string): void {
    this.services.delete(id);
  }

  /**
   * Checks one code. In order, and nothing touches the database until the throttle has had its say:
   * source blocked → THROTTLED; service unknown → NO_SERVICE; source blocked for this service → THROTTLED;
   * server-to-server from an address not allowed → FORBIDDEN; then a delay that grows with the source's recent
   * invalid checks; then the verdict. Every outcome but NO_SERVICE is recorded (off the request path).
   */
  async check(input: {
    serviceId: string;
    code: string;
    ip: string;
    channel: AccessCodeCheckChannel;
    /** Throws to refuse a caller the service (tenancy), before anything about it is counted or recorded. */
    assertAccess?: (service: CachedService) => void;
  }): Promise<CheckOutcome> {
    const ip = input.ip || 'unknown';
    const code = normaliseCode(input.code.slice(0, 4 * MAX_INPUT));
    const attempt = { serviceId: input.serviceId, ip, channel: input.channel, input: codeHint(code) };
    const throttled = (ms: number): CheckOutcome => {
      this.recorder.add({ ...attempt, result: AccessCodeCheckResult.THROTTLED, codeId: null });
      return { kind: 'THROTTLED', retryAfterSeconds: Math.ceil(ms / 1000) };
    };

    const source = await this.throttle.source(ip);
    if (source.blockedMs) return throttled(source.blockedMs);
    const service = SERVICE_ID.test(input.serviceId) ? await this.service(input.serviceId) : null;
    if (!service) {
      // Probing for services counts against the source like a wrong code does.
      await this.throttle.fail(ip, null);
      return { kind: 'NO_SERVICE' };
    }
    input.assertAccess?.(service);
    const here = await this.throttle.forService(source, service.id);
    if (here.blockedMs) return throttled(here.blockedMs);
    if (input.channel !== AccessCodeCheckChannel.REDIRECT && !service.allowed(ip)) {
      this.recorder.add({ ...attempt, result: AccessCodeCheckResult.FORBIDDEN, codeId: null });
      return { kind: 'FORBIDDEN', service };
    }
    if (here.delayMs) await sleep(here.delayMs);

    const now = this.now();
    const found = await this.verdict(service, code, now);
    if (found.result === AccessCodeCheckResult.INVALID || found.result === AccessCodeCheckResult.REVOKED) {
      const flood = await this.throttle.fail(ip, service.id);
      if (flood !== null) this.recorder.flood(service.id, flood);
    }
    this.recorder.add({
      ...attempt,
      result: found.result,
      codeId: found.codeId,
      countedOnPath: found.countedOnPath,
      checkedAt: now,
    });
    const paid = found.result === AccessCodeCheckResult.PAID;
    const timestamp = Math.floor(now.getTime() / 1000);
    return {
      kind: 'VERDICT',
      service,
      result: found.result,
      verdict: verdictOf(found.result),
      code,
      expiresAt: found.expiresAt,
      usesLeft: found.usesLeft,
      proof: paid ? { timestamp, signature: proofSignature(service.secret, code, timestamp) } : null,
    };
  }

  /**
   * The verdict for one code. A code that exists and one that does not cost the same: the input is hashed either
   * way (the index compares keyed hashes, never codes), the same SELECT runs, and the match is confirmed in
   * constant time. Only a code that will admit the check and counts uses (or starts its period now) takes the
   * conditional UPDATE that admits it, atomically: `uses_left > 0 AND not expired AND not revoked`, judged by the
   * affected row count, so N uses admit exactly N checks however many arrive together.
   */
  private async verdict(
    service: CachedService,
    code: string,
    now: Date,
  ): Promise<{
    result: AccessCodeCheckResult;
    codeId: string | null;
    countedOnPath: boolean;
    expiresAt: Date | null;
    usesLeft: number | null;
  }> {
    const lookup = codeLookup(this.config.sessionSecret, service.id, code.length <= MAX_INPUT ? code : '');
    for (let attempt = 0; ; attempt++) {
      const row = await this.read(service.id, lookup);
      const match = sameLookup(row?.lookup ?? '0'.repeat(64), lookup) && row && code.length > 0 ? row : null;
      if (!match)
        return {
          result: AccessCodeCheckResult.INVALID,
          codeId: null,
          countedOnPath: false,
          expiresAt: null,
          usesLeft: null,
        };
      const status = codeStatus(match, now);
      const base = { codeId: match.id, expiresAt: match.expiresAt, usesLeft: match.usesLeft };
      if (status !== AccessCodeStatus.ACTIVE)
        return {
          ...base,
          result: RESULT_OF_STATUS[status],
          countedOnPath: false,
        };
      const startsNow = match.kind === AccessCodeKind.PERIOD_FROM_FIRST_USE && match.firstUsedAt === null;
      if (match.usesLeft === null && !startsNow) {
        return { ...base, result: AccessCodeCheckResult.PAID, countedOnPath: false };
      }
      const admitted = await this.admit(match, now);
      if (admitted) {
        return {
          codeId: match.id,
          result: AccessCodeCheckResult.PAID,
          countedOnPath: true,
          usesLeft: match.usesLeft === null ? null : match.usesLeft - 1,
          expiresAt: admitted.expiresAt,
        };
      }
      // Another check changed the code between the two statements (took its last use, started its period):
      // judge it again from its new state. Bounded, as each round follows a change that cannot repeat forever.
      if (attempt >= 3) {
        return { ...base, result: AccessCodeCheckResult.USED_UP, countedOnPath: false };
      }
    }
  }

  /**
   * The code row by its lookup. Plain SQL rather than the query builder: this runs on every check that passes the
   * throttle, and building the query was most of its cost. Column types differ by dialect (SQLite keeps datetimes as
   * epoch milliseconds, PostgreSQL answers strings), hence toDate.
   */
  private async read(serviceId: string, lookup: string): Promise<CodeRow | null> {
    const row = (await this.em.getConnection().execute(READ_CODE, [serviceId, lookup], 'get')) as
      RawCodeRow | undefined;
    if (!row) return null;
    return {
      id: row.id,
      lookup: row.lookup,
      kind: row.kind,
      validitySeconds: row.validity_seconds === null ? null : Number(row.validity_seconds),
      usesLeft: row.uses_left === null ? null : Number(row.uses_left),
      expiresAt: toDate(row.expires_at),
      firstUsedAt: toDate(row.first_used_at),
      revokedAt: toDate(row.revoked_at),
    };
  }

  /** The one conditional UPDATE that admits a check; null when the code no longer admits one. */
  private async admit(row: CodeRow, now: Date): Promise<{ expiresAt: Date | null } | null> {
    const connection = this.em.getConnection();
    if (row.usesLeft !== null) {
      const result = (await connection.execute(ADMIT_USE, [row.id, this.param(now)], 'run')) as RunResult;
      return result.affectedRows === 1 ? { expiresAt: row.expiresAt } : null;
    }
    // A period counted from the first use starts with the check that finds first_used_at still empty.
    const expiresAt = new Date(now.getTime() + (row.validitySeconds ?? 0) * 1000);
    const result = (await connection.execute(
      START_PERIOD,
      [this.param(now), this.param(expiresAt), row.id, this.param(now)],
      'run',
    )) as RunResult;
    return result.affectedRows === 1 ? { expiresAt } : null;
  }

  /** A datetime as the column stores it: epoch milliseconds on SQLite, ISO 8601 for PostgreSQL's timestamptz. */
  private param(date: Date): number | string {
    return this.config.database.kind === 'sqlite' ? date.getTime() : date.toISOString();
  }
}

interface PendingCheck {
  serviceId: string;
  codeId: string | null;
  input: string | null;
  result: AccessCodeCheckResult;
  channel: AccessCodeCheckChannel;
  ip: string;
  checkedAt?: Date;
  /** True when the check's own UPDATE counted the use; other admitted checks are counted here, in the batch. */
  countedOnPath?: boolean;
}

const BATCH_DELAY_MS = 200;
const BATCH_SIZE = 1_000;
/** When the database cannot keep up (or is away), attempts beyond this are dropped and counted in the log. */
const MAX_QUEUED = 100_000;
const MAX_STAMPED = 100_000;

/**
 * Writes check attempts in batches, off the request path: a check only appends to a queue. Also counts the uses of
 * codes whose checks do not write (periods), stamps first uses, and raises flood alerts.
 */
export class CheckRecorder {
  private queue: (PendingCheck & { id: string; checkedAt: Date })[] = [];
  private floods = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private dropped = 0;
  /** Codes whose first use this process has already written. */
  private readonly stamped = new Set<string>();

  constructor(
    private readonly em: EntityManager,
    private readonly config: Config,
    private readonly checker: AccessCodeChecker,
  ) {}

  add(check: PendingCheck): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.dropped += 1;
      return;
    }
    // The id is taken now, so the list's order (ids sort by time) is the order of the checks.
    this.queue.push({ ...check, id: newId('acx'), checkedAt: check.checkedAt ?? new Date() });
    this.schedule(this.queue.length >= BATCH_SIZE ? 0 : BATCH_DELAY_MS);
  }

  /** A service's invalid checks crossed the flood threshold (count: in the current minute). */
  flood(serviceId: string, count: number): void {
    this.floods.set(serviceId, Math.max(count, this.floods.get(serviceId) ?? 0));
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
    // Pending attempts never keep a process alive; shutdown flushes them (startWorkers' stop).
    this.timer.unref();
  }

  /** Writes everything queued so far; resolves when it is in the database. Safe to call any time. */
  flush(): Promise<void> {
    this.running = this.running.then(() => this.writeBatches());
    return this.running;
  }

  private async writeBatches(): Promise<void> {
    while (this.queue.length || this.floods.size) {
      const batch = this.queue.splice(0, BATCH_SIZE);
      const floods = [...this.floods];
      this.floods.clear();
      try {
        if (batch.length) await this.write(batch);
        for (const [serviceId, count] of floods) await this.alert(serviceId, count);
      } catch (error) {
        log.error({ err: error }, 'access codes: could not record check attempts');
        return;
      }
    }
    if (this.dropped) {
      log.warn({ dropped: this.dropped }, 'access codes: check attempts dropped (the queue was full)');
    }
    this.dropped = 0;
  }

  private async write(batch: (PendingCheck & { id: string; checkedAt: Date })[]): Promise<void> {
    // Throttled attempts from one source against one service become one row with a count.
    const rows: (PendingCheck & { id: string; checkedAt: Date; count: number })[] = [];
    const merged = new Map<string, (typeof rows)[number]>();
    for (const check of batch) {
      if (check.result === AccessCodeCheckResult.THROTTLED) {
        const key = `${check.serviceId}|${check.ip}|${check.channel}`;
        const row = merged.get(key);
        if (row) {
          row.count += 1;
          continue;
        }
        const first = { ...check, input: null, count: 1 };
        merged.set(key, first);
        rows.push(first);
      } else rows.push({ ...check, count: 1 });
    }
    const merchants = new Map<string, string>();
    for (const serviceId of new Set(rows.map((row) => row.serviceId))) {
      const service = await this.checker.service(serviceId);
      if (service) merchants.set(serviceId, service.merchantId);
    }
    const em = this.em.fork();
    const records = rows
      .filter((row) => merchants.has(row.serviceId))
      .map((row) => ({
        id: row.id,
        merchantId: merchants.get(row.serviceId)!,
        serviceId: row.serviceId,
        codeId: row.codeId,
        input: row.input,
        result: row.result,
        channel: row.channel,
        ip: row.ip.slice(0, 45),
        count: row.count,
        checkedAt: row.checkedAt,
      }));
    if (records.length) await em.insertMany(AccessCodeCheck, records);

    // Admitted checks the path did not count (codes limited by time only), and first uses.
    const uses = new Map<string, { count: number; first: Date }>();
    for (const row of rows) {
      if (row.result !== AccessCodeCheckResult.PAID || !row.codeId) continue;
      const entry = uses.get(row.codeId) ?? { count: 0, first: row.checkedAt };
      if (!row.countedOnPath) entry.count += 1;
      if (row.checkedAt < entry.first) entry.first = row.checkedAt;
      uses.set(row.codeId, entry);
    }
    // One statement per distinct increment, not per code: a busy batch touches hundreds of codes.
    const byIncrement = new Map<number, string[]>();
    for (const [codeId, { count }] of uses) {
      if (count) byIncrement.set(count, [...(byIncrement.get(count) ?? []), codeId]);
    }
    for (const [count, ids] of byIncrement) {
      await em.nativeUpdate(AccessCode, { id: { $in: ids } }, { uses: raw(`uses + ${Math.trunc(count)}`) });
    }
    // First uses: once per code (this process remembers which it stamped), so steady checks cost nothing here.
    for (const [codeId, { first }] of uses) {
      if (this.stamped.has(codeId)) continue;
      await em.nativeUpdate(AccessCode, { id: codeId, firstUsedAt: null }, { firstUsedAt: first });
      if (this.stamped.size >= MAX_STAMPED) this.stamped.clear();
      this.stamped.add(codeId);
    }
  }

  /**
   * Marks the flood on the service (the dashboard shows it) and mails the merchant's owners, at most once per
   * FLOOD_ALERT_WINDOW_MS: the conditional update decides, so several processes alert once between them.
   */
  private async alert(serviceId: string, count: number): Promise<void> {
    await this.em.fork().transactional(async (em) => {
      const now = new Date();
      const marked = await em.nativeUpdate(
        AccessCodeService,
        {
          id: serviceId,
          $or: [{ floodAlertedAt: null }, { floodAlertedAt: { $lt: new Date(now.getTime() - FLOOD_ALERT_WINDOW_MS) } }],
        },
        { floodAlertedAt: now, floodAlertChecks: count },
      );
      if (!marked) return;
      const service = await em.findOneOrFail(AccessCodeService, serviceId);
      // For the merchant's own alert (and webhooks) too: the mail below goes to the owners whatever they chose.
      await emitEvent(em, 'access_code.guessing', service.merchantId, {
        serviceId: service.id,
        serviceName: service.name,
        invalidChecks: count,
        detectedAt: now.toISOString(),
      });
      const owners = await em.find(User, { merchantId: service.merchantId, role: UserRole.OWNER });
      for (const owner of owners) {
        sendMail(em, {
          to: owner.email,
          merchantId: service.merchantId,
          subject: `Tollgate: many invalid access codes for ${service.name}`,
          text:
            `${count} invalid codes were checked against "${service.name}" within a minute (${now.toISOString()}).\n` +
            'Someone may be guessing codes. The sources are slowed and then refused automatically; payers with ' +
            'good codes are not affected. The check attempts are in your dashboard under Access codes.\n' +
            'You get at most one such mail per hour for this service.',
        });
      }
    });
  }
}

const checkers = new WeakMap<object, AccessCodeChecker>();

/**
 * The checker of the database `em` belongs to (one per app: forks share their driver). Created on first use, so
 * HTTP routes and GraphQL resolvers of one app share its throttle, cache and recorder.
 */
export function checkerFor(em: EntityManager, config: Config, limits: RateLimits): AccessCodeChecker {
  const key = em.getDriver();
  let checker = checkers.get(key);
  if (!checker) {
    checker = new AccessCodeChecker(em.fork(), config, limits);
    checkers.set(key, checker);
  }
  return checker;
}
