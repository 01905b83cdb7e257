import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../src/common/context';
import type { DomainModule } from '../src/common/module';
import fs from 'node:fs';
import path from 'node:path';
import {
  getOperationAST,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
} from 'graphql';
import { assertWithinLimits, MAX_PUBLIC_COST } from '../src/app/limits';
import { SEED_COUNTRIES } from '../src/modules/tariff/tariff.seed';
import { startTestApp, testDialect, type Auth, type TestApp } from './harness';

const SEEDED = new Set(SEED_COUNTRIES.map((country) => country.code));

/** An imported catalogue as large as the one that starved the pool: 600 countries, three tariffs each. */
function bigCatalogue(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rows = [
    'country,country_name,currency,operator,short_code,price,price_usd,yield_usd,operator_share_usd,platform_fee_usd',
  ];
  let made = 0;
  for (const first of letters) {
    for (const second of letters) {
      const code = `${first}${second}`;
      if (made === 600 || SEEDED.has(code)) continue;
      made++;
      for (const [shortCode, usd] of [
        ['100', '1.00'],
        ['200', '2.00'],
        ['300', '3.50'],
      ]) {
        rows.push(`${code},Land ${code},USD,,${shortCode},${usd},${usd},${usd},0.00,0.00`);
      }
    }
  }
  return rows.join('\n');
}

const SHOP = `query($slug: String!) { voucherShop(slug: $slug) { name countries { code messages total { amount } } } }`;

function aliases(count: number, slug: string): string {
  const fields = Array.from(
    { length: count },
    (_, i) => `s${i}: voucherShop(slug: "${slug}") { name countries { code } }`,
  );
  return `{ ${fields.join(' ')} }`;
}

describe('bounded work per request', () => {
  let t: TestApp;
  let owner: Auth;
  let slug: string;
  beforeAll(async () => {
    // A small pool makes starvation show at once: each request may hold at most one of its four connections.
    t = await startTestApp({ DATABASE_POOL_SIZE: '4' });
    owner = await t.ownerAuth();
    const admin = await t.adminAuth();
    const imported = await t.gql(
      'mutation($input: ImportTariffsCsvInput!) { importTariffsCsv(input: $input) { userErrors { message } } }',
      { input: { csv: bigCatalogue() } },
      admin,
    );
    expect(imported.data?.importTariffsCsv.userErrors).toEqual([]);
    slug = `big-${Date.now().toString(36)}`;
    const created = await t.gql(
      `mutation($input: CreateVoucherProjectInput!) { createVoucherProject(input: $input) { userErrors { message } } }`,
      { input: { name: 'Game card', slug, price: '4.00', kind: 'PIN' } },
      owner,
    );
    expect(created.data?.createVoucherProject.userErrors).toEqual([]);
  }, 120_000);
  afterAll(async () => t?.close());

  it('serves a public voucher page over a 600-country catalogue within the public ceiling', async () => {
    const page = await t.gql(SHOP, { slug });
    expect(page.errors).toBeUndefined();
    expect(page.data!.voucherShop.countries.length).toBeGreaterThanOrEqual(600);
    expect(page.data!.voucherShop.countries[0]).toMatchObject({ messages: 2 });
  });

  it('refuses 1,000 aliases before any of them runs; 100 from a payer ask to sign in first', async () => {
    const thousand = await t.gql(aliases(1000, slug));
    expect(thousand.errors?.[0].extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(thousand.data).toBeUndefined();
    // Over the anonymous ceiling but under a signed-in one: signing in is the way to ask for that much.
    const hundred = await t.gql(aliases(100, slug));
    expect(hundred.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(hundred.errors?.[0].message).toContain(`limit is ${MAX_PUBLIC_COST} without signing in`);
    expect(hundred.data).toBeUndefined();
    // A signed-in caller has a higher ceiling, but not a thousand quotes' worth.
    const signedIn = await t.gql(aliases(1000, slug), {}, owner);
    expect(signedIn.errors?.[0].extensions?.code).toBe('QUERY_TOO_COSTLY');
  });
});

@Resolver()
class SleepResolver {
  @Query(() => String, { description: 'Test only: one statement that takes `ms` milliseconds in PostgreSQL.' })
  async sleep(@Arg('ms', () => Int) ms: number, @Ctx() ctx: Context): Promise<string> {
    await ctx.em.getConnection().execute(`select pg_sleep(${ms / 1000}) as slept`);
    return 'awake';
  }
}

const sleepModule: DomainModule = { name: 'sleep-test', entities: [], resolvers: [SleepResolver] };

describe.runIf(testDialect() === 'postgres')('pool share and statement timeout (PostgreSQL)', () => {
  let t: TestApp;
  let watcher: Client;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '6', API_STATEMENT_TIMEOUT_MS: '1500' }, [sleepModule]);
    watcher = new Client({ connectionString: (t.app.config.database as { url: string }).url });
    await watcher.connect();
  });
  afterAll(async () => {
    await watcher?.end();
    await t?.close();
  });

  /** How many of this database's connections are sleeping right now. */
  async function sleeping(): Promise<number> {
    const { rows } = await watcher.query(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%'",
    );
    return rows[0].n as number;
  }

  it('lets one request of many aliases hold only its share of the pool, and answers others meanwhile', async () => {
    const fields = Array.from({ length: 8 }, (_, i) => `a${i}: sleep(ms: 250)`).join(' ');
    let done = false;
    const flood = t.gql(`{ ${fields} }`).finally(() => (done = true));
    let most = 0;
    let simple: Awaited<ReturnType<TestApp['gql']>> | null = null;
    while (!done) {
      most = Math.max(most, await sleeping());
      // Another caller, while the flood runs: answered, no pool error.
      simple ??= await t.gql('{ countries { code } }');
    }
    const result = await flood;
    expect(result.errors).toBeUndefined();
    expect(Object.values(result.data!)).toEqual(Array(8).fill('awake'));
    // A pool of 6 gives each request 2 connections at once: the eight statements ran two by two.
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
    expect(simple?.errors).toBeUndefined();
    expect((simple?.data as { countries: unknown[] } | undefined)?.countries.length).toBeGreaterThan(0);
  });

  it('stops a statement of an API request that outlives the timeout, with a typed error', async () => {
    const result = await t.gql('{ sleep(ms: 3000) }');
    expect(result.errors?.[0].extensions?.code).toBe('TIMEOUT');
    expect(result.data?.sleep ?? null).toBeNull();
  });

  it("leaves an admin's ledger check unbounded", async () => {
    const check = await t.gql('{ ledgerCheck { consistent } }', {}, await t.adminAuth());
    expect(check.errors).toBeUndefined();
    expect(check.data?.ledgerCheck.consistent).toBe(true);
  });
});

