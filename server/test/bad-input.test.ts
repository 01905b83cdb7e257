import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signPayload } from '../src/common/signature';
import { Payment } from '../src/modules/payment';
import { SmsMessage } from '../src/modules/sms';
import { startTestApp, type TestApp } from './harness';

/*
 * Every boundary refuses bad input with a clear 4xx naming the field, never a 500, and stores nothing: GraphQL
 * (variables of the wrong type, NUL bytes in variables and inline arguments, bodies that are not JSON or too large),
 * the SMS webhook, the purse form and the code check.
 */
describe('bad input at the boundaries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  async function graphql(body: string) {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', json: JSON.parse(text) };
  }

  it('answers a variable of the wrong type with the spec’s 400', async () => {
    const result = await graphql(
      JSON.stringify({ query: 'query($s: String!) { voucherShop(slug: $s) { name } }', variables: { s: { $ne: 1 } } }),
    );
    expect(result.status).toBe(400);
    expect(result.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a NUL byte in a variable or an inline argument, naming it', async () => {
    const inVariable = await graphql(
      JSON.stringify({
        query: 'mutation($input: LoginInput!) { login(input: $input) { user { id } } }',
        variables: { input: { email: 'a\u0000@b.test', password: 'x' } },
      }),
    );
    expect(inVariable.status).toBe(400);
    expect(inVariable.json.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['variables', 'input', 'email'],
    });
    const inline = await graphql(JSON.stringify({ query: '{ voucherShop(slug: "a\\u0000b") { name } }' }));
    expect(inline.status).toBe(400);
    expect(inline.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['slug'] });
  });

  it('answers malformed and oversized bodies with JSON, like any GraphQL error', async () => {
    const malformed = await graphql('{"query": "{ viewer { id } }"');
    expect(malformed.status).toBe(400);
    expect(malformed.type).toContain('application/json');
    expect(malformed.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    const oversized = await graphql(JSON.stringify({ query: `{ viewer { id } } #${'x'.repeat(1_100_000)}` }));
    expect(oversized.status).toBe(413);
    expect(oversized.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a signed SMS with a NUL byte, naming the field, and stores nothing', async () => {
    const before = await t.orm.em.fork().count(SmsMessage, {});
    for (const [field, body] of [
      ['text', { messageId: 'nul-1', from: '+359888123456', to: '1096', text: 'PAY\u0000X', country: 'BG' }],
      ['messageId', { messageId: 'nul\u00002', from: '+359888123456', to: '1096', text: 'PAY', country: 'BG' }],
    ] as const) {
      const raw = JSON.stringify(body);
      const response = await fetch(`${t.url}/sms/inbound`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signPayload(t.app.config.smsWebhookSecret, raw),
        },
        body: raw,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(field);
    }
    const notJson = 'not json at all';
    const refused = await fetch(`${t.url}/sms/inbound`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        [SIGNATURE_HEADER]: signPayload(t.app.config.smsWebhookSecret, notJson),
      },
      body: notJson,
    });
    expect(refused.status).toBe(400);
    expect(await t.orm.em.fork().count(SmsMessage, {})).toBe(before);
  });

  it('refuses a purse form with a NUL byte, and an unknown language with the supported ones', async () => {
    const before = await t.orm.em.fork().count(Payment, {});
    const response = await fetch(`${t.url}/bank/`, {
      method: 'POST',
      body: new URLSearchParams([
        ['s_purse', '1'],
        ['s_order_id', '1'],
        ['s_amount', '1'],
        ['s_clear_amount', '0'],
        ['s_description', 'a\u0000b'],
        ['s_sign', '0'.repeat(32)],
      ]),
    });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('data-problem="NUL_BYTE"');
    expect(page).toContain('s_description');
    expect(await t.orm.em.fork().count(Payment, {})).toBe(before);

    const klingon = await fetch(`${t.url}/language/klingon/bank/`);
    expect(klingon.status).toBe(404);
    const text = await klingon.text();
    expect(text).toContain('/language/english/bank/');
    expect(text).toContain('lang="ru"');
  });

  it('refuses a NUL byte in a code check', async () => {
    const response = await fetch(`${t.url}/check/acs_x?code=AB%00CD`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    const api = await fetch(`${t.url}/check/acs_x`, { method: 'POST', body: JSON.stringify({ code: 'A\u0000' }) });
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: { field: string } }).error.field).toBe('code');
  });

  it('offers no "Did you mean" field suggestions in production', async () => {
    const production = await startTestApp({
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-production-session-secret-of-enough-length',
      SMS_WEBHOOK_SECRET: 'a-production-sms-webhook-secret',
    });
    try {
      const result = await production.gql('{ paymnts { id } }');
      expect(result.errors?.[0].message).not.toMatch(/did you mean/i);
      const development = await t.gql('{ paymnts { id } }');
      expect(development.errors?.[0].message).toMatch(/did you mean/i);
    } finally {
      await production.close();
    }
  });
});
