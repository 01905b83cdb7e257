import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../src/common/context';
import type { DomainModule } from '../src/common/module';
import { DEMO_LOGINS } from '../src/app/seed';
import { SIGNATURE_HEADER, signPayload } from '../src/common/signature';
import { enqueue, OutboxMessage, OutboxStatus } from '../src/modules/outbox';
import type { TestApp } from './harness';
import { startTestApp } from './harness';
import { startTestAppWithLogs, type CapturedLogs } from './log-capture';

const BG_PHONE = '+359888123456';
const METRICS_TOKEN = 'scrape-token-for-the-tests-0123456789';
let sequence = 0;

async function graphql(
  app: TestApp,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { response, body: (await response.json()) as any };
}

async function deliverSms(app: TestApp, fields: Record<string, unknown>, headers: Record<string, string> = {}) {
  const raw = JSON.stringify({
    messageId: `obs-${Date.now()}-${++sequence}`,
    from: BG_PHONE,
    to: '1096',
    country: 'BG',
    ...fields,
  });
  const signature = signPayload(app.app.config.smsWebhookSecret, raw);
  const response = await fetch(`${app.url}/sms/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, ...headers },
    body: raw,
  });
  return { response, body: (await response.json()) as any, signature };
}

async function createApiKey(app: TestApp, cookie: string): Promise<string> {
  const { body } = await graphql(
    app,
    'mutation { createApiKey(input: { name: "observability", scopes: ["read", "write"] }) { secret } }',
    {},
    { cookie },
  );
  return body.data.createApiKey.secret as string;
}

async function createPayment(app: TestApp, apiKey: string, requestId?: string) {
  const { body } = await graphql(
    app,
    `
      mutation CreatePayment($input: CreatePaymentInput!) {
        createPayment(input: $input) {
          payment {
            reference
          }
          userErrors {
            message
          }
        }
      }
    `,
    { input: { amount: '5.00', currency: 'USD', description: 'Top-up' } },
    { authorization: `Bearer ${apiKey}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
  );
  expect(body.data.createPayment.userErrors).toEqual([]);
  return body.data.createPayment.payment.reference as string;
}

@Resolver()
class ObservedResolver {
  @Query(() => String, { description: 'Test only: logs through the request logger, then fails unexpectedly.' })
  failUnexpectedly(@Ctx() ctx: Context): string {
    ctx.log.info({ step: 'before failing' }, 'resolver at work');
    throw new Error('an unexpected failure');
  }
}

const observedModule: DomainModule = { name: 'observed-test', entities: [], resolvers: [ObservedResolver] };

/** The request lines (pino-http's, one per request) of a request id. */
const requestLines = (logs: CapturedLogs, requestId: string) =>
  logs.lines().filter((line) => line.reqId === requestId && line.req);

describe('logs', () => {
  let t: TestApp & { logs: CapturedLogs };
  beforeAll(async () => {
    t = await startTestAppWithLogs({}, [observedModule]);
  });
  afterAll(async () => t?.close());

  it('leave out passwords, session tokens, API keys and webhook signatures, and name each request by its id', async () => {
    const wrongPassword = 'not-the-Password-4711';
    const failed = await graphql(
      t,
      'mutation($input: LoginInput!) { login(input: $input) { user { id } userErrors { code } } }',
      { input: { email: DEMO_LOGINS.owner.email, password: wrongPassword } },
      { 'x-request-id': 'login-wrong-1' },
    );
    expect(failed.body.data.login.userErrors).not.toEqual([]);

    const login = await graphql(
      t,
      'mutation($input: LoginInput!) { login(input: $input) { user { id } userErrors { code } } }',
      { input: { email: DEMO_LOGINS.owner.email, password: DEMO_LOGINS.owner.password } },
      { 'x-request-id': 'login-right-1' },
    );
    expect(login.body.data.login.userErrors).toEqual([]);
    const cookie = login.response.headers.getSetCookie()[0].split(';')[0];
    const sessionToken = cookie.split('=')[1];
    expect(sessionToken.length).toBeGreaterThan(10);

    const apiKey = await createApiKey(t, cookie);
    const reference = await createPayment(t, apiKey, 'api-key-call-1');
    const sms = await deliverSms(t, { text: `pay ${reference}` }, { 'x-request-id': 'sms-webhook-1' });
    expect(sms.response.status).toBe(200);
    // An access code travels in the query string of a code check.
    await fetch(`${t.url}/check/svc_unknown?code=QUERY-SECRET-777`, { redirect: 'manual' });

    const text = t.logs.text();
    for (const secret of [
      DEMO_LOGINS.owner.password,
      wrongPassword,
      sessionToken,
      apiKey,
      sms.signature,
      sms.signature.split('v1=')[1],
      t.app.config.smsWebhookSecret,
      'QUERY-SECRET-777',
    ]) {
      expect(text).not.toContain(secret);
    }
    // Their presence is still visible, for whoever debugs a caller's request.
    expect(text).toContain('[Redacted]');

    for (const id of ['login-wrong-1', 'login-right-1', 'api-key-call-1', 'sms-webhook-1']) {
      const lines = requestLines(t.logs, id);
      expect(lines, id).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'info', req: { id } });
    }
    expect(requestLines(t.logs, 'sms-webhook-1')[0]).toMatchObject({
      route: '/sms/inbound',
      res: { statusCode: 200 },
      req: { headers: { 'x-tollgate-signature': '[Redacted]' } },
    });
    expect(requestLines(t.logs, 'api-key-call-1')[0]).toMatchObject({
      route: '/graphql',
      operationName: 'CreatePayment',
      req: { headers: { authorization: '[Redacted]' } },
    });
    expect(requestLines(t.logs, 'login-right-1')[0].res.headers['set-cookie']).toBe('[Redacted]');
  });

  it('echo a sane incoming X-Request-Id, replace anything else, and put the id in error bodies', async () => {
    const named = await graphql(t, '{ noSuchField }', {}, { 'x-request-id': 'lb-7f3a.42:1' });
    expect(named.response.headers.get('x-request-id')).toBe('lb-7f3a.42:1');
    expect(named.body.errors[0].extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      requestId: 'lb-7f3a.42:1',
    });

    for (const unsafe of ['a'.repeat(200), 'two words', 'quote"d', '']) {
      const { response, body } = await graphql(t, '{ noSuchField }', {}, { 'x-request-id': unsafe });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.errors[0].extensions.requestId).toBe(id);
    }

    // A resolver's error, and the JSON errors of the routes and of a body GraphQL could not read.
    const resolverError = await graphql(
      t,
      'mutation { createApiKey(input: { name: "x", scopes: ["read"] }) { secret } }',
    );
    expect(resolverError.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(resolverError.body.errors[0].extensions.requestId).toBe(resolverError.response.headers.get('x-request-id'));

    const unsigned = await fetch(`${t.url}/sms/inbound`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
    const unsignedBody = (await unsigned.json()) as any;
    expect(unsignedBody.error).toMatchObject({
      code: 'INVALID_SIGNATURE',
      requestId: unsigned.headers.get('x-request-id'),
    });

    const malformed = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).errors[0].extensions.requestId).toBe(
      malformed.headers.get('x-request-id'),
    );
  });

  it("bind resolvers' log lines and unexpected errors to the request id", async () => {
    const { response, body } = await graphql(t, '{ failUnexpectedly }', {}, { 'x-request-id': 'resolver-1' });
    expect(response.headers.get('x-request-id')).toBe('resolver-1');
    expect(body.errors[0].extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId: 'resolver-1' });
    const lines = t.logs.lines().filter((line) => line.reqId === 'resolver-1');
    expect(lines.map((line) => line.msg)).toEqual([
      'resolver at work',
      'graphql: unexpected error',
      'request completed',
    ]);
    expect(lines[1]).toMatchObject({ level: 'error', err: { message: 'an unexpected failure' } });
  });

  it('have no /metrics without METRICS_TOKEN', async () => {
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(404);
  });
});

