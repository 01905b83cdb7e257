import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, DEMO_LOGINS } from '../../../test/harness';

describe('dashboard login', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('opens an httpOnly session that identifies the user and ends at logout', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($input: LoginInput!) { login(input: $input) { user { email role } userErrors { code } } }',
        variables: { input: { email: DEMO_LOGINS.owner.email.toUpperCase(), password: DEMO_LOGINS.owner.password } },
      }),
    });
    const setCookie = response.headers.getSetCookie()[0];
    expect(setCookie).toMatch(/^tg_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = setCookie.split(';')[0];
    const me = await t.gql('{ me { user { email } merchant { name } } }', {}, { cookie });
    expect(me.data?.me).toEqual({ user: { email: DEMO_LOGINS.owner.email }, merchant: { name: 'Demo Shop' } });

    await t.gql('mutation { logout }', {}, { cookie });
    const after = await t.gql('{ me { user { email } } }', {}, { cookie });
    expect(after.data?.me).toBeNull();
  });

  it('refuses a wrong password with a typed error and no cookie', async () => {
    const result = await t.gql(
      'mutation($input: LoginInput!) { login(input: $input) { user { id } userErrors { code message } } }',
      { input: { email: DEMO_LOGINS.owner.email, password: 'wrong-password' } },
    );
    expect(result.data?.login).toEqual({
      user: null,
      userErrors: [{ code: 'INVALID_CREDENTIALS', message: 'email or password is wrong' }],
    });
  });

  it('locks the account after 10 failures, even for the right password', async () => {
    const email = DEMO_LOGINS.admin.email;
    const attempt = (password: string) =>
      t.gql('mutation($input: LoginInput!) { login(input: $input) { userErrors { code } } }', {
        input: { email, password },
      });
    for (let i = 0; i < 10; i++) await attempt('not-the-password');
    const locked = await attempt(DEMO_LOGINS.admin.password);
    expect(locked.data?.login.userErrors).toEqual([{ code: 'LOCKED' }]);
  });

  it('changes a password, refusing a weak one, and ends other sessions', async () => {
    const first = await t.ownerAuth();
    const second = await t.ownerAuth();
    const change = (newPassword: string) =>
      t.gql(
        'mutation($input: ChangePasswordInput!) { changePassword(input: $input) { changed userErrors { code field } } }',
        { input: { currentPassword: DEMO_LOGINS.owner.password, newPassword } },
        first,
      );
    expect((await change('short')).data?.changePassword).toEqual({
      changed: false,
      userErrors: [{ code: 'WEAK_PASSWORD', field: ['input', 'newPassword'] }],
    });
    expect((await change('a-brand-new-password')).data?.changePassword).toEqual({ changed: true, userErrors: [] });
    expect((await t.gql('{ me { user { id } } }', {}, second)).data?.me).toBeNull();
    await expect(t.login(DEMO_LOGINS.owner.email, 'a-brand-new-password')).resolves.toHaveProperty('cookie');
  });

  it('rejects anonymous calls to protected fields with UNAUTHENTICATED', async () => {
    const result = await t.gql('{ auditEvents { totalCount } }');
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
