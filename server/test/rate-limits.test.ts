import type { MikroORM } from '@mikro-orm/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/common/config';
import { Payment } from '../src/modules/payment';
import { checkerFor } from '../src/modules/access-code/access-code.checker';
import { DEFAULT_THROTTLE } from '../src/modules/access-code/access-code.throttle';
import {
  createApp,
  createAppPubSub,
  DEMO_LOGINS,
  openDatabase,
  startTestApp,
  type App,
  type AppPubSub,
  type TestApp,
} from './harness';

/*
 * The public operations' request budgets, through the real API. RATE_LIMIT_SCALE=0.1 makes each budget a tenth of
 * production's, so a few requests reach it: login 6 per address and 2 per email (5 minutes), voucher starts 6 per
 * address, payment lookups 3 per address and 1 per payment number (10 minutes), payer pages 60 per address, purse
 * forms 6 per address and 120 per purse (a minute). Each test speaks from its own addresses (X-Forwarded-For, which
 * the app trusts from loopback, as from a proxy in front of it).
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCALE = '0.1';

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { user { id } userErrors { code } } }';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: Record<string, any> | null; errors?: { extensions?: Record<string, unknown> }[] };
}

async function graphql(url: string, ip: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as never,
  };
}

/** The answer is the refusal a client sees: 429, Retry-After, and RATE_LIMITED with the same wait. */
function expectRateLimited(answer: Answer, maxSeconds: number): void {
  expect(answer.status).toBe(429);
  const error = answer.body.errors?.[0];
  expect(error?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
  const seconds = error!.extensions!.retryAfterSeconds as number;
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(maxSeconds);
  expect(answer.retryAfter).toBe(String(seconds));
}

describe('rate limits on the public operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SCALE: SCALE });
  });
  afterEach(() => vi.useRealTimers());
  afterAll(async () => t?.close());

  const login = (ip: string, email: string, password = 'wrong-password') =>
    graphql(t.url, ip, LOGIN, { input: { email, password } });

  it('login: per email from any address, per address for any email, and again once the window passed', async () => {
    // Per email: two tries, from anywhere.
    expect((await login('198.51.100.1', 'nobody@example.com')).body.data!.login.userErrors).toEqual([
      { code: 'INVALID_CREDENTIALS' },
    ]);
    expect((await login('198.51.100.2', 'NOBODY@example.com ')).status).toBe(200);
    expectRateLimited(await login('198.51.100.3', 'nobody@example.com'), 5 * 60);

    // Per address: six tries, whatever the emails; then even the right password waits.
    const ip = '198.51.100.10';
    for (let i = 0; i < 6; i++) expect((await login(ip, `guess${i}@example.com`)).status).toBe(200);
    const owner = DEMO_LOGINS.owner;
    expectRateLimited(await login(ip, owner.email, owner.password), 5 * 60);
    // Nothing else is held up: the owner logs in from another address.
    expect((await login('198.51.100.11', owner.email, owner.password)).body.data!.login.user).not.toBeNull();

    // Five minutes later the address and the email are free again.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 5 * 60_000 + 1_000);
    expect((await login(ip, owner.email, owner.password)).body.data!.login.user).not.toBeNull();
    expect((await login('198.51.100.3', 'nobody@example.com')).status).toBe(200);
  });

  it('login: the budgets count failures, so someone who signs in often never meets them', async () => {
    const owner = DEMO_LOGINS.owner;
    // Far more than either budget (two per email, six per address at this scale), all with the right password.
    for (let i = 0; i < 12; i++) {
      const answer = await login('198.51.100.20', owner.email, owner.password);
      expect(answer.status, `login ${i + 1}`).toBe(200);
      expect(answer.body.data!.login.user).not.toBeNull();
    }
  });

  it('startVoucherPayment: per address, refused or not', async () => {
    const start = (ip: string) =>
      graphql(
        t.url,
        ip,
        'mutation($input: StartVoucherPaymentInput!) { startVoucherPayment(input: $input) { userErrors { code } } }',
        { input: { slug: 'no-such-shop', country: 'BG' } },
      );
    for (let i = 0; i < 6; i++) {
      expect((await start('198.51.100.20')).body.data!.startVoucherPayment.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    }
    expectRateLimited(await start('198.51.100.20'), 60);
    expect((await start('198.51.100.21')).status).toBe(200);
  });

  it('payment lookups: by number and phone per number and per address; pages by token per address', async () => {
    const lookup = (ip: string, paymentNumber: string) =>
      graphql(
        t.url,
        ip,
        'query($n: String!, $p: String!) { voucherPaymentLookup(paymentNumber: $n, phone: $p) { status } }',
        { n: paymentNumber, p: '+359888100001' },
      );
    expect((await lookup('198.51.100.30', 'K7M2XR9D')).body).toEqual({ data: { voucherPaymentLookup: null } });
    // The same number as typed another way, from another address: one guess per number per window.
    expectRateLimited(await lookup('198.51.100.31', 'k7m2-xr9d'), 10 * 60);
    expect((await lookup('198.51.100.30', 'AAAA2222')).status).toBe(200);
    expect((await lookup('198.51.100.30', 'AAAA3333')).status).toBe(200);
    expectRateLimited(await lookup('198.51.100.30', 'AAAA4444'), 10 * 60);

    const page = (ip: string) =>
      graphql(t.url, ip, 'query($t: String!) { paymentByToken(token: $t) { status } }', { t: 'not-a-token' });
    for (let i = 0; i < 60; i++) expect((await page('198.51.100.32')).status).toBe(200);
    expectRateLimited(await page('198.51.100.32'), 60);
  });

  it('purse form posts: 429 with Retry-After in the page’s language, per address and per purse; nothing is opened', async () => {
    const before = await t.orm.em.fork().count(Payment, {});
    const form = (ip: string, purse = '999999') =>
      fetch(`${t.url}/language/english/bank/`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
        body: new URLSearchParams({
          s_purse: purse,
          s_order_id: '1',
          s_amount: '1.00',
          s_clear_amount: '0',
          s_description: 'Test',
          s_sign: '0'.repeat(32),
        }),
      });
    for (let i = 0; i < 6; i++) expect((await form('198.51.100.40')).status).toBe(404);
    const refused = await form('198.51.100.40');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/data-problem="TOO_MANY"[^>]*>too many payments in a row/);

    // Per purse: 120 forms from many addresses (6 each), then the purse's forms wait, from any address.
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 6; j++) expect((await form(`198.51.101.${i}`, '424242')).status).toBe(404);
    }
    expect((await form('198.51.102.1', '424242')).status).toBe(429);
    expect((await form('198.51.102.1', '434343')).status).toBe(404);
    expect(await t.orm.em.fork().count(Payment, {})).toBe(before);
  });
});

