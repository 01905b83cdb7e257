import { createHash } from 'node:crypto';
import { smsProductsOf } from '../sms/sms.products';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { AuditEvent } from '../audit/audit-event.entity';
import { LedgerAccount, LedgerAccountPurpose, LedgerTransfer } from '../ledger/ledger.entity';
import { drainOutbox } from '../outbox/outbox.service';
import { Payment } from '../payment/payment.entity';
import { processSms } from '../sms/sms.pipeline';
import { WebhookEvent } from '../webhook/webhook-event.entity';
import { sendTestCallback } from './purse.callback';
import { Purse, PurseOperation, PursePayment } from './purse.entity';
import { updatePurse } from './purse.service';

/*
 * The sms:bank protocol end to end, through real HTTP: the merchant's form in, the 303 to the payer's page out, the
 * Result URL callback out (to a real node:http server playing the merchant), the Success/Fail return form out.
 * Every MD5 signature is computed here, by hand, from the seed's formulas, never by the code under test.
 *
 * Tariffs used (the seeded demo catalogue): BG 1096 costs $2.67 and yields 133 cents on every operator but Yettel
 * ($2.72, yields 136); BG 1092 costs $0.67 and yields 33; TR's dearest SMS costs $2.32; DE 77077 yields 271 but 227
 * on O2; KZ 4040 yields 281 but exactly 250 on Kcell; RU 8155 costs $10.00 ($10.33 on Tele2).
 */

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const BG_PHONE = '+359888123456';

interface Received {
  path: string;
  contentType: string;
  raw: string;
  pairs: [string, string][];
}

