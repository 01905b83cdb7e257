import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { Purse } from '../purse/purse.entity';

/*
 * The endpoint checker against two merchant endpoints served here, each speaking both protocols (a purse's Result URL
 * and a webhook endpoint) and answering a status URL with what it fulfilled:
 * - a good one verifies signatures (and a webhook's timestamp) by hand, answers 403 to what it refuses, and
 *   fulfils each `s_inv` / event id once;
 * - a bad one answers 200 to anything and fulfils every request it gets.
 */

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

interface Merchant {
  url: string;
  /** Fulfilments by reference (`s_inv` or event id). */
  fulfilled: Map<string, number>;
  requests: number;
  stop(): Promise<void>;
}

async function merchantEndpoint(kind: 'good' | 'bad', secrets: { purse: () => string; webhook: () => string }) {
  const fulfilled = new Map<string, number>();
  const state = { requests: 0 };
  const fulfil = (reference: string) => fulfilled.set(reference, (fulfilled.get(reference) ?? 0) + 1);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.requests++;
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const answer = (status: number, body: string) => res.writeHead(status).end(body);
      if (path === '/status') return answer(200, JSON.stringify({ fulfilled: Object.fromEntries(fulfilled) }));
      if (path === '/result') {
        const form = new URLSearchParams(raw);
        const inv = form.get('s_inv') ?? '';
        if (kind === 'bad') {
          fulfil(inv);
          return answer(200, 'OK');
        }
        const fields = ['s_purse', 's_order_id', 's_amount', 's_clear_amount', 's_inv', 's_phone'];
        const expected = md5([secrets.purse(), ...fields.map((name) => form.get(name) ?? '')].join('::'));
        if (form.get('s_sign_v2') !== expected) return answer(403, 'bad signature');
        if (!fulfilled.has(inv)) fulfil(inv);
        return answer(200, 'OK');
      }
      if (path === '/events') {
        const event = JSON.parse(raw) as { id: string };
        if (kind === 'bad') {
          fulfil(event.id);
          return answer(200, 'ok');
        }
        const header = String(req.headers['x-tollgate-signature'] ?? '');
        const t = Number(/t=(\d+)/.exec(header)?.[1] ?? 0);
        const v1 = /v1=([0-9a-f]{64})/.exec(header)?.[1] ?? '';
        const mac = createHmac('sha256', secrets.webhook()).update(`${t}.${raw}`).digest();
        if (!v1 || !timingSafeEqual(mac, Buffer.from(v1, 'hex'))) return answer(400, 'bad signature');
        if (Math.abs(Date.now() / 1000 - t) > 300) return answer(400, 'stale signature');
        if (!fulfilled.has(event.id)) fulfil(event.id);
        return answer(200, 'ok');
      }
      answer(404, 'not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const merchant: Merchant = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fulfilled,
    get requests() {
      return state.requests;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return merchant;
}

const CHECK_FIELDS = `id status target url answeredBy
  probes { kind reference sent httpStatus bodyExcerpt error }
  references { reference expected fulfilled }
  statusRead { httpStatus error }
  findings { code severity message fix }`;
const RUN = `mutation($input: RunEndpointCheckInput!) {
  runEndpointCheck(input: $input) { check { ${CHECK_FIELDS} } userErrors { code field message } }
}`;
const ANSWER = `mutation($input: AnswerEndpointCheckInput!) {
  answerEndpointCheck(input: $input) { check { ${CHECK_FIELDS} } userErrors { code field message } }
}`;

type Check = {
  id: string;
  status: string;
  answeredBy: string | null;
  probes: { kind: string; reference: string | null; sent: boolean; httpStatus: number | null; error: string | null }[];
  references: { reference: string; expected: number; fulfilled: number | null }[];
  findings: { code: string; severity: string; message: string; fix: string }[];
};

describe('endpoint checker', () => {
  let t: TestApp;
  let owner: Auth;
  const secrets = { purse: '', webhook: '' };
  let good: Merchant;
  let bad: Merchant;
  let goodPurse: string;
  let badPurse: string;
  let goodHook: string;
  let badHook: string;

  async function createPurse(resultUrl: string) {
    const created = await t.gql(
      `mutation($input: CreatePurseInput!) { createPurse(input: $input) { purse { id } secret userErrors { message } } }`,
      { input: { name: 'Checked', successUrl: `${resultUrl}/ok`, failUrl: `${resultUrl}/fail`, resultUrl } },
      owner,
    );
    expect(created.data!.createPurse.userErrors).toEqual([]);
    return created.data!.createPurse as { purse: { id: string }; secret: string };
  }
  async function createHook(url: string) {
    const created = await t.gql(
      `mutation($input: CreateWebhookEndpointInput!) {
        createWebhookEndpoint(input: $input) { webhookEndpoint { id } secret userErrors { message } }
      }`,
      { input: { url, eventTypes: ['payment.paid'] } },
      owner,
    );
    expect(created.data!.createWebhookEndpoint.userErrors).toEqual([]);
    return created.data!.createWebhookEndpoint as { webhookEndpoint: { id: string }; secret: string };
  }
  async function run(input: Record<string, unknown>, auth = owner): Promise<Check> {
    const result = await t.gql(RUN, { input }, auth);
    expect(result.errors).toBeUndefined();
    expect(result.data!.runEndpointCheck.userErrors).toEqual([]);
    return result.data!.runEndpointCheck.check as Check;
  }
  /** The merchant answers the confirmation with what its system really did (the test endpoint's record). */
  async function confirm(check: Check, merchant: Merchant): Promise<Check> {
    const fulfilments = check.references.map((ref) => ({
      reference: ref.reference,
      times: merchant.fulfilled.get(ref.reference) ?? 0,
    }));
    const result = await t.gql(ANSWER, { input: { id: check.id, fulfilments } }, owner);
    expect(result.data!.answerEndpointCheck.userErrors).toEqual([]);
    return result.data!.answerEndpointCheck.check as Check;
  }
  const codes = (check: Check) => check.findings.map((finding) => finding.code).sort();

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    good = await merchantEndpoint('good', { purse: () => secrets.purse, webhook: () => secrets.webhook });
    bad = await merchantEndpoint('bad', { purse: () => '', webhook: () => '' });
    const purse = await createPurse(`${good.url}/result`);
    goodPurse = purse.purse.id;
    secrets.purse = purse.secret;
    badPurse = (await createPurse(`${bad.url}/result`)).purse.id;
    const hook = await createHook(`${good.url}/events`);
    goodHook = hook.webhookEndpoint.id;
    secrets.webhook = hook.secret;
    badHook = (await createHook(`${bad.url}/events`)).webhookEndpoint.id;
  });
  afterAll(async () => {
    await t?.close();
    await good?.stop();
    await bad?.stop();
  });

  it('gives a good Result URL a clean report, from the merchant’s answers and from its status URL; a second run replays the first as the stale callback', async () => {
    const first = await run({ purseId: goodPurse });
    expect(first).toMatchObject({ status: 'AWAITING_ANSWERS', target: 'PURSE_RESULT_URL', url: `${good.url}/result` });
    expect(first.probes.map((probe) => [probe.kind, probe.httpStatus])).toEqual([
      ['VALID', 200],
      ['DUPLICATE', 200],
      ['OUT_OF_ORDER_LATER', 200],
      ['OUT_OF_ORDER_EARLIER', 200],
      ['BAD_SIGNATURE', 403],
      // The legacy protocol has no timestamp: a first check has no earlier callback to replay.
      ['STALE', null],
    ]);
    expect(first.probes[5].sent).toBe(false);
    // Test operations only: s_inv from 2000000000, the test order 0.
    for (const ref of first.references) expect(Number(ref.reference)).toBeGreaterThanOrEqual(2_000_000_000);
    const answered = await confirm(first, good);
    expect(answered).toMatchObject({ status: 'COMPLETE', answeredBy: 'MERCHANT', findings: [] });

    const second = await run({ purseId: goodPurse, statusUrl: `${good.url}/status` });
    const stale = second.probes.find((probe) => probe.kind === 'STALE')!;
    expect(stale).toMatchObject({ sent: true, reference: first.probes[0].reference, httpStatus: 200 });
    expect(second).toMatchObject({ status: 'COMPLETE', answeredBy: 'STATUS_URL', findings: [] });
    expect(good.fulfilled.get(first.probes[0].reference!)).toBe(1);

    // A final report takes no more answers.
    const again = await t.gql(ANSWER, { input: { id: first.id, fulfilments: [] } }, owner);
    expect(again.data!.answerEndpointCheck.userErrors).toEqual([
      { code: 'INVALID_TRANSITION', field: null, message: expect.stringContaining('already final') },
    ]);
  });

  it('flags a Result URL that accepts a bad signature and fulfils twice, in plain words with the fix', async () => {
    const check = await run({ purseId: badPurse });
    expect(check.probes.every((probe) => !probe.sent || probe.httpStatus === 200)).toBe(true);
    const report = await confirm(check, bad);
    expect(report.status).toBe('COMPLETE');
    expect(codes(report)).toEqual(['ACCEPTED_BAD_SIGNATURE', 'FULFILLED_TWICE']);
    const forged = report.findings.find((finding) => finding.code === 'ACCEPTED_BAD_SIGNATURE')!;
    expect(forged.severity).toBe('CRITICAL');
    expect(forged.message).toContain('s_sign_v2 was wrong');
    expect(forged.fix).toContain('MD5(secret_code::s_purse');
    const twice = report.findings.find((finding) => finding.code === 'FULFILLED_TWICE')!;
    expect(twice.message).toContain(`s_inv ${check.probes[0].reference}: 2 times`);

    // Through the status URL the bad endpoint reports itself; the replay of the previous check counts against it too.
    const second = await run({ purseId: badPurse, statusUrl: `${bad.url}/status` });
    expect(second.answeredBy).toBe('STATUS_URL');
    expect(codes(second)).toEqual(['ACCEPTED_BAD_SIGNATURE', 'ACCEPTED_STALE', 'FULFILLED_TWICE']);
  });

  it('checks webhook endpoints the same way: clean for the good one, bad signature, twice and stale for the bad one', async () => {
    const clean = await run({ webhookEndpointId: goodHook, statusUrl: `${good.url}/status` });
    expect(clean.probes.map((probe) => [probe.kind, probe.httpStatus])).toEqual([
      ['VALID', 200],
      ['DUPLICATE', 200],
      ['OUT_OF_ORDER_LATER', 200],
      ['OUT_OF_ORDER_EARLIER', 200],
      ['BAD_SIGNATURE', 400],
      ['STALE', 400],
    ]);
    for (const probe of clean.probes) expect(probe.reference).toMatch(/^evt_test_/);
    expect(clean).toMatchObject({ status: 'COMPLETE', findings: [] });

    const flagged = await confirm(await run({ webhookEndpointId: badHook }), bad);
    expect(codes(flagged)).toEqual(['ACCEPTED_BAD_SIGNATURE', 'ACCEPTED_STALE', 'FULFILLED_TWICE']);
    expect(flagged.findings.find((f) => f.code === 'ACCEPTED_STALE')!.fix).toContain('more than 5 minutes');

    const listed = await t.gql(
      `query($id: ID!) { endpointChecks(webhookEndpointId: $id) { id status findings { code } } }`,
      { id: badHook },
      owner,
    );
    expect(listed.data!.endpointChecks).toEqual([
      { id: flagged.id, status: 'COMPLETE', findings: flagged.findings.map((f) => ({ code: f.code })) },
    ]);
  });

  it('refuses bad input with the field named, changing nothing', async () => {
    const both = await t.gql(RUN, { input: { purseId: goodPurse, webhookEndpointId: goodHook } }, owner);
    expect(both.data!.runEndpointCheck).toMatchObject({
      check: null,
      userErrors: [{ code: 'REQUIRED', field: ['input', 'webhookEndpointId'] }],
    });
    const badUrl = await t.gql(RUN, { input: { purseId: goodPurse, statusUrl: 'ftp://shop.example/x' } }, owner);
    expect(badUrl.data!.runEndpointCheck.userErrors).toEqual([
      { code: 'INVALID_URL', field: ['input', 'statusUrl'], message: 'use an http or https URL' },
    ]);
    const pending = await run({ purseId: badPurse });
    const wrong = await t.gql(
      ANSWER,
      { input: { id: pending.id, fulfilments: [{ reference: pending.references[0].reference, times: 1 }] } },
      owner,
    );
    expect(wrong.data!.answerEndpointCheck).toMatchObject({
      check: { status: 'AWAITING_ANSWERS' },
      userErrors: [{ code: 'REQUIRED', field: ['input', 'fulfilments'] }],
    });
    const unknown = await t.gql(RUN, { input: { purseId: 'prs_nope' } }, owner);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('endpoint checker in production', () => {
  let t: TestApp;
  let owner: Auth;
  let target: Merchant;

  beforeAll(async () => {
    t = await startTestApp({
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-production-session-secret-of-enough-length',
      SMS_WEBHOOK_SECRET: 'a-production-sms-secret',
    });
    owner = await t.ownerAuth();
    target = await merchantEndpoint('bad', { purse: () => '', webhook: () => '' });
  });
  afterAll(async () => {
    await t?.close();
    await target?.stop();
  });

  it('refuses loopback and private targets, reports the endpoint unreachable, and limits runs per merchant', async () => {
    // A purse whose Result URL points inside the network (saved before the guard was on, say).
    const created = await t.gql(
      `mutation($input: CreatePurseInput!) { createPurse(input: $input) { purse { id } userErrors { message } } }`,
      {
        input: {
          name: 'Inside',
          successUrl: 'https://shop.example/ok',
          failUrl: 'https://shop.example/fail',
          resultUrl: 'https://shop.example/result',
        },
      },
      owner,
    );
    const purseId = created.data!.createPurse.purse.id as string;
    const em = t.orm.em.fork();
    await em.nativeUpdate(Purse, { id: purseId }, { resultUrl: `${target.url}/result` });

    const refusedStatus = await t.gql(RUN, { input: { purseId, statusUrl: 'http://10.0.0.8/status' } }, owner);
    expect(refusedStatus.data!.runEndpointCheck.userErrors).toEqual([
      { code: 'INVALID_URL', field: ['input', 'statusUrl'], message: 'use a public address, not an internal one' },
    ]);

    const result = await t.gql(RUN, { input: { purseId } }, owner);
    const check = result.data!.runEndpointCheck.check as Check;
    expect(check.status).toBe('COMPLETE');
    for (const probe of check.probes.filter((p) => p.sent)) {
      expect(probe).toMatchObject({ httpStatus: null, error: 'refused: 127.0.0.1 is not a public address' });
    }
    expect(check.findings.map((f) => f.code)).toEqual(['UNREACHABLE']);
    expect(target.requests).toBe(0);

    // Ten runs an hour per merchant: one is spent above (a refused input spends none).
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const next = await t.gql(RUN, { input: { purseId } }, owner);
      outcomes.push(next.errors?.[0].extensions?.code ?? 'RAN');
    }
    expect(outcomes).toEqual([...Array<string>(9).fill('RAN'), 'RATE_LIMITED']);
  });
});
