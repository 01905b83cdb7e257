import { performance } from 'node:perf_hooks';
import type { EntityManager, MikroORM, QueryResult } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { PubSubLike } from '../../common/context';
import type { Extensions } from '../../common/module';
import { newId } from '../../common/ids';
import { log } from '../../common/log';
import { build } from '../../common/orm';
import { nextState, type Transitions } from '../../common/state-machine';
import { flushAudited, type AuditActor } from '../audit';
import { AttemptOutcome, OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';

/**
 * What a handler may use: its own EntityManager fork, the configuration, the platform's extensions, this process's
 * pub/sub (null where the worker runs without live updates), and a signal aborted at its timeout.
 */
export interface OutboxHandlerContext {
  message: Readonly<Pick<OutboxMessage, 'id' | 'kind' | 'merchantId' | 'attemptCount'>>;
  em: EntityManager;
  config: Config;
  extensions: Extensions;
  pubsub: PubSubLike | null;
  signal: AbortSignal;
}

/** What a successful attempt reports, for the attempt history. */
export interface OutboxOutcome {
  httpStatus?: number | null;
  detail?: string | null;
}

export type OutboxHandler<P = Record<string, unknown>> = (
  payload: P,
  context: OutboxHandlerContext,
) => Promise<OutboxOutcome | void>;

/**
 * A failed attempt with details: the receiver's HTTP status, and whether retrying is pointless (the endpoint was
 * deleted), in which case the message goes straight to DEAD. Any other thrown error is a retryable failure.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly options: { httpStatus?: number | null; permanent?: boolean } = {},
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface HandlerOptions {
  /** Attempts before the message is DEAD (default: the worker's `maxAttempts`). */
  maxAttempts?: number;
  /** How long one attempt may take; capped at half the claim lease, so an attempt always ends inside its lease. */
  timeoutMs?: number;
  /**
   * Empty the payload once delivered, for payloads that must not outlive their purpose (a mail body with a
   * confirmation code). Kept until then, because a retry needs it.
   */
  erasePayloadOnDelivery?: boolean;
  /**
   * The owning module shows this kind's state and attempts with its own records (webhook deliveries, purse
   * callbacks) and decides when they go, so the outbox's retention sweep leaves its delivered messages alone.
   */
  keptByOwner?: boolean;
}

/** A kind of outbox message and how it is delivered; modules provide theirs as the `outboxHandlers` extension. */
export interface OutboxHandlerSpec {
  kind: string;
  handler: OutboxHandler<never>;
  options: HandlerOptions;
}

declare module '../../common/module' {
  interface Extensions {
    outboxHandlers: readonly OutboxHandlerSpec[];
  }
}

/** Declares the handler of a kind (a module lists it in its `provides.outboxHandlers`). */
export function outboxHandler<P>(
  kind: string,
  handler: OutboxHandler<P>,
  options: HandlerOptions = {},
): OutboxHandlerSpec {
  return { kind, handler: handler, options };
}

function handlerFor(extensions: Extensions, kind: string): OutboxHandlerSpec | undefined {
  return (extensions.outboxHandlers ?? []).find((spec) => spec.kind === kind);
}

/**
 * Adds a side effect to the caller's unit of work: it is written by the caller's flush or transaction, with the
 * change that causes it, or not at all. Nothing is sent here. With `runAt` it is not attempted before then.
 */
export function enqueue(
  em: EntityManager,
  input: {
    kind: string;
    payload: Record<string, unknown>;
    merchantId?: string | null;
    runAt?: Date;
    dedupeKey?: string | null;
  },
): OutboxMessage {
  const message = build(OutboxMessage, {
    kind: input.kind,
    payload: input.payload,
    merchantId: input.merchantId ?? null,
    nextAttemptAt: input.runAt ?? new Date(),
    dedupeKey: input.dedupeKey ?? null,
  });
  em.persist(message);
  return message;
}

