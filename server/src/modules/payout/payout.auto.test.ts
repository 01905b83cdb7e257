import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../common/orm';
import { startTestApp, testDialect, type Auth, type TestApp } from '../../../test/harness';
import { startSmtpListener } from '../../../test/smtp-listener';
import { Merchant } from '../merchant';
import { drainOutbox } from '../outbox/outbox.service';
import { payPrepaidBlock } from '../payment';
import { WebhookEvent } from '../webhook/webhook-event.entity';
import { periodOf, runAutoPayout, runDueAutoPayouts } from './payout.auto';
import {
  AutoPayout,
  AutoPayoutSchedule,
  AutoPayoutStatus,
  PayoutDestination,
  PayoutDestinationKind,
  PayoutDestinationStatus,
  Withdrawal,
  WithdrawalStatus,
} from './payout.entity';
import { checkPayoutInvariants } from './payout.invariants';

const AUTO = `autoPayout { id status schedule reserve { amount currency } destinationId requestedSchedule
  requestedReserve { amount } requestedDestinationId lastPeriod }
  userErrors { code field message }`;
const DAY_MS = 86_400_000;

const fund = (t: TestApp, merchantId: string, amountMinor: bigint, blockId: string) =>
  t.orm.em
    .fork()
    .transactional((tx) =>
      payPrepaidBlock(tx, { blockId, merchantId, currency: 'EUR', amountMinor, description: 'test funding' }),
    );

