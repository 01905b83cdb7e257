import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { checkInvariants } from '../../../test/invariants';
import { EVENT_CATALOGUE, type EventType } from '../../common/events';
import { SIGNATURE_HEADER, verifySignature } from '../../common/signature';
import { LedgerAccountPurpose } from '../ledger/ledger.entity';
import { balances } from '../ledger/ledger.service';
import { drainOutbox } from '../outbox/outbox.service';
import { Payment } from './payment.entity';
import { expireDuePayments, releaseDueCredits } from './payment.settlement';
import { PayerCredit, PayerCreditStatus } from './settlement.entity';

/*
 * Settlement end to end, through the API: every billed SMS ends on an account (the payment, the payer's credit, or
 * suspense until an admin resolves it), payments expire, and each transition's catalogued event reaches a webhook
 * endpoint, signed. Tariffs (demo catalogue): BG 1092 $0.67 (yield 33), 1094 $1.33 (yield 67), 1096 $2.67 (yield
 * 133); a $4.00 PRICE voucher is 1096 + 1094.
 */

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

const PURCHASE = `token reference status state amountReceived { amount } creditApplied { amount }
  instruction { shortCode }`;

describe('settlement', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  let phoneCounter = 0;
  const received: Received[] = [];
  let receiver: http.Server;
  let secret: string;
  const nextPhone = () => `+3598882${String(++phoneCounter).padStart(5, '0')}`;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const created = await t.gql(
      `mutation($input: CreateWebhookEndpointInput!) {
        createWebhookEndpoint(input: $input) { secret userErrors { message } } }`,
      { input: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/all`, eventTypes: ['*'] } },
      owner,
    );
    expect(created.data!.createWebhookEndpoint.userErrors).toEqual([]);
    secret = created.data!.createWebhookEndpoint.secret;
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  async function sms(input: { from: string; to: string; text: string; country?: string }) {
    const result = await t.gql(
      `mutation($input: SimulateInboundSmsInput!) {
        simulateInboundSms(input: $input) { sms { id status flagReason } userErrors { message } } }`,
      { input: { country: 'BG', ...input } },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.simulateInboundSms.sms as { id: string; status: string; flagReason: string | null };
  }

  async function voucherProject(csv: string) {
    const made = await t.gql(
      `mutation($input: CreateVoucherProjectInput!) {
        createVoucherProject(input: $input) { project { id slug } userErrors { message } } }`,
      { input: { name: 'Credit card game', slug: `credit-${Date.now().toString(36)}`, price: '4.00', kind: 'PIN' } },
      owner,
    );
    const project = made.data!.createVoucherProject.project as { id: string; slug: string };
    await t.gql(
      `mutation($input: AddVouchersInput!) { addVouchers(input: $input) { added } }`,
      { input: { projectId: project.id, csv } },
      owner,
    );
    return project;
  }

  async function startVoucher(slug: string) {
    const result = await t.gql(
      `mutation($input: StartVoucherPaymentInput!) {
        startVoucherPayment(input: $input) { purchase { ${PURCHASE} } userErrors { message } } }`,
      { input: { slug, country: 'BG' } },
    );
    expect(result.data!.startVoucherPayment.userErrors).toEqual([]);
    return result.data!.startVoucherPayment.purchase as { token: string; reference: string };
  }

  async function purchase(token: string) {
    return (await t.gql(`query($token: String!) { voucherPayment(token: $token) { ${PURCHASE} } }`, { token })).data!
      .voucherPayment;
  }

  async function newPayment(amount: string) {
    const result = await t.gql(
      `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id reference } } }`,
      { input: { amount, currency: 'USD', description: 'Settlement test' } },
      owner,
    );
    return result.data!.createPayment.payment as { id: string; reference: string };
  }

  const paymentRow = (id: string) => t.orm.em.fork().findOneOrFail(Payment, id);

  it('keeps an SMS after a voucher payment closed as payer credit, spent on that phone’s next payment only after its first SMS there', async () => {
    const project = await voucherProject('C-1\nC-2\nC-3');
    const payer = nextPhone();
    const first = await startVoucher(project.slug);
    await sms({ from: payer, to: '1096', text: first.reference });
    await sms({ from: payer, to: '1094', text: first.reference });
    expect(await purchase(first.token)).toMatchObject({ status: 'PAID', state: 'SOLD' });

    // One SMS too many: billed by the operator, so its money is kept for the payer with this merchant.
    const late = await sms({ from: payer, to: '1094', text: first.reference });
    expect(late).toMatchObject({ status: 'CREDITED', flagReason: null });
    const credit = await t.orm.em.fork().findOneOrFail(PayerCredit, { sourceSmsId: late.id });
    expect(credit).toMatchObject({ status: 'AVAILABLE', phone: payer, amountMinor: 66n, priceMinor: 133n });
    const credits = await t.gql(
      `{ payerCredits(status: AVAILABLE) { edges { node { id phone amount { amount } } } } }`,
      {},
      owner,
    );
    expect(credits.data!.payerCredits.edges).toContainEqual({
      node: { id: credit.id, phone: `${payer.slice(0, 4)}******${payer.slice(-3)}`, amount: { amount: '0.66' } },
    });

    // Someone else's payment never gets it, even from the same shop.
    const stranger = await startVoucher(project.slug);
    await sms({ from: nextPhone(), to: '1096', text: stranger.reference });
    expect(await purchase(stranger.token)).toMatchObject({
      status: 'PARTIALLY_PAID',
      creditApplied: { amount: '0.00' },
    });

    // The payer's next payment: nothing is spent before an SMS from their phone arrives on it (the page cannot know
    // who is paying), then the credit counts as the SMS it came from: one SMS fewer.
    const next = await startVoucher(project.slug);
    expect(await purchase(next.token)).toMatchObject({ creditApplied: { amount: '0.00' } });
    const lines = async (token: string) =>
      (
        await t.gql(`query($token: String!) { paymentByToken(token: $token) { sms { state } } }`, { token })
      ).data!.paymentByToken.sms.map((line: { state: string }) => line.state);
    expect(await lines(next.token)).toEqual(['EXPECTED', 'EXPECTED']);
    await sms({ from: payer, to: '1096', text: next.reference });
    const paid = await purchase(next.token);
    expect(paid).toMatchObject({
      status: 'PAID',
      state: 'SOLD',
      amountReceived: { amount: '4.00' },
      creditApplied: { amount: '1.33' },
    });
    expect(await t.orm.em.fork().findOneOrFail(PayerCredit, credit.id)).toMatchObject({
      status: 'SPENT',
      spentPaymentId: (await t.orm.em.fork().findOneOrFail(Payment, { reference: next.reference })).id,
    });

    // The merchant sees why: 2.67 paid by SMS (1.33 net) + 0.66 credit → 1.99 net, and the transfers behind it.
    const view = await t.gql(
      `query($id: ID!) { payment(id: $id) {
        breakdown { gross { amount } operatorShare { amount } platformFee { amount } payerCredit { amount } net { amount } }
        transfers { idempotencyKey amount { amount } } } }`,
      { id: (await t.orm.em.fork().findOneOrFail(Payment, { reference: next.reference })).id },
      owner,
    );
    const { breakdown, transfers } = view.data!.payment;
    expect(breakdown.gross.amount).toBe('2.67');
    expect(breakdown.payerCredit.amount).toBe('0.66');
    expect(breakdown.net.amount).toBe('1.99');
    const parts = [breakdown.operatorShare, breakdown.platformFee, breakdown.net].map((m) => Number(m.amount) * 100);
    expect(Math.round(parts.reduce((a, b) => a + b))).toBe(267 + 66);
    expect(transfers.map((row: { idempotencyKey: string }) => row.idempotencyKey.split(':')[0])).toEqual([
      'sms',
      'credit-spend',
      'payment-paid',
    ]);
    await checkInvariants(t.orm);
  });

  it('puts unmatched, flagged and unpriced SMS in suspense; an admin attaches, credits or writes each off', async () => {
    const payer = nextPhone();
    const unmatched = await sms({ from: payer, to: '1096', text: 'HELLO THERE' });
    expect(unmatched.status).toBe('UNMATCHED');
    const target = await newPayment('1.33');
    await sms({ from: nextPhone(), to: '1092', text: target.reference }); // fixes the payer's phone
    const flagged = await sms({ from: payer, to: '1096', text: target.reference });
    expect(flagged).toMatchObject({ status: 'FLAGGED', flagReason: 'PHONE_MISMATCH' });
    const unpriced = await sms({ from: payer, to: '9999', text: target.reference });
    expect(unpriced).toMatchObject({ status: 'FLAGGED', flagReason: 'NO_TARIFF' });

    const list = await t.gql(
      `{ suspenseItems(status: OPEN, first: 100) { edges { node { id smsId reason status amount { amount } } } } }`,
      {},
      admin,
    );
    const items = list.data!.suspenseItems.edges.map((edge: { node: any }) => edge.node);
    const itemOf = (smsId: string) => items.find((item: { smsId: string }) => item.smsId === smsId);
    expect(itemOf(unmatched.id)).toMatchObject({ reason: 'UNMATCHED', amount: { amount: '1.33' } });
    expect(itemOf(flagged.id)).toMatchObject({ reason: 'PHONE_MISMATCH', amount: { amount: '1.33' } });
    expect(itemOf(unpriced.id)).toMatchObject({ reason: 'NO_TARIFF', amount: null });
    const platform = async () =>
      (await t.gql(`{ suspenseItems { totalCount } }`, {}, owner)).errors?.[0].extensions?.code;
    expect(await platform()).toBe('FORBIDDEN');

    const resolve = (input: Record<string, unknown>, auth = admin) =>
      t.gql(
        `mutation($input: ResolveSuspenseItemInput!) {
          resolveSuspenseItem(input: $input) { item { status resolution } userErrors { code field message } } }`,
        { input },
        auth,
      );
    // Attach the unmatched SMS to the payment it was meant for: counted there as if it had named it.
    const attached = await resolve({
      id: itemOf(unmatched.id).id,
      action: 'ATTACH',
      paymentReference: target.reference,
    });
    expect(attached.data!.resolveSuspenseItem).toMatchObject({ item: { status: 'ATTACHED' }, userErrors: [] });
    expect(await paymentRow(target.id)).toMatchObject({ status: 'PAID', amountReceived: 133n + 33n });

    // Unknown value: crediting needs the amount from the operator's statement.
    const unknown = await resolve({ id: itemOf(unpriced.id).id, action: 'CREDIT' });
    expect(unknown.data!.resolveSuspenseItem.userErrors).toEqual([
      expect.objectContaining({ code: 'REQUIRED', field: ['input', 'amount'] }),
    ]);
    const credited = await resolve({ id: itemOf(unpriced.id).id, action: 'CREDIT', amount: '0.50' });
    expect(credited.data!.resolveSuspenseItem).toMatchObject({ item: { status: 'CREDITED' }, userErrors: [] });
    expect(await t.orm.em.fork().findOneOrFail(PayerCredit, { sourceSmsId: unpriced.id })).toMatchObject({
      phone: payer,
      amountMinor: 50n,
    });

    const noReason = await resolve({ id: itemOf(flagged.id).id, action: 'WRITE_OFF' });
    expect(noReason.data!.resolveSuspenseItem.userErrors[0]).toMatchObject({
      code: 'REQUIRED',
      field: ['input', 'reason'],
    });
    const written = await resolve({
      id: itemOf(flagged.id).id,
      action: 'WRITE_OFF',
      reason: 'payer confirmed a mistake',
    });
    expect(written.data!.resolveSuspenseItem.item.status).toBe('WRITTEN_OFF');
    const again = await resolve({ id: itemOf(flagged.id).id, action: 'WRITE_OFF', reason: 'twice' });
    expect(again.data!.resolveSuspenseItem.userErrors[0].code).toBe('ALREADY_RESOLVED');
    expect(
      (await resolve({ id: itemOf(flagged.id).id, action: 'WRITE_OFF', reason: 'x' }, owner)).errors?.[0].extensions
        ?.code,
    ).toBe('FORBIDDEN');
    await checkInvariants(t.orm);
  });

  it('expires an unpaid payment after its window; an SMS after that becomes credit; unused credit goes to the merchant', async () => {
    const payment = await newPayment('2.00');
    await t.orm.em.fork().nativeUpdate(Payment, { id: payment.id }, { expiresAt: new Date(Date.now() - 1000) });
    const expired = await expireDuePayments(t.orm.em, t.app.pubsub, {
      products: t.app.platform.extensions.paymentProducts,
    });
    expect(expired.map((row) => row.id)).toContain(payment.id);
    expect((await paymentRow(payment.id)).status).toBe('EXPIRED');

    // A voucher payment's product lets go of what it held: the reserved voucher goes back to the stock.
    const project = await voucherProject('EXP-1');
    const held = await startVoucher(project.slug);
    const heldRow = await t.orm.em.fork().findOneOrFail(Payment, { reference: held.reference });
    await t.orm.em.fork().nativeUpdate(Payment, { id: heldRow.id }, { expiresAt: new Date(Date.now() - 1000) });
    await expireDuePayments(t.orm.em, t.app.pubsub, { products: t.app.platform.extensions.paymentProducts });
    expect(await purchase(held.token)).toMatchObject({ status: 'EXPIRED', state: 'RELEASED' });
    const stock = await t.gql(
      `query($id: ID!) { voucherProject(id: $id) { stock { available reserved } } }`,
      { id: project.id },
      owner,
    );
    expect(stock.data!.voucherProject.stock).toEqual({ available: 1, reserved: 0 });
    expect(await expireDuePayments(t.orm.em, t.app.pubsub)).toEqual([]);

    const late = await sms({ from: nextPhone(), to: '1096', text: payment.reference });
    expect(late.status).toBe('CREDITED');
    const credit = await t.orm.em.fork().findOneOrFail(PayerCredit, { sourceSmsId: late.id });
    const availableNow = async () =>
      (await balances(t.orm.em.fork(), t.demo.merchantId)).find(
        (row) => row.purpose === LedgerAccountPurpose.MERCHANT_AVAILABLE && row.currency === 'USD',
      )?.posted ?? 0n;
    // Nothing is due yet; past its release time (at least 30 days) unused credit is the merchant's, visibly.
    expect(await releaseDueCredits(t.orm.em, new Date())).toBe(0);
    const later = new Date(credit.releaseAt.getTime() + 1);
    const due = await t.orm.em.fork().find(PayerCredit, {
      merchantId: t.demo.merchantId,
      status: PayerCreditStatus.AVAILABLE,
      releaseAt: { $lte: later },
    });
    const before = await availableNow();
    expect(await releaseDueCredits(t.orm.em, later)).toBe(due.length);
    expect((await t.orm.em.fork().findOneOrFail(PayerCredit, credit.id)).status).toBe('RELEASED');
    expect((await availableNow()) - before).toBe(due.reduce((sum, row) => sum + row.amountMinor, 0n));
    await checkInvariants(t.orm);
  });

  it('keeps unused credit at least the platform minimum; a merchant may lengthen, never shorten it', async () => {
    const update = (days: number, auth = owner) =>
      t.gql(
        `mutation($input: UpdatePayerCreditPeriodInput!) {
          updatePayerCreditPeriod(input: $input) { merchant { payerCreditDays } userErrors { code field } } }`,
        { input: { days } },
        auth,
      );
    expect((await update(10)).data!.updatePayerCreditPeriod.userErrors).toEqual([
      { code: 'INVALID', field: ['input', 'days'] },
    ]);
    expect((await update(60)).data!.updatePayerCreditPeriod).toEqual({
      merchant: { payerCreditDays: 60 },
      userErrors: [],
    });
    const payment = await newPayment('1.33');
    const phone = nextPhone();
    await sms({ from: phone, to: '1096', text: payment.reference });
    const late = await sms({ from: phone, to: '1096', text: payment.reference });
    const credit = await t.orm.em.fork().findOneOrFail(PayerCredit, { sourceSmsId: late.id });
    const days = (credit.releaseAt.getTime() - credit.createdAt.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(60);
    expect((await update(30)).data!.updatePayerCreditPeriod.userErrors).toEqual([]);
  });

  it('answers "every payment of this merchant, with its SMS and money" in one query, whatever the product', async () => {
    const kinds = await t.gql('{ paymentKinds }', {}, owner);
    expect(kinds.data!.paymentKinds).toEqual(['PURSE', 'ACCESS_CODE', 'VOUCHER', 'CARD', 'TOP_UP']);
    const result = await t.gql(
      `{ payments(first: 100) { edges { node { kind status
          product { __typename ... on VoucherOrder { state } ... on AccessCode { usesLeft } ... on PursePayment { orderId } }
          sms { status } breakdown { net { amount } } } } } }`,
      {},
      owner,
    );
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.payments.edges.map((edge: { node: any }) => edge.node);
    const voucher = nodes.find((node: any) => node.kind === 'VOUCHER' && node.status === 'PAID');
    expect(voucher.product).toMatchObject({ __typename: 'VoucherOrder', state: 'SOLD' });
    expect(voucher.sms.length).toBeGreaterThan(0);
    expect(Number(voucher.breakdown.net.amount)).toBeGreaterThan(0);
    const topUp = nodes.find((node: any) => node.kind === 'TOP_UP');
    expect(topUp.product).toBeNull();
    await sms({ from: nextPhone(), to: '1092', text: 'ACCESS now' }); // the demo access-code service
    const codes = await t.gql(
      `{ payments(first: 5) { edges { node { kind product { __typename ... on AccessCode { usesLeft } } } } } }`,
      {},
      owner,
    );
    expect(codes.data!.payments.edges[0].node).toMatchObject({
      kind: 'ACCESS_CODE',
      product: { __typename: 'AccessCode' },
    });
  });

  it('delivers every catalogued event these flows caused to a webhook endpoint, signed', async () => {
    const cancelled = await newPayment('1.00');
    await t.gql(
      `mutation($input: CancelPaymentInput!) { cancelPayment(input: $input) { userErrors { message } } }`,
      { input: { id: cancelled.id } },
      owner,
    );
    await sms({ from: nextPhone(), to: '1092', text: 'ACCESS please' }); // the demo access-code service
    await drainOutbox(t.app.platform);
    const types = new Set<string>();
    for (const request of received) {
      expect(verifySignature(secret, request.body, request.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe(
        true,
      );
      const event = JSON.parse(request.body) as { type: EventType; data: Record<string, unknown> };
      expect(Object.keys(event.data).sort()).toEqual(Object.keys(EVENT_CATALOGUE[event.type].fields).sort());
      types.add(event.type);
    }
    const expected: EventType[] = [
      'payment.created',
      'payment.partially_paid',
      'payment.paid',
      'payment.cancelled',
      'payment.expired',
      'voucher.sold',
      'access_code.issued',
      'sms.received',
      'sms.flagged',
      'credit.created',
      'credit.spent',
      'credit.released',
    ];
    expect([...types].sort()).toEqual(expect.arrayContaining(expected.sort()));
  });
});