export interface OutboxWorkerOptions {
  /** Rows claimed (and attempted concurrently) per round. */
  batchSize?: number;
  /** How long a claim holds its rows; after that a crashed worker's rows are due again. */
  leaseMs?: number;
  /** Attempts before DEAD, for handlers that do not say. */
  maxAttempts?: number;
  /** Attempt timeout, for handlers that do not say. */
  timeoutMs?: number;
  /** First retry delay; each further one doubles, up to `backoffCapMs`. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** The clock; tests move it forward instead of waiting. */
  now?: () => Date;
  /** Aborted when the worker shuts down: attempts still running give their rows back, due at once (see stop). */
  shutdown?: AbortSignal;
}

const DEFAULTS = {
  batchSize: 10,
  leaseMs: 120_000,
  maxAttempts: 10,
  timeoutMs: 30_000,
  backoffBaseMs: 15_000,
  backoffCapMs: 6 * 3600_000,
  now: () => new Date(),
  shutdown: new AbortController().signal,
} satisfies Required<OutboxWorkerOptions>;

/** Why an attempt was cut off by the worker's shutdown: not the handler's failure, so it costs no attempt. */
class ShuttingDown extends Error {
  constructor() {
    super('released: the worker shut down during the attempt');
    this.name = 'ShuttingDown';
  }
}

/**
 * Delay before the attempt after `attempt` failed ones: doubling from `baseMs`, capped at `capMs`, with "equal
 * jitter" (half fixed, half random), so delays still grow but messages that failed together (a receiver's outage)
 * do not all come back at the same instant. With the defaults, 10 attempts span about 1 to 2 hours.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** What the worker needs: the platform (its extensions hold the handlers); pub/sub only for live announcements. */
export interface OutboxDeps {
  orm: MikroORM;
  config: Config;
  extensions: Extensions;
  pubsub?: PubSubLike | null;
}

/**
 * Claims up to `limit` due rows for one worker and returns them. One statement claims: it moves each row's
 * `nextAttemptAt` to the end of the lease, stamps a claim token and counts the attempt (so a message that kills
 * its worker every time still reaches DEAD). On PostgreSQL the inner select takes row locks with SKIP LOCKED, so
 * concurrent workers claim disjoint rows without waiting for each other; SQLite runs one write at a time, so the
 * single UPDATE is already atomic.
 */
export async function claimOutboxMessages(
  deps: OutboxDeps,
  options: { now: Date; limit: number; leaseMs: number; kinds?: readonly string[] },
): Promise<{ token: string; messages: OutboxMessage[] }> {
  const token = newId('clm');
  // Every kind unless told otherwise: a kind no module handles is attempted, fails and ends DEAD, visibly.
  const kinds = options.kinds ?? null;
  if (kinds?.length === 0) return { token, messages: [] };
  const postgres = deps.config.database.kind === 'postgresql';
  // SQLite keeps MikroORM datetimes as epoch milliseconds; PostgreSQL as timestamptz.
  const time = (date: Date) => (postgres ? date : date.getTime());
  const due =
    `select id from outbox_message where status = ? and next_attempt_at <= ? ` +
    (kinds ? `and kind in (${kinds.map(() => '?').join(', ')}) ` : '') +
    'order by next_attempt_at limit ?';
  const claim = 'update outbox_message set claim_token = ?, next_attempt_at = ?, attempt_count = attempt_count + 1';
  // On PostgreSQL the due rows are picked in a materialized CTE: a `where id in (select … limit n for update skip
  // locked)` subquery may be re-run by the planner and claim more than `limit` rows.
  const sql = postgres
    ? `with due as materialized (${due} for update skip locked) ${claim} where id in (select id from due)`
    : `${claim} where id in (${due})`;
  const em = deps.orm.em.fork();
  const leaseEnd = new Date(options.now.getTime() + options.leaseMs);
  const dueParams = [OutboxStatus.PENDING, time(options.now), ...(kinds ?? []), options.limit];
  const claimParams = [token, time(leaseEnd)];
  const params = postgres ? [...dueParams, ...claimParams] : [...claimParams, ...dueParams];
  const claimed = (await em.getConnection().execute(sql, params, 'run')) as QueryResult;
  if (!claimed.affectedRows) return { token, messages: [] };
  return {
    token,
    // Status and lease end find the claimed rows through the (status, next_attempt_at) index; the token picks ours.
    messages: await em.find(OutboxMessage, {
      status: OutboxStatus.PENDING,
      nextAttemptAt: leaseEnd,
      claimToken: token,
    }),
  };
}

