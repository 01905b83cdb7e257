import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, testDialect, type Auth, type TestApp, seedDemo } from '../../../test/harness';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { drainOutbox } from '../outbox/outbox.service';
import { Payment, PaymentKind, PaymentStatus } from '../payment/payment.entity';
import { registerSmsChannel, SMS_SECRET_MASK, unregisterSmsChannel, type SmsChannel } from '../sms';
import { checkerFor } from './access-code.checker';
import { AccessCode, AccessCodeService } from './access-code.entity';
import { checkAccessCodeInvariants } from './access-code.invariants';
import { DEFAULT_THROTTLE } from './access-code.throttle';

/*
 * Through the real API on a real database: SMS in through the simulator, replies out through the rails, checks over
 * HTTP. Tariff used (the seeded demo catalogue): BG 1096 yields 133 cents on every operator but Yettel.
 */

const CREATE = `mutation($input: CreateAccessCodeServiceInput!) {
  createAccessCodeService(input: $input) {
    accessCodeService { id keyword checkUrl characters proofFormula }
    secret
    userErrors { code field message }
  }
}`;

const SIMULATE = `mutation($input: SimulateInboundSmsInput!) {
  simulateInboundSms(input: $input) { sms { id status flagReason } userErrors { message } }
}`;

type Verdict = 'PAID' | 'EXPIRED' | 'INVALID' | 'THROTTLED' | 'NOT_FOUND';