/** A sample's value in Prometheus' text format; 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return 0;
}

describe('metrics', () => {
  let t: TestApp;
  let apiKey: string;
  const scrape = async () => {
    const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  beforeAll(async () => {
    // A second app in this process: the metrics must register without clashing.
    t = await startTestApp({ METRICS_TOKEN });
    apiKey = await createApiKey(t, (await t.ownerAuth()).cookie!);
  });
  afterAll(async () => t?.close());

  it('answer only a scraper with the token', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/metrics`, {
      headers: { authorization: 'Bearer not-the-metrics-token-at-all' },
    });
    expect(wrong.status).toBe(401);
    // An API key is no metrics token.
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } })).status).toBe(401);
    const text = await scrape();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('count SMS received, counted and flagged, and ledger postings, by provider', async () => {
    const before = await scrape();
    const provider = { provider: 'http:aggregator' };
    const reference = await createPayment(t, apiKey);
    expect((await deliverSms(t, { text: `pay ${reference}` })).response.status).toBe(200);
    expect((await deliverSms(t, { text: 'HELLO THERE' })).response.status).toBe(200);
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(moved('tollgate_sms_received_total', provider)).toBe(2);
    expect(moved('tollgate_sms_counted_total', provider)).toBe(1);
    expect(moved('tollgate_sms_flagged_total', { ...provider, reason: 'UNMATCHED' })).toBe(1);
    expect(moved('tollgate_ledger_postings_total', { kind: 'TRANSFER' })).toBeGreaterThanOrEqual(1);
  });

  it('time HTTP requests by route pattern and GraphQL operations by name', async () => {
    await fetch(`${t.url}/check/svc_not_a_service_123?code=ABC`, { redirect: 'manual' });
    await fetch(`${t.url}/no/such/page/xyz-987`);
    expect((await graphql(t, 'query Viewer { me { scopes } }')).body).toEqual({ data: { me: null } });
    expect((await graphql(t, '{ me { scopes } }')).body).toEqual({ data: { me: null } });
    const text = await scrape();

    expect(
      sample(text, 'tollgate_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/check/:serviceId',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'tollgate_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/graphql',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
    // Raw URLs never become labels.
    expect(text).not.toContain('svc_not_a_service_123');
    expect(text).not.toContain('xyz-987');
    expect(
      sample(text, 'tollgate_graphql_operation_duration_seconds_count', { operation: 'Viewer', type: 'query' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'tollgate_graphql_operation_duration_seconds_count', { operation: 'anonymous', type: 'query' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('report the outbox lag, dead messages and the database pool', async () => {
    const em = t.orm.em.fork();
    const late = enqueue(em, { kind: 'test.metrics', payload: {}, runAt: new Date(Date.now() - 120_000) });
    const dead = enqueue(em, { kind: 'test.metrics', payload: {} });
    await em.flush();
    await em.nativeUpdate(OutboxMessage, { id: dead.id }, { status: OutboxStatus.DEAD });
    try {
      const text = await scrape();
      expect(sample(text, 'tollgate_outbox_lag_seconds')).toBeGreaterThanOrEqual(120);
      expect(sample(text, 'tollgate_outbox_dead_messages')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'tollgate_db_pool_max_connections')).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^tollgate_db_pool_connections\{state="used"\} \d+$/m);
    } finally {
      await em.nativeDelete(OutboxMessage, { id: { $in: [late.id, dead.id] } });
    }
  });
});
