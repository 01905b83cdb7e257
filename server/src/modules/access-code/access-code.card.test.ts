import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { checkInvariants } from '../../../test/invariants';
import { AuditEvent } from '../audit/audit-event.entity';
import { MailMessage } from '../mail/mail-message.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { drainOutbox } from '../outbox/outbox.service';
import * as payments from '../payment';
import { Payment, PaymentKind, PaymentStatus } from '../payment/payment.entity';
import { lockPayment, receiveFunds } from '../payment/payment.service';
import { SmsMessage } from '../sms/sms.entity';
import { checkerFor } from './access-code.checker';
import { AccessCode, AccessCodePurchase } from './access-code.entity';
import { checkAccessCodeInvariants } from './access-code.invariants';

/*
 * Access codes by card (issue #11): the service's setting and its checks, the public start (email checked, rate
 * limited), the card rail's call of onFunded on the locked, credited payment, the code on the page for the token's
 * holder only, and the mail through the outbox to a real SMTP listener, with the code never stored in clear in the
 * outbox. Until settlement's `bookCardCapture` exists the money is credited with `receiveFunds` (test-only path).
 */

type Booking = (
  em: unknown,
  pubsub: unknown,
  payment: Payment,
  capture: { captureId: string; amountMinor: bigint; method: 'CARD_ONLINE' },
) => Promise<{ paidNow: boolean }>;

async function startSmtp() {
  const received: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => server.close(r)) };
}

const SERVICE = `id acceptsCard cardPrice { amount currency }`;
const PURCHASE = `token reference status serviceName email amount { amount currency }
  accessCode { code kind expiresAt usesLeft status checkUrl }`;