describe('access codes', () => {
  let t: TestApp;
  let owner: Auth;
  let partner: string;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    const key = await t.gql(
      'mutation { createApiKey(input: { name: "site", scopes: ["read", "write"] }) { secret } }',
      {},
      owner,
    );
    partner = key.data!.createApiKey.secret;
  });
  afterEach(() => {
    const checker = checkerFor(t.orm.em, t.app.config, t.app.platform.limits);
    checker.now = () => new Date();
    checker.throttle.options = { ...DEFAULT_THROTTLE };
  });
  afterAll(async () => {
    if (!t) return;
    await checker().recorder.flush();
    expect(await checkAccessCodeInvariants(t.orm.em.fork())).toEqual([]);
    await t.close();
  });

  const checker = () => checkerFor(t.orm.em, t.app.config, t.app.platform.limits);
  let counter = 0;
  /** A fresh source address per check unless a test says otherwise, so throttling stays out of the way. */
  const nextIp = () => `198.18.${(++counter >> 8) & 255}.${counter & 255}`;
  const nextPhone = () => `+35988810${String(++counter).padStart(4, '0')}`;
  const nextKeyword = () => `K${Date.now().toString(36).toUpperCase()}${++counter}`.slice(0, 20);

  async function createService(overrides: Record<string, unknown> = {}) {
    const input = {
      name: 'Articles',
      keyword: nextKeyword(),
      shortCodes: ['1096'],
      replyTemplate: 'Code {code} until {expires}, {uses} uses',
      kind: 'PERIOD_FROM_ISSUE',
      validitySeconds: 3600,
      codeLength: 8,
      alphabet: 'LETTERS_AND_DIGITS',
      paidUrl: 'https://shop.example/paid?lang=en',
      expiredUrl: 'https://shop.example/expired',
      invalidUrl: 'https://shop.example/invalid',
      allowedIps: ['192.0.2.10'],
      ...overrides,
    };
    const result = await t.gql(CREATE, { input }, owner);
    expect(result.errors).toBeUndefined();
    const created = result.data!.createAccessCodeService;
    expect(created.userErrors).toEqual([]);
    return { ...created.accessCodeService, secret: created.secret as string, input } as {
      id: string;
      keyword: string;
      checkUrl: string;
      secret: string;
      input: typeof input;
    };
  }

  /** A payer buys a code: one SMS with the keyword; returns the code from the reply on the simulated phone. */
  async function buy(service: { keyword: string }, options: { phone?: string; country?: string; to?: string } = {}) {
    const phone = options.phone ?? nextPhone();
    const sent = await t.gql(SIMULATE, {
      input: {
        from: phone,
        to: options.to ?? '1096',
        text: `${service.keyword.toLowerCase()} please`,
        country: options.country ?? 'BG',
      },
    });
    expect(sent.data!.simulateInboundSms.userErrors).toEqual([]);
    const outbox = await t.gql('query($phone: String!) { simulatorOutbox(phone: $phone) { text } }', { phone });
    const replies = outbox.data!.simulatorOutbox as { text: string }[];
    const code = /Code (\S+)/.exec(replies.at(-1)?.text ?? '')?.[1] ?? null;
    return { phone, smsId: sent.data!.simulateInboundSms.sms.id as string, replies, code };
  }

  async function check(
    serviceId: string,
    code: string,
    ip = nextIp(),
  ): Promise<{ verdict: Verdict; location: URL | null }> {
    const response = await fetch(`${t.url}/check/${serviceId}?code=${encodeURIComponent(code)}`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': ip },
    });
    if (response.status === 429) return { verdict: 'THROTTLED', location: null };
    if (response.status === 404) return { verdict: 'NOT_FOUND', location: null };
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const location = new URL(response.headers.get('location')!);
    const verdict = location.pathname.slice(1).toUpperCase() as Verdict;
    return { verdict, location };
  }

  const codeRow = async (serviceId: string, value: string) => {
    const codes = await t.gql(
      'query($id: ID!, $code: String) { accessCodes(serviceId: $id, code: $code) { edges { node { id } } } }',
      { id: serviceId, code: value },
      owner,
    );
    const id = codes.data!.accessCodes.edges[0].node.id as string;
    return t.orm.em.fork().findOneOrFail(AccessCode, id);
  };
  const later = (seconds: number) => () => new Date(Date.now() + seconds * 1000);

  describe('buying a code by SMS', () => {
    it('creates a paid ACCESS_CODE payment, issues a code under the rules, replies, and shows it on the SMS row', async () => {
      const service = await createService({ codeLength: 10, alphabet: 'DIGITS', excludedCharacters: '7' });
      expect(service.checkUrl).toBe(`${t.app.config.publicUrl}/check/${service.id}`);
      const bought = await buy(service);
      expect(bought.replies).toHaveLength(1);
      expect(bought.code).toMatch(/^[2345689]{10}$/);
      expect(bought.replies[0].text).toMatch(/until \d{4}-\d\d-\d\d \d\d:\d\d UTC, unlimited uses$/);

      const row = await codeRow(service.id, bought.code!);
      const payment = await t.orm.em.fork().findOneOrFail(Payment, row.paymentId);
      expect(payment).toMatchObject({ kind: PaymentKind.ACCESS_CODE, status: PaymentStatus.PAID, amount: 133n });

      const feed = await t.gql(
        `query($paymentId: ID!) { smsMessages(paymentId: $paymentId, direction: IN) {
          edges { node { id status accessCode { code status expiresAt } } } } }`,
        { paymentId: payment.id },
        owner,
      );
      expect(feed.data!.smsMessages.edges[0].node).toMatchObject({
        id: bought.smsId,
        status: 'COUNTED',
        accessCode: { code: bought.code, status: 'ACTIVE' },
      });

      // At rest the code is sealed and found by a keyed hash: the row does not contain it.
      const [raw] = (await t.orm.em
        .fork()
        .getConnection()
        .execute('select * from access_code where id = ?', [row.id])) as Record<string, unknown>[];
      expect(JSON.stringify(raw)).not.toContain(bought.code!);
    });

    it('keeps the reply with the code masked, and renders the code only when sending, retries included', async () => {
      // The payer's link: down for the first attempt (a crash would look the same to the outbox), then up.
      const sent: string[] = [];
      let attempts = 0;
      const phone = nextPhone();
      const link: SmsChannel = {
        providers: ['simulator'],
        send(message) {
          // Replies queued by earlier tests go through untouched.
          if (message.to !== phone) return Promise.resolve({ providerMessageId: `link-${message.id}` });
          if (++attempts === 1) return Promise.reject(new Error('link down'));
          sent.push(message.text);
          return Promise.resolve({ providerMessageId: `link-${message.id}` });
        },
      };
      registerSmsChannel(link);
      try {
        const service = await createService();
        const bought = await buy(service, { phone });
        expect(bought.code).toMatch(/^[A-Z0-9]{8}$/);
        await drainOutbox(t.app.platform);
        await drainOutbox(t.app.platform, { now: () => new Date(Date.now() + 3_600_000) });
        expect(attempts).toBe(2);
        // The phone gets the real code; the second attempt rendered it again from its seal.
        expect(sent).toEqual([bought.replies[0].text]);
        expect(sent[0]).toMatch(new RegExp(`^Code ${bought.code} until .*, unlimited uses$`));

        // The dashboard shows the reply masked; the database holds no copy of the code.
        const replies = await t.gql(
          `query($paymentId: ID!) { smsMessages(paymentId: $paymentId, direction: OUT) { edges { node { text status } } } }`,
          { paymentId: (await codeRow(service.id, bought.code!)).paymentId },
          owner,
        );
        expect(replies.data!.smsMessages.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
          { text: sent[0].replace(bought.code!, SMS_SECRET_MASK), status: 'SENT' },
        ]);
        const rows = (await t.orm.em
          .fork()
          .getConnection()
          .execute('select * from sms_message where in_reply_to_id = ? or id = ?', [
            bought.smsId,
            bought.smsId,
          ])) as Record<string, unknown>[];
        expect(rows).toHaveLength(2);
        expect(JSON.stringify(rows)).not.toContain(bought.code!);
      } finally {
        unregisterSmsChannel(link);
      }
    });

    it('issues no code for an SMS that cannot be counted, cancels its payment and tells the payer', async () => {
      const service = await createService();
      // No tariff for 1096 in the US: the rails flag the SMS and count nothing.
      const bought = await buy(service, { country: 'US' });
      expect(bought.code).toBeNull();
      expect(bought.replies[0].text).toMatch(/could not be accepted, so no code was issued/);
      const payments = await t.orm.em.fork().find(Payment, { metadata: { accessCodeServiceId: service.id } });
      expect(payments.map((p) => p.status)).toEqual([PaymentStatus.CANCELLED]);
      expect(await t.orm.em.fork().count(AccessCode, { serviceId: service.id })).toBe(0);
    });

    it('sends the code again within the replies per SMS, and no further', async () => {
      const resend = (id: string) =>
        t.gql(
          'mutation($id: ID!) { resendAccessCode(input: { id: $id }) { accessCode { repliesSent } userErrors { message } } }',
          { id },
          owner,
        );
      const two = await createService({ maxRepliesPerSms: 2 });
      const bought = await buy(two);
      const row = await codeRow(two.id, bought.code!);
      expect((await resend(row.id)).data!.resendAccessCode).toEqual({ accessCode: { repliesSent: 2 }, userErrors: [] });
      expect((await resend(row.id)).data!.resendAccessCode.userErrors[0].message).toMatch(/had its 2 replies/);
      const outbox = await t.gql('query($p: String!) { simulatorOutbox(phone: $p) { text } }', { p: bought.phone });
      expect(outbox.data!.simulatorOutbox.map((sms: { text: string }) => /Code (\S+)/.exec(sms.text)?.[1])).toEqual([
        bought.code,
        bought.code,
      ]);

      const one = await createService({ maxRepliesPerSms: 1 });
      const single = await buy(one);
      const singleRow = await codeRow(one.id, single.code!);
      expect((await resend(singleRow.id)).data!.resendAccessCode.userErrors[0].message).toMatch(/had its 1 reply/);
      await drainOutbox(t.app.platform);
    });
  });

  describe('code kinds', () => {
    it('a period from issue: paid with a verifiable proof until it ends, then expired', async () => {
      const service = await createService({ kind: 'PERIOD_FROM_ISSUE', validitySeconds: 600 });
      const { code } = await buy(service);
      const row = await codeRow(service.id, code!);
      expect(row.expiresAt!.getTime() - row.issuedAt.getTime()).toBe(600_000);

      const paid = await check(service.id, code!.toLowerCase().replace(/^(....)/, '$1-'));
      expect(paid.verdict).toBe('PAID');
      const params = paid.location!.searchParams;
      expect(params.get('lang')).toBe('en');
      expect(params.get('code')).toBe(code);
      const t0 = Number(params.get('t'));
      expect(Math.abs(t0 - Date.now() / 1000)).toBeLessThan(60);
      // What the merchant does: HMAC-SHA256 of "<code>.<t>" with the service secret, hex.
      const expected = createHmac('sha256', service.secret).update(`${code}.${t0}`).digest('hex');
      expect(params.get('sig')).toBe(expected);
      expect((await check(service.id, code!)).verdict).toBe('PAID');

      checker().now = later(599);
      expect((await check(service.id, code!)).verdict).toBe('PAID');
      checker().now = later(601);
      expect((await check(service.id, code!)).verdict).toBe('EXPIRED');
      await checker().recorder.flush();
      // Checks that do not count uses on the way are counted by the recorder.
      expect((await t.orm.em.fork().findOneOrFail(AccessCode, row.id)).uses).toBe(3);
    });

    it('a period from first use: starts with the first check, not at issue', async () => {
      const service = await createService({ kind: 'PERIOD_FROM_FIRST_USE', validitySeconds: 3600 });
      const { code } = await buy(service);
      const before = await codeRow(service.id, code!);
      expect(before.expiresAt).toBeNull();

      // Unused for a day: still good, and its hour starts now.
      checker().now = later(86_400);
      expect((await check(service.id, code!)).verdict).toBe('PAID');
      const after = await t.orm.em.fork().findOneOrFail(AccessCode, before.id);
      expect(after.firstUsedAt!.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
      expect(after.expiresAt!.getTime() - after.firstUsedAt!.getTime()).toBe(3_600_000);
      checker().now = later(86_400 + 3_599);
      expect((await check(service.id, code!)).verdict).toBe('PAID');
      checker().now = later(86_400 + 3_601);
      expect((await check(service.id, code!)).verdict).toBe('EXPIRED');
    });

    it('N uses: exactly N paid checks, then expired (used up), with no time limit', async () => {
      const service = await createService({ kind: 'USES', validitySeconds: null, maxUses: 3 });
      const { code, replies } = await buy(service);
      expect(replies[0].text).toMatch(/until no time limit, 3 uses$/);
      checker().now = later(365 * 86_400);
      const verdicts = [];
      for (let i = 0; i < 5; i++) verdicts.push((await check(service.id, code!)).verdict);
      expect(verdicts).toEqual(['PAID', 'PAID', 'PAID', 'EXPIRED', 'EXPIRED']);
      const row = await codeRow(service.id, code!);
      expect(row).toMatchObject({ uses: 3, usesLeft: 0 });
      // The I6 check would notice a fourth admission.
      await t.orm.em.fork().nativeUpdate(AccessCode, { id: row.id }, { uses: 4 });
      expect(await checkAccessCodeInvariants(t.orm.em.fork())).toEqual([
        `I6: code ${row.id} counted more uses than it allows`,
      ]);
      await t.orm.em.fork().nativeUpdate(AccessCode, { id: row.id }, { uses: 3 });
      const listed = await t.gql(
        'query($id: ID!) { accessCodes(serviceId: $id, status: USED_UP) { totalCount edges { node { code status } } } }',
        { id: service.id },
        owner,
      );
      expect(listed.data!.accessCodes).toEqual({ totalCount: 1, edges: [{ node: { code, status: 'USED_UP' } }] });
    });

    it('both: N uses within a period from issue, whichever ends first', async () => {
      const service = await createService({ kind: 'USES_AND_PERIOD', validitySeconds: 600, maxUses: 2 });
      const first = await buy(service);
      expect((await check(service.id, first.code!)).verdict).toBe('PAID');
      checker().now = later(601);
      // A use left, but the period is over.
      expect((await check(service.id, first.code!)).verdict).toBe('EXPIRED');
      expect(await codeRow(service.id, first.code!)).toMatchObject({ uses: 1, usesLeft: 1 });

      checker().now = () => new Date();
      const second = await buy(service);
      expect((await check(service.id, second.code!)).verdict).toBe('PAID');
      expect((await check(service.id, second.code!)).verdict).toBe('PAID');
      expect((await check(service.id, second.code!)).verdict).toBe('EXPIRED');
    });

    it('a made-up code is invalid; a revoked code is invalid; the merchant sees both', async () => {
      const service = await createService();
      const { code } = await buy(service);
      expect((await check(service.id, 'NOPE2345')).verdict).toBe('INVALID');
      expect((await check(service.id, '')).verdict).toBe('INVALID');
      const row = await codeRow(service.id, code!);
      const revoked = await t.gql(
        'mutation($id: ID!) { revokeAccessCode(input: { id: $id }) { accessCode { status revokedAt } userErrors { code } } }',
        { id: row.id },
        owner,
      );
      expect(revoked.data!.revokeAccessCode).toMatchObject({ accessCode: { status: 'REVOKED' }, userErrors: [] });
      expect((await check(service.id, code!)).verdict).toBe('INVALID');
      const again = await t.gql(
        'mutation($id: ID!) { revokeAccessCode(input: { id: $id }) { userErrors { code } } }',
        { id: row.id },
        owner,
      );
      expect(again.data!.revokeAccessCode.userErrors).toEqual([{ code: 'ALREADY_RESOLVED' }]);

      const audit = await t.gql(
        'query { auditEvents(first: 20) { edges { node { action targetId details } } } }',
        {},
        owner,
      );
      const revoke = audit.data!.auditEvents.edges.find(
        (edge: { node: { action: string } }) => edge.node.action === 'accessCode.revoke',
      );
      expect(revoke.node.targetId).toBe(row.id);
      expect(JSON.stringify(audit.data)).not.toContain(code);

      await checker().recorder.flush();
      const checks = await t.gql(
        'query($id: ID!) { accessCodeChecks(serviceId: $id) { totalCount edges { node { result codeId input ip channel } } } }',
        { id: service.id },
        owner,
      );
      expect(checks.data!.accessCodeChecks.edges.map((edge: { node: { result: string } }) => edge.node.result)).toEqual(
        ['REVOKED', 'INVALID', 'INVALID'],
      );
      expect(checks.data!.accessCodeChecks.edges[0].node).toMatchObject({ codeId: row.id, channel: 'REDIRECT' });
      expect(checks.data!.accessCodeChecks.edges[2].node.input).toBe('NO…(8)');
    });

    it('deleting a service frees its keyword and ends its check URL', async () => {
      const service = await createService();
      const { code } = await buy(service);
      const deleted = await t.gql(
        'mutation($id: ID!) { deleteAccessCodeService(input: { id: $id }) { deletedAccessCodeServiceId userErrors { code } } }',
        { id: service.id },
        owner,
      );
      expect(deleted.data!.deleteAccessCodeService.deletedAccessCodeServiceId).toBe(service.id);
      expect((await check(service.id, code!)).verdict).toBe('NOT_FOUND');
      await createService({ keyword: service.keyword });
    });
  });

  describe('settings', () => {
    it('refuses a reply that would not fit one SMS, counting placeholders at their longest', async () => {
      const create = (replyTemplate: string, extra: Record<string, unknown> = {}) =>
        t.gql(
          CREATE,
          {
            input: {
              name: 'Long',
              keyword: nextKeyword(),
              shortCodes: ['1096'],
              replyTemplate,
              kind: 'PERIOD_FROM_ISSUE',
              validitySeconds: 3600,
              codeLength: 32,
              alphabet: 'LETTERS',
              paidUrl: 'https://shop.example/p',
              expiredUrl: 'https://shop.example/e',
              invalidUrl: 'https://shop.example/i',
              ...extra,
            },
          },
          owner,
        );
      // {code} 32 + {expires} 20: 52 of 160 GSM-7 characters, 108 left.
      expect((await create(`${'a'.repeat(108)}{code}{expires}`)).data!.createAccessCodeService.userErrors).toEqual([]);
      expect((await create(`${'a'.repeat(109)}{code}{expires}`)).data!.createAccessCodeService.userErrors).toEqual([
        expect.objectContaining({ code: 'TOO_LONG', field: ['input', 'replyTemplate'] }),
      ]);
      // Cyrillic needs UCS-2: 70 in all, 18 left.
      expect((await create(`${'Ж'.repeat(18)}{code}{expires}`)).data!.createAccessCodeService.userErrors).toEqual([]);
      const cyrillic = await create(`${'Ж'.repeat(19)}{code}{expires}`);
      expect(cyrillic.data!.createAccessCodeService.userErrors[0].message).toMatch(/71 characters \(UCS-2/);
    });

    it('refuses bad settings beside their field, and a keyword another service has on the same short code', async () => {
      const service = await createService();
      const attempt = async (overrides: Record<string, unknown>) => {
        const result = await t.gql(
          CREATE,
          { input: { ...service.input, keyword: nextKeyword(), ...overrides } },
          owner,
        );
        return result.data!.createAccessCodeService.userErrors[0] as { code: string; field: string[] };
      };
      expect(await attempt({ keyword: service.keyword, shortCodes: ['1092', '1096'] })).toMatchObject({
        code: 'TAKEN',
        field: ['input', 'keyword'],
      });
      expect(await attempt({ codeLength: 3 })).toMatchObject({ field: ['input', 'codeLength'] });
      expect(await attempt({ codeLength: 33 })).toMatchObject({ field: ['input', 'codeLength'] });
      expect(await attempt({ kind: 'USES', validitySeconds: null })).toMatchObject({ field: ['input', 'maxUses'] });
      expect(await attempt({ alphabet: 'DIGITS', excludedCharacters: '23456' })).toMatchObject({
        field: ['input', 'excludedCharacters'],
      });
      expect(await attempt({ allowedIps: ['10.0.0.0/40'] })).toMatchObject({ field: ['input', 'allowedIps'] });
      expect(await attempt({ paidUrl: 'javascript:alert(1)' })).toMatchObject({ field: ['input', 'paidUrl'] });
      expect(await attempt({ maxRepliesPerSms: 6 })).toMatchObject({ field: ['input', 'maxRepliesPerSms'] });
    });

    it('updates settings (issued codes keep their rules), rotates and reveals the secret, audited', async () => {
      const service = await createService({ kind: 'USES', validitySeconds: null, maxUses: 2 });
      const { code } = await buy(service);
      const updated = await t.gql(
        `mutation($input: UpdateAccessCodeServiceInput!) { updateAccessCodeService(input: $input) {
          accessCodeService { kind validitySeconds maxUses } secret userErrors { message } } }`,
        { input: { id: service.id, kind: 'PERIOD_FROM_ISSUE', validitySeconds: 120, rotateSecret: true } },
        owner,
      );
      expect(updated.data!.updateAccessCodeService).toMatchObject({
        accessCodeService: { kind: 'PERIOD_FROM_ISSUE', validitySeconds: 120, maxUses: null },
        userErrors: [],
      });
      const secret = updated.data!.updateAccessCodeService.secret as string;
      expect(secret).toMatch(/^acsec_/);
      expect(secret).not.toBe(service.secret);
      const revealed = await t.gql(
        'mutation($id: ID!) { revealAccessCodeServiceSecret(input: { id: $id }) { secret } }',
        { id: service.id },
        owner,
      );
      expect(revealed.data!.revealAccessCodeServiceSecret.secret).toBe(secret);
      // The old code still counts uses; the proof uses the new secret at once.
      const paid = await check(service.id, code!);
      expect(paid.location!.searchParams.get('sig')).toBe(
        createHmac('sha256', secret)
          .update(`${code}.${paid.location!.searchParams.get('t')}`)
          .digest('hex'),
      );
      expect((await check(service.id, code!)).verdict).toBe('PAID');
      expect((await check(service.id, code!)).verdict).toBe('EXPIRED');
      const audit = await t.gql('query { auditEvents(first: 50) { edges { node { action details } } } }', {}, owner);
      const actions = audit.data!.auditEvents.edges.map((edge: { node: { action: string } }) => edge.node.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'accessCodeService.create',
          'accessCodeService.update',
          'accessCodeService.revealSecret',
        ]),
      );
      expect(JSON.stringify(audit.data)).not.toContain(secret);
    });

    it("hides one merchant's services, codes and checks from another, who cannot use them either", async () => {
      const service = await createService({ kind: 'USES', validitySeconds: null, maxUses: 2 });
      const { code } = await buy(service);
      const row = await codeRow(service.id, code!);
      const admin = await t.adminAuth();
      const made = await t.gql(
        'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { userErrors { message } } }',
        {
          input: {
            name: 'Other shop',
            ownerEmail: 'other-access@shop.example',
            ownerName: 'Other',
            ownerPassword: 'other-access-owner-password',
          },
        },
        admin,
      );
      expect(made.data!.createMerchant.userErrors).toEqual([]);
      const other = await t.login('other-access@shop.example', 'other-access-owner-password');
      const otherKey = await t.gql(
        'mutation { createApiKey(input: { name: "o", scopes: ["read", "write"] }) { secret } }',
        {},
        other,
      );
      const apiKey = otherKey.data!.createApiKey.secret as string;
      const notFound = async (query: string, variables: Record<string, unknown>, auth: Auth) =>
        (await t.gql(query, variables, auth)).errors?.[0].extensions?.code;
      const vars = { id: service.id };
      expect(await notFound('query($id: ID!) { accessCodeService(id: $id) { id } }', vars, other)).toBe('NOT_FOUND');
      expect(await notFound('query($id: ID!) { accessCodes(serviceId: $id) { totalCount } }', vars, other)).toBe(
        'NOT_FOUND',
      );
      expect(await notFound('query($id: ID!) { accessCodeChecks(serviceId: $id) { totalCount } }', vars, other)).toBe(
        'NOT_FOUND',
      );
      expect(
        await notFound(
          'mutation($id: ID!) { revokeAccessCode(input: { id: $id }) { userErrors { code } } }',
          { id: row.id },
          other,
        ),
      ).toBe('NOT_FOUND');
      const list = await t.gql('{ accessCodeServices { totalCount } }', {}, other);
      expect(list.data!.accessCodeServices.totalCount).toBe(0);
      // From an allowed address, with its own API key: still NOT_FOUND, and no use is taken.
      expect(
        await notFound(
          'query($id: ID!, $code: String!) { checkAccessCode(serviceId: $id, code: $code) { verdict } }',
          { id: service.id, code },
          { apiKey, headers: { 'x-forwarded-for': '192.0.2.10' } },
        ),
      ).toBe('NOT_FOUND');
      expect(await t.orm.em.fork().findOneOrFail(AccessCode, row.id)).toMatchObject({ uses: 0, usesLeft: 2 });
    });

    it('seeds one demo service, once', async () => {
      await seedDemo(t.orm);
      const demo = await t.orm.em.fork().find(AccessCodeService, { merchantId: t.demo.merchantId, keyword: 'ACCESS' });
      expect(demo).toHaveLength(1);
    });
  });

  describe("Tollgate's landing pages", () => {
    it("are where a service without URLs sends payers, with the check link's language; the API shows them", async () => {
      const service = await createService({ paidUrl: undefined, expiredUrl: '', invalidUrl: '  ' });
      const landing = `${t.app.config.publicUrl}/codes/${service.id}/result`;
      const read = await t.gql(
        `query($id: ID!) { accessCodeService(id: $id) {
          paidUrl expiredUrl invalidUrl paidRedirectUrl expiredRedirectUrl invalidRedirectUrl } }`,
        { id: service.id },
        owner,
      );
      expect(read.data!.accessCodeService).toEqual({
        paidUrl: '',
        expiredUrl: '',
        invalidUrl: '',
        paidRedirectUrl: `${landing}/paid`,
        expiredRedirectUrl: `${landing}/expired`,
        invalidRedirectUrl: `${landing}/invalid`,
      });

      const bought = await buy(service);
      const go = async (code: string, query = '', headers: Record<string, string> = {}) => {
        const response = await fetch(`${t.url}/check/${service.id}?code=${encodeURIComponent(code)}${query}`, {
          redirect: 'manual',
          headers: { 'x-forwarded-for': nextIp(), ...headers },
        });
        expect(response.status).toBe(302);
        return new URL(response.headers.get('location')!);
      };
      const paid = await go(bought.code!, '&lang=ru');
      expect(`${paid.origin}${paid.pathname}`).toBe(`${landing}/paid`);
      expect(paid.searchParams.get('lang')).toBe('ru');
      expect(paid.searchParams.get('code')).toBe(bought.code);
      // Without ?lang= the landing page follows the browser's languages itself.
      const invalid = await go('NOSUCHCODE', '', { 'accept-language': 'ja' });
      expect(invalid.href).toBe(`${landing}/invalid`);
      checker().now = later(7200);
      const expired = await go(bought.code!, '&lang=hindi');
      expect(expired.href).toBe(`${landing}/expired?lang=hi`);

      // A merchant URL set later replaces the landing page; "" brings it back.
      const UPDATE = `mutation($input: UpdateAccessCodeServiceInput!) { updateAccessCodeService(input: $input) {
        accessCodeService { paidUrl paidRedirectUrl } userErrors { field message } } }`;
      const set = await t.gql(UPDATE, { input: { id: service.id, paidUrl: 'https://shop.example/mine' } }, owner);
      expect(set.data!.updateAccessCodeService.accessCodeService).toEqual({
        paidUrl: 'https://shop.example/mine',
        paidRedirectUrl: 'https://shop.example/mine',
      });
      const cleared = await t.gql(UPDATE, { input: { id: service.id, paidUrl: '' } }, owner);
      expect(cleared.data!.updateAccessCodeService.accessCodeService).toEqual({
        paidUrl: '',
        paidRedirectUrl: `${landing}/paid`,
      });
    });

    it("answers an unknown service in the payer's language", async () => {
      const ru = await fetch(`${t.url}/check/acs_nosuchservice?code=X`, {
        headers: { 'x-forwarded-for': nextIp(), 'accept-language': 'de-DE, ru;q=0.8, en;q=0.5' },
      });
      expect(ru.status).toBe(404);
      const html = await ru.text();
      expect(html).toContain('<html lang="ru">');
      expect(html).toContain('По этому адресу нет сервиса кодов доступа.');
      const ja = await fetch(`${t.url}/check/acs_nosuchservice?code=X&lang=ja`, {
        headers: { 'x-forwarded-for': nextIp(), 'accept-language': 'ru' },
      });
      expect(await ja.text()).toContain('このアドレスにはアクセスコードのサービスがありません。');
    });
  });

  describe('server-to-server checks', () => {
    it('answers only the allowed addresses, by POST and by GraphQL, with the same verdict', async () => {
      const service = await createService({
        kind: 'USES',
        validitySeconds: null,
        maxUses: 3,
        allowedIps: ['192.0.2.10', '10.9.0.0/16'],
      });
      const { code } = await buy(service);
      const post = (ip: string, body: unknown) =>
        fetch(`${t.url}/check/${service.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
          body: JSON.stringify(body),
        });
      const refused = await post('192.0.2.11', { code });
      expect(refused.status).toBe(403);
      const answered = await post('10.9.8.7', { code });
      expect(answered.status).toBe(200);
      const json = (await answered.json()) as Record<string, string | number>;
      expect(json).toMatchObject({ verdict: 'PAID', result: 'PAID', code, usesLeft: 2 });
      expect(json.sig).toBe(createHmac('sha256', service.secret).update(`${code}.${json.t}`).digest('hex'));
      expect((await post('192.0.2.10', { nope: 1 })).status).toBe(400);

      const query =
        'query($id: ID!, $code: String!) { checkAccessCode(serviceId: $id, code: $code) { verdict result usesLeft proof { timestamp signature } } }';
      const graphql = (ip: string, value: string) =>
        t.gql(query, { id: service.id, code: value }, { apiKey: partner, headers: { 'x-forwarded-for': ip } });
      expect((await graphql('203.0.113.9', code!)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const allowed = await graphql('192.0.2.10', code!);
      expect(allowed.data!.checkAccessCode).toMatchObject({ verdict: 'PAID', result: 'PAID', usesLeft: 1 });
      expect((await graphql('192.0.2.10', 'WRONG234')).data!.checkAccessCode.verdict).toBe('INVALID');
      // The browser check is the payer's: any address may use it.
      expect((await check(service.id, code!, '203.0.113.9')).verdict).toBe('PAID');
      expect((await post('10.9.8.7', { code })).status).toBe(200);
      expect(await (await post('10.9.8.8', { code })).json()).toMatchObject({ verdict: 'EXPIRED', result: 'USED_UP' });

      await checker().recorder.flush();
      const forbidden = await t.gql(
        'query($id: ID!) { accessCodeChecks(serviceId: $id, result: FORBIDDEN) { totalCount } }',
        { id: service.id },
        owner,
      );
      expect(forbidden.data!.accessCodeChecks.totalCount).toBe(2);
    });
  });

  describe('throttling', () => {
    it('slows, then refuses a guessing source before any database query; other payers still get in', async () => {
      checker().throttle.options = { ...DEFAULT_THROTTLE, pairSlowAfter: 2, pairBlockAt: 4, slowStepMs: 150 };
      const service = await createService();
      const { code } = await buy(service);
      const guesser = '203.0.113.77';
      const timed = async (value: string) => {
        const started = performance.now();
        const { verdict } = await check(service.id, value, guesser);
        return { verdict, ms: performance.now() - started };
      };
      expect((await timed('AAAA2222')).verdict).toBe('INVALID');
      expect((await timed('AAAA2223')).verdict).toBe('INVALID');
      const slowed = await timed('AAAA2224');
      expect(slowed).toMatchObject({ verdict: 'INVALID' });
      expect(slowed.ms).toBeGreaterThanOrEqual(140);
      expect((await timed('AAAA2225')).verdict).toBe('INVALID');

      // Blocked: even the right code is refused, and nothing is asked of the database.
      const connection = t.orm.em.getDriver().getConnection();
      const execute = vi.spyOn(connection, 'execute');
      try {
        expect((await timed(code!)).verdict).toBe('THROTTLED');
        const retry = await fetch(`${t.url}/check/${service.id}?code=${code}`, {
          redirect: 'manual',
          headers: { 'x-forwarded-for': guesser },
        });
        expect(retry.status).toBe(429);
        expect(Number(retry.headers.get('retry-after'))).toBeGreaterThan(25 * 60);
        expect(execute).not.toHaveBeenCalled();
      } finally {
        execute.mockRestore();
      }
      // Another payer from another address is not locked out.
      expect((await check(service.id, code!, '203.0.113.78')).verdict).toBe('PAID');

      await checker().recorder.flush();
      const throttled = await t.gql(
        `query($id: ID!) {
          accessCodeChecks(serviceId: $id, result: THROTTLED) { edges { node { ip count } } }
          accessCodeService(id: $id) { throttledSources { ip failures blockedUntil } }
        }`,
        { id: service.id },
        owner,
      );
      // Throttled attempts are recorded too, merged into one row per source and batch.
      expect(throttled.data!.accessCodeChecks.edges).toEqual([{ node: { ip: guesser, count: 2 } }]);
      expect(throttled.data!.accessCodeService.throttledSources).toEqual([
        expect.objectContaining({ ip: guesser, failures: 4, blockedUntil: expect.any(String) }),
      ]);
    });

    it('alerts the merchant once per hour about a flood, without blocking the service', async () => {
      checker().throttle.options = { ...DEFAULT_THROTTLE, floodThreshold: 5 };
      const service = await createService();
      const { code } = await buy(service);
      const mails = async () =>
        (await t.orm.em.fork().find(OutboxMessage, { kind: 'mail', merchantId: t.demo.merchantId })).filter((mail) =>
          String(mail.payload.subject).includes('many invalid access codes'),
        );
      const before = (await mails()).length;
      for (let i = 0; i < 6; i++) expect((await check(service.id, `FLOOD${i}AA`)).verdict).toBe('INVALID');
      await checker().recorder.flush();
      expect((await mails()).length).toBe(before + 1);
      const row = await t.orm.em.fork().findOneOrFail(AccessCodeService, service.id);
      expect(row.floodAlertedAt).not.toBeNull();
      expect(row.floodAlertChecks).toBe(5);
      // A second flood within the hour: no second mail. Good codes still pass throughout.
      // (New thresholds restart the in-memory counts, as the next minute would.)
      checker().throttle.options = { ...checker().throttle.options };
      for (let i = 0; i < 6; i++) await check(service.id, `FLOOD${i}BB`);
      await checker().recorder.flush();
      expect((await mails()).length).toBe(before + 1);
      expect((await check(service.id, code!)).verdict).toBe('PAID');
    });
  });

  describe('the dashboard', () => {
    it('lists checks filtered by result and time, and exports them as CSV', async () => {
      const service = await createService();
      const { code } = await buy(service);
      const start = new Date();
      await check(service.id, code!);
      await check(service.id, 'WRONG2345');
      await check(service.id, code!);
      await checker().recorder.flush();
      const list = await t.gql(
        `query($id: ID!, $from: DateTimeISO) {
          paid: accessCodeChecks(serviceId: $id, result: PAID, from: $from) { totalCount }
          all: accessCodeChecks(serviceId: $id, first: 2) { totalCount pageInfo { hasNextPage } edges { node { result } } }
          none: accessCodeChecks(serviceId: $id, to: $from) { totalCount }
        }`,
        { id: service.id, from: new Date(start.getTime() - 1000).toISOString() },
        owner,
      );
      expect(list.errors).toBeUndefined();
      expect(list.data!.paid.totalCount).toBe(2);
      expect(list.data!.all).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
      expect(list.data!.none.totalCount).toBe(0);
      const exported = await t.gql(
        `mutation($input: ExportAccessCodeChecksCsvInput!) {
          exportAccessCodeChecksCsv(input: $input) { csv rowCount truncated userErrors { message } } }`,
        { input: { serviceId: service.id } },
        owner,
      );
      const csv = exported.data!.exportAccessCodeChecksCsv;
      expect(csv).toMatchObject({ rowCount: 3, truncated: false, userErrors: [] });
      const lines = (csv.csv as string).trim().split('\r\n');
      expect(lines[0]).toBe('checkedAt,result,channel,ip,count,codeId,input');
      expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual(['PAID', 'INVALID', 'PAID']);
      expect(csv.csv).not.toContain(code);
    });

    it('lists codes by the time they were issued, and refuses a bad range naming the field', async () => {
      const service = await createService();
      const before = new Date(Date.now() - 1000);
      const { code } = await buy(service);
      const after = new Date(Date.now() + 1000);
      const CODES = `query($id: ID!, $from: DateTimeISO, $to: DateTimeISO) {
        accessCodes(serviceId: $id, from: $from, to: $to) { totalCount edges { node { code } } }
      }`;
      const codesIn = async (from: Date | string | null, to: Date | string | null) => {
        const result = await t.gql(CODES, { id: service.id, from, to }, owner);
        expect(result.errors).toBeUndefined();
        return (result.data!.accessCodes.edges as { node: { code: string } }[]).map((edge) => edge.node.code);
      };
      expect(await codesIn(before.toISOString(), after.toISOString())).toEqual([code]);
      expect(await codesIn(null, before.toISOString())).toEqual([]);
      expect(await codesIn(after.toISOString(), null)).toEqual([]);

      // A reversed range, on the list and on the checks' list and export alike: refused, naming the fields.
      const reversed = { id: service.id, from: after.toISOString(), to: before.toISOString() };
      const refusedCodes = await t.gql(CODES, reversed, owner);
      expect(refusedCodes.errors?.[0]).toMatchObject({
        message: 'from must be before to',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const refusedChecks = await t.gql(
        `query($id: ID!, $from: DateTimeISO, $to: DateTimeISO) {
          accessCodeChecks(serviceId: $id, from: $from, to: $to) { totalCount } }`,
        reversed,
        owner,
      );
      expect(refusedChecks.errors?.[0]).toMatchObject({
        message: 'from must be before to',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const refusedExport = await t.gql(
        `mutation($input: ExportAccessCodeChecksCsvInput!) { exportAccessCodeChecksCsv(input: $input) { rowCount } }`,
        { input: { serviceId: service.id, from: reversed.from, to: reversed.to } },
        owner,
      );
      expect(refusedExport.errors?.[0]).toMatchObject({
        message: 'from must be before to',
        extensions: { code: 'BAD_USER_INPUT' },
      });

      // Not a date at all: a typed error naming the variable, not a 500.
      const notADate = await t.gql(CODES, { id: service.id, from: '2026-13-45', to: null }, owner);
      expect(notADate.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(notADate.errors?.[0].message).toContain('$from');
      expect(await codesIn(before.toISOString(), after.toISOString())).toEqual([code]);
    });
  });

  describe.runIf(testDialect() === 'postgres')('concurrency', () => {
    it('admits exactly 5 of 100 parallel checks of a 5-use code', async () => {
      const service = await createService({ kind: 'USES', validitySeconds: null, maxUses: 5 });
      const { code } = await buy(service);
      const verdicts = await Promise.all(Array.from({ length: 100 }, () => check(service.id, code!)));
      const counts = verdicts.reduce<Record<string, number>>((acc, { verdict }) => {
        acc[verdict] = (acc[verdict] ?? 0) + 1;
        return acc;
      }, {});
      expect(counts).toEqual({ PAID: 5, EXPIRED: 95 });
      expect(await codeRow(service.id, code!)).toMatchObject({ uses: 5, usesLeft: 0 });
      await checker().recorder.flush();
      expect(await checkAccessCodeInvariants(t.orm.em.fork())).toEqual([]);
    });
  });
});