export interface OutboxRunResult {
  claimed: number;
  delivered: number;
  failed: number;
  dead: number;
}

/** Claims one batch of due messages and attempts each once. */
export async function runOutboxOnce(deps: OutboxDeps, options: OutboxWorkerOptions = {}): Promise<OutboxRunResult> {
  const settings = { ...DEFAULTS, ...options };
  const { token, messages } = await claimOutboxMessages(deps, {
    now: settings.now(),
    limit: settings.batchSize,
    leaseMs: settings.leaseMs,
  });
  const result: OutboxRunResult = { claimed: messages.length, delivered: 0, failed: 0, dead: 0 };
  const outcomes = await Promise.all(messages.map((message) => attempt(deps, message, token, settings)));
  for (const status of outcomes) {
    if (status === OutboxStatus.DELIVERED) result.delivered++;
    else if (status === OutboxStatus.DEAD) result.dead++;
    else result.failed++;
  }
  return result;
}

/**
 * Runs rounds until nothing is due at the (possibly simulated) current time: tests deliver deterministically with
 * it, without timers. Messages rescheduled by a failure are due later, so this ends.
 */
export async function drainOutbox(deps: OutboxDeps, options: OutboxWorkerOptions = {}): Promise<OutboxRunResult> {
  const total: OutboxRunResult = { claimed: 0, delivered: 0, failed: 0, dead: 0 };
  for (;;) {
    const round = await runOutboxOnce(deps, options);
    if (round.claimed === 0) return total;
    total.claimed += round.claimed;
    total.delivered += round.delivered;
    total.failed += round.failed;
    total.dead += round.dead;
  }
}

async function attempt(
  deps: OutboxDeps,
  message: OutboxMessage,
  token: string,
  settings: Required<OutboxWorkerOptions>,
): Promise<OutboxStatus> {
  const registered = handlerFor(deps.extensions, message.kind);
  const maxAttempts = registered?.options.maxAttempts ?? settings.maxAttempts;
  const timeoutMs = Math.min(registered?.options.timeoutMs ?? settings.timeoutMs, settings.leaseMs / 2);
  const startedAt = settings.now();
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeliveryError(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const release = () => controller.abort(new ShuttingDown());
  if (settings.shutdown.aborted) release();
  else settings.shutdown.addEventListener('abort', release, { once: true });
  let outcome: OutboxOutcome | void = undefined;
  let failure: unknown = null;
  try {
    if (!registered) throw new DeliveryError(`no handler for kind "${message.kind}"`);
    const context: OutboxHandlerContext = {
      message,
      em: deps.orm.em.fork(),
      config: deps.config,
      extensions: deps.extensions,
      pubsub: deps.pubsub ?? null,
      signal: controller.signal,
    };
    // Race the abort too: a handler that ignores its signal still cannot hold the row past its lease.
    outcome = await Promise.race([
      registered.handler(message.payload as never, context),
      new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error)),
      ),
    ]);
  } catch (error) {
    // After a timeout, say so, rather than whatever the aborted handler threw ("The operation was aborted").
    failure = controller.signal.aborted ? (controller.signal.reason as Error) : error;
  } finally {
    clearTimeout(timer);
    settings.shutdown.removeEventListener('abort', release);
  }
  const durationMs = Math.round(performance.now() - started);
  const finishedAt = settings.now();

  const row = build(OutboxAttempt, {
    messageId: message.id,
    startedAt,
    durationMs,
    outcome: failure ? AttemptOutcome.FAILED : AttemptOutcome.SUCCEEDED,
    httpStatus: failure instanceof DeliveryError ? (failure.options.httpStatus ?? null) : (outcome?.httpStatus ?? null),
    error: failure ? describe(failure) : null,
    detail: failure ? null : (outcome?.detail ?? null),
  });
  let status: OutboxStatus;
  let changes: Partial<OutboxMessage>;
  if (!failure) {
    status = OutboxStatus.DELIVERED;
    changes = { status, deliveredAt: finishedAt, lastError: null };
    if (registered?.options.erasePayloadOnDelivery) changes.payload = {};
  } else if (failure instanceof ShuttingDown) {
    // Given back for another worker to take now; the claim counted an attempt the handler never finished.
    status = OutboxStatus.PENDING;
    changes = { status, lastError: row.error, nextAttemptAt: finishedAt, attemptCount: message.attemptCount - 1 };
  } else if (message.attemptCount >= maxAttempts || (failure instanceof DeliveryError && failure.options.permanent)) {
    status = OutboxStatus.DEAD;
    changes = { status, lastError: row.error };
  } else {
    status = OutboxStatus.PENDING;
    const delay = backoffDelay(message.attemptCount, settings.backoffBaseMs, settings.backoffCapMs);
    changes = { status, lastError: row.error, nextAttemptAt: new Date(finishedAt.getTime() + delay) };
  }

  const em = deps.orm.em.fork();
  await em.transactional(async (tx) => {
    // Only while our claim holds: if the lease ran out and another worker took the row, its result wins. The update
    // comes first so SQLite takes its write lock at once instead of upgrading a read.
    await tx.nativeUpdate(OutboxMessage, { id: message.id, claimToken: token }, { ...changes, claimToken: null });
    // The attempt happened either way, so it is always recorded.
    tx.persist(row);
  });
  return status;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.slice(0, 1000);
}

