import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMIN_TOTP_SECRET,
  DEMO_LOGINS,
  freshTotpCode,
  startTestApp,
  type Auth,
  type TestApp,
} from '../../../test/harness';
import { User } from './user.entity';

const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { user { email } secondFactorRequired userErrors { code } }
}`;
const SECOND = `mutation($input: SecondFactorInput!) {
  loginSecondFactor(input: $input) { user { email twoFactorEnabled } userErrors { code field } }
}`;
const START = `mutation { startTotpEnrolment { enrolment { secret otpauthUri qrCodeDataUrl } userErrors { code } } }`;
const CONFIRM = `mutation($input: SecondFactorInput!) {
  confirmTotpEnrolment(input: $input) { enabled recoveryCodes userErrors { code field } }
}`;
const DISABLE = `mutation($input: SecondFactorInput!) { disableTotp(input: $input) { disabled userErrors { code } } }`;
const ME = '{ me { user { email twoFactorEnabled } } }';

describe('two-factor login (TOTP)', () => {
  let t: TestApp;
  let owner: Auth;
  let adminSecret = DEMO_ADMIN_TOTP_SECRET;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  /** Posts one mutation with a cookie jar of one cookie; returns the payload and the jar after it. */
  const post = async (query: string, input: Record<string, string>, cookie = '') => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ query, variables: { input } }),
    });
    const body = (await response.json()) as { data: Record<string, any> | null; errors?: any[] };
    const set = response.headers.getSetCookie()[0]?.split(';')[0];
    return { body, cookie: set ?? cookie };
  };
  const ownerLogin = () => post(LOGIN, { email: DEMO_LOGINS.owner.email, password: DEMO_LOGINS.owner.password });

  it('enrols with a QR code and a confirming code, then asks every login for a code', async () => {
    const started = (await t.gql(START, {}, owner)).data!.startTotpEnrolment.enrolment;
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(started.otpauthUri).toBe(
      `otpauth://totp/Tollgate:owner%40demo.tollgate.test?secret=${started.secret}&issuer=Tollgate`,
    );
    expect(started.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);

    const wrong = await t.gql(CONFIRM, { input: { code: '000000' } }, owner);
    expect(wrong.data!.confirmTotpEnrolment).toMatchObject({
      enabled: false,
      userErrors: [{ code: 'INVALID_CODE', field: ['input', 'code'] }],
    });
    expect((await t.gql(ME, {}, owner)).data!.me.user.twoFactorEnabled).toBe(false);

    const confirmed = await t.gql(CONFIRM, { input: { code: await freshTotpCode(started.secret) } }, owner);
    const { recoveryCodes } = confirmed.data!.confirmTotpEnrolment;
    expect(confirmed.data!.confirmTotpEnrolment).toMatchObject({ enabled: true, userErrors: [] });
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes[0]).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await t.orm.em.fork().findOneOrFail(User, t.demo.ownerUserId);
    expect(stored.recoveryCodeHashes).not.toContain(recoveryCodes[0]);

    // The password alone opens nothing: the pending session is no session.
    const first = await ownerLogin();
    expect(first.body.data!.login).toEqual({ user: null, secondFactorRequired: true, userErrors: [] });
    expect((await t.gql(ME, {}, { cookie: first.cookie })).data!.me).toBeNull();
    const payments = await t.gql('{ payments { totalCount } }', {}, { cookie: first.cookie });
    expect(payments.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const code = await freshTotpCode(started.secret);
    const second = await post(SECOND, { code }, first.cookie);
    expect(second.body.data!.loginSecondFactor).toEqual({
      user: { email: DEMO_LOGINS.owner.email, twoFactorEnabled: true },
      userErrors: [],
    });
    expect(second.cookie).not.toBe(first.cookie);
    expect((await t.gql(ME, {}, { cookie: second.cookie })).data!.me.user.email).toBe(DEMO_LOGINS.owner.email);

    // The same code is never taken twice.
    const replay = await ownerLogin();
    // Refused every time, but never counted as a guess (the budget is 5): the recovery code below still works.
    for (let attempt = 0; attempt < 6; attempt++) {
      const replayed = await post(SECOND, { code }, replay.cookie);
      expect(replayed.body.data!.loginSecondFactor.userErrors).toEqual([
        { code: 'INVALID_CODE', field: ['input', 'code'] },
      ]);
    }

    // A recovery code logs in once.
    const viaRecovery = await post(SECOND, { code: recoveryCodes[0].toUpperCase() }, replay.cookie);
    expect(viaRecovery.body.data!.loginSecondFactor.userErrors).toEqual([]);
    const reuse = await ownerLogin();
    const reused = await post(SECOND, { code: recoveryCodes[0] }, reuse.cookie);
    expect(reused.body.data!.loginSecondFactor.userErrors).toEqual([
      { code: 'INVALID_CODE', field: ['input', 'code'] },
    ]);

    // Turning it off needs a code; then the password is enough again.
    const session = { cookie: second.cookie };
    const refused = await t.gql(DISABLE, { input: { code: 'nope' } }, session);
    expect(refused.data!.disableTotp).toEqual({ disabled: false, userErrors: [{ code: 'INVALID_CODE' }] });
    const disabled = await t.gql(DISABLE, { input: { code: recoveryCodes[1] } }, session);
    expect(disabled.data!.disableTotp).toEqual({ disabled: true, userErrors: [] });
    expect((await ownerLogin()).body.data!.login).toMatchObject({ secondFactorRequired: false, userErrors: [] });
  });

  it('sends an admin without two-factor login to enrol before anything else', async () => {
    await t.orm.em
      .fork()
      .nativeUpdate(User, t.demo.adminUserId, { totpSecret: null, totpEnabledAt: null, totpLastStep: null });
    const admin = await t.login(DEMO_LOGINS.admin.email, DEMO_LOGINS.admin.password);
    const merchants = await t.gql('{ merchants { totalCount } }', {}, admin);
    expect(merchants.errors?.[0].extensions?.code).toBe('TOTP_REQUIRED');
    const feePlans = await t.gql(
      'mutation { suspendMerchant(input: { merchantId: "x", reason: "y" }) { userErrors { code } } }',
      {},
      admin,
    );
    expect(feePlans.errors?.[0].extensions?.code).toBe('TOTP_REQUIRED');
    expect((await t.gql(ME, {}, admin)).data!.me.user).toEqual({
      email: DEMO_LOGINS.admin.email,
      twoFactorEnabled: false,
    });

    adminSecret = (await t.gql(START, {}, admin)).data!.startTotpEnrolment.enrolment.secret;
    const confirmed = await t.gql(CONFIRM, { input: { code: await freshTotpCode(adminSecret) } }, admin);
    expect(confirmed.data!.confirmTotpEnrolment.enabled).toBe(true);
    expect((await t.gql('{ merchants { totalCount } }', {}, admin)).data!.merchants.totalCount).toBe(1);
  });

  it('throttles wrong codes per user on the shared limiter, even for the right code after', async () => {
    await expect(t.login(DEMO_LOGINS.admin.email, DEMO_LOGINS.admin.password)).rejects.toThrow('asks for a TOTP code');
    const pending = await post(LOGIN, { email: DEMO_LOGINS.admin.email, password: DEMO_LOGINS.admin.password });
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await post(SECOND, { code: '123456' }, pending.cookie);
      expect(wrong.body.data!.loginSecondFactor.userErrors[0].code).toBe('INVALID_CODE');
    }
    const right = await post(SECOND, { code: await generate({ secret: adminSecret }) }, pending.cookie);
    expect(right.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(right.body.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });
});
