import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import { SIGNATURE_HEADER, signPayload } from '../src/common/signature';
import { createTestDatabase, DEMO_ADMIN_TOTP_SECRET, DEMO_LOGINS, freshTotpCode, testDialect } from './harness';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SERVER_DIR = path.resolve(__dirname, '..');
const SMS_SECRET = 'multi-process-sms-webhook-secret';

interface Process {
  role: string;
  child: ChildProcess;
  url: string | null;
  exited: Promise<number | null>;
}

/** Starts `main.ts <role>` as production would run it, and resolves once it says it has started. */
function startProcess(role: string, env: Record<string, string>, args: string[] = []): Promise<Process> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts', role, ...args], {
    cwd: SERVER_DIR,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: '0', WEB_DIST: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    void exited.then((code) =>
      reject(new Error(`${role} exited with ${code} before starting: ${output.slice(-2000)}`)),
    );
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      output = `${output}${line}\n`.slice(-4000);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string | null; role?: string };
        if (entry.role === role && entry.msg?.includes('started'))
          resolve({ role, child, url: entry.url ?? null, exited });
      } catch {
        // Not a log line of ours.
      }
    });
  });
}

/** Polls `probe` until it returns true; the test's own timeout bounds the wait. */
async function until(probe: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await probe())) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe.runIf(testDialect() === 'postgres')('two api processes and two workers on PostgreSQL + Redis', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const processes: Process[] = [];
  let apis: [string, string];
  let db: Client;
  let receiver: http.Server;
  let receiverUrl: string;
  const received: { id: string; type: string; data: { id?: string; paymentId?: string } }[] = [];
  let ws: WsClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/events`;

    const env = { DATABASE_URL: database.url, REDIS_URL, SMS_WEBHOOK_SECRET: SMS_SECRET };
    // Every process migrates at start; they start together and the migration lock lets one do it.
    const started = await Promise.all([
      startProcess('api', env, ['--seed']),
      startProcess('api', env),
      startProcess('worker', env),
      startProcess('worker', env),
    ]);
    processes.push(...started);
    apis = [started[0].url!, started[1].url!];
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await ws?.dispose();
    for (const running of processes) running.child.kill('SIGKILL');
    await db?.end();
    await new Promise((resolve) => receiver?.close(resolve));
    await database?.drop();
  });

  async function gql<T = any>(url: string, query: string, variables: object, auth: Record<string, string> = {}) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return {
      data: body.data!,
      cookie: response.headers
        .getSetCookie()
        .map((value) => value.split(';')[0])
        .join('; '),
    };
  }

  it('counts each SMS of a duplicate storm across both api processes once, shows it live on both, runs each job once', async () => {
    const login = await gql(apis[0], 'mutation($input: LoginInput!) { login(input: $input) { user { id } } }', {
      input: DEMO_LOGINS.owner,
    });
    const owner = { cookie: login.cookie };
    const key = await gql(
      apis[1],
      'mutation { createApiKey(input: { name: "storm", scopes: ["read", "write"] }) { secret } }',
      {},
      owner,
    );
    const partner = { authorization: `Bearer ${key.data.createApiKey.secret}` };
    await gql(
      apis[0],
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { userErrors { message } } }`,
      { input: { url: receiverUrl, eventTypes: ['payment.paid'] } },
      partner,
    );

    const payments = [];
    for (let i = 0; i < 6; i++) {
      const created = await gql(
        apis[i % 2],
        `mutation { createPayment(input: { amount: "1.33", currency: "USD", description: "Top-up" }) {
          payment { id reference payerUrl } userErrors { message } } }`,
        {},
        partner,
      );
      const payment = created.data.createPayment.payment as { id: string; reference: string; payerUrl: string };
      payments.push({ ...payment, token: payment.payerUrl.split('/pay/')[1] });
    }

    // Payer pages open on the second api process; the SMS reach the first as often as the second.
    ws = createClient({ url: apis[1].replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0 });
    const seenPaid = new Set<string>();
    const watching = payments.map(async (payment) => {
      for await (const event of ws.iterate<{ paymentStatus: { status: string } }>({
        query: 'subscription($token: String!) { paymentStatus(token: $token) { status } }',
        variables: { token: payment.token },
      })) {
        if (event.data?.paymentStatus.status === 'PAID') {
          seenPaid.add(payment.id);
          return;
        }
      }
    });

    const stormStarted = new Date();
    const deliveries = payments.flatMap((payment, i) => {
      const raw = JSON.stringify({
        messageId: `storm-${Date.now()}-${i}`,
        from: `+3598882${String(i).padStart(5, '0')}`,
        to: '1096',
        text: `pay ${payment.reference.toLowerCase()}`,
        country: 'BG',
      });
      return Array.from({ length: 6 }, (_, copy) =>
        fetch(`${apis[copy % 2]}/sms/inbound`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signPayload(SMS_SECRET, raw) },
          body: raw,
        }).then(async (response) => ({
          payment: payment.id,
          status: response.status,
          body: (await response.json()) as { id: string; duplicate: boolean },
        })),
      );
    });
    const answers = await Promise.all(deliveries);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    for (const payment of payments) {
      const mine = answers.filter((answer) => answer.payment === payment.id);
      expect(new Set(mine.map((answer) => answer.body.id)).size).toBe(1);
      expect(mine.filter((answer) => answer.body.duplicate === false)).toHaveLength(1);
    }

    // Live: every payer page on the other process saw its payment paid.
    await Promise.all(watching);
    expect(seenPaid.size).toBe(payments.length);

    // Exactly once: one counted SMS and one PAID payment each, one payment.paid event each, each job run once.
    const counted = await db.query("select payment_id from sms_message where direction = 'IN' and status = 'COUNTED'");
    expect(counted.rows.map((row) => row.payment_id).sort()).toEqual(payments.map((p) => p.id).sort());
    const paid = await db.query("select count(*)::int as n from payment where status = 'PAID' and id = any($1)", [
      payments.map((payment) => payment.id),
    ]);
    expect(paid.rows[0].n).toBe(payments.length);
    await until(() => received.length >= payments.length);
    expect(received.map((event) => event.type)).toEqual(Array(payments.length).fill('payment.paid'));
    expect(new Set(received.map((event) => event.id)).size).toBe(payments.length);
    await until(async () => {
      const due = await db.query(
        "select count(*)::int as n from outbox_message where status = 'PENDING' and created_at >= $1",
        [stormStarted],
      );
      return due.rows[0].n === 0;
    });
    // Every job the storm caused (events, replies, callbacks) ran exactly once, though two workers were polling.
    const attempts = await db.query(
      `select m.id, m.kind, count(a.id)::int as n from outbox_message m left join outbox_attempt a on a.message_id = m.id
        where m.created_at >= $1 group by m.id, m.kind`,
      [stormStarted],
    );
    expect(attempts.rows.length).toBeGreaterThanOrEqual(payments.length);
    expect(attempts.rows.filter((row) => row.n !== 1)).toEqual([]);

    const password = await gql(apis[1], 'mutation($input: LoginInput!) { login(input: $input) { user { id } } }', {
      input: DEMO_LOGINS.admin,
    });
    // Admins log in with a TOTP code after the password (the seed's demo secret).
    const admin = await gql(
      apis[1],
      'mutation($input: SecondFactorInput!) { loginSecondFactor(input: $input) { user { id } } }',
      { input: { code: await freshTotpCode(DEMO_ADMIN_TOTP_SECRET) } },
      { cookie: password.cookie },
    );
    const check = await gql(
      apis[0],
      '{ ledgerCheck { consistent violations { message } } }',
      {},
      { cookie: admin.cookie },
    );
    expect(check.data.ledgerCheck).toEqual({ consistent: true, violations: [] });
  }, 180_000);

  it('stops every process gracefully on SIGTERM', async () => {
    for (const running of processes) running.child.kill('SIGTERM');
    expect(await Promise.all(processes.map((running) => running.exited))).toEqual([0, 0, 0, 0]);
  }, 60_000);
});
