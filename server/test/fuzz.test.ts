import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signPayload } from '../src/common/signature';
import { Payment } from '../src/modules/payment';
import { SmsMessage } from '../src/modules/sms';
import { startTestApp, type TestApp } from './harness';

/*
 * Property-based fuzzing of the public endpoints with a fixed seed and a bounded number of runs: whatever arrives,
 * the answer is never a 5xx, a refused request stores nothing, and every invariant holds afterwards (checked when the
 * app closes). Strings include NUL bytes, lone surrogates' neighbours, very long values and wrong types.
 */
const SEED = 20261204;
const RUNS = 40;

/** Strings a hostile or broken client sends: any unicode, NUL bytes, digits, long runs. */
const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '+359888123456', '1096', 'BG', ' '.repeat(300), 'x'.repeat(5000)),
);
const anyJson = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 3 }),
);

describe('fuzzing the public endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('the signed SMS webhook never answers 5xx, and stores only what it accepts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { messageId: anyJson, from: anyJson, to: anyJson, text: anyJson, country: anyJson, operator: anyJson },
          { requiredKeys: [] },
        ),
        async (body) => {
          const before = await t.orm.em.fork().count(SmsMessage, {});
          const raw = JSON.stringify(body);
          const response = await fetch(`${t.url}/sms/inbound`, {
            method: 'POST',
            headers: { [SIGNATURE_HEADER]: signPayload(t.app.config.smsWebhookSecret, raw) },
            body: raw,
          });
          expect(response.status).toBeLessThan(500);
          // A new inbound SMS may add its reply too; a refused one adds nothing.
          if (response.status !== 200) expect(await t.orm.em.fork().count(SmsMessage, {})).toBe(before);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a well-formed SMS with any text is stored and processed, or refused naming the field', async () => {
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(nasty, async (text) => {
        const raw = JSON.stringify({
          messageId: `fuzz-${++counter}`,
          from: '+359888765432',
          to: '1096',
          text,
          country: 'BG',
        });
        const response = await fetch(`${t.url}/sms/inbound`, {
          method: 'POST',
          headers: { [SIGNATURE_HEADER]: signPayload(t.app.config.smsWebhookSecret, raw) },
          body: raw,
        });
        expect([200, 400]).toContain(response.status);
        if (response.status === 400) {
          expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^text: /);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the purse form (/bank/) never answers 5xx, and opens a payment only when it redirects', async () => {
    const field = fc.constantFrom(
      's_purse',
      's_order_id',
      's_amount',
      's_clear_amount',
      's_description',
      's_sign',
      'x',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(field, nasty), { maxLength: 8 }), fc.boolean(), async (pairs, english) => {
        const before = await t.orm.em.fork().count(Payment, {});
        const response = await fetch(`${t.url}${english ? '/language/english/bank/' : '/bank/'}`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams(pairs),
        });
        expect(response.status).toBeLessThan(500);
        if (response.status !== 303) expect(await t.orm.em.fork().count(Payment, {})).toBe(before);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the code check (/check/…) never answers 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, nasty, async (service, code) => {
        const path = `${t.url}/check/${encodeURIComponent(service || 'x')}`;
        const browser = await fetch(`${path}?code=${encodeURIComponent(code)}`, { redirect: 'manual' });
        expect(browser.status).toBeLessThan(500);
        const api = await fetch(path, { method: 'POST', body: JSON.stringify({ code }) });
        expect(api.status).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the GraphQL operations the public pages use never answer 5xx or an internal error', async () => {
    const operations = [
      (s: unknown) => ({ query: 'query($s: String!) { voucherShop(slug: $s) { name soldOut } }', variables: { s } }),
      (s: unknown) => ({
        query: 'mutation($i: StartVoucherPaymentInput!) { startVoucherPayment(input: $i) { userErrors { code } } }',
        variables: { i: { slug: s, country: s } },
      }),
      (s: unknown) => ({ query: 'query($t: String!) { paymentByToken(token: $t) { status } }', variables: { t: s } }),
      (s: unknown) => ({
        query: 'mutation($i: LoginInput!) { login(input: $i) { userErrors { code } } }',
        variables: { i: { email: s, password: s } },
      }),
      (s: unknown) => ({
        query: 'query($n: String!, $p: String!) { voucherPaymentLookup(paymentNumber: $n, phone: $p) { status } }',
        variables: { n: s, p: s },
      }),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: operations.length - 1 }), anyJson, async (which, value) => {
        const response = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(operations[which](value)),
        });
        expect(response.status).toBeLessThan(500);
        const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
        for (const error of body.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });
});
