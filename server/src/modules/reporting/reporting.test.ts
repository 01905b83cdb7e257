import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrm, startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { AccessCodeAlphabet, AccessCodeKind, AccessCodeService } from '../access-code/access-code.entity';
import { Payment, PaymentKind, PaymentStatus } from '../payment';
import { Purse } from '../purse/purse.entity';
import { VoucherProject } from '../voucher/voucher.entity';
import { SmsDirection, SmsMessage, SmsStatus } from '../sms';
import { isPostgres } from '../../common/date-range';
import { buildReport } from './reporting.service';

/*
 * Hand-computable fixtures, written straight into a bare database (no seed, no ledger): the report reads only these.
 * The period is 1–3 March 2026 (UTC); the previous period of the same length is 26–28 February.
 */
const M = 'mch_reporting_test';
const OTHER = 'mch_someone_else';
let serial = 0;

function payment(fields: Partial<Payment> & Pick<Payment, 'kind' | 'amountReceived' | 'currency' | 'createdAt'>) {
  serial += 1;
  return Object.assign(new Payment(), {
    merchantId: M,
    amount: fields.amountReceived,
    status: fields.paidAt ? PaymentStatus.PAID : PaymentStatus.OPEN,
    reference: `REF${String(serial).padStart(5, '0')}`,
    pageToken: `token-${serial}-${'x'.repeat(20)}`,
    description: `payment ${serial}`,
    ...fields,
  });
}

function sms(fields: Partial<SmsMessage> & Pick<SmsMessage, 'receivedAt'>) {
  return Object.assign(new SmsMessage(), {
    direction: SmsDirection.IN,
    provider: 'simulator',
    fromNumber: '+359888123456',
    toNumber: '1096',
    text: 'REF',
    status: SmsStatus.COUNTED,
    merchantId: M,
    ...fields,
  });
}

const at = (iso: string) => new Date(iso);

let purseNumber = 990_000;
function purse(id: string, name: string, merchantId = M) {
  purseNumber += 1;
  return Object.assign(new Purse(), {
    id,
    number: purseNumber,
    merchantId,
    name,
    secret: 's'.repeat(32),
    successUrl: 'https://shop.example/ok',
    failUrl: 'https://shop.example/fail',
    resultUrl: 'https://shop.example/result',
  });
}