describe('access codes by card', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  let owner: Auth;
  let counter = 0;
  const nextKeyword = () => `C${Date.now().toString(36).toUpperCase()}${++counter}`.slice(0, 20);
  const nextIp = () => `198.51.100.${++counter % 250}`;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Tollgate <no-reply@tollgate.test>' });
    owner = await t.ownerAuth();
  });
  afterAll(async () => {
    if (t) {
      await checkerFor(t.orm.em, t.app.config, t.app.platform.limits).recorder.flush();
      expect(await checkAccessCodeInvariants(t.orm.em.fork())).toEqual([]);
      await checkInvariants(t.orm);
      await t.close();
    }
    await smtp?.close();
  });

  async function createService(overrides: Record<string, unknown> = {}) {
    const result = await t.gql(
      `mutation($input: CreateAccessCodeServiceInput!) {
        createAccessCodeService(input: $input) { accessCodeService { ${SERVICE} } userErrors { code field message } }
      }`,
      {
        input: {
          name: 'Premium articles',
          keyword: nextKeyword(),
          shortCodes: ['1096'],
          replyTemplate: 'Code {code} until {expires}',
          kind: 'PERIOD_FROM_ISSUE',
          validitySeconds: 3600,
          codeLength: 8,
          alphabet: 'LETTERS_AND_DIGITS',
          paidUrl: 'https://shop.example/paid',
          expiredUrl: 'https://shop.example/expired',
          invalidUrl: 'https://shop.example/invalid',
          ...overrides,
        },
      },
      owner,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.createAccessCodeService as {
      accessCodeService: { id: string; acceptsCard: boolean; cardPrice: { amount: string; currency: string } | null };
      userErrors: { code: string; field: string[] }[];
    };
  }

  async function update(input: Record<string, unknown>) {
    const result = await t.gql(
      `mutation($input: UpdateAccessCodeServiceInput!) {
        updateAccessCodeService(input: $input) { accessCodeService { ${SERVICE} } userErrors { code field message } }
      }`,
      { input },
      owner,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.updateAccessCodeService;
  }

  async function start(serviceId: string, email: string, ip = nextIp()) {
    const result = await t.gql(
      `mutation($input: StartAccessCodePurchaseInput!) {
        startAccessCodePurchase(input: $input) { purchase { ${PURCHASE} } userErrors { code field message } }
      }`,
      { input: { serviceId, email } },
      { headers: { 'x-forwarded-for': ip } },
    );
    return result as {
      data?: { startAccessCodePurchase: { purchase: any; userErrors: { code: string; field: string[] }[] } };
      errors?: { extensions?: { code?: string } }[];
    };
  }

  async function view(token: string) {
    const result = await t.gql(`query($token: String!) { accessCodePurchase(token: $token) { ${PURCHASE} } }`, {
      token,
    });
    expect(result.errors).toBeUndefined();
    return result.data!.accessCodePurchase;
  }

  const product = () => t.app.platform.extensions.paymentProducts.find((p) => p.kind === PaymentKind.ACCESS_CODE)!;

  /** What the card rail does after a capture: lock, credit (settlement), the product's onFunded, one transaction. */
  async function payByCard(token: string, payerEmail: string | null = null) {
    const book = (payments as unknown as { bookCardCapture?: Booking }).bookCardCapture;
    await t.orm.em.fork().transactional(async (tx) => {
      const found = await tx.findOneOrFail(Payment, { pageToken: token });
      const payment = (await lockPayment(tx, found.id))!;
      expect(await product().acceptsCard!(tx, payment)).toBe(true);
      const amount = payment.amount - payment.amountReceived;
      const at = new Date();
      let paidNow: boolean;
      if (book) {
        const captureId = `cap_${++counter}`;
        paidNow = (
          await book(tx, t.app.platform.pubsub, payment, { captureId, amountMinor: amount, method: 'CARD_ONLINE' })
        ).paidNow;
      } else {
        await receiveFunds(tx, t.app.platform.pubsub, payment, amount, at);
        paidNow = payment.status === PaymentStatus.PAID;
      }
      await product().onFunded!(tx, {
        payment,
        amountMinor: amount,
        source: 'CARD',
        paidNow,
        payerEmail,
        at,
        config: t.app.config,
      });
    });
  }

  it('sells by card only when turned on with a price in EUR or USD (validated, audited)', async () => {
    const plain = await createService();
    expect(plain.accessCodeService).toMatchObject({ acceptsCard: false, cardPrice: null });

    expect((await createService({ acceptsCard: true })).userErrors).toEqual([
      expect.objectContaining({ code: 'REQUIRED', field: ['input', 'cardPrice'] }),
    ]);
    expect((await createService({ acceptsCard: true, cardPrice: '2.50', cardCurrency: 'JPY' })).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_CURRENCY', field: ['input', 'cardCurrency'] }),
    ]);
    for (const price of ['0', '-1', '2.505', 'two', '10000.01']) {
      expect((await createService({ acceptsCard: true, cardPrice: price })).userErrors).toEqual([
        expect.objectContaining({ code: 'INVALID_AMOUNT', field: ['input', 'cardPrice'] }),
      ]);
    }

    const id = plain.accessCodeService.id;
    const refused = await update({ id, acceptsCard: true });
    expect(refused.userErrors).toEqual([expect.objectContaining({ field: ['input', 'cardPrice'] })]);
    const on = await update({ id, acceptsCard: true, cardPrice: '2.50', cardCurrency: 'eur' });
    expect(on).toMatchObject({
      accessCodeService: { acceptsCard: true, cardPrice: { amount: '2.50', currency: 'EUR' } },
      userErrors: [],
    });
    const audit = await t.orm.em.fork().find(AuditEvent, { targetId: id, action: 'accessCodeService.update' });
    expect(audit.at(-1)?.details).toMatchObject({ methods: ['SMS', 'CARD'], onlinePrice: '2.50 EUR' });

    const offer = await t.gql(
      `query($id: ID!) { accessCodeOffer(serviceId: $id) { serviceId name acceptsCard price { amount currency } validity } }`,
      { id },
    );
    expect(offer.data!.accessCodeOffer).toEqual({
      serviceId: id,
      name: 'Premium articles',
      acceptsCard: true,
      price: { amount: '2.50', currency: 'EUR' },
      validity: '1 hour from purchase',
    });
    expect((await t.gql(`{ accessCodeOffer(serviceId: "acs_nope") { name } }`)).data!.accessCodeOffer).toBeNull();
  });

  it('starts a purchase only for services selling by card, with a real email, within its budget', async () => {
    const off = (await createService()).accessCodeService.id;
    expect((await start(off, 'dana@example.com')).data!.startAccessCodePurchase.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID', field: ['input', 'serviceId'] }),
    ]);
    expect((await start('acs_unknown', 'dana@example.com')).data!.startAccessCodePurchase.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'serviceId'] }),
    ]);
    const on = (await createService({ acceptsCard: true, cardPrice: '1.99' })).accessCodeService.id;
    for (const email of ['', 'dana', 'dana@localhost', 'Dana <dana@example.com>', 'a@b.c, d@e.fg', '"x y"@ex.com']) {
      const refused = (await start(on, email)).data!.startAccessCodePurchase;
      expect(refused.purchase).toBeNull();
      expect(refused.userErrors[0].field).toEqual(['input', 'email']);
    }
    expect(await t.orm.em.fork().count(AccessCodePurchase, { serviceId: on })).toBe(0);

    const ip = '203.0.113.77';
    let limited: string | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const answer = await start(on, `buyer${i}@example.com`, ip);
      limited = answer.errors?.[0]?.extensions?.code;
    }
    expect(limited).toBe('RATE_LIMITED');
  });

  it('issues the code once paid by card, shows it to the token holder, and mails it (never in clear in the outbox)', async () => {
    const service = (await createService({ acceptsCard: true, cardPrice: '3.00', cardCurrency: 'USD' }))
      .accessCodeService;
    const started = (await start(service.id, 'Dana.Buyer@Example.COM')).data!.startAccessCodePurchase;
    expect(started.userErrors).toEqual([]);
    const { token } = started.purchase;
    expect(started.purchase).toMatchObject({
      status: 'OPEN',
      serviceName: 'Premium articles',
      email: 'D***@example.com',
      amount: { amount: '3.00', currency: 'USD' },
      accessCode: null,
    });
    // The payer page is the card form's: the same payment, with its product still empty.
    const page = await t.gql(`query($token: String!) { paymentByToken(token: $token) { status amount { amount } } }`, {
      token,
    });
    expect(page.data!.paymentByToken).toEqual({ status: 'OPEN', amount: { amount: '3.00' } });

    await payByCard(token);
    const paid = await view(token);
    expect(paid).toMatchObject({
      status: 'PAID',
      accessCode: { kind: 'PERIOD_FROM_ISSUE', status: 'ACTIVE', usesLeft: null },
    });
    const value = paid.accessCode.code as string;
    expect(value).toMatch(/^[A-Z0-9]{8}$/);
    expect(paid.accessCode.checkUrl).toMatch(new RegExp(`/check/${service.id}$`));

    const em = t.orm.em.fork();
    const payment = await em.findOneOrFail(Payment, { pageToken: token });
    const code = await em.findOneOrFail(AccessCode, { paymentId: payment.id });
    expect(code).toMatchObject({ smsId: null, repliesSent: 0 });
    // Never by SMS: no reply was queued for it.
    expect(await em.count(SmsMessage, { paymentId: payment.id })).toBe(0);

    // The mail waits in the outbox with the mask and the code's id only.
    const queued = await em.find(OutboxMessage, { kind: 'mail' });
    const mine = queued.filter((message) => message.payload.to === 'Dana.Buyer@example.com');
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine[0].payload)).not.toContain(value);
    expect(mine[0].payload).toMatchObject({
      to: 'Dana.Buyer@example.com',
      secret: { kind: 'access-code', id: code.id },
    });

    await drainOutbox({ ...t.app.platform, config: t.app.config });
    const mail = smtp.received.find((received) => received.to.includes('Dana.Buyer@example.com'));
    expect(mail?.raw).toContain(`Your access code for Premium articles: ${value}`);
    expect(mail?.raw).toMatch(/^Subject: Your access code for Premium articles\r?$/m);
    // The copy kept outside production shows the mask, like the dashboard's SMS replies.
    const kept = await t.orm.em.fork().findOneOrFail(MailMessage, { to: 'Dana.Buyer@example.com' });
    expect(kept.text).not.toContain(value);
    expect(kept.text).toContain('••••••');

    // The code admits at the check URL like any other.
    const check = await fetch(`${t.url}/check/${service.id}?code=${value}`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': nextIp() },
    });
    expect(check.headers.get('location')).toMatch(/^https:\/\/shop\.example\/paid/);

    // The hook again (a retried capture): still one code, one mail.
    await t.orm.em.fork().transactional(async (tx) => {
      const locked = (await lockPayment(tx, payment.id))!;
      await product().onFunded!(tx, {
        payment: locked,
        amountMinor: 0n,
        source: 'CARD',
        paidNow: true,
        payerEmail: null,
        at: new Date(),
        config: t.app.config,
      });
    });
    expect(await t.orm.em.fork().count(AccessCode, { paymentId: payment.id })).toBe(1);
    expect((await view(token)).accessCode.code).toBe(value);

    // Only the token shows the code: the merchant's list has the code (seed A3), the public has nothing else.
    expect((await t.gql(`{ accessCodePurchase(token: "not-a-real-token-at-all") { reference } }`)).data).toEqual({
      accessCodePurchase: null,
    });
    const resend = await t.gql(
      `mutation($input: IdInput!) { resendAccessCode(input: $input) { userErrors { message } } }`,
      { input: { id: code.id } },
      owner,
    );
    expect(resend.data!.resendAccessCode.userErrors[0].message).toContain('bought by card');
  });

  it('mails the code to the email given on the card form when there is one', async () => {
    const service = (await createService({ acceptsCard: true, cardPrice: '1.00' })).accessCodeService;
    const { token } = (await start(service.id, 'first@example.com')).data!.startAccessCodePurchase.purchase;
    await payByCard(token, 'second@example.org');
    const em = t.orm.em.fork();
    const purchase = await em.findOneOrFail(AccessCodePurchase, { serviceId: service.id });
    expect(purchase.email).toBe('second@example.org');
    const queued = (await em.find(OutboxMessage, { kind: 'mail' })).map((message) => message.payload);
    expect(queued).toContainEqual(expect.objectContaining({ to: 'second@example.org' }));
  });

  it('does not take cards for codes bought by SMS', async () => {
    const service = await createService({ acceptsCard: true, cardPrice: '1.00' });
    const keyword = (
      await t.gql(
        `query($id: ID!) { accessCodeService(id: $id) { keyword } }`,
        { id: service.accessCodeService.id },
        owner,
      )
    ).data!.accessCodeService.keyword as string;
    const sent = await t.gql(
      `mutation($input: SimulateInboundSmsInput!) { simulateInboundSms(input: $input) { sms { status } } }`,
      { input: { from: '+359888770001', to: '1096', text: keyword, country: 'BG' } },
    );
    expect(sent.data!.simulateInboundSms.sms.status).toBe('COUNTED');
    const em = t.orm.em.fork();
    const code = await em.findOneOrFail(AccessCode, { serviceId: service.accessCodeService.id });
    const payment = await em.findOneOrFail(Payment, code.paymentId);
    expect(await product().acceptsCard!(em, payment)).toBe(false);
  });
});
