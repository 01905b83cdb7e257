import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { SIGNATURE_HEADER, signPayload, verifySignature } from '../../common/signature';
import { LedgerAccount, LedgerAccountPurpose, LedgerEntry, LedgerTransfer } from '../ledger/ledger.entity';
import { drainOutbox } from '../outbox/outbox.service';
import { Payment } from '../payment/payment.entity';
import { SmsDirection, SmsMessage, SmsStatus } from './sms.entity';
import { markSmsDelivery } from './sms.delivery';
import { PayerCredit } from '../payment/settlement.entity';
import { processSms } from './sms.pipeline';
import { smsProductsOf, type SmsProduct, type SmsReceived } from './sms.products';
import type { DomainModule } from '../../common/module';
import { sendSmsReply } from './sms.replies';

/*
 * Tariffs used (the seeded demo catalogue): BG 1096 costs $2.67 and yields 133 cents on every operator but Yettel
 * ($2.72, yields 136); BG 1092 costs $0.67 and yields 33; US 24002 costs $4.99 and yields 299, on Verizon 259.
 */
const BG_PHONE = '+359888123456';

/** A product that owns payments whose description starts with "Two-SMS": it expects two SMS to 1096. */
const twoSms: SmsProduct = {
  name: 'two-sms',
  recognise: () => Promise.resolve(null), // the built-in reference recognition attaches them
  instruction: (_em, payment) =>
    Promise.resolve(
      payment.description.startsWith('Two-SMS')
        ? [
            { shortCode: '1096', text: payment.reference, country: 'BG' },
            { shortCode: '1096', text: payment.reference, country: 'BG' },
          ]
        : null,
    ),
};

/** A product that recognises "GIFT <reference>", counts the payer's price, and replies itself. */
const giftEvents: SmsReceived[] = [];
const gift: SmsProduct = {
  name: 'gift',
  async recognise(em, sms) {
    const match = /^GIFT\s+(\S+)$/i.exec(sms.text.trim());
    const payment = match && (await em.findOne(Payment, { reference: match[1].toUpperCase() }));
    return payment && { paymentId: payment.id, count: 'PRICE' };
  },
  async onReceived(em, event) {
    giftEvents.push(event);
    await sendSmsReply(em, { inboundSmsId: event.sms.id, text: `Your gift code: G-${event.payment.reference}` });
  },
};

/** The test's products, provided as a product module's would be. */
const testProducts: DomainModule = {
  name: 'sms-test-products',
  entities: [],
  resolvers: [],
  provides: { smsProducts: [twoSms, gift] },
};