describe('reporting aggregates', () => {
  let orm: MikroORM;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ orm, close } = await createTestOrm());
    const em = orm.em.fork();
    em.persist([
      purse('prs_a', 'Purse A'),
      Object.assign(new VoucherProject(), {
        id: 'vpr_b',
        merchantId: M,
        name: 'Voucher B',
        slug: 'reporting-voucher-b',
        priceMinor: 300n,
      }),
      // Paid late on 1 March UTC: bucketed on the 1st whatever the server's time zone.
      payment({
        kind: PaymentKind.PURSE,
        amountReceived: 500n,
        currency: 'USD',
        createdAt: at('2026-03-01T23:00:00Z'),
        paidAt: at('2026-03-01T23:30:00Z'),
        metadata: { purseId: 'prs_a' },
        description: 'Purse A',
      }),
      payment({
        kind: PaymentKind.VOUCHER,
        amountReceived: 300n,
        currency: 'USD',
        createdAt: at('2026-03-01T12:00:00Z'),
        paidAt: at('2026-03-02T00:10:00Z'),
        metadata: { voucherProjectId: 'vpr_b' },
        description: 'Voucher B',
      }),
      payment({
        kind: PaymentKind.TOP_UP,
        amountReceived: 1250n,
        currency: 'EUR',
        createdAt: at('2026-03-02T09:00:00Z'),
        paidAt: at('2026-03-02T10:00:00Z'),
        description: 'Top-up',
      }),
      // Started in the period, never paid.
      payment({ kind: PaymentKind.TOP_UP, amountReceived: 0n, currency: 'EUR', createdAt: at('2026-03-03T08:00:00Z') }),
      // The previous period.
      payment({
        kind: PaymentKind.PURSE,
        amountReceived: 200n,
        currency: 'USD',
        createdAt: at('2026-02-27T05:00:00Z'),
        paidAt: at('2026-02-27T05:00:00Z'),
        metadata: { purseId: 'prs_a' },
      }),
      // Paid exactly at the end: the end is exclusive.
      payment({
        kind: PaymentKind.PURSE,
        amountReceived: 100n,
        currency: 'USD',
        createdAt: at('2026-03-04T00:00:00Z'),
        paidAt: at('2026-03-04T00:00:00Z'),
        metadata: { purseId: 'prs_a' },
      }),
      // Another merchant's.
      payment({
        merchantId: OTHER,
        kind: PaymentKind.PURSE,
        amountReceived: 9999n,
        currency: 'USD',
        createdAt: at('2026-03-02T00:00:00Z'),
        paidAt: at('2026-03-02T00:00:00Z'),
      }),
      sms({
        country: 'BG',
        operator: 'Yettel',
        priceUsdMinor: 272n,
        yieldUsdMinor: 136n,
        receivedAt: at('2026-03-01T10:00:00Z'),
      }),
      sms({
        country: 'BG',
        operator: 'A1',
        priceUsdMinor: 267n,
        yieldUsdMinor: 133n,
        receivedAt: at('2026-03-02T10:00:00Z'),
      }),
      sms({
        country: 'BG',
        operator: 'Yettel',
        status: SmsStatus.CREDITED,
        priceUsdMinor: 272n,
        yieldUsdMinor: 136n,
        receivedAt: at('2026-03-03T10:00:00Z'),
      }),
      sms({
        country: 'US',
        operator: null,
        priceUsdMinor: 499n,
        yieldUsdMinor: 299n,
        receivedAt: at('2026-03-02T11:00:00Z'),
      }),
      // Not billed, outbound, another merchant's, before the period: none counts.
      sms({
        country: 'US',
        operator: 'Verizon',
        status: SmsStatus.FLAGGED,
        priceUsdMinor: 499n,
        receivedAt: at('2026-03-02T12:00:00Z'),
      }),
      sms({
        direction: SmsDirection.OUT,
        status: SmsStatus.SENT,
        country: 'BG',
        receivedAt: at('2026-03-02T12:00:00Z'),
      }),
      sms({
        merchantId: OTHER,
        country: 'BG',
        priceUsdMinor: 272n,
        yieldUsdMinor: 136n,
        receivedAt: at('2026-03-02T12:00:00Z'),
      }),
      sms({
        country: 'BG',
        operator: 'Yettel',
        priceUsdMinor: 272n,
        yieldUsdMinor: 136n,
        receivedAt: at('2026-02-28T23:59:59Z'),
      }),
    ]);
    await em.flush();
  });
  afterAll(async () => close?.());

  const period = { merchantId: M, from: at('2026-03-01T00:00:00Z'), to: at('2026-03-04T00:00:00Z') };

  it('buckets revenue per UTC day and currency, beside the previous period', async () => {
    const report = await buildReport(orm.em.fork(), period);
    expect(report.previousFrom.toISOString()).toBe('2026-02-26T00:00:00.000Z');
    const [eur, usd] = report.revenue;
    expect(usd.currency).toBe('USD');
    expect(usd.total.amount).toBe('8.00');
    expect(usd.previousTotal.amount).toBe('2.00');
    expect(
      usd.days.map((day) => [day.day, day.revenue.amount, day.payments, day.previousDay, day.previousRevenue.amount]),
    ).toEqual([
      ['2026-03-01', '5.00', 1, '2026-02-26', '0.00'],
      ['2026-03-02', '3.00', 1, '2026-02-27', '2.00'],
      ['2026-03-03', '0.00', 0, '2026-02-28', '0.00'],
    ]);
    expect(eur.currency).toBe('EUR');
    expect(eur.total.amount).toBe('12.50');
    expect(eur.previousTotal.amount).toBe('0.00');
    expect(eur.days.map((day) => day.revenue.amount)).toEqual(['0.00', '12.50', '0.00']);
  });

  it('buckets in UTC whatever the database session’s time zone', async () => {
    const report = await orm.em.fork().transactional(async (tx) => {
      // UTC+14: a naive date() of 1 March 23:30 UTC would say 2 March.
      if (isPostgres(tx)) {
        await tx
          .getConnection()
          .execute("set local timezone = 'Pacific/Kiritimati'", [], 'run', tx.getTransactionContext());
      }
      return buildReport(tx, period);
    });
    const usd = report.revenue.find((series) => series.currency === 'USD')!;
    expect(usd.days.map((day) => day.revenue.amount)).toEqual(['5.00', '3.00', '0.00']);
  });

  it('counts started and paid payments of the period', async () => {
    const { conversion } = await buildReport(orm.em.fork(), period);
    expect(conversion).toMatchObject({ started: 4, paid: 3, rate: 0.75 });
  });

  it('ranks products by revenue, each purse and project on its own', async () => {
    const { topProducts } = await buildReport(orm.em.fork(), period);
    expect(
      topProducts.map((row) => [row.kind, row.productId, row.payments, row.revenue.amount, row.revenue.currency]),
    ).toEqual([
      ['TOP_UP', null, 1, '12.50', 'EUR'],
      ['PURSE', 'prs_a', 1, '5.00', 'USD'],
      ['VOUCHER', 'vpr_b', 1, '3.00', 'USD'],
    ]);
    expect(topProducts.map((row) => row.name)).toEqual([null, 'Purse A', 'Voucher B']);
  });

  it("names each product by the product that took its payments, whatever the payments' descriptions", async () => {
    const em = orm.em.fork();
    const day = (hour: number) => at(`2026-04-01T${String(hour).padStart(2, '0')}:00:00Z`);
    const service = Object.assign(new AccessCodeService(), {
      merchantId: M,
      name: 'Premium articles',
      keyword: 'ARTICLES',
      replyTemplate: 'Your code: {code}',
      kind: AccessCodeKind.PERIOD_FROM_ISSUE,
      validitySeconds: 86_400,
      codeLength: 8,
      alphabet: AccessCodeAlphabet.DIGITS,
      paidUrl: 'https://shop.example/paid',
      expiredUrl: 'https://shop.example/expired',
      invalidUrl: 'https://shop.example/invalid',
      secret: 's'.repeat(32),
      deletedAt: day(20),
    });
    em.persist([
      purse('prs_c', 'Corner shop'),
      // Another merchant's purse of the same id space is never named in this merchant's report.
      purse('prs_theirs', 'Not yours', OTHER),
      service,
      ...[
        ['Order 17: two coffees', 400n],
        ['Заказ 18', 250n],
      ].map(([description, amount]) =>
        payment({
          kind: PaymentKind.PURSE,
          amountReceived: amount as bigint,
          currency: 'USD',
          createdAt: day(9),
          paidAt: day(10),
          metadata: { purseId: 'prs_c' },
          description: description as string,
        }),
      ),
      payment({
        kind: PaymentKind.ACCESS_CODE,
        amountReceived: 100n,
        currency: 'USD',
        createdAt: day(9),
        paidAt: day(10),
        metadata: { accessCodeServiceId: service.id },
      }),
      payment({
        kind: PaymentKind.PURSE,
        amountReceived: 50n,
        currency: 'USD',
        createdAt: day(9),
        paidAt: day(10),
        metadata: { purseId: 'prs_theirs' },
      }),
      // A card payment's metadata is the merchant's own: a purseId in it does not make it the purse's.
      payment({
        kind: PaymentKind.CARD,
        amountReceived: 300n,
        currency: 'USD',
        createdAt: day(9),
        paidAt: day(10),
        metadata: { purseId: 'prs_c' },
        description: 'Corner shop',
      }),
    ]);
    await em.flush();
    const { topProducts } = await buildReport(orm.em.fork(), {
      merchantId: M,
      from: at('2026-04-01T00:00:00Z'),
      to: at('2026-04-02T00:00:00Z'),
    });
    expect(
      topProducts.map((row) => [
        row.kind,
        row.productId,
        row.name,
        row.productRemoved,
        row.payments,
        row.revenue.amount,
      ]),
    ).toEqual([
      ['PURSE', 'prs_c', 'Corner shop', false, 2, '6.50'],
      ['CARD', null, null, false, 1, '3.00'],
      ['ACCESS_CODE', service.id, 'Premium articles', true, 1, '1.00'],
      ['PURSE', 'prs_theirs', null, false, 1, '0.50'],
    ]);
  });

  it('sums billed SMS by country and by operator', async () => {
    const report = await buildReport(orm.em.fork(), period);
    expect(
      report.smsByCountry.map((row) => [row.country, row.sms, row.revenue.amount, row.merchantYield.amount]),
    ).toEqual([
      ['BG', 3, '8.11', '4.05'],
      ['US', 1, '4.99', '2.99'],
    ]);
    expect(
      report.smsByOperator.map((row) => [row.country, row.operator, row.sms, row.revenue.amount, row.revenue.currency]),
    ).toEqual([
      ['BG', 'Yettel', 2, '5.44', 'USD'],
      ['US', null, 1, '4.99', 'USD'],
      ['BG', 'A1', 1, '2.67', 'USD'],
    ]);
  });

  it('is empty, not missing, for a period without activity', async () => {
    const report = await buildReport(orm.em.fork(), {
      ...period,
      from: at('2025-01-01T00:00:00Z'),
      to: at('2025-01-08T00:00:00Z'),
    });
    expect(report.revenue).toEqual([]);
    expect(report.conversion).toMatchObject({ started: 0, paid: 0, rate: null });
    expect(report.smsByCountry).toEqual([]);
    expect(report.topProducts).toEqual([]);
  });
});