describe('rate limits shared by two servers through Redis', () => {
  let first: TestApp;
  let second: { app: App; orm: MikroORM; pubsub: AppPubSub; url: string };
  beforeAll(async () => {
    first = await startTestApp({ REDIS_URL, RATE_LIMIT_SCALE: SCALE });
    const database = first.app.config.database;
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      WEB_DIST: '',
      DATABASE_URL: database.kind === 'sqlite' ? database.path : database.url,
      REDIS_URL,
      RATE_LIMIT_SCALE: SCALE,
    });
    const orm = await openDatabase(config.database);
    const pubsub = createAppPubSub(config.redisUrl);
    const app = await createApp(config, orm, pubsub);
    second = { app, orm, pubsub, url: await app.listen(0) };
  });
  afterAll(async () => {
    if (second) {
      await second.app.close();
      await second.pubsub.close();
      await second.orm.close(true);
    }
    await first?.close();
  });

  it('one budget for both: what one server counted, the other refuses', async () => {
    const email = `shared-${Date.now()}@example.com`;
    const input = { input: { email, password: 'wrong-password' } };
    expect((await graphql(first.url, '198.51.100.50', LOGIN, input)).status).toBe(200);
    expect((await graphql(second.url, '198.51.100.51', LOGIN, input)).status).toBe(200);
    expectRateLimited(await graphql(first.url, '198.51.100.52', LOGIN, input), 5 * 60);
    expectRateLimited(await graphql(second.url, '198.51.100.53', LOGIN, input), 5 * 60);
  });

  it('a code guesser blocked by one server is blocked by the other', async () => {
    const owner = await first.ownerAuth();
    const created = await first.gql(
      `mutation($input: CreateAccessCodeServiceInput!) {
        createAccessCodeService(input: $input) { accessCodeService { id } userErrors { message } }
      }`,
      {
        input: {
          name: 'Shared',
          keyword: `RL${Date.now().toString(36).toUpperCase()}`.slice(0, 20),
          shortCodes: ['1096'],
          replyTemplate: 'Code {code}',
          kind: 'PERIOD_FROM_ISSUE',
          validitySeconds: 3600,
          codeLength: 8,
          alphabet: 'LETTERS_AND_DIGITS',
          paidUrl: 'https://shop.example/paid',
          expiredUrl: 'https://shop.example/expired',
          invalidUrl: 'https://shop.example/invalid',
          allowedIps: [],
        },
      },
      owner,
    );
    const serviceId = created.data!.createAccessCodeService.accessCodeService.id as string;
    for (const app of [first.app, second.app]) {
      checkerFor(app.orm.em, app.config, app.platform.limits).throttle.options = {
        ...DEFAULT_THROTTLE,
        pairBlockAt: 3,
        slowStepMs: 1,
      };
    }
    const check = (url: string) =>
      fetch(`${url}/check/${serviceId}?code=WRONG234`, {
        redirect: 'manual',
        headers: { 'x-forwarded-for': '203.0.113.99' },
      });
    for (const url of [first.url, second.url, first.url]) expect((await check(url)).status).toBe(302);
    const refused = await check(second.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(25 * 60);
  });
});
