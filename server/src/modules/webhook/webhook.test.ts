import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { SIGNATURE_HEADER, verifySignature } from '../../common/signature';
import { createUser } from '../auth/auth.service';
import { UserRole } from '../auth/user.entity';
import { Merchant } from '../merchant/merchant.entity';
import { OutboxAttempt } from '../outbox/outbox-attempt.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { sweepDeliveredOutbox } from '../outbox/outbox.retention';
import { drainOutbox } from '../outbox/outbox.service';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEvent } from './webhook-event.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { sweepWebhookEvents } from './webhook.retention';
import { createWebhookEndpoint, emitWebhookEvent } from './webhook.service';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver: records each request and answers with the next queued status (200 when none). */
async function startReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver is down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, received, statuses, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  webhookEndpoint { id url eventTypes active merchantId } secret userErrors { code field message } } }`;
const DELIVERIES = `query($endpointId: ID!) { webhookDeliveries(endpointId: $endpointId) { totalCount edges { node {
  id status attemptCount lastError replayOfId event { id type data }
  attempts { outcome httpStatus error durationMs } } } } }`;

describe('webhooks', () => {
  let t: TestApp;
  let owner: Auth;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let endpointId: string;
  let secret: string;
  let clock = Date.now();
  // Each drain runs a minute later than the last, so retries scheduled by backoff come due.
  const drain = () => {
    clock += 60_000;
    const now = new Date(clock);
    return drainOutbox(t.app.platform, { now: () => now, backoffBaseMs: 1000 });
  };
  const emit = async (merchantId: string, type: string, data: Record<string, unknown>) => {
    const em = t.orm.em.fork();
    const result = await emitWebhookEvent(em, { merchantId, type, data });
    await em.flush();
    return result;
  };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    receiver = await startReceiver();
    const created = await t.gql(
      CREATE,
      { input: { url: receiver.url, eventTypes: ['payment.succeeded', 'payment.refunded'], description: 'shop' } },
      owner,
    );
    expect(created.data?.createWebhookEndpoint.userErrors).toEqual([]);
    endpointId = created.data?.createWebhookEndpoint.webhookEndpoint.id;
    secret = created.data?.createWebhookEndpoint.secret;
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('creates an endpoint with a server-made secret, audited without the secret', async () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const admin = await t.adminAuth();
    const audit = await t.gql(
      'query { auditEvents(action: "webhookEndpoint.create") { edges { node { targetId details } } } }',
      {},
      admin,
    );
    const details = audit.data?.auditEvents.edges[0].node.details;
    expect(details).toEqual({
      url: receiver.url,
      eventTypes: ['payment.refunded', 'payment.succeeded'],
      secret: 'changed',
    });
    expect(JSON.stringify(audit)).not.toContain(secret);

    const revealed = await t.gql(
      'mutation($input: IdInput!) { revealWebhookEndpointSecret(input: $input) { secret } }',
      { input: { id: endpointId } },
      owner,
    );
    expect(revealed.data?.revealWebhookEndpointSecret.secret).toBe(secret);
  });

  it('refuses bad URLs and event types with typed errors', async () => {
    const attempt = (input: Record<string, unknown>) =>
      t.gql(CREATE, { input: { url: receiver.url, eventTypes: ['payment.succeeded'], ...input } }, owner);
    expect((await attempt({ url: 'ftp://example.com/x' })).data?.createWebhookEndpoint.userErrors).toMatchObject([
      { code: 'INVALID_URL', field: ['input', 'url'] },
    ]);
    expect((await attempt({ url: 'not a url' })).data?.createWebhookEndpoint.userErrors[0].code).toBe('INVALID_URL');
    expect(
      (await attempt({ url: 'https://user:pw@example.com/' })).data?.createWebhookEndpoint.userErrors[0].code,
    ).toBe('INVALID_URL');
    expect((await attempt({ eventTypes: ['Payment Succeeded'] })).data?.createWebhookEndpoint.userErrors).toMatchObject(
      [{ code: 'INVALID', field: ['input', 'eventTypes'] }],
    );
    expect((await attempt({ eventTypes: [] })).data?.createWebhookEndpoint.userErrors[0].code).toBe('REQUIRED');
  });

  it('POSTs a signed event that the receiver can verify, only to subscribed endpoints', async () => {
    const { event, deliveries } = await emit(t.demo.merchantId, 'payment.succeeded', {
      paymentId: 'pay_1',
      amount: '12.50',
    });
    expect(deliveries).toHaveLength(1);
    await emit(t.demo.merchantId, 'payment.failed', { paymentId: 'pay_2' }); // not subscribed
    expect((await drain()).delivered).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.headers['content-type']).toBe('application/json');
    const header = request.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, request.body, header)).toBe(true);
    expect(verifySignature(secret, request.body.replace('12.50', '99.99'), header)).toBe(false);
    expect(verifySignature('whsec_wrong', request.body, header)).toBe(false);
    expect(JSON.parse(request.body)).toEqual({
      id: event.id,
      type: 'payment.succeeded',
      createdAt: event.createdAt.toISOString(),
      data: { paymentId: 'pay_1', amount: '12.50' },
    });
  });

  it('retries a delivery the receiver answered with 500, and lists every attempt', async () => {
    receiver.received.length = 0;
    receiver.statuses.push(500, 500);
    const { deliveries } = await emit(t.demo.merchantId, 'payment.refunded', { paymentId: 'pay_3' });
    await drain();
    let list = await t.gql(DELIVERIES, { endpointId }, owner);
    let node = list.data?.webhookDeliveries.edges.find((edge: any) => edge.node.id === deliveries[0].id).node;
    expect(node).toMatchObject({ status: 'PENDING', attemptCount: 1, lastError: 'HTTP 500: receiver is down' });

    await drain();
    await drain();
    list = await t.gql(DELIVERIES, { endpointId }, owner);
    node = list.data?.webhookDeliveries.edges.find((edge: any) => edge.node.id === deliveries[0].id).node;
    expect(node).toMatchObject({ status: 'DELIVERED', attemptCount: 3, lastError: null });
    expect(node.event).toMatchObject({ type: 'payment.refunded', data: { paymentId: 'pay_3' } });
    expect(node.attempts).toMatchObject([
      { outcome: 'FAILED', httpStatus: 500, error: 'HTTP 500: receiver is down' },
      { outcome: 'FAILED', httpStatus: 500 },
      { outcome: 'SUCCEEDED', httpStatus: 200, error: null },
    ]);
    // Every attempt was signed afresh and carried the same event.
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((request) => JSON.parse(request.body).id)).size).toBe(1);
    for (const request of receiver.received) {
      expect(verifySignature(secret, request.body, request.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe(
        true,
      );
    }
  });

  it('replays a delivery as a new delivery of the same event, and sends test events', async () => {
    receiver.received.length = 0;
    const list = await t.gql(DELIVERIES, { endpointId }, owner);
    const original = list.data?.webhookDeliveries.edges.at(-1).node;
    const replay = await t.gql(
      `mutation($input: IdInput!) { replayWebhookDelivery(input: $input) {
        webhookDelivery { id status replayOfId event { id } } userErrors { code } } }`,
      { input: { id: original.id } },
      owner,
    );
    const replayed = replay.data?.replayWebhookDelivery.webhookDelivery;
    expect(replayed).toMatchObject({ status: 'PENDING', replayOfId: original.id, event: { id: original.event.id } });
    expect(replayed.id).not.toBe(original.id);

    const test = await t.gql(
      `mutation($input: SendTestWebhookInput!) { sendTestWebhook(input: $input) {
        webhookDelivery { id event { type } } userErrors { code } } }`,
      { input: { endpointId } },
      owner,
    );
    expect(test.data?.sendTestWebhook.webhookDelivery.event.type).toBe('webhook.test');

    await drain();
    expect(receiver.received.map((request) => JSON.parse(request.body))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: original.event.id }),
        expect.objectContaining({ type: 'webhook.test' }),
      ]),
    );
    const after = await t.gql(DELIVERIES, { endpointId }, owner);
    const statuses = after.data?.webhookDeliveries.edges.map((edge: any) => edge.node.status);
    expect(statuses.every((status: string) => status === 'DELIVERED')).toBe(true);
  });

  it('signs with a rotated secret at once, and stops delivering to a disabled endpoint', async () => {
    receiver.received.length = 0;
    const UPDATE = `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
      webhookEndpoint { active } secret userErrors { code } } }`;
    const rotated = await t.gql(UPDATE, { input: { id: endpointId, rotateSecret: true } }, owner);
    const newSecret = rotated.data?.updateWebhookEndpoint.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    await emit(t.demo.merchantId, 'payment.succeeded', { paymentId: 'pay_4' });
    await drain();
    const header = receiver.received[0].headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifySignature(newSecret, receiver.received[0].body, header)).toBe(true);
    expect(verifySignature(secret, receiver.received[0].body, header)).toBe(false);
    secret = newSecret;

    // A delivery queued before the endpoint was disabled is given up, not sent.
    receiver.received.length = 0;
    const { deliveries } = await emit(t.demo.merchantId, 'payment.succeeded', { paymentId: 'pay_5' });
    await t.gql(UPDATE, { input: { id: endpointId, active: false } }, owner);
    await drain();
    expect(receiver.received).toHaveLength(0);
    const list = await t.gql(DELIVERIES, { endpointId }, owner);
    const node = list.data?.webhookDeliveries.edges.find((edge: any) => edge.node.id === deliveries[0].id).node;
    expect(node).toMatchObject({ status: 'DEAD', lastError: 'the endpoint is disabled' });
    // Disabled endpoints get no new events at all.
    expect((await emit(t.demo.merchantId, 'payment.succeeded', {})).deliveries).toHaveLength(0);
    await t.gql(UPDATE, { input: { id: endpointId, active: true } }, owner);

    const admin = await t.adminAuth();
    const audit = await t.gql(
      'query { auditEvents(action: "webhookEndpoint.update") { edges { node { details } } } }',
      {},
      admin,
    );
    expect(audit.data?.auditEvents.edges.map((edge: any) => edge.node.details)).toEqual(
      expect.arrayContaining([{ secret: 'changed' }, { active: false }]),
    );
  });

  it("never shows or changes one merchant's endpoints and deliveries to another", async () => {
    const em = t.orm.em.fork();
    const other = build(Merchant, { name: 'Other Shop' });
    em.persist(other);
    await createUser(em, {
      email: 'owner@other.tollgate.test',
      password: 'other-owner-password',
      name: 'Olga Other',
      role: UserRole.OWNER,
      merchantId: other.id,
    });
    await em.flush();
    const intruder = await t.login('owner@other.tollgate.test', 'other-owner-password');

    expect((await t.gql('{ webhookEndpoints { totalCount } }', {}, intruder)).data?.webhookEndpoints.totalCount).toBe(
      0,
    );
    const notFound = async (query: string, variables: Record<string, unknown>) =>
      expect((await t.gql(query, variables, intruder)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await notFound(DELIVERIES, { endpointId });
    await notFound('query($id: ID!) { webhookEndpoint(id: $id) { id } }', { id: endpointId });
    await notFound(
      'mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { secret } }',
      { input: { id: endpointId, url: 'https://evil.example.com/' } },
    );
    await notFound('mutation($input: IdInput!) { revealWebhookEndpointSecret(input: $input) { secret } }', {
      input: { id: endpointId },
    });
    await notFound('mutation($input: IdInput!) { deleteWebhookEndpoint(input: $input) { deletedWebhookEndpointId } }', {
      input: { id: endpointId },
    });
    const ownList = await t.gql(DELIVERIES, { endpointId }, owner);
    await notFound('mutation($input: IdInput!) { replayWebhookDelivery(input: $input) { userErrors { code } } }', {
      input: { id: ownList.data?.webhookDeliveries.edges[0].node.id },
    });
    await notFound(
      'mutation($input: SendTestWebhookInput!) { sendTestWebhook(input: $input) { userErrors { code } } }',
      {
        input: { endpointId },
      },
    );
    await notFound(CREATE, { input: { url: receiver.url, eventTypes: ['*'], merchantId: t.demo.merchantId } });

    // The other merchant's events never reach this merchant's endpoint.
    receiver.received.length = 0;
    expect((await emit(other.id, 'payment.succeeded', { paymentId: 'pay_other' })).deliveries).toHaveLength(0);
    await drain();
    expect(receiver.received).toHaveLength(0);
  });

  it('deletes an endpoint: gone from lists, nothing more sent', async () => {
    const created = await t.gql(CREATE, { input: { url: receiver.url, eventTypes: ['*'] } }, owner);
    const id = created.data?.createWebhookEndpoint.webhookEndpoint.id;
    const { deliveries } = await emit(t.demo.merchantId, 'payout.paid', { payoutId: 'po_1' });
    expect(deliveries.map((delivery) => delivery.endpointId)).toEqual([id]);
    const deleted = await t.gql(
      'mutation($input: IdInput!) { deleteWebhookEndpoint(input: $input) { deletedWebhookEndpointId userErrors { code } } }',
      { input: { id } },
      owner,
    );
    expect(deleted.data?.deleteWebhookEndpoint).toEqual({ deletedWebhookEndpointId: id, userErrors: [] });
    const list = await t.gql('{ webhookEndpoints { edges { node { id } } } }', {}, owner);
    expect(list.data?.webhookEndpoints.edges.map((edge: any) => edge.node.id)).toEqual([endpointId]);
    receiver.received.length = 0;
    expect((await drain()).dead).toBe(1);
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses https-less and internal URLs when registered in production', async () => {
    const production = { ...t.app.config, mode: 'production' as const, allowPrivateCallbackUrls: false };
    const register = (url: string) =>
      createWebhookEndpoint(t.orm.em.fork(), production, { merchantId: t.demo.merchantId, url, eventTypes: ['*'] });
    for (const url of [
      'http://example.com/hook',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://[::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://169.254.169.254/latest/meta-data',
    ]) {
      expect(() => register(url)).toThrow(UserFacingError);
    }
    expect(register('https://example.com/hook').endpoint.url).toBe('https://example.com/hook');
  });
});

describe('webhooks without private addresses (ALLOW_PRIVATE_CALLBACK_URLS=false)', () => {
  let t: TestApp;
  let owner: Auth;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    t = await startTestApp({ ALLOW_PRIVATE_CALLBACK_URLS: 'false' });
    owner = await t.ownerAuth();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('refuses a literal private URL where it is entered', async () => {
    for (const url of [receiver.url, 'http://10.0.0.7/hooks', 'http://[fe80::1]/hooks', 'http://localhost:8080/']) {
      const created = await t.gql(CREATE, { input: { url, eventTypes: ['*'] } }, owner);
      expect(created.data?.createWebhookEndpoint.userErrors).toEqual([
        { code: 'INVALID_URL', field: ['input', 'url'], message: 'use a public address, not an internal one' },
      ]);
    }
  });

  it('does not call an endpoint on 127.0.0.1 (saved before the setting, say), and the attempt says why', async () => {
    const em = t.orm.em.fork();
    const endpoint = build(WebhookEndpoint, {
      merchantId: t.demo.merchantId,
      url: receiver.url,
      eventTypes: ['*'],
      secret: 'whsec_test',
    });
    await em.persist(endpoint).flush();
    const sent = await t.gql(
      'mutation($input: SendTestWebhookInput!) { sendTestWebhook(input: $input) { userErrors { message } } }',
      { input: { endpointId: endpoint.id } },
      owner,
    );
    expect(sent.data?.sendTestWebhook.userErrors).toEqual([]);
    await drainOutbox(t.app.platform);
    expect(receiver.received).toHaveLength(0);
    const deliveries = await t.gql(DELIVERIES, { endpointId: endpoint.id }, owner);
    expect(deliveries.data?.webhookDeliveries.edges[0].node).toMatchObject({
      status: 'PENDING',
      lastError: 'refused: 127.0.0.1 is not a public address',
      attempts: [{ outcome: 'FAILED', httpStatus: null, error: 'refused: 127.0.0.1 is not a public address' }],
    });
  });
});

describe('webhook retention', () => {
  const DAY = 86_400_000;
  let t: TestApp;
  let owner: Auth;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  const endpoint = async () => {
    const em = t.orm.em.fork();
    const created = createWebhookEndpoint(em, t.app.config, {
      merchantId: t.demo.merchantId,
      url: receiver.url,
      eventTypes: ['*'],
    });
    await em.flush();
    return created.endpoint;
  };
  const emit = async () => {
    const em = t.orm.em.fork();
    const { event } = await emitWebhookEvent(em, {
      merchantId: t.demo.merchantId,
      type: 'payment.succeeded',
      data: {},
    });
    await em.flush();
    return event.id;
  };
  const listed = async (endpointId: string) => {
    const result = await t.gql(DELIVERIES, { endpointId }, owner);
    return (result.data?.webhookDeliveries.edges as { node: { status: string; event: { id: string } } }[]).map(
      (edge) => [edge.node.event.id, edge.node.status],
    );
  };

  it('deletes events whose deliveries all succeeded after WEBHOOK_RETENTION_DAYS, failed ones later, pending never', async () => {
    const now = Date.now();
    const live = await endpoint();
    const delivered = [await emit(), await emit(), await emit()];
    const doomed = await endpoint();
    const failed = await emit(); // to both endpoints; the second is disabled before it is sent, so it is given up
    await t.orm.em.fork().nativeUpdate(WebhookEndpoint, { id: doomed.id }, { active: false });
    await drainOutbox(t.app.platform);
    receiver.statuses.push(500);
    const pending = await emit(); // the receiver is down: waiting for its retry
    await drainOutbox(t.app.platform);
    expect(await listed(live.id)).toEqual(
      expect.arrayContaining([
        [delivered[0], 'DELIVERED'],
        [failed, 'DELIVERED'],
        [pending, 'PENDING'],
      ]),
    );
    expect(await listed(doomed.id)).toEqual([[failed, 'DEAD']]);
    const events = async () =>
      (await t.orm.em.fork().find(WebhookEvent, { id: { $in: [...delivered, failed, pending] } })).map((e) => e.id);

    // The outbox's own sweep leaves webhook messages to this module: the deliveries still show their state.
    while ((await sweepDeliveredOutbox(t.app.platform, { retentionDays: 30, now: new Date(now + 31 * DAY) })) > 0);
    expect(await listed(live.id)).toHaveLength(5);

    const sweep = (days: number, limit?: number) =>
      sweepWebhookEvents(t.orm.em, t.app.config, { now: new Date(now + days * DAY), ...(limit ? { limit } : {}) });
    expect(await sweep(29)).toBe(0);
    // In batches of at most the limit, until none is due.
    expect(await sweep(31, 2)).toBe(2);
    while ((await sweep(31, 2)) > 0);
    expect((await events()).sort()).toEqual([failed, pending].sort());
    expect(await listed(live.id)).toEqual(
      expect.arrayContaining([
        [failed, 'DELIVERED'],
        [pending, 'PENDING'],
      ]),
    );
    expect(await listed(live.id)).toHaveLength(2);

    // The merchant had WEBHOOK_FAILED_RETENTION_DAYS to replay the failed one; a pending one is never deleted.
    while ((await sweep(91)) > 0);
    expect(await events()).toEqual([pending]);
    expect(await listed(doomed.id)).toEqual([]);
    const leftovers = await t.orm.em.fork().find(WebhookDelivery, { eventId: { $ne: pending } });
    expect(leftovers).toEqual([]);
    const messages = await t.orm.em.fork().find(OutboxMessage, { kind: 'webhook' });
    expect(messages).toHaveLength(1);
    expect(await t.orm.em.fork().count(OutboxAttempt, { messageId: { $ne: messages[0].id } })).toBe(0);
  });
});
