import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';

const CREATE = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name prefix scopes lastUsedAt revokedAt } userErrors { code field message } }
}`;

describe('API keys', () => {
  let t: TestApp;
  let owner: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  it('shows the secret once, authenticates with it, records last use, and stores no secret', async () => {
    const created = await t.gql(CREATE, { input: { name: 'Shop backend', scopes: ['read', 'write'] } }, owner);
    const { secret, apiKey } = created.data!.createApiKey;
    expect(secret).toMatch(/^tgk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({
      name: 'Shop backend',
      scopes: ['read', 'write'],
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(secret.startsWith(apiKey.prefix)).toBe(true);

    const me = await t.gql('{ me { user { id } merchant { name } scopes } }', {}, { apiKey: secret });
    expect(me.data?.me).toEqual({ user: null, merchant: { name: 'Demo Shop' }, scopes: ['read', 'write'] });

    const listed = await t.gql('{ apiKeys { totalCount edges { node { id lastUsedAt } } } }', {}, owner);
    const node = listed.data?.apiKeys.edges.find((edge: any) => edge.node.id === apiKey.id).node;
    expect(node.lastUsedAt).not.toBeNull();
    const listedText = JSON.stringify(listed);
    expect(listedText).not.toContain(secret);

    const audit = await t.gql(
      '{ auditEvents(action: "apiKey.create") { edges { node { actorKind targetId details } } } }',
      {},
      owner,
    );
    const event = audit.data?.auditEvents.edges[0].node;
    expect(event).toMatchObject({ actorKind: 'user', targetId: apiKey.id, details: { secret: 'changed' } });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('refuses unknown scopes and empty names with typed errors, creating nothing', async () => {
    const before = (await t.gql('{ apiKeys { totalCount } }', {}, owner)).data?.apiKeys.totalCount;
    const badScope = await t.gql(CREATE, { input: { name: 'x', scopes: ['admin'] } }, owner);
    expect(badScope.data?.createApiKey).toMatchObject({
      secret: null,
      apiKey: null,
      userErrors: [{ code: 'INVALID', field: ['input', 'scopes'] }],
    });
    const noName = await t.gql(CREATE, { input: { name: '  ', scopes: ['read'] } }, owner);
    expect(noName.data?.createApiKey.userErrors).toEqual([
      { code: 'REQUIRED', field: ['input', 'name'], message: 'give the key a name' },
    ]);
    expect((await t.gql('{ apiKeys { totalCount } }', {}, owner)).data?.apiKeys.totalCount).toBe(before);
  });

  it('keeps read-only keys from every mutation', async () => {
    const { secret } = (await t.gql(CREATE, { input: { name: 'Reporting', scopes: ['read'] } }, owner)).data!
      .createApiKey;
    expect(
      (await t.gql('{ apiKeys { totalCount } }', {}, { apiKey: secret })).data?.apiKeys.totalCount,
    ).toBeGreaterThan(0);
    const attempt = await t.gql(CREATE, { input: { name: 'escalate', scopes: ['write'] } }, { apiKey: secret });
    expect(attempt.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('stops a revoked key at once, and refuses revoking it twice', async () => {
    const { secret, apiKey } = (await t.gql(CREATE, { input: { name: 'Old', scopes: ['read', 'write'] } }, owner)).data!
      .createApiKey;
    const revoke = (auth: Auth) =>
      t.gql(
        'mutation($input: IdInput!) { revokeApiKey(input: $input) { apiKey { revokedAt } userErrors { code } } }',
        { input: { id: apiKey.id } },
        auth,
      );
    expect((await revoke(owner)).data?.revokeApiKey.apiKey.revokedAt).not.toBeNull();
    expect((await t.gql('{ me { scopes } }', {}, { apiKey: secret })).data?.me).toBeNull();
    expect((await revoke(owner)).data?.revokeApiKey.userErrors).toEqual([{ code: 'ALREADY_RESOLVED' }]);
  });

  it('ignores a made-up key', async () => {
    expect((await t.gql('{ me { scopes } }', {}, { apiKey: 'tgk_madeup' })).data?.me).toBeNull();
  });
});
