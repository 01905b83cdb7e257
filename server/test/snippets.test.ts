import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainOutbox } from '../src/modules/outbox/outbox.service';
import { PurseOperation } from '../src/modules/purse/purse.entity';
import { startTestApp, type Auth, type TestApp } from './harness';

/*
 * The purse protocol's integration snippets (docs/snippets, shown on the purse page) run for real against a live
 * server: each serves its signed payment form, which is posted to Tollgate as a browser would; the payment is paid by
 * a simulated SMS; Tollgate's real Result URL callback reaches the snippet, which checks `s_sign_v2`, fulfils the order
 * once and answers 2xx. A tampered callback must be refused and a repeated one must not fulfil twice.
 *
 * Every interpreter is required: a machine without one fails here (scripts/prepare-machine.sh installs them), it
 * never skips. The C# snippet is not run (no .NET SDK on Debian's archive).
 */

const SNIPPETS = path.resolve(__dirname, '../../docs/snippets');
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A snippet serving HTTP on 127.0.0.1: its base URL and how to stop it. */
interface Running {
  url: string;
  stop(): Promise<void>;
}

type Env = Record<string, string>;

function requireInterpreter(command: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  expect(found, `${command} is missing: run scripts/prepare-machine.sh`).toBe(true);
}

/** Starts a snippet that is its own HTTP server, and waits until it answers. */
async function serve(command: string, args: string[], env: Env, port: number): Promise<Running> {
  const child: ChildProcess = spawn(command, args, {
    cwd: SNIPPETS,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${command} exited: ${output}`);
    try {
      await fetch(`${url}/`);
      break;
    } catch {
      if (attempt > 100) throw new Error(`${command} did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** The Perl snippet is a CGI script: a minimal CGI gateway runs it once per request, as a web server would. */
async function serveCgi(script: string, env: Env): Promise<Running> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const child = spawn('perl', [script], {
        cwd: SNIPPETS,
        env: {
          ...process.env,
          ...env,
          GATEWAY_INTERFACE: 'CGI/1.1',
          REQUEST_METHOD: req.method ?? 'GET',
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          CONTENT_LENGTH: String(body.length),
        },
      });
      const out: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      child.on('close', () => {
        const text = Buffer.concat(out).toString('utf8');
        const split = text.indexOf('\r\n\r\n');
        const headers = Object.fromEntries(
          text
            .slice(0, Math.max(split, 0))
            .split('\r\n')
            .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
        );
        const status = Number(/^\d+/.exec(headers.status ?? '500')?.[0] ?? 500);
        res.writeHead(split < 0 ? 502 : status, { 'content-type': headers['content-type'] ?? 'text/plain' });
        res.end(split < 0 ? text : text.slice(split + 4));
      });
      child.stdin.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const LANGUAGES: { name: string; interpreter: string; start(env: Env): Promise<Running> }[] = [
  {
    name: 'PHP',
    interpreter: 'php',
    start: async (env) => {
      const port = await freePort();
      return serve('php', ['-S', `127.0.0.1:${port}`, 'purse.php'], env, port);
    },
  },
  {
    name: 'Python',
    interpreter: 'python3',
    start: async (env) => serve('python3', ['purse.py'], env, await freePort()),
  },
  { name: 'Node', interpreter: 'node', start: async (env) => serve('node', ['purse.mjs'], env, await freePort()) },
  { name: 'Perl (CGI)', interpreter: 'perl', start: (env) => serveCgi('purse.pl', env) },
];

describe('purse protocol snippets, executed against a live server', () => {
  let t: TestApp;
  let owner: Auth;
  let work: string;
  let order = 500;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    work = mkdtempSync(path.join(tmpdir(), 'tollgate-snippets-'));
  });
  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const language of LANGUAGES) {
    it(`${language.name}: signs the form, verifies the real callback, fulfils once, refuses a forged one`, async () => {
      requireInterpreter(language.interpreter);
      const ordersFile = path.join(work, `${language.interpreter}-orders.txt`);
      // The snippet's Result URL is only known once it listens, so the purse is created after, with its secret.
      const created = await t.gql(
        `mutation($input: CreatePurseInput!) {
          createPurse(input: $input) { purse { id number formUrl } secret userErrors { message } }
        }`,
        {
          input: {
            name: `${language.name} shop`,
            successUrl: 'https://shop.example/success',
            failUrl: 'https://shop.example/fail',
            resultUrl: 'https://shop.example/result',
          },
        },
        owner,
      );
      expect(created.data!.createPurse.userErrors).toEqual([]);
      const purse = created.data!.createPurse.purse as { id: string; number: number; formUrl: string };
      const secret = created.data!.createPurse.secret as string;
      const snippet = await language.start({
        TOLLGATE_PURSE: String(purse.number),
        TOLLGATE_SECRET: secret,
        // The purse's formUrl names PUBLIC_URL; the test server listens on a port chosen at start.
        TOLLGATE_FORM_URL: `${t.url}${new URL(purse.formUrl).pathname}`,
        TOLLGATE_ORDERS_FILE: ordersFile,
      });
      try {
        const changed = await t.gql(
          `mutation($input: UpdatePurseInput!) { updatePurse(input: $input) { userErrors { message } } }`,
          { input: { id: purse.id, resultUrl: `${snippet.url}/result` } },
          owner,
        );
        expect(changed.data!.updatePurse.userErrors).toEqual([]);

        // The snippet's form, read and submitted as a browser would.
        const orderId = String(++order);
        const page = await (await fetch(`${snippet.url}/pay?order=${orderId}&amount=2`)).text();
        const action = /<form[^>]* action="([^"]+)"/.exec(page)?.[1];
        expect(action).toBe(`${t.url}/bank/`);
        const fields = [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
          ([, name, value]): [string, string] => [name, value],
        );
        // The signature is the seed's formula, checked here by hand, not by Tollgate's code alone.
        const description = `Order ${orderId}`;
        expect(fields).toEqual([
          ['s_purse', String(purse.number)],
          ['s_order_id', orderId],
          ['s_amount', '2.00'],
          ['s_clear_amount', '0'],
          ['s_description', description],
          ['s_sign', md5(`${purse.number}::${orderId}::2.00::0::${description}::${secret}`)],
        ]);
        const posted = await fetch(action!, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields) });
        expect(posted.status, await posted.text()).toBe(303);
        const token = new URL(posted.headers.get('location')!).pathname.split('/bank/pay/')[1];
        const payPage = await t.gql(`query($token: String!) { pursePaymentPage(token: $token) { reference } }`, {
          token,
        });
        const reference = payPage.data!.pursePaymentPage.reference as string;

        // The payer pays by SMS (the test SMS path); Tollgate's worker then posts the callback to the snippet.
        const sms = await t.gql(
          `mutation($input: SimulateInboundSmsInput!) {
            simulateInboundSms(input: $input) { sms { status } userErrors { message } }
          }`,
          {
            input: {
              from: '+359888123456',
              to: '1096',
              text: reference,
              country: 'BG',
              messageId: `snippet-${orderId}`,
            },
          },
        );
        expect(sms.data!.simulateInboundSms).toEqual({ sms: { status: 'COUNTED' }, userErrors: [] });
        await drainOutbox(t.app.platform);
        const operation = await t.orm.em.fork().findOneOrFail(PurseOperation, { purseId: purse.id });
        const view = await t.gql(
          `query($purseId: ID!) { pursePayments(purseId: $purseId) { edges { node {
            status operations { number callback { status attempts { outcome httpStatus } } }
          } } } }`,
          { purseId: purse.id },
          owner,
        );
        // Delivered at the first attempt: the snippet accepted Tollgate's signature and answered 2xx.
        expect(view.data!.pursePayments.edges).toEqual([
          {
            node: {
              status: 'PAID',
              operations: [
                {
                  number: operation.number,
                  callback: { status: 'DELIVERED', attempts: [{ outcome: 'SUCCEEDED', httpStatus: 200 }] },
                },
              ],
            },
          },
        ]);
        const fulfilled = () => readFileSync(ordersFile, 'utf8').trim().split('\n');
        expect(fulfilled()).toEqual([`${operation.number}\t${orderId}\t2.00`]);

        // The same callback again (a retry after a lost answer) is answered 2xx and fulfils nothing more.
        const callback: [string, string][] = [
          ['s_purse', String(purse.number)],
          ['s_order_id', orderId],
          ['s_amount', '2.00'],
          ['s_clear_amount', '0'],
          ['s_inv', String(operation.number)],
          ['s_phone', '359888123456'],
        ];
        const signed = (sign: string) => new URLSearchParams([...callback, ['s_sign_v2', sign]]);
        const goodSign = md5([secret, ...callback.map(([, value]) => value)].join('::'));
        const again = await fetch(`${snippet.url}/result`, { method: 'POST', body: signed(goodSign) });
        expect(again.status).toBe(200);
        expect(fulfilled()).toHaveLength(1);

        // A forged callback (another s_inv, signed without the secret) is refused and fulfils nothing.
        callback[4] = ['s_inv', String(operation.number + 1000)];
        const forged = await fetch(`${snippet.url}/result`, {
          method: 'POST',
          body: signed(md5(['guess', ...callback.map(([, value]) => value)].join('::'))),
        });
        expect(forged.status).toBe(403);
        expect(fulfilled()).toHaveLength(1);
      } finally {
        await snippet.stop();
      }
    });
  }
});