const WEB = path.resolve(__dirname, '../../web/src');
/** The SPA's pages anyone may open: payer pages, shops, the login and the simulator (development). */
const PUBLIC_PAGES = [
  'features/pay',
  'features/voucher-shop',
  'features/purses/PursePayPage.tsx',
  'features/simulator',
  'features/auth/LoginPage.tsx',
];

/** The operations the files under `entry` send, by name. */
function operationsIn(entry: string): string[] {
  const full = path.join(WEB, entry);
  const files = fs.statSync(full).isDirectory() ? fs.readdirSync(full).map((name) => path.join(full, name)) : [full];
  return files.flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(/graphql\(`\s*(?:query|mutation|subscription)\s+(\w+)/g)].map(
      (m) => m[1],
    ),
  );
}

/** Some value of a variable's type: required input fields filled, optional ones left out. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type))
        .map((field) => [field.name, sample(field.type)]),
    );
  }
  return { Int: 1, Float: 1, Boolean: true }[type.name] ?? '1';
}

describe('public pages within the public ceiling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('prices every operation a public page of the SPA sends under the ceiling for anonymous callers', () => {
    const generated = fs.readFileSync(path.join(WEB, 'gql/graphql.ts'), 'utf8');
    const names = PUBLIC_PAGES.flatMap(operationsIn);
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) {
      const json = new RegExp(`export const ${name}Document = (\\{.*?\\}) as unknown as`).exec(generated)?.[1];
      expect(json, name).toBeDefined();
      const document = JSON.parse(json!) as DocumentNode;
      const operation = getOperationAST(document)!;
      const variables = Object.fromEntries(
        (operation.variableDefinitions ?? []).map((definition) => [
          definition.variable.name.value,
          sample(typeFromAST(t.app.schema, definition.type as never) as GraphQLInputType),
        ]),
      );
      expect(() => assertWithinLimits(t.app.schema, document, variables, name, MAX_PUBLIC_COST), name).not.toThrow();
    }
  });
});
