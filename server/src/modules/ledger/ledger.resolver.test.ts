import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { build } from '../../common/orm';
import { createUser } from '../auth/auth.service';
import { UserRole } from '../auth/user.entity';
import { Merchant } from '../merchant/merchant.entity';
import { LedgerAccountPurpose as Purpose } from './ledger.entity';
import { ledgerAccount, transfer } from './ledger.service';

/** Two merchants, A (the demo shop) and B, with money and a transfer each, seen through the GraphQL API. */
let t: TestApp;
let ownerA: Auth;
let ownerB: Auth;
let admin: Auth;
let merchantA: string;
let merchantB: string;
const accounts = { aAvailable: '', bAvailable: '', world: '' };
const transfers = { a: '', b: '', aToB: '', platform: '' };

beforeAll(async () => {
  t = await startTestApp();
  const em = t.orm.em.fork();
  // Two fresh merchants: the demo merchant's seeded payments have money of their own.
  const shopA = build(Merchant, { name: 'Shop A' });
  const shopB = build(Merchant, { name: 'Shop B' });
  em.persist([shopA, shopB]);
  await createUser(em, {
    email: 'owner-a@ledger.test',
    name: 'Abe Owner',
    password: 'owner-a-password',
    role: UserRole.OWNER,
    merchantId: shopA.id,
  });
  await createUser(em, {
    email: 'owner-b@ledger.test',
    name: 'Bea Owner',
    password: 'owner-b-password',
    role: UserRole.OWNER,
    merchantId: shopB.id,
  });
  await em.flush();
  merchantA = shopA.id;
  merchantB = shopB.id;
  [ownerA, ownerB, admin] = [
    await t.login('owner-a@ledger.test', 'owner-a-password'),
    await t.login('owner-b@ledger.test', 'owner-b-password'),
    await t.adminAuth(),
  ];

  const account = async (merchantId: string | null, purpose: Purpose) =>
    (await ledgerAccount(t.orm.em.fork(), { merchantId, currency: 'USD', purpose })).id;
  accounts.world = await account(null, Purpose.WORLD);
  accounts.aAvailable = await account(merchantA, Purpose.MERCHANT_AVAILABLE);
  accounts.bAvailable = await account(merchantB, Purpose.MERCHANT_AVAILABLE);
  const fees = await account(null, Purpose.PLATFORM_FEES);
  const post = async (ownerId: string | null, key: string, entries: { accountId: string; amount: bigint }[]) =>
    (await transfer(t.orm.em.fork(), { ownerId, idempotencyKey: key, currency: 'USD', entries })).transfer.id;
  transfers.a = await post(merchantA, 'a-1', [
    { accountId: accounts.world, amount: -1000n },
    { accountId: accounts.aAvailable, amount: 900n },
    { accountId: fees, amount: 100n },
  ]);
  transfers.b = await post(merchantB, 'b-1', [
    { accountId: accounts.world, amount: -500n },
    { accountId: accounts.bAvailable, amount: 500n },
  ]);
  transfers.aToB = await post(merchantA, 'a-2', [
    { accountId: accounts.aAvailable, amount: -100n },
    { accountId: accounts.bAvailable, amount: 100n },
  ]);
  transfers.platform = await post(null, 'fees-out', [
    { accountId: fees, amount: -10n },
    { accountId: accounts.world, amount: 10n },
  ]);
});
afterAll(async () => t?.close());

const ACCOUNTS = `query($merchantId: ID) {
  ledgerAccounts(merchantId: $merchantId, first: 100) {
    totalCount
    edges { node { id merchantId purpose currency allowNegative available { amount currency } posted { amount } } }
  }
}`;
const ENTRIES = `query($accountId: ID, $merchantId: ID) {
  ledgerEntries(accountId: $accountId, merchantId: $merchantId, first: 100) {
    totalCount
    edges { node { id transferId accountId merchantId pending amount { amount currency } } }
  }
}`;
const TRANSFER = `query($id: ID!) {
  ledgerTransfer(id: $id) {
    id kind merchantId idempotencyKey currency amount { amount currency } description resolvedBy { id } reversedBy { id }
    entries { accountId merchantId amount { amount } }
  }
}`;
const ADJUST = `mutation($input: CreateLedgerAdjustmentInput!) {
  createLedgerAdjustment(input: $input) {
    transfer { id kind merchantId description amount { amount currency } entries { accountId amount { amount } } }
    userErrors { code field message }
  }
}`;