describe('SMS rails', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  let partner: Auth;
  beforeAll(async () => {
    t = await startTestApp({}, [testProducts]);
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    const key = await t.gql(
      'mutation { createApiKey(input: { name: "shop", scopes: ["read", "write"] }) { secret } }',
      {},
      owner,
    );
    partner = { apiKey: key.data!.createApiKey.secret };
  });
  afterAll(async () => t?.close());

  /** What processing an SMS needs, as the channels hand it over. */
  const processDeps = () => ({
    em: t.orm.em,
    pubsub: t.app.pubsub,
    config: t.app.config,
    products: smsProductsOf(t.app.platform.extensions),
  });

  let counter = 0;
  const messageId = () => `agg-${Date.now()}-${++counter}`;

  async function deliver(
    body: Record<string, unknown> | string,
    options: { app?: TestApp; secret?: string; signedAt?: Date; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: any }> {
    const app = options.app ?? t;
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${app.url}/sms/inbound`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signPayload(options.secret ?? app.app.config.smsWebhookSecret, raw, options.signedAt),
        ...options.headers,
      },
      body: raw,
    });
    return { status: response.status, body: await response.json() };
  }

  const sms = (text: string, extra: Record<string, unknown> = {}) => ({
    messageId: messageId(),
    from: BG_PHONE,
    to: '1096',
    text,
    country: 'BG',
    ...extra,
  });

  async function newPayment(amount: string, extra: Record<string, unknown> = {}) {
    const result = await t.gql(
      `mutation($input: CreatePaymentInput!) {
        createPayment(input: $input) { payment { id reference payerUrl } userErrors { message } }
      }`,
      { input: { amount, currency: 'USD', description: 'Top-up', ...extra } },
      partner,
    );
    expect(result.data!.createPayment.userErrors).toEqual([]);
    const payment = result.data!.createPayment.payment as { id: string; reference: string; payerUrl: string };
    return { ...payment, token: payment.payerUrl.split('/pay/')[1] };
  }

  const paymentRow = (id: string) => t.orm.em.fork().findOneOrFail(Payment, id);
  const smsRow = (id: string) => t.orm.em.fork().findOneOrFail(SmsMessage, id);
  const countSms = () => t.orm.em.fork().count(SmsMessage, {});
  const transfersOf = (paymentId: string) =>
    t.orm.em.fork().find(LedgerTransfer, { paymentId }, { orderBy: { createdAt: 'asc', id: 'asc' } });

  describe('webhook', () => {
    it('stores, matches and counts a signed SMS once, however often it is delivered', async () => {
      const payment = await newPayment('5.00');
      const body = sms(`pay ${payment.reference.toLowerCase()}`);
      const first = await deliver(body);
      expect(first).toMatchObject({ status: 200, body: { duplicate: false } });
      expect(first.body.id).toMatch(/^sms_/);

      const stored = await smsRow(first.body.id);
      expect(stored).toMatchObject({
        direction: SmsDirection.IN,
        provider: 'http:aggregator',
        providerMessageId: body.messageId,
        status: SmsStatus.COUNTED,
        paymentId: payment.id,
        product: 'payment',
        yieldUsdMinor: 133n,
        creditedMinor: 133n,
      });
      expect((await paymentRow(payment.id)).amountReceived).toBe(133n);

      for (let i = 0; i < 3; i++) {
        expect(await deliver(body)).toEqual({ status: 200, body: { id: first.body.id, duplicate: true } });
      }
      // Redelivered concurrently, too.
      const again = await Promise.all([deliver(body), deliver(body), deliver(body)]);
      expect(again.map((r) => r.body)).toEqual(Array(3).fill({ id: first.body.id, duplicate: true }));
      expect(await t.orm.em.fork().count(SmsMessage, { providerMessageId: body.messageId })).toBe(1);
      expect((await paymentRow(payment.id)).amountReceived).toBe(133n);
      expect(await transfersOf(payment.id)).toHaveLength(1);
    });

    it('refuses bad, stale and missing signatures with 401, storing nothing', async () => {
      const before = await countSms();
      const body = sms('anything');
      expect(await deliver(body, { secret: 'not-the-aggregator-secret' })).toMatchObject({
        status: 401,
        body: { error: { code: 'INVALID_SIGNATURE' } },
      });
      const stale = new Date(Date.now() - 301_000);
      expect((await deliver(body, { signedAt: stale })).status).toBe(401);
      const future = new Date(Date.now() + 301_000);
      expect((await deliver(body, { signedAt: future })).status).toBe(401);
      const unsigned = await fetch(`${t.url}/sms/inbound`, { method: 'POST', body: JSON.stringify(body) });
      expect(unsigned.status).toBe(401);
      // Signed over other bytes than those sent (the body re-serialised with different spacing).
      const raw = JSON.stringify(body);
      const tampered = await fetch(`${t.url}/sms/inbound`, {
        method: 'POST',
        headers: { [SIGNATURE_HEADER]: signPayload(t.app.config.smsWebhookSecret, raw) },
        body: JSON.stringify(body, null, 2),
      });
      expect(tampered.status).toBe(401);
      expect(await countSms()).toBe(before);
    });

    it('refuses malformed bodies with 400 and a JSON error, storing nothing', async () => {
      const before = await countSms();
      const cases: [Record<string, unknown> | string, string][] = [
        ['{not json', 'INVALID_JSON'],
        ['[1, 2]', 'INVALID_JSON'],
        [{ ...sms('x'), messageId: undefined }, 'INVALID_FIELD'],
        [{ ...sms('x'), text: 42 }, 'INVALID_FIELD'],
        [{ ...sms('x'), from: 'not a phone' }, 'INVALID_FIELD'],
        [{ ...sms('x'), to: 'SHORT' }, 'INVALID_FIELD'],
        [{ ...sms('x'), country: 'Bulgaria' }, 'INVALID_FIELD'],
        [{ ...sms('x'), receivedAt: 'yesterday' }, 'INVALID_FIELD'],
        [{ ...sms('x'), operator: 7 }, 'INVALID_FIELD'],
      ];
      for (const [body, code] of cases) {
        const result = await deliver(body);
        expect(result.status, JSON.stringify(body)).toBe(400);
        expect(result.body.error.code, JSON.stringify(body)).toBe(code);
        expect(typeof result.body.error.message).toBe('string');
      }
      expect(await countSms()).toBe(before);
    });

    it('keeps the provider time of an SMS', async () => {
      const receivedAt = '2026-01-02T03:04:05.000Z';
      const result = await deliver(sms('no reference here', { receivedAt }));
      expect((await smsRow(result.body.id)).receivedAt.toISOString()).toBe(receivedAt);
    });
  });

  describe('matching', () => {
    it.each([
      ['exactly', (ref: string) => ref],
      ['in lower case with spaces', (ref: string) => `${ref.slice(0, 4).toLowerCase()} ${ref.slice(4).toLowerCase()}`],
      ['after a keyword, with a dash', (ref: string) => `PAY ${ref.slice(0, 4)}-${ref.slice(4)}`],
      ['glued to a keyword', (ref: string) => `pay${ref}`],
      ['among other words', (ref: string) => `  code: ${ref} thanks!`],
    ])('finds the reference %s', async (_how, write) => {
      const payment = await newPayment('5.00');
      const result = await deliver(sms(write(payment.reference)));
      expect(await smsRow(result.body.id)).toMatchObject({ status: SmsStatus.COUNTED, paymentId: payment.id });
    });

    it('keeps an SMS that matches nothing, for admins only', async () => {
      const result = await deliver(sms('HELLO THERE'));
      const stored = await smsRow(result.body.id);
      expect(stored).toMatchObject({ status: SmsStatus.UNMATCHED, merchantId: null, paymentId: null });

      const QUERY = `query($unmatched: Boolean) {
        smsMessages(unmatched: $unmatched, first: 100) { edges { node { id status from text } } }
      }`;
      const forAdmin = await t.gql(QUERY, { unmatched: true }, admin);
      const node = forAdmin.data!.smsMessages.edges.find((e: any) => e.node.id === stored.id)?.node;
      expect(node).toEqual({ id: stored.id, status: 'UNMATCHED', from: BG_PHONE, text: 'HELLO THERE' });
      expect((await t.gql(QUERY, { unmatched: true }, owner)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const forOwner = await t.gql(QUERY, {}, owner);
      expect(forOwner.data!.smsMessages.edges.map((e: any) => e.node.id)).not.toContain(stored.id);
    });

    it('does not count SMS for a payment that no longer takes money: the payer keeps it as credit', async () => {
      const payment = await newPayment('1.33');
      const phone = '+359888777001'; // a phone of its own: its credit must not pay other tests' payments
      expect((await smsRow((await deliver(sms(payment.reference, { from: phone }))).body.id)).status).toBe(
        SmsStatus.COUNTED,
      );
      // Paid now: a further SMS is billed all the same, so its money becomes the payer's credit with the merchant.
      const late = await smsRow((await deliver(sms(payment.reference, { from: phone }))).body.id);
      expect(late.status).toBe(SmsStatus.CREDITED);
      expect((await paymentRow(payment.id)).amountReceived).toBe(133n);
      const credit = await t.orm.em.fork().findOneOrFail(PayerCredit, { sourceSmsId: late.id });
      expect(credit).toMatchObject({ status: 'AVAILABLE', phone, amountMinor: 133n, merchantId: t.demo.merchantId });
    });

    it('stores, flags and does not count an SMS to a short code without a tariff', async () => {
      const payment = await newPayment('5.00');
      const result = await deliver(sms(payment.reference, { to: '9999' }));
      expect(await smsRow(result.body.id)).toMatchObject({
        status: SmsStatus.FLAGGED,
        flagReason: 'NO_TARIFF',
        paymentId: payment.id,
        creditedMinor: null,
      });
      expect((await paymentRow(payment.id)).amountReceived).toBe(0n);
      expect(await transfersOf(payment.id)).toEqual([]);
    });

    it("values an SMS by its operator's tariff, and by the lowest yield when the operator is unknown", async () => {
      const cases: [string | undefined, bigint][] = [
        [undefined, 259n],
        ['AT&T', 299n],
        ['verizon', 259n],
        ['Unknown Mobile', 259n],
      ];
      for (const [operator, expected] of cases) {
        const payment = await newPayment('10.00');
        const result = await deliver(
          sms(payment.reference, { from: '+12025550123', to: '24002', country: 'US', operator }),
        );
        expect((await smsRow(result.body.id)).creditedMinor, operator).toBe(expected);
      }
    });

    it('lets a registered product recognise its texts, count the price and reply', async () => {
      const payment = await newPayment('2.00');
      const result = await deliver(sms(`gift ${payment.reference.toLowerCase()}`, { to: '1092' }));
      const stored = await smsRow(result.body.id);
      // The payer's price ($0.67) counts, not the yield; the ledger still books the yield as the merchant's.
      expect(stored).toMatchObject({ status: SmsStatus.COUNTED, product: 'gift', creditedMinor: 67n });
      expect(giftEvents.at(-1)).toMatchObject({ counted: true, paidNow: false });
      const replies = await t.orm.em.fork().find(SmsMessage, { inReplyToId: stored.id });
      expect(replies.map((r) => r.text)).toEqual([`Your gift code: G-${payment.reference}`]);
    });
  });

  describe('anti-fraud', () => {
    it('counts only SMS from the first counted phone and country; flags the others for merchant and admins', async () => {
      const payment = await newPayment('5.00');
      const first = await deliver(sms(payment.reference));
      const otherPhone = await deliver(sms(payment.reference, { from: '+359888999000' }));
      const otherCountry = await deliver(sms(payment.reference, { to: '1444', country: 'RO' }));
      expect((await smsRow(first.body.id)).status).toBe(SmsStatus.COUNTED);
      expect(await smsRow(otherPhone.body.id)).toMatchObject({
        status: SmsStatus.FLAGGED,
        flagReason: 'PHONE_MISMATCH',
        creditedMinor: null,
      });
      expect(await smsRow(otherCountry.body.id)).toMatchObject({
        status: SmsStatus.FLAGGED,
        flagReason: 'COUNTRY_MISMATCH',
      });
      const row = await paymentRow(payment.id);
      expect(row).toMatchObject({ amountReceived: 133n, payerPhone: BG_PHONE, payerCountry: 'BG' });
      expect(await transfersOf(payment.id)).toHaveLength(1);

      const PAYMENT_SMS = `query($id: ID!) {
        payment(id: $id) { sms { id status flagged flagReason from credited { amount } } }
      }`;
      const seen = await t.gql(PAYMENT_SMS, { id: payment.id }, owner);
      expect(seen.data!.payment.sms).toEqual([
        {
          id: first.body.id,
          status: 'COUNTED',
          flagged: false,
          flagReason: null,
          from: '+359******456',
          credited: { amount: '1.33' },
        },
        {
          id: otherPhone.body.id,
          status: 'FLAGGED',
          flagged: true,
          flagReason: 'PHONE_MISMATCH',
          from: '+359******000',
          credited: null,
        },
        {
          id: otherCountry.body.id,
          status: 'FLAGGED',
          flagged: true,
          flagReason: 'COUNTRY_MISMATCH',
          from: '+359******456',
          credited: null,
        },
      ]);
      const flagged = await t.gql(
        'query($id: ID) { smsMessages(paymentId: $id, flagged: true) { edges { node { id } } } }',
        { id: payment.id },
        admin,
      );
      expect(flagged.data!.smsMessages.edges.map((e: any) => e.node.id).sort()).toEqual(
        [otherPhone.body.id, otherCountry.body.id].sort(),
      );
    });

    it("uses the payment's own payer phone when it has one", async () => {
      const payment = await newPayment('5.00', { payerPhone: '+359 877 000 111' });
      const result = await deliver(sms(payment.reference));
      expect(await smsRow(result.body.id)).toMatchObject({ status: SmsStatus.FLAGGED, flagReason: 'PHONE_MISMATCH' });
      const right = await deliver(sms(payment.reference, { from: '+359877000111' }));
      expect((await smsRow(right.body.id)).status).toBe(SmsStatus.COUNTED);
    });
  });

  describe('ledger', () => {
    it('posts one balanced transfer per SMS and releases the pending yield once the payment is paid', async () => {
      const payment = await newPayment('2.66');
      const one = sms(payment.reference);
      const two = sms(payment.reference, { operator: 'A1' });
      const first = await deliver(one);
      await deliver(one);
      expect((await paymentRow(payment.id)).status).toBe('PARTIALLY_PAID');
      const second = await deliver(two);
      await Promise.all([deliver(one), deliver(two)]);
      // Processing again, directly and through the outbox backstop much later, changes nothing.
      await processSms(processDeps(), first.body.id);
      await drainOutbox(t.app.platform, {
        now: () => new Date(Date.now() + 3600_000),
        backoffBaseMs: 1,
        backoffCapMs: 1,
      });

      const paid = await paymentRow(payment.id);
      expect(paid).toMatchObject({ status: 'PAID', amountReceived: 266n });
      const transfers = await transfersOf(payment.id);
      expect(transfers.map((tr) => tr.idempotencyKey)).toEqual([
        `sms:${first.body.id}`,
        `sms:${second.body.id}`,
        `payment-paid:${payment.id}`,
      ]);
      const em = t.orm.em.fork();
      const entries = await em.find(LedgerEntry, { transferId: { $in: transfers.map((tr) => tr.id) } });
      const accounts = await em.find(LedgerAccount, { id: { $in: entries.map((e) => e.accountId) } });
      const purposeOf = new Map(accounts.map((a) => [a.id, a.purpose]));
      const byTransfer = (id: string) =>
        Object.fromEntries(
          entries.filter((e) => e.transferId === id).map((e) => [purposeOf.get(e.accountId), e.amount]),
        );
      expect(byTransfer(transfers[0].id)).toEqual({
        [LedgerAccountPurpose.WORLD]: -267n,
        [LedgerAccountPurpose.MERCHANT_PENDING]: 133n,
        [LedgerAccountPurpose.OPERATOR_SHARE]: 108n,
        [LedgerAccountPurpose.PLATFORM_FEES]: 26n,
      });
      expect(byTransfer(transfers[2].id)).toEqual({
        [LedgerAccountPurpose.MERCHANT_PENDING]: -266n,
        [LedgerAccountPurpose.MERCHANT_AVAILABLE]: 266n,
      });
      expect(transfers.every((tr) => tr.currency === 'USD' && tr.merchantId === t.demo.merchantId)).toBe(true);
      // The paid reply says so; one reply per processed SMS, none for the redeliveries.
      const replies = await em.find(SmsMessage, { paymentId: payment.id, direction: SmsDirection.OUT });
      expect(replies).toHaveLength(2);
      expect(replies.map((r) => r.text).join('\n')).toContain('is complete');
    });
  });

  describe('concurrency', () => {
    it('counts concurrent SMS of one payment each once, in any order', async () => {
      const payment = await newPayment('3.99');
      const results = await Promise.all([1, 2, 3].map(() => deliver(sms(payment.reference))));
      const rows = await Promise.all(results.map((r) => smsRow(r.body.id)));
      expect(rows.map((r) => r.status)).toEqual(['COUNTED', 'COUNTED', 'COUNTED']);
      expect(await paymentRow(payment.id)).toMatchObject({ status: 'PAID', amountReceived: 399n });
      expect((await transfersOf(payment.id)).map((tr) => tr.idempotencyKey).sort()).toEqual(
        [...rows.map((r) => `sms:${r.id}`), `payment-paid:${payment.id}`].sort(),
      );
    });

    it('processes a stored SMS once when several processors race for it', async () => {
      const payment = await newPayment('5.00');
      const em = t.orm.em.fork();
      const stored = Object.assign(new SmsMessage(), {
        direction: SmsDirection.IN,
        provider: 'http:aggregator',
        providerMessageId: messageId(),
        fromNumber: BG_PHONE,
        toNumber: '1096',
        text: payment.reference,
        country: 'BG',
        status: SmsStatus.RECEIVED,
      });
      await em.persist(stored).flush();
      const deps = processDeps();
      await Promise.all([1, 2, 3, 4].map(() => processSms(deps, stored.id)));
      expect((await smsRow(stored.id)).status).toBe(SmsStatus.COUNTED);
      expect((await paymentRow(payment.id)).amountReceived).toBe(133n);
      expect(await transfersOf(payment.id)).toHaveLength(1);
      expect(await t.orm.em.fork().count(SmsMessage, { inReplyToId: stored.id })).toBe(1);
    });
  });

  describe('replies', () => {
    it('sends replies to a signed HTTP send URL through the outbox, retrying failures, and records receipts', async () => {
      const received: { body: string; signature: string | undefined }[] = [];
      let answers = [500, 200];
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          received.push({ body, signature: req.headers['x-tollgate-signature'] as string | undefined });
          const status = answers.shift() ?? 200;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(status === 200 ? JSON.stringify({ messageId: `agg-out-${received.length}` }) : '{"error":"busy"}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const sendUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
      const app = await startTestApp({ SMS_SEND_URL: sendUrl, SMS_WEBHOOK_PROVIDER: 'http:acme' });
      try {
        const result = await deliver(sms('UNKNOWN CODE'), { app });
        const em = app.orm.em.fork();
        const [reply] = await em.find(SmsMessage, { inReplyToId: result.body.id });
        expect(reply).toMatchObject({
          direction: SmsDirection.OUT,
          provider: 'http:acme',
          fromNumber: '1096',
          toNumber: BG_PHONE,
          status: SmsStatus.QUEUED,
        });

        const deps = app.app.platform;
        expect((await drainOutbox(deps)).failed).toBe(1);
        expect(await app.orm.em.fork().findOneOrFail(SmsMessage, reply.id)).toMatchObject({
          status: SmsStatus.QUEUED,
          lastError: expect.stringContaining('HTTP 500'),
        });
        await drainOutbox(deps, { now: () => new Date(Date.now() + 3600_000) });
        const sent = await app.orm.em.fork().findOneOrFail(SmsMessage, reply.id);
        expect(sent).toMatchObject({ status: SmsStatus.SENT, providerMessageId: 'agg-out-2', lastError: null });

        expect(received).toHaveLength(2);
        for (const request of received) {
          expect(verifySignature(app.app.config.smsWebhookSecret, request.body, request.signature)).toBe(true);
          expect(JSON.parse(request.body)).toEqual({
            id: reply.id,
            provider: 'http:acme',
            from: '1096',
            to: BG_PHONE,
            text: reply.text,
          });
        }

        // Receipts: the final state sticks, repeats and late ones change nothing, unknown ids are reported.
        const receipt = { provider: 'http:acme', providerMessageId: 'agg-out-2' };
        expect(await markSmsDelivery(app.orm.em.fork(), { ...receipt, status: 'DELIVERED' })).toMatchObject({
          status: SmsStatus.DELIVERED,
        });
        expect(await markSmsDelivery(app.orm.em.fork(), { ...receipt, status: 'FAILED' })).toMatchObject({
          status: SmsStatus.DELIVERED,
        });
        expect(
          await markSmsDelivery(app.orm.em.fork(), {
            provider: 'http:acme',
            providerMessageId: 'nope',
            status: 'DELIVERED',
          }),
        ).toBeNull();
        // Nothing is sent twice.
        await drainOutbox(deps, { now: () => new Date(Date.now() + 7200_000) });
        expect(received).toHaveLength(2);
      } finally {
        await app.close();
        await new Promise((resolve) => server.close(resolve));
        answers = [];
      }
    });

    it('gives up on replies to HTTP SMS when no send URL is configured', async () => {
      const result = await deliver(sms('NOTHING TO MATCH'));
      const [reply] = await t.orm.em.fork().find(SmsMessage, { inReplyToId: result.body.id });
      await drainOutbox(t.app.platform);
      expect(await smsRow(reply.id)).toMatchObject({
        status: SmsStatus.FAILED,
        lastError: expect.stringContaining('SMS_SEND_URL'),
      });
    });
  });

  describe('simulator', () => {
    const SIMULATE = `mutation($input: SimulateInboundSmsInput!) {
      simulateInboundSms(input: $input) {
        sms { id direction status flagReason } duplicate userErrors { code field message }
      }
    }`;
    const OUTBOX = `query($phone: String!) {
      simulatorOutbox(phone: $phone, includeSent: true) { direction from to text status }
    }`;

    it('feeds the same pipeline without a login, and shows the replies in the phone view', async () => {
      const payment = await newPayment('5.00');
      const phone = '+359888700700';
      const input = { from: phone, to: '1096', text: payment.reference, country: 'BG', messageId: 'sim-test-1' };
      const result = await t.gql(SIMULATE, { input });
      expect(result.data!.simulateInboundSms).toMatchObject({
        sms: { direction: 'IN', status: 'COUNTED', flagReason: null },
        duplicate: false,
        userErrors: [],
      });
      const again = await t.gql(SIMULATE, { input });
      expect(again.data!.simulateInboundSms).toMatchObject({
        sms: { id: result.data!.simulateInboundSms.sms.id },
        duplicate: true,
      });
      expect((await smsRow(result.data!.simulateInboundSms.sms.id)).provider).toBe('simulator');

      await drainOutbox(t.app.platform);
      const view = await t.gql(OUTBOX, { phone: '+359 888 700 700' });
      expect(view.data!.simulatorOutbox).toEqual([
        { direction: 'IN', from: phone, to: '1096', text: payment.reference, status: 'COUNTED' },
        {
          direction: 'OUT',
          from: '1096',
          to: phone,
          text: `Tollgate: received 1.33 of 5.00 USD for ${payment.reference}. Send the next SMS to complete it.`,
          status: 'DELIVERED',
        },
      ]);
    });

    it('answers bad input with userErrors', async () => {
      const result = await t.gql(SIMULATE, { input: { from: 'me', to: '1096', text: 'x', country: 'BG' } });
      expect(result.data!.simulateInboundSms).toMatchObject({
        sms: null,
        userErrors: [{ code: 'INVALID', field: ['input', 'from'] }],
      });
    });

    it('is refused in production', async () => {
      const production = await startTestApp({
        NODE_ENV: 'production',
        SESSION_SECRET: 'a-production-session-secret-of-enough-length',
        SMS_WEBHOOK_SECRET: 'a-production-sms-webhook-secret',
      });
      try {
        const input = { from: BG_PHONE, to: '1096', text: 'x', country: 'BG' };
        const simulated = await production.gql(SIMULATE, { input }, await production.adminAuth());
        expect(simulated.errors?.[0]?.extensions?.code).toBe('NOT_AVAILABLE');
        const outbox = await production.gql(OUTBOX, { phone: BG_PHONE });
        expect(outbox.errors?.[0]?.extensions?.code).toBe('NOT_AVAILABLE');
        expect(await production.orm.em.fork().count(SmsMessage, {})).toBe(0);
      } finally {
        await production.close();
      }
    });
  });

  describe('IP allow-list', () => {
    it('accepts only listed source addresses', async () => {
      const app = await startTestApp({ SMS_WEBHOOK_ALLOWED_IPS: '10.9.8.7, 192.168.10.0/24' });
      try {
        const refused = await deliver(sms('x'), { app });
        expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
        // Behind a reverse proxy on loopback (trusted), the forwarded address counts.
        const listed = await deliver(sms('x'), { app, headers: { 'x-forwarded-for': '10.9.8.7' } });
        expect(listed.status).toBe(200);
        const inRange = await deliver(sms('x'), { app, headers: { 'x-forwarded-for': '192.168.10.77' } });
        expect(inRange.status).toBe(200);
        const outside = await deliver(sms('x'), { app, headers: { 'x-forwarded-for': '192.168.11.1' } });
        expect(outside.status).toBe(403);
        expect(await app.orm.em.fork().count(SmsMessage, { direction: SmsDirection.IN })).toBe(2);
      } finally {
        await app.close();
      }
      const local = await startTestApp({ SMS_WEBHOOK_ALLOWED_IPS: '127.0.0.1,::1' });
      try {
        expect((await deliver(sms('x'), { app: local })).status).toBe(200);
      } finally {
        await local.close();
      }
    });
  });

  describe('live', () => {
    let client: Client;
    let otherClient: Client;
    let adminClient: Client;
    let otherMerchantKey: string;
    let otherMerchantId: string;
    const connect = (apiKey?: string, cookie?: string) =>
      createClient({
        url: t.url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: cookie
          ? class extends WebSocket {
              constructor(address: string, protocols?: string | string[]) {
                super(address, protocols, { headers: { cookie } });
              }
            }
          : WebSocket,
        retryAttempts: 0,
        connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      });
    beforeAll(async () => {
      const created = await t.gql(
        `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { merchant { id } userErrors { message } } }`,
        {
          input: {
            name: 'Other',
            ownerEmail: 'owner@other.test',
            ownerName: 'Other',
            ownerPassword: 'other-owner-password',
          },
        },
        admin,
      );
      otherMerchantId = created.data!.createMerchant.merchant.id;
      const session = await t.login('owner@other.test', 'other-owner-password');
      const key = await t.gql(
        'mutation { createApiKey(input: { name: "k", scopes: ["read", "write"] }) { secret } }',
        {},
        session,
      );
      otherMerchantKey = key.data!.createApiKey.secret;
      client = connect(partner.apiKey);
      otherClient = connect(otherMerchantKey);
      adminClient = connect(undefined, admin.cookie);
    });
    afterAll(async () => {
      await Promise.all([client?.dispose(), otherClient?.dispose(), adminClient?.dispose()]);
    });

    const PAYMENT_SMS = `subscription($token: String!) {
      paymentSms(token: $token) { status amountReceived { amount } sms { state shortCode } }
    }`;

    it('shows a payer page each expected SMS turning received, live, by the page token only', async () => {
      const payment = await newPayment('2.66', { description: 'Two-SMS top-up' });
      type View = { status: string; amountReceived: { amount: string }; sms: { state: string; shortCode: string }[] };
      const events = client.iterate<{ paymentSms: View }>({ query: PAYMENT_SMS, variables: { token: payment.token } });
      const next = async (): Promise<View> => (await events.next()).value.data.paymentSms;
      expect(await next()).toEqual({
        status: 'OPEN',
        amountReceived: { amount: '0.00' },
        sms: [
          { state: 'EXPECTED', shortCode: '1096' },
          { state: 'EXPECTED', shortCode: '1096' },
        ],
      });
      await deliver(sms(payment.reference));
      expect(await next()).toEqual({
        status: 'PARTIALLY_PAID',
        amountReceived: { amount: '1.33' },
        sms: [
          { state: 'RECEIVED', shortCode: '1096' },
          { state: 'EXPECTED', shortCode: '1096' },
        ],
      });
      await deliver(sms(payment.reference, { from: '+359888000999' })); // flagged: shown, not counted
      expect((await next()).sms.map((line) => line.state)).toEqual(['RECEIVED', 'EXPECTED', 'NOT_COUNTED']);
      await deliver(sms(payment.reference));
      expect(await next()).toMatchObject({ status: 'PAID', sms: [{ state: 'RECEIVED' }, { state: 'RECEIVED' }, {}] });
      await events.return?.();

      // A page that reconnects starts from the current state.
      const again = client.iterate<{ paymentSms: View }>({ query: PAYMENT_SMS, variables: { token: payment.token } });
      expect((await again.next()).value.data.paymentSms.status).toBe('PAID');
      await again.return?.();

      const unknown = client.iterate({ query: PAYMENT_SMS, variables: { token: 'A'.repeat(27) } });
      const refused = await unknown.next().catch((error: unknown) => ({ value: { errors: error } }));
      expect(JSON.stringify(refused.value)).toContain('no such payment');
    });

    it('gives the payer page the same lines over HTTP', async () => {
      const payment = await newPayment('5.00');
      await deliver(sms(payment.reference));
      const view = await t.gql(
        'query($token: String!) { paymentByToken(token: $token) { sms { state shortCode text country } } }',
        { token: payment.token },
      );
      expect(view.data!.paymentByToken.sms).toEqual([
        { state: 'RECEIVED', shortCode: '1096', text: payment.reference, country: 'BG' },
        { state: 'EXPECTED', shortCode: null, text: payment.reference, country: null },
      ]);
    });

    it('feeds each merchant its own SMS only, admins everything, after the recent ones', async () => {
      const FEED = `subscription($last: Int) { smsReceived(last: $last) { id status from merchantId } }`;
      type Feed = { smsReceived: { id: string; status: string; from: string; merchantId: string | null } };
      const mine = client.iterate<Feed>({ query: FEED, variables: { last: 0 } });
      const theirs = otherClient.iterate<Feed>({ query: FEED, variables: { last: 0 } });
      const everything = adminClient.iterate<Feed>({ query: FEED, variables: { last: 0 } });
      // Subscriptions are set up asynchronously; give them a moment before the first SMS.
      await new Promise((resolve) => setTimeout(resolve, 300));

      const payment = await newPayment('5.00');
      const ours = await deliver(sms(payment.reference));
      const unmatched = await deliver(sms('NOBODY'));
      const otherPayment = await t.gql(
        `mutation { createPayment(input: { amount: "5.00", currency: "USD", description: "x" }) { payment { reference } } }`,
        {},
        { apiKey: otherMerchantKey },
      );
      const other = await deliver(sms(otherPayment.data!.createPayment.payment.reference, { from: '+359888111222' }));

      expect((await mine.next()).value.data.smsReceived).toEqual({
        id: ours.body.id,
        status: 'COUNTED',
        from: '+359******456',
        merchantId: t.demo.merchantId,
      });
      // The other merchant's first event is its own SMS: nothing of ours (nor the unmatched one) reached it.
      expect((await theirs.next()).value.data.smsReceived).toMatchObject({
        id: other.body.id,
        merchantId: otherMerchantId,
      });
      const adminSaw = [];
      for (let i = 0; i < 3; i++) adminSaw.push((await everything.next()).value.data.smsReceived);
      expect(adminSaw.map((s) => s.id)).toEqual([ours.body.id, unmatched.body.id, other.body.id]);
      expect(adminSaw[0]!.from).toBe(BG_PHONE);
      await Promise.all([mine.return?.(), theirs.return?.(), everything.return?.()]);

      // Reconnecting gets the recent ones first, oldest first, still only its own.
      const recent = otherClient.iterate<Feed>({ query: FEED, variables: { last: 5 } });
      expect((await recent.next()).value.data.smsReceived.id).toBe(other.body.id);
      await recent.return?.();
    });

    it('refuses the feed without a login', async () => {
      const anonymous = connect();
      try {
        const events = anonymous.iterate({ query: 'subscription { smsReceived { id } }' });
        const result = await events.next().catch((error: unknown) => ({ value: { errors: error } }));
        expect(JSON.stringify(result.value)).toContain('UNAUTHENTICATED');
      } finally {
        await anonymous.dispose();
      }
    });
  });
});
