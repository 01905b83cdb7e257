import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { migrate, openDatabase } from '../src/app/database';
import { seedDemo } from '../src/app/seed';
import { loadConfig } from '../src/common/config';
import { AccessCodeAlphabet, AccessCodeKind } from '../src/modules/access-code/access-code.entity';
import { checkAccessCodeInvariants } from '../src/modules/access-code/access-code.invariants';
import { createService, issueCode } from '../src/modules/access-code/access-code.service';
import { median, PORT, startServer, stopServer, type Row } from './run';

/*
 * P4 (shared/notes/bench.md): `GET /check/<service>` on the full server (PostgreSQL).
 * - Reads: codes limited by time only, a mix of 70% good codes, 20% made-up codes from many addresses and 10% from
 *   an address the throttle has already refused; beside bare node:http.
 * - Writes: good codes that count a use (a conditional UPDATE each); beside pgbench simple-update.
 * A few seconds per round; each server is a fresh process; the I6 check runs on the codes afterwards.
 */

interface Options {
  rounds: number;
  seconds: number;
  createDatabase(name: string): Promise<string>;
}

/** The full server as run.ts starts it: production mode, no SPA. */
const SERVER_ENV = {
  NODE_ENV: 'production',
  SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
  SMS_WEBHOOK_SECRET: 'bench-sms-webhook-secret',
  WEB_DIST: '',
};

const CODES = 200;
const WARM_UP_SECONDS = 2;
const CONNECTIONS = 16;
/** The address refused before measuring: its checks show the cost of a THROTTLED answer (no database). */
const BLOCKED_IP = '10.3.0.1';

interface Setup {
  read: { serviceId: string; codes: string[] };
  write: { serviceId: string; codes: string[] };
}

async function prepare(databaseUrl: string, sessionSecret: string): Promise<Setup> {
  const orm = await openDatabase({ kind: 'postgresql', url: databaseUrl });
  try {
    await migrate(orm);
    const demo = await seedDemo(orm);
    const config = loadConfig({ NODE_ENV: 'test', SESSION_SECRET: sessionSecret });
    const make = async (
      keyword: string,
      kind: AccessCodeKind,
      limits: { validitySeconds?: number; maxUses?: number },
    ) =>
      orm.em.fork().transactional(async (em) => {
        const { service } = await createService(em, config, {
          merchantId: demo.merchantId,
          name: `Bench ${keyword}`,
          keyword,
          shortCodes: ['1096'],
          replyTemplate: 'Code {code}',
          kind,
          ...limits,
          codeLength: 8,
          alphabet: AccessCodeAlphabet.LETTERS_AND_DIGITS,
          paidUrl: 'https://bench.example/paid',
          expiredUrl: 'https://bench.example/expired',
          invalidUrl: 'https://bench.example/invalid',
        });
        const codes: string[] = [];
        for (let i = 0; i < CODES; i++) {
          const { value } = await issueCode(em, config, service, {
            paymentId: `pay_bench_${i}`,
            smsId: `sms_bench_${i}`,
          });
          codes.push(value);
          await em.flush();
        }
        return { serviceId: service.id, codes };
      });
    return {
      read: await make('BENCHREAD', AccessCodeKind.PERIOD_FROM_ISSUE, { validitySeconds: 7 * 86_400 }),
      write: await make('BENCHWRITE', AccessCodeKind.USES, { maxUses: 1_000_000 }),
    };
  } finally {
    await orm.close();
  }
}

interface Mix {
  good: number;
  invalid: number;
  throttled: number;
}

interface Measured {
  checksPerSecond: number;
  errors: number;
  statuses: Record<string, number>;
  sent: Mix;
}

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)];

/** Closed loop; each request draws its kind (and a source address, sent as X-Forwarded-For) from the mix. */
async function load(serviceId: string, codes: string[], mix: Mix, seconds: number): Promise<Measured> {
  const sent: Mix = { good: 0, invalid: 0, throttled: 0 };
  const total = mix.good + mix.invalid + mix.throttled;
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const draw = Math.random() * total;
          let path: string;
          let ip: string;
          if (draw < mix.good) {
            sent.good++;
            path = `/check/${serviceId}?code=${pick(codes)}`;
            ip = `10.1.${Math.floor(Math.random() * 4)}.${Math.floor(Math.random() * 250)}`;
          } else if (draw < mix.good + mix.invalid) {
            // Made-up codes from 65k addresses: each is seen rarely, so few are slowed.
            sent.invalid++;
            path = `/check/${serviceId}?code=ZZ${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
            ip = `10.2.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
          } else {
            sent.throttled++;
            path = `/check/${serviceId}?code=${pick(codes)}`;
            ip = BLOCKED_IP;
          }
          return { ...request, path, headers: { ...request.headers, 'x-forwarded-for': ip } };
        },
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [status, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = Number((stat as { count: number | string }).count);
  }
  return { checksPerSecond: result.requests.average, errors: result.errors + result.timeouts, statuses, sent };
}