const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;

describe('tenancy (I10)', () => {
  it("shows a merchant its own accounts and entries only, never another merchant's", async () => {
    const mine = await t.gql(ACCOUNTS, {}, ownerA);
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.ledgerAccounts.edges.map((edge: any) => edge.node)).toEqual([
      {
        id: accounts.aAvailable,
        merchantId: merchantA,
        purpose: 'MERCHANT_AVAILABLE',
        currency: 'USD',
        allowNegative: false,
        available: { amount: '8.00', currency: 'USD' },
        posted: { amount: '8.00' },
      },
    ]);
    const theirs = await t.gql(ACCOUNTS, {}, ownerB);
    expect(theirs.data?.ledgerAccounts.edges.map((edge: any) => edge.node.id)).toEqual([accounts.bAvailable]);
    expect(codeOf(await t.gql(ACCOUNTS, { merchantId: merchantA }, ownerB))).toBe('NOT_FOUND');

    const entriesB = await t.gql(ENTRIES, {}, ownerB);
    expect(entriesB.data?.ledgerEntries.totalCount).toBe(2);
    for (const { node } of entriesB.data?.ledgerEntries.edges ?? []) expect(node.merchantId).toBe(merchantB);
    expect(codeOf(await t.gql(ENTRIES, { accountId: accounts.aAvailable }, ownerB))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(ENTRIES, { accountId: accounts.world }, ownerB))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(ENTRIES, { merchantId: merchantA }, ownerB))).toBe('NOT_FOUND');
    const entriesA = await t.gql(ENTRIES, { accountId: accounts.aAvailable }, ownerA);
    expect(entriesA.data?.ledgerEntries.edges.map((edge: any) => edge.node.amount.amount).sort()).toEqual([
      '-1.00',
      '9.00',
    ]);
  });

  it("answers NOT_FOUND for another merchant's transfer and hides its legs inside one's own", async () => {
    expect(codeOf(await t.gql(TRANSFER, { id: transfers.a }, ownerB))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(TRANSFER, { id: transfers.platform }, ownerA))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(TRANSFER, { id: 'ltr_missing' }, ownerA))).toBe('NOT_FOUND');

    const own = await t.gql(TRANSFER, { id: transfers.a }, ownerA);
    expect(own.data?.ledgerTransfer).toMatchObject({
      kind: 'TRANSFER',
      merchantId: merchantA,
      idempotencyKey: 'a-1',
      amount: { amount: '10.00', currency: 'USD' },
      resolvedBy: null,
      reversedBy: null,
    });
    // The platform's legs of one's own transfer are shown; they belong to no other merchant.
    expect(own.data?.ledgerTransfer.entries).toHaveLength(3);

    const split = await t.gql(TRANSFER, { id: transfers.aToB }, ownerA);
    expect(split.data?.ledgerTransfer.entries).toEqual([
      { accountId: accounts.aAvailable, merchantId: merchantA, amount: { amount: '-1.00' } },
    ]);
    const asAdmin = await t.gql(TRANSFER, { id: transfers.aToB }, admin);
    expect(asAdmin.data?.ledgerTransfer.entries).toHaveLength(2);
  });

  it('gives the merchant its balances, and admins every account', async () => {
    const me = await t.gql(
      '{ me { merchant { balances { accountId purpose available { amount currency } pending { amount } held { amount } posted { amount } } } } }',
      {},
      ownerA,
    );
    expect(me.data?.me.merchant.balances).toEqual([
      {
        accountId: accounts.aAvailable,
        purpose: 'MERCHANT_AVAILABLE',
        available: { amount: '8.00', currency: 'USD' },
        pending: { amount: '0.00' },
        held: { amount: '0.00' },
        posted: { amount: '8.00' },
      },
    ]);
    const all = await t.gql(ACCOUNTS, {}, admin);
    const ids = all.data?.ledgerAccounts.edges.map((edge: any) => edge.node.id);
    expect(ids).toEqual(expect.arrayContaining([accounts.aAvailable, accounts.bAvailable, accounts.world]));
    const onlyB = await t.gql(ACCOUNTS, { merchantId: merchantB }, admin);
    expect(onlyB.data?.ledgerAccounts.edges.map((edge: any) => edge.node.id)).toEqual([accounts.bAvailable]);
  });
});

