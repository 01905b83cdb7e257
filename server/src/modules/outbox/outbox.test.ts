import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/core';
import { startTestApp, testDialect, type TestApp, openDatabase } from '../../../test/harness';
import type { DomainModule } from '../../common/module';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';
import {
  backoffDelay,
  claimOutboxMessages,
  DeliveryError,
  drainOutbox,
  enqueue,
  outboxHandler,
  startOutboxWorker,
  type OutboxDeps,
} from './outbox.service';
import { sweepDeliveredOutbox } from './outbox.retention';

/**
 * A test kind whose behaviour each test scripts by payload key: `script[key](n)` runs on the n-th call and throws to
 * fail. Every call is logged, so "delivered exactly once" is checked by counting.
 */
const KIND = 'test.scripted';
const script = new Map<string, (call: number) => Promise<void> | void>();
const calls: string[] = [];
const scripted = outboxHandler<{ key: string }>(KIND, async ({ key }) => {
  calls.push(key);
  await script.get(key)?.(calls.filter((k) => k === key).length);
  return { httpStatus: 200, detail: 'ok' };
});
const callsOf = (key: string) => calls.filter((k) => k === key).length;

/** A handler that never answers, to show the attempt timeout. */
const hanging = outboxHandler(
  'test.hang',
  (_payload, { signal }) =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
  { timeoutMs: 50 },
);

/** A kind whose module keeps its messages with records of its own (as webhooks do). */
const KEPT = 'test.kept';
const kept = outboxHandler(KEPT, () => Promise.resolve(), { keptByOwner: true });

/** The test's handlers, provided as a module's would be. */
const testModule: DomainModule = {
  name: 'outbox-test',
  entities: [],
  resolvers: [],
  provides: { outboxHandlers: [scripted, hanging, kept] },
};

const BASE = 1000;
const CAP = 60_000;