/**
 * The background loop: a round every `pollMs` while idle, back to back while there is a backlog. `stop()` lets the
 * current round finish for up to `graceMs`; attempts still running then are cut off and give their rows back, due
 * at once, so another worker takes them now rather than after the lease (a callback cut off may have been received:
 * delivery is at least once, as after a crash).
 */
export function startOutboxWorker(
  deps: OutboxDeps,
  options: OutboxWorkerOptions & { pollMs?: number; graceMs?: number } = {},
): { stop(): Promise<void> } {
  const pollMs = options.pollMs ?? 300;
  const graceMs = options.graceMs ?? 10_000;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const shutdown = new AbortController();
  options = { ...options, shutdown: shutdown.signal };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | null = null;
  const tick = () => {
    timer = undefined;
    current = (async () => {
      let backlog = false;
      try {
        backlog = (await runOutboxOnce(deps, options)).claimed >= batchSize;
      } catch (error) {
        // A database hiccup must not end the loop; the next round retries.
        log.error({ err: error }, 'outbox worker: round failed');
      }
      current = null;
      if (!stopped) timer = setTimeout(tick, backlog ? 0 : pollMs);
    })();
  };
  timer = setTimeout(tick, pollMs);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      if (!current) return;
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
      clearTimeout(grace);
      shutdown.abort();
      // The cut-off attempts record themselves and release their rows before the round ends.
      await current;
    },
  };
}

/** A message's attempts, oldest first. */
export function listAttempts(em: EntityManager, messageId: string): Promise<OutboxAttempt[]> {
  return em.find(OutboxAttempt, { messageId }, { orderBy: { startedAt: 'asc', id: 'asc' } });
}

const TRANSITIONS: Transitions<OutboxStatus, 'retry'> = {
  retry: { from: [OutboxStatus.DEAD], to: OutboxStatus.PENDING },
};

/** An admin's second chance for a DEAD message, audited: due now, with a fresh budget of attempts. */
export async function retryOutboxMessage(
  em: EntityManager,
  actor: AuditActor,
  message: OutboxMessage,
  now = new Date(),
): Promise<OutboxMessage> {
  message.status = nextState(TRANSITIONS, message.status, 'retry');
  message.attemptCount = 0;
  message.nextAttemptAt = now;
  await flushAudited(em, actor, {
    action: 'outbox.retry',
    merchantId: message.merchantId,
    targetId: message.id,
    details: { kind: message.kind },
  });
  return message;
}