describe('automatic payouts', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let owner: Auth;
  let admin: Auth;
  let destinationId: string;
  let autoPayoutId: string;
  let now: Date;
  const later = (days: number) => new Date(now.getTime() + days * DAY_MS);

  const gql = async (query: string, variables: Record<string, unknown>, auth: Auth = owner) => {
    const result = await t.gql(query, variables, auth);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const codeFor = async (id: string) => {
    await drainOutbox(t.app.platform);
    const code = smtp.lastCode(id);
    if (!code) throw new Error(`no code mailed for ${id}`);
    return code;
  };
  const request = async (input: Record<string, unknown>, auth: Auth = owner) =>
    (
      await gql(
        `mutation($input: RequestAutoPayoutInput!) { requestAutoPayout(input: $input) { ${AUTO} confirmation { sentTo } } }`,
        { input: { currency: 'EUR', schedule: 'DAILY', reserve: '0', destinationId, ...input } },
        auth,
      )
    ).requestAutoPayout;
  const confirm = async (id: string, code: string) =>
    (
      await gql(`mutation($input: ConfirmCodeInput!) { confirmAutoPayout(input: $input) { ${AUTO} } }`, {
        input: { id, code },
      })
    ).confirmAutoPayout;
  const withdrawals = () =>
    t.orm.em
      .fork()
      .find(
        Withdrawal,
        { merchantId: t.demo.merchantId, autoPeriod: { $ne: null } },
        { orderBy: { createdAt: 'asc' } },
      );
  const invariantsHold = async () => expect(await checkPayoutInvariants(t.orm.em.fork())).toEqual([]);

  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await startTestApp({ SMTP_URL: smtp.url, PAYOUT_COOL_OFF_HOURS: '0', RATE_LIMIT_SCALE: '10' });
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    await fund(t, t.demo.merchantId, 10_000n, 'auto-funding-1');
    const added = await gql(
      `mutation { addPayoutDestination(input: { kind: BANK_ACCOUNT, holderName: "Demo Shop", iban: "DE89370400440532013000", bic: "COBADEFFXXX" }) { destination { id } } }`,
      {},
    );
    destinationId = added.addPayoutDestination.destination.id as string;
    const confirmed = await gql(
      `mutation($id: ID!, $code: String!) { confirmPayoutDestination(input: { id: $id, code: $code }) { userErrors { code } } }`,
      { id: destinationId, code: await codeFor(destinationId) },
    );
    expect(confirmed.confirmPayoutDestination.userErrors).toEqual([]);
    now = new Date(Date.now() + 1000); // past the destination's (zero) cool-off
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('periods are UTC days and ISO weeks', () => {
    expect(periodOf(AutoPayoutSchedule.DAILY, new Date('2026-12-05T23:59:59Z'))).toBe('2026-12-05');
    expect(periodOf(AutoPayoutSchedule.WEEKLY, new Date('2026-12-05T12:00:00Z'))).toBe('2026-W49');
    expect(periodOf(AutoPayoutSchedule.WEEKLY, new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(periodOf(AutoPayoutSchedule.WEEKLY, new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
  });

  it('switching on needs the emailed code; refused inputs name their field', async () => {
    expect((await request({ reserve: '-1' })).userErrors[0]).toMatchObject({
      code: 'INVALID_AMOUNT',
      field: ['input', 'reserve'],
    });
    expect((await request({ reserve: 'ten' })).userErrors[0].field).toEqual(['input', 'reserve']);
    expect((await request({ destinationId: 'pds_nope' })).userErrors[0]).toMatchObject({
      code: 'NOT_FOUND',
      field: ['input', 'destinationId'],
    });
    expect((await request({ currency: 'XXX' })).userErrors[0].field).toEqual(['input', 'currency']);
    const byAdmin = await t.gql(
      `mutation($input: RequestAutoPayoutInput!) { requestAutoPayout(input: $input) { userErrors { code } } }`,
      { input: { merchantId: t.demo.merchantId, currency: 'EUR', schedule: 'DAILY', reserve: '0', destinationId } },
      admin,
    );
    expect(byAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const requested = await request({ reserve: '30.00' });
    expect(requested.userErrors).toEqual([]);
    expect(requested.confirmation.sentTo).toBe('o•••@demo.tollgate.test');
    expect(requested.autoPayout).toMatchObject({
      status: 'PENDING',
      schedule: null,
      requestedSchedule: 'DAILY',
      requestedReserve: { amount: '30.00' },
      requestedDestinationId: destinationId,
    });
    autoPayoutId = requested.autoPayout.id;
    // Not confirmed: nothing runs.
    expect(await runDueAutoPayouts(t.orm.em, now)).toMatchObject({ seen: 0, paidOut: 0 });

    const code = await codeFor(autoPayoutId);
    const wrong = await confirm(autoPayoutId, code === '00000000' ? '11111111' : '00000000');
    expect(wrong.userErrors[0].code).toBe('INVALID_CODE');
    const confirmed = await confirm(autoPayoutId, code);
    expect(confirmed.userErrors).toEqual([]);
    expect(confirmed.autoPayout).toMatchObject({
      status: 'ACTIVE',
      schedule: 'DAILY',
      reserve: { amount: '30.00', currency: 'EUR' },
      destinationId,
      requestedSchedule: null,
    });
    expect((await confirm(autoPayoutId, code)).userErrors[0].code).toBe('INVALID_TRANSITION'); // nothing waiting
    await drainOutbox(t.app.platform);
    expect(smtp.received.some((m) => m.raw.includes('Subject: Automatic payouts confirmed'))).toBe(true);
    const event = await t.orm.em.fork().findOne(WebhookEvent, { type: 'auto_payout.confirmed' });
    expect(event?.data).toMatchObject({ id: autoPayoutId, status: 'ACTIVE', schedule: 'DAILY', reserve: '30.00' });
    const listed = await gql(`query { autoPayouts { id status } }`, {});
    expect(listed.autoPayouts).toEqual([{ id: autoPayoutId, status: 'ACTIVE' }]);
  });

  it('the scheduler pays out the balance above the reserve once per period, CONFIRMED (held)', async () => {
    expect(await runDueAutoPayouts(t.orm.em, now)).toEqual({ seen: 1, paidOut: 1, failed: 0 });
    let made = await withdrawals();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      status: WithdrawalStatus.CONFIRMED,
      amountMinor: 7_000n,
      autoPeriod: periodOf(AutoPayoutSchedule.DAILY, now),
      destinationId,
    });
    expect(made[0].holdTransferId).toBeTruthy();
    // Again in the same period: nothing due, and a direct run finds the period done.
    expect(await runDueAutoPayouts(t.orm.em, now)).toMatchObject({ seen: 0 });
    expect((await runAutoPayout(t.orm.em, autoPayoutId, now)).outcome).toBe('ALREADY_DONE');
    // Even if the schedule forgot its period, the unique (merchant, currency, period) index keeps one withdrawal.
    await t.orm.em.fork().nativeUpdate(AutoPayout, { id: autoPayoutId }, { lastPeriod: null });
    await fund(t, t.demo.merchantId, 5_000n, 'auto-funding-2');
    expect((await runAutoPayout(t.orm.em, autoPayoutId, now)).outcome).toBe('ALREADY_DONE');
    expect(await withdrawals()).toHaveLength(1);

    // The next day: 30.00 + 50.00 available, 30.00 kept.
    expect(await runDueAutoPayouts(t.orm.em, later(1))).toEqual({ seen: 1, paidOut: 1, failed: 0 });
    // The day after: only the reserve is left, nothing to pay (the period still counts as handled).
    expect(await runDueAutoPayouts(t.orm.em, later(2))).toEqual({ seen: 1, paidOut: 0, failed: 0 });
    expect(await runDueAutoPayouts(t.orm.em, later(2))).toMatchObject({ seen: 0 });
    made = await withdrawals();
    expect(made.map((w) => [w.autoPeriod, w.amountMinor, w.status])).toEqual([
      [periodOf(AutoPayoutSchedule.DAILY, now), 7_000n, WithdrawalStatus.CONFIRMED],
      [periodOf(AutoPayoutSchedule.DAILY, later(1)), 5_000n, WithdrawalStatus.CONFIRMED],
    ]);
    const confirmedEvents = await t.orm.em
      .fork()
      .count(WebhookEvent, { type: 'withdrawal.confirmed', merchantId: t.demo.merchantId });
    expect(confirmedEvents).toBeGreaterThanOrEqual(2);
    await invariantsHold();
  });

  it('a change waits for its code while the confirmed settings keep running; switching off needs none', async () => {
    const changed = await request({ reserve: '0', schedule: 'WEEKLY' });
    expect(changed.autoPayout).toMatchObject({
      status: 'ACTIVE',
      schedule: 'DAILY',
      reserve: { amount: '30.00' },
      requestedSchedule: 'WEEKLY',
      requestedReserve: { amount: '0.00' },
    });
    const confirmed = await confirm(autoPayoutId, await codeFor(autoPayoutId));
    expect(confirmed.autoPayout).toMatchObject({ schedule: 'WEEKLY', reserve: { amount: '0.00' } });

    const off = await gql(`mutation($id: ID!) { disableAutoPayout(input: { id: $id }) { ${AUTO} } }`, {
      id: autoPayoutId,
    });
    expect(off.disableAutoPayout.autoPayout.status).toBe('OFF');
    expect(await runDueAutoPayouts(t.orm.em, later(14))).toMatchObject({ seen: 0 });
    const again = await gql(`mutation($id: ID!) { disableAutoPayout(input: { id: $id }) { ${AUTO} } }`, {
      id: autoPayoutId,
    });
    expect(again.disableAutoPayout.userErrors[0].code).toBe('INVALID_TRANSITION');
    // Another merchant's owner cannot see or change them.
    const row = await t.orm.em.fork().findOneOrFail(AutoPayout, autoPayoutId);
    expect(row.status).toBe(AutoPayoutStatus.OFF);
    await invariantsHold();
  });
});

/*
 * Two schedulers at once over 1,000 merchants (PostgreSQL): each merchant's period is paid out exactly once. The
 * merchants, their balances (through settlement), destinations and confirmed schedules are made in bulk.
 */
describe.runIf(testDialect() === 'postgres')('automatic payouts under concurrency', () => {
  let t: TestApp;
  const MERCHANTS = 1000;

  beforeAll(async () => {
    t = await startTestApp({ PAYOUT_COOL_OFF_HOURS: '0', DATABASE_POOL_SIZE: '10' });
    const em = t.orm.em.fork();
    const merchants = Array.from({ length: MERCHANTS }, (_, i) => build(Merchant, { name: `Auto ${i}` }));
    em.persist(merchants);
    await em.flush();
    const past = new Date(Date.now() - DAY_MS);
    for (const merchant of merchants) {
      const destination = build(PayoutDestination, {
        merchantId: merchant.id,
        kind: PayoutDestinationKind.EWALLET,
        status: PayoutDestinationStatus.ACTIVE,
        holderName: merchant.name,
        walletProvider: 'paypal',
        walletId: `${merchant.id}@wallet.test`,
        confirmedAt: past,
        usableFrom: past,
      });
      em.persist(destination);
      em.persist(
        build(AutoPayout, {
          merchantId: merchant.id,
          currency: 'EUR',
          status: AutoPayoutStatus.ACTIVE,
          schedule: AutoPayoutSchedule.DAILY,
          reserveMinor: 100n,
          destinationId: destination.id,
          confirmedAt: past,
        }),
      );
    }
    await em.flush();
    await t.orm.em.fork().transactional(async (tx) => {
      for (const [i, merchant] of merchants.entries()) {
        await payPrepaidBlock(tx, {
          blockId: `bulk-${i}`,
          merchantId: merchant.id,
          currency: 'EUR',
          amountMinor: 1_000n + BigInt(i),
          description: 'bulk funding',
        });
      }
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('two schedulers running at once create each period’s payout exactly once', async () => {
    const now = new Date();
    const scheduler = async () => {
      let paidOut = 0;
      for (;;) {
        const round = await runDueAutoPayouts(t.orm.em, now);
        expect(round.failed).toBe(0);
        paidOut += round.paidOut;
        if (round.seen === 0) return paidOut;
      }
    };
    const [a, b] = await Promise.all([scheduler(), scheduler()]);
    expect(a + b).toBe(MERCHANTS);

    const period = periodOf(AutoPayoutSchedule.DAILY, now);
    const rows = (await t.orm.em
      .fork()
      .getConnection()
      .execute(
        `select count(*) as n, count(distinct merchant_id) as merchants, sum(amount_minor) as total
           from withdrawal where auto_period = ? and status = 'CONFIRMED'`,
        [period],
      )) as { n: string; merchants: string; total: string }[];
    const expectedTotal = Array.from({ length: MERCHANTS }, (_, i) => 900n + BigInt(i)).reduce((x, y) => x + y, 0n);
    expect(rows[0]).toMatchObject({ n: String(MERCHANTS), merchants: String(MERCHANTS) });
    expect(BigInt(rows[0].total)).toBe(expectedTotal);
    // Once more, both at once: nothing left to do.
    expect(await Promise.all([scheduler(), scheduler()])).toEqual([0, 0]);
    expect(await checkPayoutInvariants(t.orm.em.fork())).toEqual([]);
  }, 180_000);
});