/** The merchant's site: records every request and answers a path with its next queued status (200 when none is). */
function merchantServer() {
  const received: Received[] = [];
  const statuses: Record<string, number[]> = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const pairs = [...new URLSearchParams(raw)] as [string, string][];
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', raw, pairs });
      const status = statuses[req.url ?? '']?.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'OK' : 'try later');
    });
  });
  return {
    received,
    statuses,
    url: '',
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('purses (sms:bank)', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  const merchant = merchantServer();
  let purse: { id: string; number: number; secret: string };

  const CREATE = `mutation($input: CreatePurseInput!) {
    createPurse(input: $input) { purse { id number formUrl countries language } secret userErrors { code field message } }
  }`;

  async function newPurse(extra: Record<string, unknown> = {}) {
    const result = await t.gql(
      CREATE,
      {
        input: {
          name: 'Game balance',
          successUrl: `${merchant.url}/success`,
          failUrl: `${merchant.url}/fail`,
          resultUrl: `${merchant.url}/result`,
          ...extra,
        },
      },
      owner,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.createPurse.userErrors).toEqual([]);
    const created = result.data!.createPurse;
    return { id: created.purse.id as string, number: created.purse.number as number, secret: created.secret as string };
  }

  beforeAll(async () => {
    await merchant.start();
    t = await startTestApp();
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    purse = await newPurse();
    // Modern webhooks beside the legacy callback.
    const endpoint = await t.gql(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { userErrors { message } } }`,
      {
        input: { url: `${merchant.url}/events`, eventTypes: ['purse.payment.received', 'purse.payment.paid'] },
      },
      owner,
    );
    expect(endpoint.data!.createWebhookEndpoint.userErrors).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
    await merchant.stop();
  });
  beforeEach(() => {
    merchant.received.length = 0;
    for (const path of Object.keys(merchant.statuses)) delete merchant.statuses[path];
  });

  /** The fields of B1 in order, signed by hand, then the extras. */
  function form(
    values: { purse?: string; order?: string; amount: string; clear?: string; description?: string },
    extras: [string, string][] = [],
    secret = purse.secret,
  ): [string, string][] {
    const p = values.purse ?? String(purse.number);
    const o = values.order ?? '1001';
    const c = values.clear ?? '0';
    const d = values.description ?? 'Balance top-up';
    return [
      ['s_purse', p],
      ['s_order_id', o],
      ['s_amount', values.amount],
      ['s_clear_amount', c],
      ['s_description', d],
      ['s_sign', md5(`${p}::${o}::${values.amount}::${c}::${d}::${secret}`)],
      ...extras,
    ];
  }

  async function post(pairs: [string, string][], path = '/bank/') {
    const response = await fetch(`${t.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      // URLSearchParams: application/x-www-form-urlencoded, UTF-8, as a browser sends a form.
      body: new URLSearchParams(pairs),
    });
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  /** Posts a valid form and returns the payment it opened. */
  async function open(pairs: [string, string][], path = '/bank/') {
    const response = await post(pairs, path);
    expect(response.status, response.text).toBe(303);
    const location = new URL(response.location!);
    const token = location.pathname.split('/bank/pay/')[1];
    const em = t.orm.em.fork();
    const payment = await em.findOneOrFail(Payment, { pageToken: token });
    return { token, location, payment, pursePayment: await em.findOneOrFail(PursePayment, { paymentId: payment.id }) };
  }

  const PAGE = `query($token: String!) {
    pursePaymentPage(token: $token) {
      status reference amountIsNet canConfirm canCancel country language description
      amount { amount currency } highestAmount { amount }
      countries { code shortCode text price { amount currency } priceUsd { amount } }
      instruction { code shortCode text }
      sms { state shortCode text }
    }
  }`;
  const page = async (token: string) => (await t.gql(PAGE, { token })).data!.pursePaymentPage;

  let smsCounter = 0;
  async function sendSms(text: string, extra: Record<string, unknown> = {}) {
    const result = await t.gql(
      `mutation($input: SimulateInboundSmsInput!) {
        simulateInboundSms(input: $input) { sms { id status flagReason } duplicate userErrors { message } }
      }`,
      { input: { from: BG_PHONE, to: '1096', text, country: 'BG', messageId: `purse-${++smsCounter}`, ...extra } },
    );
    expect(result.data!.simulateInboundSms.userErrors).toEqual([]);
    return result.data!.simulateInboundSms as { sms: { id: string; status: string; flagReason: string | null } };
  }

  const deps = () => t.app.platform;
  const later = (hours: number) => ({ now: () => new Date(Date.now() + hours * 3600_000) });
  const transferKeys = async (paymentId: string) =>
    (await t.orm.em.fork().find(LedgerTransfer, { paymentId }, { orderBy: { createdAt: 'asc', id: 'asc' } })).map(
      (transfer) => transfer.idempotencyKey,
    );
  const available = async () =>
    (
      await t.orm.em.fork().findOne(LedgerAccount, {
        merchantId: t.demo.merchantId,
        currency: 'USD',
        purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE,
      })
    )?.balance ?? 0n;
  const callbacks = () => merchant.received.filter((request) => request.path === '/result');

  /** The hidden inputs of the server's auto-submitting return form, in order, and its action. */
  async function returnForm(url: string) {
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();
    const decode = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    const action = /<form[^>]* action="([^"]*)"/.exec(html)?.[1];
    const inputs = [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(
      ([, name, value]): [string, string] => [decode(name), decode(value)],
    );
    return { status: response.status, html, action: action && decode(action), inputs, headers: response.headers };
  }

  describe('the form (B1, B2, B7)', () => {
    it('opens a payment from a signed form and sends the browser (303) to its page; keeps every string as sent', async () => {
      const description = 'Пополнение баланса №42 — «тест» ☕';
      const extras: [string, string][] = [
        ['user', 'иван'],
        ['plan', 'gold plus'],
      ];
      const opened = await open(form({ amount: '2', order: '42', description }, extras));
      // The purse's default language (RU) when the URL names none; the page token addresses the page.
      expect(opened.location.pathname).toBe(`/bank/pay/${opened.payment.pageToken}`);
      expect(opened.location.searchParams.get('lang')).toBe('ru');
      expect(opened.location.pathname).not.toContain(opened.payment.reference);
      expect(opened.payment).toMatchObject({ kind: 'PURSE', status: 'OPEN', amount: 200n, currency: 'USD' });
      expect(opened.payment.externalId).toBe('42');
      expect(opened.pursePayment).toMatchObject({
        purseField: String(purse.number),
        orderId: '42',
        amountField: '2',
        clearAmount: '0',
        description,
        extraFields: [
          { name: 'user', value: 'иван' },
          { name: 'plan', value: 'gold plus' },
        ],
        language: 'RU',
      });

      for (const path of ['/language/english/bank/', '/language/EN/bank', '/language/eng/bank/']) {
        expect((await open(form({ amount: '2' }), path)).location.searchParams.get('lang')).toBe('en');
      }
      expect((await open(form({ amount: '2' }), '/language/russian/bank/')).location.searchParams.get('lang')).toBe(
        'ru',
      );
    });

    it('refuses a wrong signature, unknown purse, bad amount, long description or extras with a clear page, creating nothing', async () => {
      const before = await t.orm.em.fork().count(Payment, {});
      const refused = async (pairs: [string, string][], status: number, problem: string, path = '/bank/') => {
        const response = await post(pairs, path);
        expect(response.status, response.text).toBe(status);
        expect(response.text).toContain(`data-problem="${problem}"`);
        return response.text;
      };

      const wrong = form({ amount: '2' }, [], 'not-the-secret');
      expect(await refused(wrong, 400, 'BAD_SIGNATURE')).toContain('подпись s_sign неверна');
      expect(await refused(wrong, 400, 'BAD_SIGNATURE', '/language/english/bank/')).toContain(
        'the signature s_sign is wrong',
      );
      // A field changed after signing (here the amount) breaks the signature too.
      const tampered = form({ amount: '2' }).map(([n, v]): [string, string] => [n, n === 's_amount' ? '20' : v]);
      await refused(tampered, 400, 'BAD_SIGNATURE');
      await refused(form({ amount: '2', purse: '999999' }), 404, 'UNKNOWN_PURSE');
      await refused(form({ amount: '2', purse: 'abc' }), 404, 'UNKNOWN_PURSE');
      for (const amount of ['0', '0.00', '-1', 'abc', '2.505', '1e3', '', ' 2']) {
        await refused(form({ amount }), 400, 'BAD_AMOUNT');
      }
      await refused(form({ amount: '2', clear: '2' }), 400, 'BAD_CLEAR_AMOUNT');
      await refused(form({ amount: '2', order: 'A-17' }), 400, 'BAD_ORDER_ID');
      // 128 characters (Cyrillic: 256 bytes) is one too many; 127 is fine.
      expect(await refused(form({ amount: '2', description: 'д'.repeat(128) }), 400, 'DESCRIPTION_TOO_LONG')).toContain(
        '127',
      );
      // Extras: "a=" + 152 chars = 154, plus "b=" = 2 more: 156 > 155.
      await refused(
        form({ amount: '2' }, [
          ['a', 'я'.repeat(152)],
          ['b', ''],
        ]),
        400,
        'EXTRAS_TOO_LONG',
      );
      await refused(form({ amount: '2' }, [['s_custom', 'x']]), 400, 'RESERVED');
      await refused(
        form({ amount: '2' }).filter(([name]) => name !== 's_sign'),
        400,
        'MISSING',
      );
      expect(await t.orm.em.fork().count(Payment, {})).toBe(before);

      // The limits themselves are accepted.
      await open(form({ amount: '2', description: 'д'.repeat(127) }, [['a', 'я'.repeat(153)]]));
      expect(await t.orm.em.fork().count(Payment, {})).toBe(before + 1);
    });

    it('reads raw bytes that are not UTF-8 as an error, not as a wrong signature', async () => {
      const pairs = form({ amount: '2' });
      const body = new URLSearchParams(pairs).toString() + '&note=%E9t%E9'; // latin-1 "été"
      const response = await fetch(`${t.url}/bank/`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('data-problem="NOT_UTF8"');
    });

    it('explains itself to whoever opens /bank/ in a browser', async () => {
      const response = await fetch(`${t.url}/language/english/bank/`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('action attribute');
    });
  });

  describe('countries (B4)', () => {
    const codes = async (amount: string, clear: string) =>
      ((await page((await open(form({ amount, clear }))).token)).countries as { code: string }[]).map((c) => c.code);

    it('offers the countries where one SMS is sure to reach the amount: its price (s_clear_amount=0)', async () => {
      const at250 = await codes('2.50', '0');
      expect(at250).toEqual(expect.arrayContaining(['BG', 'DE', 'PL', 'RU', 'US']));
      expect(at250).not.toContain('TR'); // its dearest SMS costs $2.32
      expect(at250).not.toContain('IN');
      // BG 1096 costs $2.72 on one operator but $2.67 on the others: not sure to reach $2.70.
      expect(await codes('2.70', '0')).not.toContain('BG');
    });

    it('or the merchant’s yield (s_clear_amount=1)', async () => {
      const net = await codes('2.50', '1');
      expect(net).toEqual(expect.arrayContaining(['GB', 'KZ', 'PL', 'RU', 'US']));
      expect(net).not.toContain('DE'); // 77077 yields 227 on O2
      expect(net).not.toContain('BG');
    });

    it('says so when no country can take the amount, with the most one SMS can pay', async () => {
      const view = await page((await open(form({ amount: '50' }))).token);
      expect(view.countries).toEqual([]);
      expect(view.highestAmount).toEqual({ amount: '10.00' });
    });

    it('serves only the purse’s countries', async () => {
      const bgOnly = await newPurse({ countries: ['bg'] });
      const opened = await open(form({ amount: '2', purse: String(bgOnly.number) }, [], bgOnly.secret));
      const view = await page(opened.token);
      expect(view.countries).toEqual([
        {
          code: 'BG',
          shortCode: '1096',
          text: opened.payment.reference,
          price: { amount: '4.90', currency: 'BGN' },
          priceUsd: { amount: '2.72' },
        },
      ]);
      const choose = await t.gql(
        `mutation($input: SelectPursePaymentCountryInput!) { selectPursePaymentCountry(input: $input) { userErrors { code } } }`,
        { input: { token: opened.token, country: 'DE' } },
      );
      expect(choose.data!.selectPursePaymentCountry.userErrors).toEqual([{ code: 'INVALID' }]);
    });
  });

  describe('paying', () => {
    const SELECT = `mutation($input: SelectPursePaymentCountryInput!) {
      selectPursePaymentCountry(input: $input) { page { country instruction { code shortCode text } sms { state shortCode text } } userErrors { code message } }
    }`;
    const CONFIRM = `mutation($input: PursePaymentTokenInput!) { confirmPursePayment(input: $input) { returnUrl userErrors { code message } } }`;
    const CANCEL = `mutation($input: PursePaymentTokenInput!) { cancelPursePayment(input: $input) { returnUrl userErrors { code message } } }`;
    const extras: [string, string][] = [
      ['user', 'иван петров'],
      ['ref', 'a&b=c'],
    ];
    let opened: Awaited<ReturnType<typeof open>>;
    let firstSmsId: string;
    let firstInv: number;

    it('is one SMS; the Result URL gets B6’s fields and s_sign_v2, retried until it answers 2xx; booked once', async () => {
      opened = await open(form({ amount: '2', order: '77', description: 'Кристаллы ×100' }, extras));
      const { token, payment } = opened;

      const chosen = (await t.gql(SELECT, { input: { token, country: 'bg' } })).data!.selectPursePaymentCountry;
      expect(chosen.userErrors).toEqual([]);
      expect(chosen.page).toMatchObject({
        country: 'BG',
        instruction: { code: 'BG', shortCode: '1096', text: payment.reference },
        sms: [{ state: 'EXPECTED', shortCode: '1096', text: payment.reference }],
      });
      const early = (await t.gql(CONFIRM, { input: { token } })).data!.confirmPursePayment;
      expect(early).toMatchObject({ returnUrl: null, userErrors: [{ code: 'INVALID_TRANSITION' }] });
      expect((await returnForm(`${t.url}/bank/return/${token}?status=success`)).status).toBe(409);

      const availableBefore = await available();
      const { sms } = await sendSms(`pay ${payment.reference.toLowerCase()}`);
      firstSmsId = sms.id;
      expect(sms.status).toBe('COUNTED');
      const paid = await page(token);
      expect(paid).toMatchObject({ status: 'PAID', canConfirm: true, canCancel: false });
      expect(paid.sms).toEqual([
        { state: 'RECEIVED', shortCode: '1096', text: `pay ${payment.reference.toLowerCase()}` },
      ]);

      const operations = await t.orm.em.fork().find(PurseOperation, { paymentId: payment.id });
      expect(operations).toHaveLength(1);
      firstInv = operations[0].number;

      // The merchant is down for the first attempt.
      merchant.statuses['/result'] = [500];
      expect(await drainOutbox(deps())).toMatchObject({ failed: 1 });
      expect(callbacks()).toHaveLength(1);
      await drainOutbox(deps(), later(1));
      await drainOutbox(deps(), later(2)); // nothing left: a delivered callback is never sent again
      expect(callbacks()).toHaveLength(2);

      for (const callback of callbacks()) {
        expect(callback.contentType).toMatch(/^application\/x-www-form-urlencoded/);
        const fields = {
          s_purse: String(purse.number),
          s_order_id: '77',
          s_amount: '2',
          s_clear_amount: '0',
          s_inv: String(firstInv),
          s_phone: '359888123456',
        };
        const sign = md5([purse.secret, fields.s_purse, '77', '2', '0', fields.s_inv, fields.s_phone].join('::'));
        expect(callback.pairs).toEqual([...Object.entries(fields), ['s_sign_v2', sign], ...extras]);
      }

      const view = await t.gql(
        `query($purseId: ID!) { pursePayments(purseId: $purseId, status: PAID) { edges { node {
          reference status amountAsSent country
          operations { number phone credited { amount } callback { status attemptCount attempts { outcome httpStatus } } }
        } } } }`,
        { purseId: purse.id },
        owner,
      );
      const node = view.data!.pursePayments.edges.find((edge: any) => edge.node.reference === payment.reference).node;
      expect(node).toMatchObject({ status: 'PAID', amountAsSent: '2', country: 'BG' });
      expect(node.operations).toEqual([
        {
          number: firstInv,
          phone: '+359******456',
          credited: { amount: '2.67' },
          callback: {
            status: 'DELIVERED',
            attemptCount: 2,
            attempts: [
              { outcome: 'FAILED', httpStatus: 500 },
              { outcome: 'SUCCEEDED', httpStatus: 200 },
            ],
          },
        },
      ]);

      // Booked by the rails once (the SMS, then its release), whatever was retried; the merchant gets the yield.
      expect(await transferKeys(payment.id)).toEqual([`sms:${firstSmsId}`, `payment-paid:${payment.id}`]);
      expect((await available()) - availableBefore).toBe(133n);

      const events = await t.orm.em.fork().find(WebhookEvent, { merchantId: t.demo.merchantId });
      const ours = events
        .filter((event) => event.data.paymentId === payment.id || event.data.id === payment.id)
        .map((event) => event.type);
      // The purse's own events as before, and the catalogue's events of every payment.
      expect(ours.sort()).toEqual([
        'payment.created',
        'payment.paid',
        'purse.payment.paid',
        'purse.payment.received',
        'sms.received',
      ]);
      expect(merchant.received.filter((request) => request.path === '/events')).toHaveLength(2);
    });

    it('confirm takes the payer to the Success URL with B5’s fields, s_sign and the extra fields', async () => {
      const { token } = opened;
      const confirmed = (await t.gql(CONFIRM, { input: { token } })).data!.confirmPursePayment;
      expect(confirmed.userErrors).toEqual([]);
      const url = new URL(confirmed.returnUrl);
      expect(url.pathname).toBe(`/bank/return/${token}`);
      const back = await returnForm(`${t.url}${url.pathname}${url.search}`);
      expect(back.status).toBe(200);
      expect(back.headers.get('referrer-policy')).toBe('no-referrer');
      expect(back.html).toContain('accept-charset="UTF-8"');
      expect(back.html).toMatch(/<script nonce="[^"]+">document\.getElementById\('return'\)\.submit\(\);<\/script>/);
      expect(back.action).toBe(`${merchant.url}/success`);
      const sign = md5([purse.secret, String(purse.number), '77', '2', '0', '1'].join('::'));
      expect(back.inputs).toEqual([
        ['s_purse', String(purse.number)],
        ['s_order_id', '77'],
        ['s_amount', '2'],
        ['s_clear_amount', '0'],
        ['s_status', '1'],
        ['s_sign', sign],
        ...extras,
      ]);
      // Not to the Fail URL: the payment is paid.
      expect((await returnForm(`${t.url}/bank/return/${token}?status=fail`)).status).toBe(409);
    });

    it('takes a further SMS with the same text as a top-up (B8): its own s_inv and callback, booked once', async () => {
      const { payment } = opened;
      const availableBefore = await available();
      const again = await sendSms(payment.reference);
      expect(again.sms).toMatchObject({ status: 'COUNTED', flagReason: null });
      const operations = await t.orm.em
        .fork()
        .find(PurseOperation, { paymentId: payment.id }, { orderBy: { number: 'asc' } });
      expect(operations.map((operation) => operation.number)).toEqual([firstInv, firstInv + 1]);
      expect((await t.orm.em.fork().findOneOrFail(Payment, payment.id)).amountReceived).toBe(534n);

      // Processing the same SMS again, and the provider delivering it again, change nothing.
      await processSms(
        { em: t.orm.em, pubsub: null, config: t.app.config, products: smsProductsOf(t.app.platform.extensions) },
        again.sms.id,
      );
      const redelivered = await sendSms(payment.reference, { messageId: `purse-${smsCounter}` });
      expect(redelivered).toMatchObject({ duplicate: true, sms: { id: again.sms.id } });

      // A top-up to a cheaper short code does not reach the amount: kept, not counted, no callback, no money.
      const cheap = await sendSms(payment.reference, { to: '1092' });
      expect(cheap.sms).toMatchObject({ status: 'FLAGGED', flagReason: 'PAYMENT_CLOSED' });

      await drainOutbox(deps());
      expect(callbacks().map((callback) => Object.fromEntries(callback.pairs).s_inv)).toEqual([String(firstInv + 1)]);
      const topUp = callbacks()[0].pairs;
      expect(Object.fromEntries(topUp).s_sign_v2).toBe(
        md5([purse.secret, String(purse.number), '77', '2', '0', String(firstInv + 1), '359888123456'].join('::')),
      );

      expect(await transferKeys(payment.id)).toEqual([
        `sms:${firstSmsId}`,
        `payment-paid:${payment.id}`,
        `sms:${again.sms.id}`,
        `top-up:${again.sms.id}`,
      ]);
      expect((await available()) - availableBefore).toBe(133n);
      expect(await t.orm.em.fork().count(PurseOperation, { paymentId: payment.id })).toBe(2);
    });

    it('cancel takes the payer to the Fail URL with s_status=0; an SMS after cancel still counts and calls back', async () => {
      const { token, payment } = await open(form({ amount: '2.5', order: '78' }, [['user', 'анна']]));
      const cancelled = (await t.gql(CANCEL, { input: { token } })).data!.cancelPursePayment;
      expect(cancelled.userErrors).toEqual([]);
      // Again (a double click): still the way back, nothing more changes.
      expect((await t.gql(CANCEL, { input: { token } })).data!.cancelPursePayment.userErrors).toEqual([]);
      const url = new URL(cancelled.returnUrl);
      const back = await returnForm(`${t.url}${url.pathname}${url.search}`);
      expect(back.action).toBe(`${merchant.url}/fail`);
      expect(back.inputs).toEqual([
        ['s_purse', String(purse.number)],
        ['s_order_id', '78'],
        ['s_amount', '2.5'],
        ['s_clear_amount', '0'],
        ['s_status', '0'],
        ['s_sign', md5([purse.secret, String(purse.number), '78', '2.5', '0', '0'].join('::'))],
        ['user', 'анна'],
      ]);
      expect((await returnForm(`${t.url}/bank/return/${token}?status=success`)).status).toBe(409);
      expect((await t.gql(CONFIRM, { input: { token } })).data!.confirmPursePayment.userErrors).toHaveLength(1);

      // The payer sent the SMS anyway and the operator charged them: it counts, the merchant gets the money and the
      // Result URL its per-SMS call (B6), as for a top-up; the payment stays cancelled.
      const callbacksBefore = callbacks().length;
      const late = await sendSms(payment.reference);
      expect(late.sms).toMatchObject({ status: 'COUNTED', flagReason: null });
      const [operation] = await t.orm.em.fork().find(PurseOperation, { paymentId: payment.id });
      expect(operation).toBeDefined();
      expect(await transferKeys(payment.id)).toEqual([`sms:${late.sms.id}`, `top-up:${late.sms.id}`]);
      expect(await t.orm.em.fork().findOneOrFail(Payment, payment.id)).toMatchObject({
        status: 'CANCELLED',
        amountReceived: 267n,
      });
      await drainOutbox(deps());
      const called = callbacks().slice(callbacksBefore);
      expect(called.map((callback) => Object.fromEntries(callback.pairs).s_inv)).toEqual([String(operation.number)]);
      const audit = await t.orm.em.fork().find(AuditEvent, { targetId: payment.id });
      expect(audit.map((row) => row.action)).toEqual(['purse.payment.cancel']);
    });

    it('counts the merchant’s yield when s_clear_amount=1', async () => {
      // $1.30 net: BG 1096 yields at least 133.
      const { token, payment } = await open(form({ amount: '1.30', clear: '1', order: '79' }));
      expect((await page(token)).amountIsNet).toBe(true);
      await sendSms(payment.reference);
      const row = await t.orm.em.fork().findOneOrFail(Payment, payment.id);
      expect(row).toMatchObject({ status: 'PAID', amountReceived: 133n });
      await drainOutbox(deps());
      const callback = callbacks().find((request) => Object.fromEntries(request.pairs).s_order_id === '79')!;
      const inv = Object.fromEntries(callback.pairs).s_inv;
      expect(callback.pairs.slice(0, 7)).toEqual([
        ['s_purse', String(purse.number)],
        ['s_order_id', '79'],
        ['s_amount', '1.30'],
        ['s_clear_amount', '1'],
        ['s_inv', inv],
        ['s_phone', '359888123456'],
        ['s_sign_v2', md5([purse.secret, String(purse.number), '79', '1.30', '1', inv, '359888123456'].join('::'))],
      ]);
    });

    it('streams a purse’s payments to a subscribed dashboard', async () => {
      const key = await t.gql(
        'mutation { createApiKey(input: { name: "purse-live", scopes: ["read"] }) { secret } }',
        {},
        owner,
      );
      const client: Client = createClient({
        url: t.url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${key.data!.createApiKey.secret}` },
      });
      try {
        const events = client.iterate<{ pursePaymentChanged: { reference: string; status: string } }>({
          query: `subscription($purseId: ID!) { pursePaymentChanged(purseId: $purseId) { reference status } }`,
          variables: { purseId: purse.id },
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const { payment } = await open(form({ amount: '2', order: '80' }));
        expect((await events.next()).value.data.pursePaymentChanged).toEqual({
          reference: payment.reference,
          status: 'OPEN',
        });
        await sendSms(payment.reference);
        expect((await events.next()).value.data.pursePaymentChanged).toEqual({
          reference: payment.reference,
          status: 'PAID',
        });
        await events.return?.();
      } finally {
        await client.dispose();
      }
    });
  });

  describe('dashboard', () => {
    it('sends a signed test callback and shows the answer', async () => {
      const result = await t.gql(
        `mutation($input: IdInput!) { sendPurseTestCallback(input: $input) {
          result { ok httpStatus responseBody fields { name value } } userErrors { message }
        } }`,
        { input: { id: purse.id } },
        owner,
      );
      expect(result.data!.sendPurseTestCallback.result).toMatchObject({
        ok: true,
        httpStatus: 200,
        responseBody: 'OK',
      });
      const [callback] = callbacks();
      const sign = md5([purse.secret, String(purse.number), '0', '1.00', '0', '0', '70000000000'].join('::'));
      expect(callback.pairs).toEqual([
        ['s_purse', String(purse.number)],
        ['s_order_id', '0'],
        ['s_amount', '1.00'],
        ['s_clear_amount', '0'],
        ['s_inv', '0'],
        ['s_phone', '70000000000'],
        ['s_sign_v2', sign],
        ['test', '1'],
      ]);
    });

    it('without ALLOW_PRIVATE_CALLBACK_URLS, calls no internal Result URL and saves none', async () => {
      const closed = { ...t.app.config, allowPrivateCallbackUrls: false };
      const before = callbacks().length;
      const row = await t.orm.em.fork().findOneOrFail(Purse, purse.id);
      const result = await sendTestCallback(closed, row);
      expect(result).toMatchObject({ httpStatus: null, error: 'refused: 127.0.0.1 is not a public address' });
      expect(callbacks()).toHaveLength(before);
      await expect(
        updatePurse(t.orm.em.fork(), { viewer: null }, closed, purse.id, { resultUrl: 'http://192.168.1.10/result' }),
      ).rejects.toMatchObject({ code: 'INVALID_URL', field: ['input', 'resultUrl'] });
      // The browser-only URLs may be anywhere: only the Result URL is called by our servers.
      await updatePurse(t.orm.em.fork(), { viewer: null }, closed, purse.id, { successUrl: `${merchant.url}/success` });
    });

    it('rotates and reveals the secret, audited as "changed"; the old secret stops signing forms', async () => {
      const own = await newPurse({ name: 'Rotating' });
      const rotated = await t.gql(
        `mutation($input: IdInput!) { rotatePurseSecret(input: $input) { secret userErrors { message } } }`,
        { input: { id: own.id } },
        owner,
      );
      const secret = rotated.data!.rotatePurseSecret.secret as string;
      expect(secret).toMatch(/^[0-9a-f]{32}$/);
      expect(secret).not.toBe(own.secret);
      const revealed = await t.gql(
        `mutation($input: IdInput!) { revealPurseSecret(input: $input) { secret } }`,
        { input: { id: own.id } },
        owner,
      );
      expect(revealed.data!.revealPurseSecret.secret).toBe(secret);
      const old = await post(form({ amount: '2', purse: String(own.number) }, [], own.secret));
      expect(old.status).toBe(400);
      await open(form({ amount: '2', purse: String(own.number) }, [], secret));

      const audit = await t.orm.em.fork().find(AuditEvent, { targetId: own.id }, { orderBy: { id: 'asc' } });
      expect(audit.map((row) => [row.action, row.details.secret])).toEqual([
        ['purse.create', 'changed'],
        ['purse.rotateSecret', 'changed'],
        ['purse.revealSecret', undefined],
      ]);
      expect(JSON.stringify(audit.map((row) => row.details))).not.toContain(secret);
    });

    it('updates settings and refuses bad ones beside their field', async () => {
      const updated = await t.gql(
        `mutation($input: UpdatePurseInput!) { updatePurse(input: $input) { purse { name language countries } userErrors { field code } } }`,
        { input: { id: purse.id, name: 'Game balance', language: 'EN', countries: [] } },
        owner,
      );
      expect(updated.data!.updatePurse).toMatchObject({ purse: { language: 'EN' }, userErrors: [] });
      const bad = await t.gql(
        `mutation($input: UpdatePurseInput!) { updatePurse(input: $input) { userErrors { field code } } }`,
        { input: { id: purse.id, resultUrl: 'ftp://x', countries: ['ZZ'] } },
        owner,
      );
      expect(bad.data!.updatePurse.userErrors).toEqual([{ field: ['input', 'resultUrl'], code: 'INVALID_URL' }]);
      const created = await t.gql(
        CREATE,
        { input: { name: '', successUrl: 'x', failUrl: 'x', resultUrl: 'x' } },
        owner,
      );
      expect(created.data!.createPurse.userErrors[0].field).toEqual(['input', 'name']);
      await t.gql(
        `mutation($input: UpdatePurseInput!) { updatePurse(input: $input) { userErrors { field } } }`,
        { input: { id: purse.id, language: 'RU' } },
        owner,
      );
    });

    it('lists payments with filters and exports them as CSV', async () => {
      await open(form({ amount: '2', order: '90', description: '=HYPERLINK("x")' }));
      const list = async (filters: Record<string, unknown>) =>
        (
          await t.gql(
            `query($purseId: ID, $status: PaymentStatus, $from: DateTimeISO, $to: DateTimeISO, $country: String) {
              pursePayments(purseId: $purseId, status: $status, from: $from, to: $to, country: $country, first: 100) {
                totalCount edges { node { orderId status country } }
              }
            }`,
            { purseId: purse.id, ...filters },
            owner,
          )
        ).data!.pursePayments;
      const all = await list({});
      const paid = await list({ status: 'PAID' });
      expect(paid.totalCount).toBeGreaterThanOrEqual(3);
      expect(paid.edges.every((edge: any) => edge.node.status === 'PAID')).toBe(true);
      expect((await list({ status: 'CANCELLED' })).edges.map((edge: any) => edge.node.orderId)).toEqual(['78']);
      expect((await list({ country: 'BG' })).edges.every((edge: any) => edge.node.country === 'BG')).toBe(true);
      expect((await list({ from: new Date(Date.now() + 60_000).toISOString() })).totalCount).toBe(0);
      expect((await list({ to: new Date(Date.now() + 60_000).toISOString() })).totalCount).toBe(all.totalCount);

      const csv = (
        await t.gql(
          `query($purseId: ID) { exportPursePaymentsCsv(purseId: $purseId, status: PAID) }`,
          {
            purseId: purse.id,
          },
          owner,
        )
      ).data!.exportPursePaymentsCsv as string;
      const lines = csv.trim().split('\r\n');
      expect(lines[0]).toBe(
        'created_at,payment_id,reference,purse,purse_name,s_order_id,s_amount,s_clear_amount,s_description,status,' +
          'country,received_usd,paid_at,s_inv,sms,extra_fields',
      );
      expect(lines).toHaveLength(paid.totalCount + 1);
      expect(lines.find((line) => line.includes(',77,'))).toContain(`,PAID,BG,5.34,`);
      const everything = (await t.gql(`{ exportPursePaymentsCsv }`, {}, owner)).data!.exportPursePaymentsCsv as string;
      expect(everything).toContain(`,"'=HYPERLINK(""x"")",`);
    });

    it('keeps each merchant to its own purses', async () => {
      const created = await t.gql(
        `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { merchant { id } } }`,
        {
          input: {
            name: 'Other',
            ownerEmail: 'owner@purse-other.test',
            ownerName: 'O',
            ownerPassword: 'other-owner-password',
          },
        },
        admin,
      );
      expect(created.data!.createMerchant.merchant.id).toBeTruthy();
      const other = await t.login('owner@purse-other.test', 'other-owner-password');
      const seen = await t.gql(
        `query($id: ID!) { purse(id: $id) { id } purses { totalCount } pursePayments { totalCount } }`,
        { id: purse.id },
        other,
      );
      expect(seen.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const lists = await t.gql(`{ purses { totalCount } pursePayments { totalCount } }`, {}, other);
      expect(lists.data).toEqual({ purses: { totalCount: 0 }, pursePayments: { totalCount: 0 } });
      const secret = await t.gql(
        `mutation($input: IdInput!) { revealPurseSecret(input: $input) { secret } }`,
        { input: { id: purse.id } },
        other,
      );
      expect(secret.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });
});
