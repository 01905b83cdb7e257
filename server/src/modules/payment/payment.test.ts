import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptimisticLockError, type EntityManager } from '@mikro-orm/core';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { Payment, PaymentStatus } from './payment.entity';
import { merchantPaymentsTopic } from './payment.events';
import { applyTransition, lockPayment, receiveFunds } from './payment.service';

const CREATE = `mutation($input: CreatePaymentInput!) {
  createPayment(input: $input) {
    payment { id kind status reference payerUrl description externalId payerPhone metadata
              amount { amount currency } amountReceived { amount currency } merchant { name } }
    userErrors { code field message }
  }
}`;

const CANCEL = `mutation($input: CancelPaymentInput!) {
  cancelPayment(input: $input) { payment { id status } userErrors { code } }
}`;

const PUBLIC = `query($token: String!) {
  paymentByToken(token: $token) { reference status description merchantName paidAt
                                  amount { amount currency } amountReceived { amount } }
}`;

describe('payments', () => {
  let t: TestApp;
  let partner: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    const owner = await t.ownerAuth();
    const key = await t.gql(
      'mutation { createApiKey(input: { name: "shop", scopes: ["read", "write"] }) { secret } }',
      {},
      owner,
    );
    partner = { apiKey: key.data!.createApiKey.secret };
  });
  afterAll(async () => t?.close());

  const create = async (input: Record<string, unknown>, auth: Auth = partner) =>
    (await t.gql(CREATE, { input: { amount: '5.00', currency: 'USD', description: 'Top-up', ...input } }, auth)).data!
      .createPayment;
  const tokenOf = (payerUrl: string) => payerUrl.split('/pay/')[1];
  const countPayments = () => t.orm.em.fork().count(Payment, {});

  /** Changes a payment the way a product or rail does: in a transaction, locked, announced after the commit. */
  const change = (id: string, action: (payment: Payment, em: EntityManager) => unknown) =>
    t.orm.em.fork().transactional(async (em) => {
      const payment = (await lockPayment(em, id))!;
      await action(payment, em);
    });

  it('creates an open top-up with a short public reference and a secret payer page', async () => {
    const result = await create({
      amount: '12.5',
      externalId: 'order-77',
      payerPhone: '+359 888 123 456',
      metadata: { cart: 3 },
    });
    expect(result.userErrors).toEqual([]);
    const payment = result.payment;
    expect(payment).toMatchObject({
      kind: 'TOP_UP',
      status: 'OPEN',
      description: 'Top-up',
      externalId: 'order-77',
      payerPhone: '+359888123456',
      metadata: { cart: 3 },
      amount: { amount: '12.50', currency: 'USD' },
      amountReceived: { amount: '0.00', currency: 'USD' },
      merchant: { name: 'Demo Shop' },
    });
    expect(payment.id).toMatch(/^pay_[0-9a-z]{26}$/);
    expect(payment.reference).toMatch(/^[23456789ABCDEFGHJKMNPRSTUVWXYZ]{8}$/);
    // The page is addressed by at least 128 random bits, never by the reference.
    expect(payment.payerUrl).toMatch(new RegExp(`^${t.app.config.publicUrl}/pay/[A-Za-z0-9_-]{27}$`));
    expect(payment.payerUrl).not.toContain(payment.reference);

    const audit = await t.gql(
      '{ auditEvents(action: "payment.create") { edges { node { targetId details } } } }',
      {},
      await t.ownerAuth(),
    );
    expect(audit.data!.auditEvents.edges[0].node).toEqual({
      targetId: payment.id,
      details: { kind: 'TOP_UP', amount: '12.50', currency: 'USD', externalId: 'order-77' },
    });
  });

  it('gives every payment its own reference and page token', async () => {
    const payments = await Promise.all(Array.from({ length: 25 }, () => create({})));
    const references = new Set(payments.map((p) => p.payment.reference));
    const tokens = new Set(payments.map((p) => tokenOf(p.payment.payerUrl)));
    expect(references.size).toBe(25);
    expect(tokens.size).toBe(25);
  });

  it('refuses bad input with typed errors and creates nothing', async () => {
    const before = await countPayments();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ amount: 'ten' }, 'INVALID_AMOUNT', 'amount'],
      [{ amount: '0' }, 'INVALID_AMOUNT', 'amount'],
      [{ amount: '-3.00' }, 'INVALID_AMOUNT', 'amount'],
      [{ amount: '1.001' }, 'INVALID_AMOUNT', 'amount'],
      [{ amount: '100.5', currency: 'JPY' }, 'INVALID_AMOUNT', 'amount'],
      [{ currency: 'ZZZ' }, 'INVALID_CURRENCY', 'currency'],
      [{ description: '  ' }, 'REQUIRED', 'description'],
      [{ description: 'x'.repeat(256) }, 'TOO_LONG', 'description'],
      [{ payerPhone: 'call me' }, 'INVALID', 'payerPhone'],
    ];
    for (const [input, code, field] of cases) {
      const result = await create(input);
      expect(result, JSON.stringify(input)).toMatchObject({
        payment: null,
        userErrors: [{ code, field: ['input', field] }],
      });
    }
    expect(await countPayments()).toBe(before);
  });

  it('shows the payer only public fields, by token, without a login', async () => {
    const { payment } = await create({ amount: '3.00', description: 'Gems', externalId: 'secret-order' });
    const token = tokenOf(payment.payerUrl);
    const result = await t.gql(PUBLIC, { token });
    expect(result.data!.paymentByToken).toEqual({
      reference: payment.reference,
      status: 'OPEN',
      description: 'Gems',
      merchantName: 'Demo Shop',
      paidAt: null,
      amount: { amount: '3.00', currency: 'USD' },
      amountReceived: { amount: '0.00' },
    });
    const type = await t.gql('{ __type(name: "PublicPayment") { fields { name } } }');
    const fields = type.data!.__type.fields.map((field: { name: string }) => field.name).sort();
    expect(fields).toEqual([
      'amount',
      'amountReceived',
      // The merchant's return links of a card payment: the payer is sent there anyway.
      'cancelUrl',
      // Whether a card may pay, and the latest card attempt: brand, last four, state, never the number.
      'cardAccepted',
      'cardCharge',
      // Credit from the payer's own earlier SMS spent here: an amount, nothing that identifies the payer.
      'creditApplied',
      'description',
      'kind',
      'merchantName',
      'paidAt',
      'reference',
      'remaining',
      // The payer's instruction lines (short code, text, state): no phone numbers, no merchant-private data.
      'sms',
      'status',
      'successUrl',
    ]);

    expect((await t.gql(PUBLIC, { token: payment.reference })).data!.paymentByToken).toBeNull();
    expect((await t.gql(PUBLIC, { token: 'A'.repeat(27) })).data!.paymentByToken).toBeNull();
    // The merchant's own view needs a login.
    const anonymous = await t.gql('query($id: ID!) { payment(id: $id) { id } }', { id: payment.id });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('moves only through allowed transitions', async () => {
    const { payment } = await create({ amount: '3.00' });
    const status = async () => (await t.orm.em.fork().findOneOrFail(Payment, payment.id)).status;

    await change(payment.id, (p, em) => receiveFunds(em, t.app.pubsub, p, 100n));
    expect(await status()).toBe(PaymentStatus.PARTIALLY_PAID);
    await expect(change(payment.id, (p, em) => applyTransition(em, t.app.pubsub, p, 'expire'))).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    await change(payment.id, (p, em) => receiveFunds(em, t.app.pubsub, p, 250n));
    const paid = await t.orm.em.fork().findOneOrFail(Payment, payment.id);
    expect(paid.status).toBe(PaymentStatus.PAID);
    expect(paid.amountReceived).toBe(350n);
    expect(paid.paidAt).toBeInstanceOf(Date);

    const cancel = await t.gql(CANCEL, { input: { id: payment.id } }, partner);
    expect(cancel.data!.cancelPayment).toEqual({
      payment: { id: payment.id, status: 'PAID' },
      userErrors: [{ code: 'INVALID_TRANSITION' }],
    });
    await change(payment.id, (p, em) => applyTransition(em, t.app.pubsub, p, 'refund'));
    expect(await status()).toBe(PaymentStatus.REFUNDED);
    await expect(change(payment.id, (p, em) => receiveFunds(em, t.app.pubsub, p, 1n))).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
  });

  it('cancels an open payment once, audited', async () => {
    const { payment } = await create({});
    const first = await t.gql(CANCEL, { input: { id: payment.id } }, partner);
    expect(first.data!.cancelPayment).toEqual({ payment: { id: payment.id, status: 'CANCELLED' }, userErrors: [] });
    const second = await t.gql(CANCEL, { input: { id: payment.id } }, partner);
    expect(second.data!.cancelPayment.userErrors).toEqual([{ code: 'INVALID_TRANSITION' }]);
    const audit = await t.gql(
      '{ auditEvents(action: "payment.cancel") { edges { node { targetId details } } } }',
      {},
      await t.ownerAuth(),
    );
    expect(audit.data!.auditEvents.edges).toEqual([
      { node: { targetId: payment.id, details: { from: 'OPEN', to: 'CANCELLED' } } },
    ]);
  });

  it('refuses a lost update: of two concurrent changes to one payment, the later write fails', async () => {
    const { payment } = await create({ amount: '3.00' });
    const [a, b] = [t.orm.em.fork(), t.orm.em.fork()];
    const [mine, theirs] = [await a.findOneOrFail(Payment, payment.id), await b.findOneOrFail(Payment, payment.id)];
    await receiveFunds(a, null, mine, 100n);
    await a.flush();
    await receiveFunds(b, null, theirs, 100n);
    await expect(b.flush()).rejects.toBeInstanceOf(OptimisticLockError);
    expect((await t.orm.em.fork().findOneOrFail(Payment, payment.id)).amountReceived).toBe(100n);
  });

  it("announces on the merchant's topic once the outermost transaction commits, not at a savepoint", async () => {
    const { payment } = await create({});
    const events = t.app.pubsub.subscribe(merchantPaymentsTopic(t.demo.merchantId))[Symbol.asyncIterator]();
    const next = events.next();
    await t.orm.em.fork().transactional(async (outer) => {
      await outer.transactional(async (inner) => {
        await applyTransition(inner, t.app.pubsub, (await lockPayment(inner, payment.id))!, 'cancel');
      });
      const early = await Promise.race([next.then(() => 'announced'), new Promise((r) => setTimeout(r, 50, 'quiet'))]);
      expect(early).toBe('quiet');
    });
    expect((await next).value).toMatchObject({ id: payment.id, status: 'CANCELLED', version: 2 });
    await events.return?.();
  });

  it('lists payments by status, kind and external id, newest first', async () => {
    const { payment } = await create({ externalId: 'find-me' });
    const result = await t.gql(
      `{ byOrder: payments(externalId: "find-me") { totalCount edges { node { id } } }
         open: payments(status: OPEN, kind: TOP_UP, first: 1) { edges { node { status kind } } }
         none: payments(kind: VOUCHER) { totalCount } }`,
      {},
      partner,
    );
    expect(result.data!.byOrder).toEqual({ totalCount: 1, edges: [{ node: { id: payment.id } }] });
    expect(result.data!.open.edges).toEqual([{ node: { status: 'OPEN', kind: 'TOP_UP' } }]);
    expect(result.data!.none.totalCount).toBe(0);
  });

  it('seeds demo payments for the demo merchant', async () => {
    const seeded = await t.orm.em
      .fork()
      .find(Payment, { merchantId: t.demo.merchantId, externalId: { $like: 'demo-%' } });
    expect(seeded.map((p) => p.status).sort()).toEqual(['OPEN', 'PAID', 'PARTIALLY_PAID']);
  });

  describe('live status', () => {
    let client: Client;
    beforeAll(() => {
      client = createClient({
        url: t.url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      });
    });
    afterAll(async () => client?.dispose());

    const SUBSCRIBE = `subscription($token: String!) {
      paymentStatus(token: $token) { reference status merchantName amountReceived { amount } }
    }`;

    it('yields the current state first, then every committed change, and nothing rolled back', async () => {
      const { payment } = await create({ amount: '3.00' });
      const token = tokenOf(payment.payerUrl);
      const events = client.iterate<{ paymentStatus: { status: string; amountReceived: { amount: string } } }>({
        query: SUBSCRIBE,
        variables: { token },
      });
      const first = await events.next();
      expect(first.value.data.paymentStatus).toEqual({
        reference: payment.reference,
        status: 'OPEN',
        merchantName: 'Demo Shop',
        amountReceived: { amount: '0.00' },
      });

      await change(payment.id, (p, em) => receiveFunds(em, t.app.pubsub, p, 100n));
      expect((await events.next()).value.data.paymentStatus).toMatchObject({
        status: 'PARTIALLY_PAID',
        amountReceived: { amount: '1.00' },
      });

      // A change that rolls back is never announced.
      await expect(
        change(payment.id, async (p, em) => {
          await receiveFunds(em, t.app.pubsub, p, 50n);
          await em.flush();
          throw new Error('rail failed after writing');
        }),
      ).rejects.toThrow('rail failed');

      await change(payment.id, (p, em) => receiveFunds(em, t.app.pubsub, p, 200n));
      expect((await events.next()).value.data.paymentStatus).toMatchObject({
        status: 'PAID',
        amountReceived: { amount: '3.00' },
      });
      await events.return?.();

      // A page that reconnects later starts from where the payment is now.
      const again = client.iterate<{ paymentStatus: { status: string } }>({ query: SUBSCRIBE, variables: { token } });
      expect((await again.next()).value.data.paymentStatus.status).toBe('PAID');
      await again.return?.();
    });

    it('refuses an unknown token', async () => {
      const events = client.iterate({ query: SUBSCRIBE, variables: { token: 'A'.repeat(27) } });
      const result = await events.next().catch((error: unknown) => ({ value: { errors: error } }));
      expect(JSON.stringify(result.value)).toContain('no such payment');
    });
  });
});