describe('Merchant.currency', () => {
  it('is USD before any money, then the currency the money first came in, whatever comes later', async () => {
    const em = t.orm.em.fork();
    const shop = build(Merchant, { name: 'Shop C' });
    em.persist(shop);
    await createUser(em, {
      email: 'owner-c@ledger.test',
      name: 'Cy Owner',
      password: 'owner-c-password',
      role: UserRole.OWNER,
      merchantId: shop.id,
    });
    await em.flush();
    const ownerC = await t.login('owner-c@ledger.test', 'owner-c-password');
    const currency = async () =>
      (await t.gql('{ me { merchant { currency } } }', {}, ownerC)).data?.me.merchant.currency;

    expect(await currency()).toBe('USD');
    await ledgerAccount(t.orm.em.fork(), { merchantId: shop.id, currency: 'GBP', purpose: Purpose.MERCHANT_AVAILABLE });
    // Accounts are ordered by when they opened: the next one must open at a later millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ledgerAccount(t.orm.em.fork(), { merchantId: shop.id, currency: 'EUR', purpose: Purpose.MERCHANT_AVAILABLE });
    expect(await currency()).toBe('GBP');

    const other = await t.gql(`query($id: ID!) { merchant(id: $id) { currency } }`, { id: merchantA }, ownerC);
    // Another merchant's currency is not for this one (refused or hidden, never given).
    expect(other.data?.merchant?.currency).toBeUndefined();
  });
});

describe('ledgerCheck', () => {
  it('reports a consistent ledger to admins only', async () => {
    const check = await t.gql('{ ledgerCheck { consistent violations { invariant message } checkedAt } }', {}, admin);
    expect(check.data?.ledgerCheck).toMatchObject({ consistent: true, violations: [] });
    expect(codeOf(await t.gql('{ ledgerCheck { consistent } }', {}, ownerA))).toBe('FORBIDDEN');
  });
});