describe('report and list ranges through the API', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
  });
  afterAll(async () => t?.close());

  const REPORT = `query($from: DateTimeISO!, $to: DateTimeISO!, $merchantId: ID) {
    report(from: $from, to: $to, merchantId: $merchantId) {
      merchantId conversion { started paid } revenue { currency total { amount } days { day } }
    }
  }`;
  const hour = 3_600_000;

  it('gives a merchant its own report, and an admin the merchant it names', async () => {
    const from = new Date(Date.now() - 24 * hour).toISOString();
    const to = new Date(Date.now() + hour).toISOString();
    const mine = await t.gql(REPORT, { from, to }, owner);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.report.merchantId).toBe(t.demo.merchantId);
    const asAdmin = await t.gql(REPORT, { from, to, merchantId: t.demo.merchantId }, admin);
    expect(asAdmin.data!.report).toEqual(mine.data!.report);
    const unnamed = await t.gql(REPORT, { from, to }, admin);
    expect(unnamed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const other = await t.gql(REPORT, { from, to, merchantId: 'mch_00000000000000000000000000' }, owner);
    expect(other.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a reversed or over-long period, naming it', async () => {
    const now = Date.now();
    const reversed = await t.gql(
      REPORT,
      { from: new Date(now).toISOString(), to: new Date(now - hour).toISOString() },
      owner,
    );
    expect(reversed.errors?.[0]).toMatchObject({
      message: 'from must be before to',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const long = await t.gql(
      REPORT,
      { from: new Date(now - 400 * 24 * hour).toISOString(), to: new Date(now).toISOString() },
      owner,
    );
    expect(long.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(long.errors?.[0].message).toContain('days apart');
  });

  it("puts the demo's paid payments' money on the merchant's balances", async () => {
    const result = await t.gql(
      `{ me { merchant { balances { purpose posted { amount currency } } } }
         payments(status: PAID, first: 100) { edges { node { description breakdown { net { amount } } } } } }`,
      {},
      owner,
    );
    expect(result.errors).toBeUndefined();
    const paid = result.data!.payments.edges.map((edge: { node: { description: string } }) => edge.node);
    expect(paid).toContainEqual(expect.objectContaining({ description: 'Premium month' }));
    const balances = result.data!.me.merchant.balances as { purpose: string; posted: { amount: string } }[];
    const available = balances.filter((balance) => balance.purpose === 'MERCHANT_AVAILABLE');
    expect(available.some((balance) => /[1-9]/.test(balance.posted.amount))).toBe(true);
  });

  it('limits the payments list to a range, start inclusive and end exclusive', async () => {
    const created = await t.gql(
      'mutation { createPayment(input: { amount: "4.20", currency: "EUR", description: "In range" }) { payment { id createdAt } } }',
      {},
      owner,
    );
    const { id, createdAt } = created.data!.createPayment.payment as { id: string; createdAt: string };
    const list = async (from: string, to: string) => {
      const result = await t.gql(
        'query($from: DateTimeISO, $to: DateTimeISO) { payments(from: $from, to: $to, first: 100) { edges { node { id } } } }',
        { from, to },
        owner,
      );
      expect(result.errors).toBeUndefined();
      return (result.data!.payments.edges as { node: { id: string } }[]).map((edge) => edge.node.id);
    };
    const at = new Date(createdAt).getTime();
    expect(await list(new Date(at).toISOString(), new Date(at + hour).toISOString())).toContain(id);
    expect(await list(new Date(at - hour).toISOString(), new Date(at).toISOString())).not.toContain(id);
    const reversed = await t.gql(
      'query($from: DateTimeISO, $to: DateTimeISO) { payments(from: $from, to: $to) { totalCount } }',
      { from: new Date(at).toISOString(), to: new Date(at - hour).toISOString() },
      owner,
    );
    expect(reversed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