describe('outbox', () => {
  let t: TestApp;
  let deps: OutboxDeps;
  let admin: Awaited<ReturnType<TestApp['adminAuth']>>;
  beforeAll(async () => {
    t = await startTestApp({}, [testModule]);
    deps = t.app.platform;
    admin = await t.adminAuth();
  });
  afterAll(async () => t?.close());

  /** Enqueues and commits one scripted message; returns its id. */
  async function enqueued(key: string, extra: { runAt?: Date } = {}): Promise<string> {
    const em = t.orm.em.fork();
    const message = enqueue(em, { kind: KIND, payload: { key }, ...extra });
    await em.flush();
    return message.id;
  }
  const load = (id: string) => t.orm.em.fork().findOneOrFail(OutboxMessage, id);
  const drainAt = (now: Date, options = {}) =>
    drainOutbox(deps, { now: () => now, backoffBaseMs: BASE, backoffCapMs: CAP, ...options });

  const MESSAGE_QUERY = `query($id: ID!) { outboxMessage(id: $id) {
    status attemptCount lastError deliveredAt attempts { outcome httpStatus error detail durationMs startedAt } } }`;

  it('writes a message only with the transaction that enqueued it', async () => {
    const em = t.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        enqueue(tx, { kind: KIND, payload: { key: 'rolled-back' } });
        await tx.flush();
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    await em.transactional(async (tx) => {
      enqueue(tx, { kind: KIND, payload: { key: 'committed' } });
    });
    const fresh = t.orm.em.fork();
    expect(await fresh.count(OutboxMessage, { payload: { key: 'rolled-back' } })).toBe(0);
    expect(await fresh.count(OutboxMessage, { payload: { key: 'committed' } })).toBe(1);
    await drainAt(new Date());
    expect(callsOf('rolled-back')).toBe(0);
    expect(callsOf('committed')).toBe(1);
  });

  it('refuses a second message with the same dedupe key, failing the duplicate transaction', async () => {
    const first = t.orm.em.fork();
    enqueue(first, { kind: KIND, payload: { key: 'dedupe' }, dedupeKey: 'period-2024-05' });
    await first.flush();
    const second = t.orm.em.fork();
    enqueue(second, { kind: KIND, payload: { key: 'dedupe' }, dedupeKey: 'period-2024-05' });
    await expect(second.flush()).rejects.toThrow(/unique|constraint/i);
  });

  it('attempts a kind no module handles and records why, rather than leaving it waiting unseen', async () => {
    const em = t.orm.em.fork();
    const orphan = enqueue(em, { kind: 'no.such.kind', payload: {} });
    await em.flush();
    await drainAt(new Date());
    expect(await load(orphan.id)).toMatchObject({ lastError: 'no handler for kind "no.such.kind"' });
  });

  it('does not attempt a message before its runAt', async () => {
    const start = new Date();
    const id = await enqueued('scheduled', { runAt: new Date(start.getTime() + 60_000) });
    await drainAt(start);
    expect(callsOf('scheduled')).toBe(0);
    await drainAt(new Date(start.getTime() + 60_001));
    expect((await load(id)).status).toBe(OutboxStatus.DELIVERED);
  });

  it('retries with growing, jittered, capped backoff, then delivers and records every attempt', async () => {
    script.set('flaky', (call) => {
      if (call <= 2) throw new DeliveryError('HTTP 503: try later', { httpStatus: 503 });
    });
    const id = await enqueued('flaky');
    let now = new Date();

    await drainAt(now);
    let message = await load(id);
    expect(message.status).toBe(OutboxStatus.PENDING);
    expect(message.attemptCount).toBe(1);
    let delay = message.nextAttemptAt.getTime() - now.getTime();
    expect(delay).toBeGreaterThanOrEqual(BASE / 2);
    expect(delay).toBeLessThanOrEqual(BASE);

    await drainAt(now); // not due yet: nothing happens
    expect(callsOf('flaky')).toBe(1);

    now = message.nextAttemptAt;
    await drainAt(now);
    message = await load(id);
    delay = message.nextAttemptAt.getTime() - now.getTime();
    expect(delay).toBeGreaterThanOrEqual(BASE);
    expect(delay).toBeLessThanOrEqual(2 * BASE);

    now = message.nextAttemptAt;
    await drainAt(now);
    const result = await t.gql(MESSAGE_QUERY, { id }, admin);
    expect(result.data?.outboxMessage).toMatchObject({ status: 'DELIVERED', attemptCount: 3, lastError: null });
    expect(result.data?.outboxMessage.attempts).toMatchObject([
      { outcome: 'FAILED', httpStatus: 503, error: 'HTTP 503: try later', detail: null },
      { outcome: 'FAILED', httpStatus: 503 },
      { outcome: 'SUCCEEDED', httpStatus: 200, error: null, detail: 'ok' },
    ]);
    for (const attempt of result.data!.outboxMessage.attempts) expect(attempt.durationMs).toBeGreaterThanOrEqual(0);

    // Delays double up to the cap and never exceed it.
    for (let attempt = 1; attempt < 30; attempt++) {
      const step = Math.min(CAP, BASE * 2 ** (attempt - 1));
      expect(backoffDelay(attempt, BASE, CAP, () => 0)).toBe(step / 2);
      expect(backoffDelay(attempt, BASE, CAP, () => 1)).toBe(step);
    }
  });

  it('gives up after the configured number of attempts, then an admin can retry it (audited)', async () => {
    let healthy = false;
    script.set('doomed', () => {
      if (!healthy) throw new Error('connection refused');
    });
    const id = await enqueued('doomed');
    let now = new Date();
    for (let round = 0; round < 5; round++) {
      await drainAt(now, { maxAttempts: 3 });
      now = new Date(now.getTime() + CAP);
    }
    expect(callsOf('doomed')).toBe(3);
    const dead = await t.gql(MESSAGE_QUERY, { id }, admin);
    expect(dead.data?.outboxMessage).toMatchObject({
      status: 'DEAD',
      attemptCount: 3,
      lastError: 'connection refused',
    });

    const list = await t.gql(
      'query { outboxMessages(status: DEAD, kind: "test.scripted") { totalCount edges { node { id } } } }',
      {},
      admin,
    );
    expect(list.data?.outboxMessages.edges.map((edge: any) => edge.node.id)).toContain(id);

    const RETRY = `mutation($input: IdInput!) { retryOutboxMessage(input: $input) {
      outboxMessage { status attemptCount } userErrors { code } } }`;
    const owner = await t.ownerAuth();
    // Admins only.
    const refused = await t.gql(RETRY, { input: { id } }, owner);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await load(id)).status).toBe(OutboxStatus.DEAD);

    expect((await t.gql(RETRY, { input: { id } }, admin)).data?.retryOutboxMessage).toEqual({
      outboxMessage: { status: 'PENDING', attemptCount: 0 },
      userErrors: [],
    });
    expect((await t.gql(RETRY, { input: { id } }, admin)).data?.retryOutboxMessage.userErrors).toEqual([
      { code: 'INVALID_TRANSITION' },
    ]);
    const audit = await t.gql(
      'query { auditEvents(action: "outbox.retry") { edges { node { targetId } } } }',
      {},
      admin,
    );
    expect(audit.data?.auditEvents.edges).toEqual([{ node: { targetId: id } }]);

    healthy = true;
    await drainAt(new Date(), { maxAttempts: 3 });
    const delivered = await t.gql(MESSAGE_QUERY, { id }, admin);
    expect(delivered.data?.outboxMessage).toMatchObject({ status: 'DELIVERED', attemptCount: 1 });
    expect(delivered.data?.outboxMessage.attempts).toHaveLength(4);
  });

  it('claims at most its batch size, and each due row once', async () => {
    const ids = await Promise.all(Array.from({ length: 7 }, (_, i) => enqueued(`batch-${i}`)));
    const now = new Date(Date.now() + 1000);
    const first = await claimOutboxMessages(deps, { now, limit: 3, leaseMs: 60_000, kinds: [KIND] });
    const second = await claimOutboxMessages(deps, { now, limit: 3, leaseMs: 60_000, kinds: [KIND] });
    expect(first.messages).toHaveLength(3);
    expect(second.messages).toHaveLength(3);
    const claimed = [...first.messages, ...second.messages].map((message) => message.id);
    expect(new Set(claimed).size).toBe(6);
    // Let the leases lapse and deliver everything, so the rows don't linger for the later tests.
    await drainAt(new Date(now.getTime() + 61_000));
    for (const id of ids) expect((await load(id)).status).toBe(OutboxStatus.DELIVERED);
  });

  it('survives a crashed worker: its lease expires, the row is delivered once, and never again', async () => {
    const id = await enqueued('orphaned');
    const crashAt = new Date();
    // A worker claims the row and dies before attempting it.
    const crashed = await claimOutboxMessages(deps, { now: crashAt, limit: 100, leaseMs: 60_000 });
    expect(crashed.messages.map((message) => message.id)).toContain(id);

    // While the lease holds, nobody else takes it.
    await drainAt(new Date(crashAt.getTime() + 59_000));
    expect(callsOf('orphaned')).toBe(0);

    // A restarted server (a new ORM, a new pool) finds it due after the lease and delivers it.
    const restarted: MikroORM = await openDatabase(t.app.config.database);
    try {
      const after = new Date(crashAt.getTime() + 61_000);
      await drainOutbox({ ...deps, orm: restarted }, { now: () => after });
      expect(callsOf('orphaned')).toBe(1);
      const message = await load(id);
      expect(message).toMatchObject({ status: OutboxStatus.DELIVERED, attemptCount: 2, claimToken: null });

      // Neither process ever delivers it again, however late.
      const muchLater = new Date(crashAt.getTime() + 30 * 86_400_000);
      await drainOutbox({ ...deps, orm: restarted }, { now: () => muchLater });
      await drainAt(muchLater);
      expect(callsOf('orphaned')).toBe(1);
      expect(await t.orm.em.fork().count(OutboxAttempt, { messageId: id })).toBe(1);
    } finally {
      await restarted.close();
    }
  });

  it('fails an attempt that outlives its timeout, and retries it later', async () => {
    const em = t.orm.em.fork();
    const message = enqueue(em, { kind: 'test.hang', payload: {} });
    await em.flush();
    await drainAt(new Date());
    const row = await load(message.id);
    expect(row).toMatchObject({ status: OutboxStatus.PENDING, attemptCount: 1, claimToken: null });
    expect(row.lastError).toBe('timed out after 50 ms');
    // Out of the way of later tests.
    await t.orm.em.fork().nativeUpdate(OutboxMessage, { id: message.id }, { status: OutboxStatus.DEAD });
  });

  it('runs as a background worker that delivers within a poll and stops cleanly', async () => {
    const worker = startOutboxWorker(deps, { pollMs: 20 });
    try {
      const id = await enqueued('background');
      await expect.poll(async () => (await load(id)).status, { timeout: 5000 }).toBe(OutboxStatus.DELIVERED);
      expect(callsOf('background')).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('on shutdown, gives back the rows of attempts still running after the grace period, due at once', async () => {
    // Answers only when its signal aborts, as a slow receiver would be cut off.
    script.set('slow-at-shutdown', () => new Promise((resolve) => setTimeout(resolve, 60_000)));
    const id = await enqueued('slow-at-shutdown');
    const worker = startOutboxWorker(deps, { pollMs: 20, graceMs: 100 });
    await expect.poll(() => callsOf('slow-at-shutdown'), { timeout: 5000 }).toBe(1);
    const stopping = Date.now();
    await worker.stop();
    expect(Date.now() - stopping).toBeLessThan(30_000);
    const row = await load(id);
    expect(row).toMatchObject({ status: OutboxStatus.PENDING, claimToken: null, attemptCount: 0 });
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(row.lastError).toMatch(/shut down/);
    const attempts = await t.orm.em.fork().find(OutboxAttempt, { messageId: id });
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['FAILED']);
    // Another worker takes it at once and delivers it.
    script.delete('slow-at-shutdown');
    await drainAt(new Date());
    expect((await load(id)).status).toBe(OutboxStatus.DELIVERED);
  });

  it.runIf(testDialect() === 'postgres')(
    'lets concurrent workers on separate connections claim disjoint rows: each message delivered exactly once',
    async () => {
      const keys = Array.from({ length: 60 }, (_, i) => `concurrent-${i}`);
      for (const key of keys) script.set(key, () => new Promise((resolve) => setTimeout(resolve, 5)));
      const em = t.orm.em.fork();
      for (const key of keys) enqueue(em, { kind: KIND, payload: { key } });
      await em.flush();

      const workers = await Promise.all([1, 2, 3].map(() => openDatabase(t.app.config.database)));
      try {
        const results = await Promise.all(workers.map((orm) => drainOutbox({ ...deps, orm }, { batchSize: 4 })));
        for (const key of keys) expect(callsOf(key)).toBe(1);
        expect(results.reduce((sum, result) => sum + result.delivered, 0)).toBe(keys.length);
        // The work was shared, not done by one worker while the others waited on locks.
        expect(results.filter((result) => result.claimed > 0).length).toBeGreaterThan(1);
        const rows = await t.orm.em.fork().find(OutboxMessage, { payload: { key: { $in: keys } } });
        expect(rows.every((row) => row.status === OutboxStatus.DELIVERED && row.attemptCount === 1)).toBe(true);
        expect(await t.orm.em.fork().count(OutboxAttempt, { messageId: { $in: rows.map((row) => row.id) } })).toBe(
          keys.length,
        );
      } finally {
        await Promise.all(workers.map((orm) => orm.close()));
      }
    },
  );

  it('deletes delivered messages and their attempts after the retention period, in batches; keeps dead and pending', async () => {
    const day = 86_400_000;
    const t0 = new Date(Date.now() + 365 * day);
    script.set('old-failing', () => {
      throw new DeliveryError('gone', { permanent: true });
    });
    const delivered = [await enqueued('old-1'), await enqueued('old-2'), await enqueued('old-3')];
    const dead = await enqueued('old-failing');
    const em = t.orm.em.fork();
    const ownersOwn = enqueue(em, { kind: KEPT, payload: {} }).id;
    await em.flush();
    await drainAt(t0);
    const pending = await enqueued('not-yet', { runAt: new Date(t0.getTime() + 1000 * day) });
    expect((await load(dead)).status).toBe(OutboxStatus.DEAD);
    expect((await load(ownersOwn)).status).toBe(OutboxStatus.DELIVERED);

    const sweep = (now: Date, limit?: number) =>
      sweepDeliveredOutbox(deps, { retentionDays: 30, now, ...(limit ? { limit } : {}) });
    const present = async () =>
      (await t.orm.em.fork().find(OutboxMessage, { id: { $in: [...delivered, dead, ownersOwn, pending] } })).map(
        (message) => message.id,
      );
    // 29 days after delivery: everything stays.
    await sweep(new Date(t0.getTime() + 29 * day));
    expect(await present()).toHaveLength(6);

    // 31 days after: a batch deletes at most its limit, and rounds go on until nothing is due.
    const at = new Date(t0.getTime() + 31 * day);
    expect(await sweep(at, 2)).toBe(2);
    while ((await sweep(at, 2)) > 0);
    expect((await present()).sort()).toEqual([dead, ownersOwn, pending].sort());
    expect(await t.orm.em.fork().count(OutboxAttempt, { messageId: { $in: delivered } })).toBe(0);
    expect(await t.orm.em.fork().count(OutboxAttempt, { messageId: dead })).toBe(1);
    // An admin still finds the dead message with its history, and no longer the delivered ones.
    const gone = await t.gql(MESSAGE_QUERY, { id: delivered[0] }, admin);
    expect(gone.data?.outboxMessage ?? null).toBeNull();
    const kept = await t.gql(MESSAGE_QUERY, { id: dead }, admin);
    expect(kept.data?.outboxMessage).toMatchObject({
      status: 'DEAD',
      attempts: [{ outcome: 'FAILED', error: 'gone' }],
    });
  });
});
