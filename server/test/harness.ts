import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MikroORM } from '@mikro-orm/core';
import { loadConfig, type Config } from '../src/common/config';
import { migrate, openDatabase, poolFor, type PoolRole } from '../src/app/database';
import { createAppPubSub } from '../src/app/pubsub';
import { createApp, type App } from '../src/app/server';
import { MODULES } from '../src/app/modules';
import { generate } from 'otplib';
import { seedDemo, DEMO_ADMIN_TOTP_SECRET, DEMO_LOGINS } from '../src/app/seed';
import type { DemoAccounts, DomainModule } from '../src/common/module';
import type { Logger } from '../src/common/log';
import { checkInvariants } from './invariants';

export const ADMIN_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Dialect = 'sqlite' | 'postgres';

export function testDialect(): Dialect {
  return process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

/** A fresh, empty database of the suite's dialect; `drop` removes it. */
export async function createTestDatabase(): Promise<{
  database: Config['database'];
  url: string;
  drop(): Promise<void>;
}> {
  const name = `tg_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (testDialect() === 'postgres') {
    const admin = new Client({ connectionString: ADMIN_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(ADMIN_POSTGRES_URL);
    url.pathname = `/${name}`;
    return {
      database: { kind: 'postgresql', url: url.toString() },
      url: url.toString(),
      drop: async () => {
        const client = new Client({ connectionString: ADMIN_POSTGRES_URL });
        await client.connect();
        await client.query(`drop database if exists ${name} with (force)`);
        await client.end();
      },
    };
  }
  const file = path.join(os.tmpdir(), `${name}.sqlite`);
  return {
    database: { kind: 'sqlite', path: file },
    url: file,
    drop: async () => {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    },
  };
}

/** Opens a fresh database migrated as production would be (migrations, triggers included). */
export async function createTestOrm(pool?: PoolRole): Promise<{
  orm: MikroORM;
  database: Config['database'];
  close(): Promise<void>;
}> {
  const db = await createTestDatabase();
  const orm = await openDatabase(db.database, {}, pool);
  await migrate(orm);
  return {
    orm,
    database: db.database,
    close: async () => {
      await orm.close(true);
      await db.drop();
    },
  };
}

export interface TestApp {
  app: App;
  orm: MikroORM;
  url: string;
  demo: DemoAccounts;
  /** Sends a GraphQL operation over real HTTP; returns the parsed body. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, auth?: Auth): Promise<GqlResult<T>>;
  /** Logs in through the API; returns the session cookie. */
  /** Logs in; a user with two-factor login needs `totpSecret` to compute the code. */
  login(email: string, password: string, totpSecret?: string): Promise<Auth>;
  ownerAuth(): Promise<Auth>;
  adminAuth(): Promise<Auth>;
  close(): Promise<void>;
}

export interface Auth {
  cookie?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

export interface GqlResult<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * A running server on a fresh database, seeded with the demo accounts. `extraModules` run beside the platform's (a
 * test's own SMS product, say), as a module of the app would.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  extraModules: readonly DomainModule[] = [],
  options: { log?: Logger } = {},
): Promise<TestApp> {
  // The API's pool, as a production api process has it (share per request, statement timeout).
  const { orm, database, close } = await createTestOrm(poolFor(loadConfig({ NODE_ENV: 'test', ...env }), 'api'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    WEB_DIST: '',
    DATABASE_URL: database.kind === 'sqlite' ? database.path : database.url,
    ...env,
  });
  const pubsub = createAppPubSub(config.redisUrl);
  const app = await createApp(config, orm, pubsub, [...MODULES, ...extraModules], options);
  const url = await app.listen(0);
  const demo = await seedDemo(orm);

  const gql: TestApp['gql'] = async (query, variables = {}, auth = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...auth.headers };
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.apiKey) headers.authorization = `Bearer ${auth.apiKey}`;
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as never;
  };
  /** Posts a login mutation; returns its payload and the cookies it set. */
  const post = async (query: string, input: Record<string, string>, cookie?: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ query, variables: { input } }),
    });
    const body = (await response.json()) as {
      data: Record<string, { secondFactorRequired: boolean; userErrors: { code: string; message: string }[] }>;
    };
    const cookies = response.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');
    return { result: Object.values(body.data)[0], cookie: cookies };
  };
  const login: TestApp['login'] = async (email, password, totpSecret) => {
    const first = await post(
      'mutation($input: LoginInput!) { login(input: $input) { secondFactorRequired userErrors { code message } } }',
      { email, password },
    );
    if (first.result.userErrors.length) throw new Error(`login failed: ${first.result.userErrors[0].message}`);
    if (!first.result.secondFactorRequired) return { cookie: first.cookie };
    if (!totpSecret) throw new Error(`login of ${email} asks for a TOTP code: pass its secret`);
    const second = await post(
      'mutation($input: SecondFactorInput!) { loginSecondFactor(input: $input) { userErrors { code message } } }',
      { code: await freshTotpCode(totpSecret) },
      first.cookie,
    );
    if (second.result.userErrors.length) throw new Error(`TOTP step failed: ${second.result.userErrors[0].message}`);
    return { cookie: second.cookie };
  };
  // One admin session per test app: each login spends a TOTP time step, and the server takes each step once.
  let adminSession: Promise<Auth> | null = null;

  return {
    app,
    orm,
    url,
    demo,
    gql,
    login,
    ownerAuth: () => login(DEMO_LOGINS.owner.email, DEMO_LOGINS.owner.password),
    adminAuth: () =>
      (adminSession ??= login(DEMO_LOGINS.admin.email, DEMO_LOGINS.admin.password, DEMO_ADMIN_TOTP_SECRET).catch(
        (error: unknown) => {
          adminSession = null;
          throw error;
        },
      )),
    close: async () => {
      // A test passes only if the invariants hold after it; the database is dropped either way.
      try {
        await checkInvariants(orm);
      } finally {
        await app.close();
        await app.pubsub.close();
        await close();
      }
    },
  };
}

// The app's wiring, for module tests that need more than one app or a bare database: modules never import app/,
// their tests take it from here.
export { openDatabase } from '../src/app/database';
export { createAppPubSub, type AppPubSub } from '../src/app/pubsub';
export { createApp, type App } from '../src/app/server';
export { seedDemo, DEMO_ADMIN_TOTP_SECRET, DEMO_LOGINS } from '../src/app/seed';

const lastSteps = new Map<string, number>();
/**
 * A TOTP code of a time step not used before in this process (the server takes each step once per user): the
 * current step, else the next (within the server's tolerance), else it waits for the step after.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  for (;;) {
    const current = Math.floor(Date.now() / 30_000);
    const step = Math.max(current, (lastSteps.get(secret) ?? -1) + 1);
    if (step <= current + 1) {
      lastSteps.set(secret, step);
      return generate({ secret, epoch: step * 30 });
    }
    await new Promise((resolve) => setTimeout(resolve, (current + 1) * 30_000 - Date.now() + 50));
  }
}
