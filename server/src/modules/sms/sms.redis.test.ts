import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import type { MikroORM } from '@mikro-orm/core';
import {
  startTestApp,
  type TestApp,
  openDatabase,
  createAppPubSub,
  type AppPubSub,
  createApp,
  type App,
} from '../../../test/harness';
import { loadConfig } from '../../common/config';
import { SIGNATURE_HEADER, signPayload } from '../../common/signature';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two server instances (as two processes would be) on one database, sharing live updates through Redis: an SMS
 * delivered to one reaches subscribers of the other.
 */
describe('SMS live updates across servers (Redis)', () => {
  let first: TestApp;
  let second: { app: App; orm: MikroORM; pubsub: AppPubSub; url: string };
  let client: Client;
  let apiKey: string;

  beforeAll(async () => {
    first = await startTestApp({ REDIS_URL });
    const database = first.app.config.database;
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      WEB_DIST: '',
      DATABASE_URL: database.kind === 'sqlite' ? database.path : database.url,
      REDIS_URL,
    });
    const orm = await openDatabase(config.database);
    const pubsub = createAppPubSub(config.redisUrl);
    const app = await createApp(config, orm, pubsub);
    second = { app, orm, pubsub, url: await app.listen(0) };
    const key = await first.gql(
      'mutation { createApiKey(input: { name: "live", scopes: ["read", "write"] }) { secret } }',
      {},
      await first.ownerAuth(),
    );
    apiKey = key.data!.createApiKey.secret;
    client = createClient({
      url: second.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${apiKey}` },
    });
  });
  afterAll(async () => {
    await client?.dispose();
    if (second) {
      await second.app.close();
      await second.pubsub.close();
      await second.orm.close(true);
    }
    await first?.close();
  });

  it("shows an SMS delivered to one server on the other's subscribers", async () => {
    const created = await first.gql(
      `mutation { createPayment(input: { amount: "5.00", currency: "USD", description: "Top-up" }) {
        payment { reference payerUrl } } }`,
      {},
      { apiKey },
    );
    const { reference, payerUrl } = created.data!.createPayment.payment as { reference: string; payerUrl: string };
    const token = payerUrl.split('/pay/')[1];

    const page = client.iterate<{ paymentSms: { status: string; sms: { state: string }[] } }>({
      query: 'subscription($token: String!) { paymentSms(token: $token) { status sms { state } } }',
      variables: { token },
    });
    const feed = client.iterate<{ smsReceived: { id: string; status: string } }>({
      query: 'subscription { smsReceived(last: 0) { id status } }',
    });
    expect((await page.next()).value!.data!.paymentSms).toEqual({ status: 'OPEN', sms: [{ state: 'EXPECTED' }] });
    // The feed's Redis subscription is set up asynchronously; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const body = JSON.stringify({
      messageId: `redis-${Date.now()}`,
      from: '+359888123456',
      to: '1096',
      text: reference,
      country: 'BG',
    });
    const response = await fetch(`${first.url}/sms/inbound`, {
      method: 'POST',
      headers: { [SIGNATURE_HEADER]: signPayload(first.app.config.smsWebhookSecret, body) },
      body,
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };

    expect((await feed.next()).value!.data!.smsReceived).toEqual({ id, status: 'COUNTED' });
    expect((await page.next()).value!.data!.paymentSms).toEqual({
      status: 'PARTIALLY_PAID',
      sms: [{ state: 'RECEIVED' }, { state: 'EXPECTED' }],
    });
    await Promise.all([page.return?.(), feed.return?.()]);
  });
});