describe('createLedgerAdjustment', () => {
  const input = (overrides: Record<string, unknown> = {}) => ({
    idempotencyKey: 'goodwill-1',
    merchantId: merchantB,
    currency: 'USD',
    description: 'Goodwill credit for ticket 123',
    entries: [
      { purpose: 'WORLD', merchantId: null, amount: '-2.50' },
      { purpose: 'MERCHANT_AVAILABLE', amount: '2.50' },
    ],
    ...overrides,
  });

  it('moves money between named accounts once per key, audited once', async () => {
    const first = await t.gql(ADJUST, { input: input() }, admin);
    expect(first.data?.createLedgerAdjustment.userErrors).toEqual([]);
    const adjustment = first.data?.createLedgerAdjustment.transfer;
    expect(adjustment).toMatchObject({
      kind: 'TRANSFER',
      merchantId: merchantB,
      description: 'Goodwill credit for ticket 123',
      amount: { amount: '2.50', currency: 'USD' },
    });
    expect(adjustment.entries).toEqual([
      { accountId: accounts.world, amount: { amount: '-2.50' } },
      { accountId: accounts.bAvailable, amount: { amount: '2.50' } },
    ]);
    const again = await t.gql(ADJUST, { input: input() }, admin);
    expect(again.data?.createLedgerAdjustment.transfer.id).toBe(adjustment.id);
    // A retry worded otherwise is the same adjustment: the first reason stays, and it is audited once.
    const reworded = await t.gql(ADJUST, { input: input({ description: 'Goodwill credit, ticket #123' }) }, admin);
    expect(reworded.data?.createLedgerAdjustment).toMatchObject({
      userErrors: [],
      transfer: { id: adjustment.id, description: 'Goodwill credit for ticket 123' },
    });

    const audit = await t.gql(
      '{ auditEvents(action: "ledger.adjust") { totalCount edges { node { merchantId targetId details } } } }',
      {},
      admin,
    );
    expect(audit.data?.auditEvents.totalCount).toBe(1);
    expect(audit.data?.auditEvents.edges[0].node).toMatchObject({
      merchantId: merchantB,
      targetId: adjustment.id,
      details: { currency: 'USD', description: 'Goodwill credit for ticket 123', idempotencyKey: 'goodwill-1' },
    });
    // B sees the adjustment made for it.
    expect((await t.gql(TRANSFER, { id: adjustment.id }, ownerB)).data?.ledgerTransfer.id).toBe(adjustment.id);
  });

  it('answers refusals as userErrors, writing nothing', async () => {
    const errorsOf = async (overrides: Record<string, unknown>) =>
      (await t.gql(ADJUST, { input: input({ idempotencyKey: 'refused', ...overrides }) }, admin)).data
        ?.createLedgerAdjustment;
    const accountsBefore = (await t.gql(ACCOUNTS, {}, admin)).data?.ledgerAccounts.totalCount;

    // The same key moving other money; a changed description alone replays (see the test above).
    expect(
      await errorsOf({
        idempotencyKey: 'goodwill-1',
        entries: [
          { purpose: 'WORLD', merchantId: null, amount: '-3.00' },
          { purpose: 'MERCHANT_AVAILABLE', amount: '3.00' },
        ],
      }),
    ).toMatchObject({
      transfer: null,
      userErrors: [{ code: 'IDEMPOTENCY_CONFLICT' }],
    });
    expect(
      (
        await errorsOf({
          entries: [
            { purpose: 'WORLD', amount: '-2.50' },
            { purpose: 'MERCHANT_AVAILABLE', amount: '2.49' },
          ],
        })
      ).userErrors,
    ).toEqual([expect.objectContaining({ code: 'UNBALANCED' })]);
    expect(
      (
        await errorsOf({
          entries: [
            { purpose: 'WORLD', amount: '-2.50' },
            { purpose: 'MERCHANT_AVAILABLE', amount: '2.505' },
          ],
        })
      ).userErrors,
    ).toEqual([expect.objectContaining({ code: 'INVALID_AMOUNT', field: ['input', 'entries', '1', 'amount'] })]);
    expect(
      (
        await errorsOf({
          entries: [
            { purpose: 'MERCHANT_AVAILABLE', amount: '-1000.00' },
            { purpose: 'PLATFORM_FEES', amount: '1000.00' },
          ],
        })
      ).userErrors,
    ).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_FUNDS', field: ['input', 'entries', '0', 'accountId'] })]);
    expect((await errorsOf({ description: '  ' })).userErrors).toEqual([
      expect.objectContaining({ code: 'REQUIRED', field: ['input', 'description'] }),
    ]);
    expect((await errorsOf({ merchantId: 'mch_missing' })).userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'merchantId'] }),
    ]);
    expect((await errorsOf({ currency: 'ZZZ' })).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_CURRENCY' }),
    ]);
    expect(
      (
        await errorsOf({
          merchantId: null,
          entries: [
            { purpose: 'WORLD', amount: '-1.00' },
            { purpose: 'MERCHANT_AVAILABLE', amount: '1.00' },
          ],
        })
      ).userErrors,
    ).toEqual([expect.objectContaining({ code: 'REQUIRED', field: ['input', 'entries', '1', 'merchantId'] })]);

    expect((await t.gql(ACCOUNTS, {}, admin)).data?.ledgerAccounts.totalCount).toBe(accountsBefore);
    const audit = await t.gql('{ auditEvents(action: "ledger.adjust") { totalCount } }', {}, admin);
    expect(audit.data?.auditEvents.totalCount).toBe(1);
  });

  it('is for admins only', async () => {
    expect(codeOf(await t.gql(ADJUST, { input: input({ idempotencyKey: 'mine' }) }, ownerB))).toBe('FORBIDDEN');
  });
});
