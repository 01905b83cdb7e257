import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from './harness';

/**
 * Invariant I10: no row of merchant A is ever returned to, or changed by, merchant B. Each merchant acts both from
 * the dashboard (session) and as a partner system (API key).
 */
describe('tenancy', () => {
  let t: TestApp;
  let admin: Auth;
  const a = {} as Tenant;
  const b = {} as Tenant;
  const partner = {} as Tenant;
  const sub = {} as Tenant;
  let readOnlyKey: Auth;

  interface Tenant {
    merchantId: string;
    ownerId: string;
    session: Auth;
    key: Auth;
    keyId: string;
    paymentId: string;
  }

  const CREATE_PAYMENT = `mutation($input: CreatePaymentInput!) {
    createPayment(input: $input) { payment { id } userErrors { code } }
  }`;

  async function createKey(session: Auth, scopes: string[]): Promise<{ auth: Auth; id: string }> {
    const result = await t.gql(
      'mutation($scopes: [String!]!) { createApiKey(input: { name: "k", scopes: $scopes }) { apiKey { id } secret } }',
      { scopes },
      session,
    );
    return { auth: { apiKey: result.data!.createApiKey.secret }, id: result.data!.createApiKey.apiKey.id };
  }

  async function setUp(tenant: Tenant, session: Auth): Promise<void> {
    const me = await t.gql('{ me { user { id } merchant { id } } }', {}, session);
    tenant.merchantId = me.data!.me.merchant.id;
    tenant.ownerId = me.data!.me.user.id;
    tenant.session = session;
    const key = await createKey(session, ['read', 'write']);
    tenant.key = key.auth;
    tenant.keyId = key.id;
    const payment = await t.gql(
      CREATE_PAYMENT,
      { input: { amount: '1.00', currency: 'USD', description: `of ${tenant.merchantId}` } },
      tenant.key,
    );
    tenant.paymentId = payment.data!.createPayment.payment.id;
  }

  async function createMerchant(name: string, email: string, parentId?: string): Promise<Auth> {
    const password = `${name}-owner-password`;
    const result = await t.gql(
      `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { userErrors { code message } } }`,
      { input: { name, ownerEmail: email, ownerName: name, ownerPassword: password, parentId } },
      admin,
    );
    expect(result.data!.createMerchant.userErrors).toEqual([]);
    return t.login(email, password);
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminAuth();
    await setUp(a, await t.ownerAuth());
    await setUp(b, await createMerchant('b', 'owner@b.test'));
    await setUp(partner, await createMerchant('partner', 'owner@partner.test'));
    await setUp(sub, await createMerchant('sub', 'owner@sub.test', partner.merchantId));
    readOnlyKey = (await createKey(a.session, ['read'])).auth;
  });
  afterAll(async () => t?.close());

  const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;
  const as = (tenant: Tenant) =>
    [
      ['session', tenant.session],
      ['API key', tenant.key],
    ] as const;

  it("keeps B from listing A's payments, API keys, audit events and team", async () => {
    for (const [how, auth] of as(b)) {
      const lists = await t.gql(
        `{ payments { edges { node { merchantId } } }
           apiKeys { edges { node { merchantId } } }
           auditEvents { edges { node { merchantId } } }
           teamMembers { edges { node { merchantId } } }
           merchants { edges { node { id } } } }`,
        {},
        auth,
      );
      expect(lists.errors, how).toBeUndefined();
      for (const list of ['payments', 'apiKeys', 'auditEvents', 'teamMembers']) {
        const owners = new Set(lists.data![list].edges.map((edge: any) => edge.node.merchantId));
        expect([...owners], `${how}: ${list}`).toEqual([b.merchantId]);
      }
      expect(lists.data!.merchants.edges, how).toEqual([{ node: { id: b.merchantId } }]);

      for (const list of ['payments', 'apiKeys', 'auditEvents', 'teamMembers']) {
        const named = await t.gql(
          `query($m: ID) { ${list}(merchantId: $m) { totalCount } }`,
          { m: a.merchantId },
          auth,
        );
        expect(codeOf(named), `${how}: ${list}(merchantId: A)`).toBe('NOT_FOUND');
      }
    }
  });

  it("keeps B from fetching A's objects by id, answering as if they did not exist", async () => {
    for (const [how, auth] of as(b)) {
      const payment = await t.gql('query($id: ID!) { payment(id: $id) { id } }', { id: a.paymentId }, auth);
      expect(codeOf(payment), how).toBe('NOT_FOUND');
      const missing = await t.gql(
        'query($id: ID!) { payment(id: $id) { id } }',
        { id: 'pay_00000000000000000000000000' },
        auth,
      );
      expect(missing.errors?.[0]?.message, how).toBe(payment.errors?.[0]?.message);
      const merchant = await t.gql('query($id: ID!) { merchant(id: $id) { id } }', { id: a.merchantId }, auth);
      expect(codeOf(merchant), how).toBe('NOT_FOUND');
    }
  });

  it("keeps B from changing A's payments, keys and team", async () => {
    for (const [how, auth] of as(b)) {
      const cancel = await t.gql(
        'mutation($id: ID!) { cancelPayment(input: { id: $id }) { payment { id } } }',
        { id: a.paymentId },
        auth,
      );
      expect(codeOf(cancel), how).toBe('NOT_FOUND');
      const revoke = await t.gql(
        'mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }',
        { id: a.keyId },
        auth,
      );
      expect(codeOf(revoke), how).toBe('NOT_FOUND');
      const create = await t.gql(
        CREATE_PAYMENT,
        { input: { amount: '1.00', currency: 'USD', description: 'x', merchantId: a.merchantId } },
        auth,
      );
      expect(codeOf(create), how).toBe('NOT_FOUND');
    }
    const remove = await t.gql(
      'mutation($id: ID!) { removeTeamMember(input: { userId: $id }) { removedUserId } }',
      { id: a.ownerId },
      b.session,
    );
    expect(codeOf(remove)).toBe('NOT_FOUND');
    const add = await t.gql(
      `mutation($m: ID!) { addTeamMember(input: { email: "intruder@b.test", name: "I", role: OWNER,
                           password: "intruder-password", merchantId: $m }) { user { id } } }`,
      { m: a.merchantId },
      b.session,
    );
    expect(codeOf(add)).toBe('NOT_FOUND');

    // Nothing of A changed: its payment is open, its key still works, its team is as it was.
    const check = await t.gql(
      'query($id: ID!) { payment(id: $id) { status } teamMembers { totalCount } }',
      { id: a.paymentId },
      a.key,
    );
    expect(check.data).toEqual({ payment: { status: 'OPEN' }, teamMembers: { totalCount: 1 } });
  });

  it('refuses every mutation to a read-only API key', async () => {
    const schema = await t.gql(`{
      __schema {
        mutationType { fields { name type { ...T } args { name type { ...T } } } }
        types { name kind enumValues { name } inputFields { name type { ...T } } }
      }
    }
    fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`);
    expect(schema.errors).toBeUndefined();
    const types = new Map<string, any>(schema.data!.__schema.types.map((type: any) => [type.name, type]));
    const named = (type: any): any => (type.ofType ? named(type.ofType) : type);
    // A syntactically valid literal for any input type: the scope check must refuse before anything reads it.
    const literal = (type: any): string => {
      if (type.kind === 'NON_NULL') return literal(type.ofType);
      if (type.kind === 'LIST') return '[]';
      const definition = types.get(type.name);
      if (definition.kind === 'ENUM') return definition.enumValues[0].name;
      if (definition.kind === 'INPUT_OBJECT') {
        const required = definition.inputFields.filter((field: any) => field.type.kind === 'NON_NULL');
        return `{ ${required.map((field: any) => `${field.name}: ${literal(field.type)}`).join(', ')} }`;
      }
      if (type.name === 'Int' || type.name === 'Float') return '1';
      if (type.name === 'Boolean') return 'false';
      if (type.name === 'JSONObject' || type.name === 'JSON') return '{}';
      return '"2024-01-01T00:00:00.000Z"';
    };
    const mutations = schema.data!.__schema.mutationType.fields;
    expect(mutations.length).toBeGreaterThan(5);
    for (const field of mutations) {
      const args = field.args.filter((arg: any) => arg.type.kind === 'NON_NULL');
      const argList = args.length ? `(${args.map((arg: any) => `${arg.name}: ${literal(arg.type)}`).join(', ')})` : '';
      const selection = ['OBJECT', 'INTERFACE', 'UNION'].includes(named(field.type).kind) ? ' { __typename }' : '';
      const result = await t.gql(`mutation { ${field.name}${argList}${selection} }`, {}, readOnlyKey);
      expect(codeOf(result), `${field.name}: ${JSON.stringify(result)}`).toBe('FORBIDDEN');
    }
  });

  it("shows a partner its sub-merchant's payments, never the other way round", async () => {
    for (const [how, auth] of as(partner)) {
      const list = await t.gql('{ payments { edges { node { id } } } }', {}, auth);
      const ids = list.data!.payments.edges.map((edge: any) => edge.node.id).sort();
      expect(ids, how).toEqual([partner.paymentId, sub.paymentId].sort());
      const one = await t.gql('query($id: ID!) { payment(id: $id) { id } }', { id: sub.paymentId }, auth);
      expect(one.data!.payment, how).toEqual({ id: sub.paymentId });
    }
    for (const [how, auth] of as(sub)) {
      const list = await t.gql('{ payments { edges { node { id } } } }', {}, auth);
      expect(list.data!.payments.edges, how).toEqual([{ node: { id: sub.paymentId } }]);
      const one = await t.gql('query($id: ID!) { payment(id: $id) { id } }', { id: partner.paymentId }, auth);
      expect(codeOf(one), how).toBe('NOT_FOUND');
      const named = await t.gql(
        'query($m: ID) { payments(merchantId: $m) { totalCount } }',
        { m: partner.merchantId },
        auth,
      );
      expect(codeOf(named), how).toBe('NOT_FOUND');
    }
  });

  it('shows platform admins everything', async () => {
    const all = await t.gql('{ payments(first: 100) { edges { node { id } } } merchants { totalCount } }', {}, admin);
    const ids = all.data!.payments.edges.map((edge: any) => edge.node.id);
    for (const tenant of [a, b, partner, sub]) expect(ids).toContain(tenant.paymentId);
    expect(all.data!.merchants.totalCount).toBe(4);
    const one = await t.gql(
      'query($m: ID) { payments(merchantId: $m) { edges { node { id } } } }',
      { m: b.merchantId },
      admin,
    );
    expect(one.data!.payments.edges).toEqual([{ node: { id: b.paymentId } }]);
  });
});