/** The floor of any route on the full server: Express answering /healthz (no database), for the notes. */
async function expressFloor(seconds: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}/healthz`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  return result.requests.average;
}

/** The throttle's state lives in the server process: refuse BLOCKED_IP there before measuring. */
async function blockAddress(serviceId: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const response = await fetch(`http://127.0.0.1:${PORT}/check/${serviceId}?code=NOPE${i}`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': BLOCKED_IP },
    });
    if (response.status === 429) return;
  }
  throw new Error('the bench could not get its address throttled');
}

async function transactions(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()',
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

function pgbench(databaseUrl: string, seconds: number): number {
  const output = execFileSync(
    'pgbench',
    ['-n', '-b', 'simple-update', '-c', '8', '-j', '1', '-T', String(seconds), databaseUrl],
    {
      encoding: 'utf8',
    },
  );
  const match = /tps = ([\d.]+)/.exec(output);
  if (!match) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(match[1]);
}

export async function scenarios(options: Options): Promise<{ rows: Row[]; notes: string[] }> {
  const seconds = Math.min(options.seconds, 3);
  const databaseUrl = await options.createDatabase('tg_bench_access');
  const setup = await prepare(databaseUrl, SERVER_ENV.SESSION_SECRET);
  const pgbenchUrl = await options.createDatabase('tg_bench_access_pgbench');
  execFileSync('pgbench', ['-i', '-q', '-s', '1', pgbenchUrl], { stdio: 'ignore' });

  const hello: number[] = [];
  const reads: number[] = [];
  const writes: number[] = [];
  const baseline: number[] = [];
  const notes: string[] = [];
  let errors = 0;
  const env = { ...SERVER_ENV, DATABASE_URL: databaseUrl };
  const readMix: Mix = { good: 70, invalid: 20, throttled: 10 };
  for (let round = 0; round < options.rounds; round++) {
    let child = await startServer(['node', '-r', '@swc-node/register', 'bench/hello.ts'], env);
    await load(setup.read.serviceId, setup.read.codes, readMix, WARM_UP_SECONDS);
    hello.push((await load(setup.read.serviceId, setup.read.codes, readMix, seconds)).checksPerSecond);
    await stopServer(child);

    child = await startServer(['node', 'dist/main.js'], env);
    await blockAddress(setup.read.serviceId);
    await load(setup.read.serviceId, setup.read.codes, readMix, WARM_UP_SECONDS);
    const before = await transactions(databaseUrl);
    const read = await load(setup.read.serviceId, setup.read.codes, readMix, seconds);
    const used = (await transactions(databaseUrl)) - before;
    reads.push(read.checksPerSecond);
    errors += read.errors;
    if (round === 0) {
      const floor = await expressFloor(seconds);
      notes.push(
        `access codes: the full server's Express floor (/healthz, no database) made ${Math.round(floor)} req/s, ` +
          `${(floor / median(hello)).toFixed(2)}× bare node:http; checks are ${(read.checksPerSecond / floor).toFixed(2)}× ` +
          'that floor',
      );
      const answered = Object.entries(read.statuses)
        .map(([status, count]) => `${status}: ${count}`)
        .join(', ');
      notes.push(
        `access codes, reads: sent ${read.sent.good} good / ${read.sent.invalid} made-up / ${read.sent.throttled} ` +
          `from a refused address; answers ${answered}; ${used} database transactions for the ` +
          `${read.sent.good + read.sent.invalid} that were not throttled (attempt batches included)`,
      );
    }
    const write = await load(setup.write.serviceId, setup.write.codes, { good: 1, invalid: 0, throttled: 0 }, seconds);
    writes.push(write.checksPerSecond);
    errors += write.errors;
    await stopServer(child);

    baseline.push(pgbench(pgbenchUrl, seconds));
  }

  const orm = await openDatabase({ kind: 'postgresql', url: databaseUrl });
  try {
    const violations = await checkAccessCodeInvariants(orm.em.fork());
    if (violations.length) throw new Error(`access-code invariants broken under load: ${violations.join('; ')}`);
  } finally {
    await orm.close();
  }
  notes.push(`access codes: ${errors} socket errors or timeouts; I6 held after ${options.rounds} rounds`);
  return {
    notes,
    rows: [
      {
        scenario: `P4 access-code checks, time codes, 70/20/10 good/made-up/throttled (checks/s)`,
        baseline: 'bare node:http',
        values: reads,
        baselineValues: hello,
        unit: 'checks/s',
        bar: '≥ 0.5×',
        higherIsBetter: true,
      },
      {
        scenario: 'P4 access-code checks counting a use (checks/s)',
        baseline: 'pgbench simple-update -c 8',
        values: writes,
        baselineValues: baseline,
        unit: 'checks/s',
        bar: '≥ 0.5×',
        higherIsBetter: true,
      },
    ],
  };
}
