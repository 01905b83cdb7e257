import 'reflect-metadata';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { migrate, openDatabase } from '../src/app/database';
import { seedDemo } from '../src/app/seed';
import { createApiKey } from '../src/modules/api-key/api-key.service';
import { scenarios as accessCodeScenarios } from './access-code';
import { scenarios as ledgerScenarios } from './ledger';
import { scenarios as instructionScenarios } from './instruction';

/**
 * `npm run bench`: each scenario beside its baseline, in the same run, interleaved over fresh processes; servers on
 * CPU 0, the load generator on CPU 1 (see ../../shared/notes/bench.md). Prints ratios, writes raw numbers to
 * bench/results/.
 */
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const PORT = 4600;

export const DASHBOARD_QUERY = `query Dashboard {
  me { merchant { id name } scopes }
  apiKeys(first: 10) { totalCount edges { node { id name prefix scopes lastUsedAt } } }
  auditEvents(first: 10) { totalCount edges { node { id action actorKind createdAt } } }
}`;

export interface Row {
  scenario: string;
  baseline: string;
  values: number[];
  baselineValues: number[];
  unit: string;
  bar: string;
  /** Higher is better (throughput) or lower is better (latency). */
  higherIsBetter: boolean;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)) / median(values);

export async function createDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function startServer(command: string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', '0', ...command], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...env, PORT: String(PORT) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${command.join(' ')} did not start`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (/ready|serving|started at/.test(chunk.toString())) {
        clearTimeout(deadline);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}`)));
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Load {
  requestsPerSecond: number;
  p99: number;
  errors: number;
}

async function load(apiKey: string | null, seconds: number, rate?: number): Promise<Load> {
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}/graphql`,
    method: 'POST',
    connections: rate ? 32 : 16,
    duration: seconds,
    overallRate: rate,
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ query: DASHBOARD_QUERY }),
  });
  return { requestsPerSecond: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function graphqlScenarios(databaseUrl: string, apiKey: string): Promise<{ rows: Row[]; notes: string[] }> {
  const env = {
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
    SMS_WEBHOOK_SECRET: 'bench-sms-webhook-secret',
    WEB_DIST: '',
  };
  const servers = {
    hello: ['node', '-r', '@swc-node/register', 'bench/hello.ts'],
    bare: ['node', '-r', '@swc-node/register', 'bench/bare-graphql.ts'],
    full: ['node', 'dist/main.js'],
  } as const;
  const throughput: Record<keyof typeof servers, number[]> = { hello: [], bare: [], full: [] };
  const latency: Record<'bare' | 'full', number[]> = { bare: [], full: [] };
  const notes: string[] = [];
  let errors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(servers) as (keyof typeof servers)[]) {
      const child = await startServer([...servers[name]], env);
      await load(apiKey, 2); // warm-up: JIT, pools, caches
      const measured = await load(apiKey, SECONDS);
      errors += measured.errors;
      throughput[name].push(measured.requestsPerSecond);
      await stopServer(child);
    }
  }
  // Open loop at half the baseline's maximum, so slow responses are not hidden by a waiting client.
  const rate = Math.round(median(throughput.bare) / 2);
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['bare', 'full'] as const) {
      const child = await startServer([...servers[name]], env);
      await load(apiKey, 2, rate);
      const measured = await load(apiKey, SECONDS, rate);
      errors += measured.errors;
      latency[name].push(measured.p99);
      await stopServer(child);
    }
  }
  if (median(throughput.hello) < 8000)
    notes.push(`INVALID: bare node:http made ${Math.round(median(throughput.hello))} req/s (< 8k)`);
  for (const [name, values] of Object.entries(throughput)) {
    if (spread(values) > 0.2)
      notes.push(`INVALID: ${name} throughput spread ${(spread(values) * 100).toFixed(0)}% between rounds (> 20%)`);
  }
  if (errors) notes.push(`${errors} failed or non-2xx responses during the GraphQL scenarios`);
  return {
    notes,
    rows: [
      {
        scenario: 'P1 dashboard query, full server (req/s)',
        baseline: 'bare graphql-js',
        values: throughput.full,
        baselineValues: throughput.bare,
        unit: 'req/s',
        bar: '≥ 0.80×',
        higherIsBetter: true,
      },
      {
        scenario: `P1 dashboard query p99 at ${rate} req/s (ms)`,
        baseline: 'bare graphql-js',
        values: latency.full,
        baselineValues: latency.bare,
        unit: 'ms',
        bar: 'informative',
        higherIsBetter: false,
      },
      {
        scenario: 'bare node:http (req/s)',
        baseline: 'bare graphql-js',
        values: throughput.hello,
        baselineValues: throughput.bare,
        unit: 'req/s',
        bar: 'validity ≥ 8k',
        higherIsBetter: true,
      },
    ],
  };
}

function printTable(rows: Row[], notes: string[]): void {
  const format = (values: number[]) =>
    `${median(values).toFixed(1)} [${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}]`;
  const table = rows.map((row) => ({
    scenario: row.scenario,
    'median [min–max]': format(row.values),
    baseline: `${row.baseline} ${format(row.baselineValues)}`,
    ratio: `${(median(row.values) / median(row.baselineValues)).toFixed(2)}×`,
    bar: row.bar,
  }));
  console.table(table);
  for (const note of notes) console.log(note);
}

async function main(): Promise<void> {
  execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  if (!fs.existsSync(path.resolve(__dirname, '../dist/main.js')))
    throw new Error('build the server first (npm run build -w server)');
  const databaseUrl = await createDatabase('tg_bench');
  const orm = await openDatabase({ kind: 'postgresql', url: databaseUrl });
  await migrate(orm);
  const demo = await seedDemo(orm);
  const em = orm.em.fork();
  const { secret } = createApiKey(em, {
    merchantId: demo.merchantId,
    name: 'bench',
    scopes: ['read'],
    createdByUserId: null,
  });
  await em.flush();
  await orm.close();

  const graphql = await graphqlScenarios(databaseUrl, secret);
  const ledger = await ledgerScenarios({ rounds: ROUNDS, seconds: SECONDS, createDatabase });
  const instruction = await instructionScenarios({ rounds: ROUNDS });
  const accessCodes = await accessCodeScenarios({ rounds: ROUNDS, seconds: SECONDS, createDatabase });
  const rows = [...graphql.rows, ...ledger.rows, ...instruction.rows, ...accessCodes.rows];
  const notes = [...graphql.notes, ...ledger.notes, ...instruction.notes, ...accessCodes.notes];
  printTable(rows, notes);
  const out = path.resolve(__dirname, 'results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ rows, notes }, null, 2));
  console.log(`raw numbers: ${path.relative(process.cwd(), file)}`);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
