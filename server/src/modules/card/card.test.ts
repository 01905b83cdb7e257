import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import {
  COMPLETE_CHALLENGE,
  createCardPayment,
  EXP_YEAR,
  newKey,
  PAY_BY_CARD,
  PAYMENT_CARDS,
  payWith,
  postCard,
  REFUND,
  tokenise,
  workerDeps,
} from '../../../test/cards';
import { LedgerAccountPurpose } from '../ledger';
import { balances } from '../ledger/ledger.service';
import { WebhookEvent } from '../webhook/webhook-event.entity';
import { build } from '../../common/orm';
import { CardCaptureMode, CardCharge, CardOperation, CardOperationKind, CardToken } from './card.entity';
import { pollDisputes, reconcileCardOperations, refundLateCaptures } from './card.service';
import { Payment } from '../payment';
import { TEST_CHALLENGE_ANSWER, TestCardScenario, testCard } from './test-cards';

const CAPTURE = `mutation($input: CardPaymentActionInput!) {
  captureCardPayment(input: $input) { charge { id status captured { amount } } payment { status } userErrors { code message } }
}`;
const VOID = `mutation($input: CardPaymentActionInput!) {
  voidCardPayment(input: $input) { charge { id status } payment { status } userErrors { code message } }
}`;
const OPEN_CHARGEBACK = `mutation($input: OpenChargebackInput!) {
  openChargeback(input: $input) { chargeback { id status amount { amount } reason } userErrors { code field message } }
}`;
const EVIDENCE = `mutation($input: AddChargebackEvidenceInput!) {
  addChargebackEvidence(input: $input) { chargeback { id status evidence } userErrors { code message } }
}`;
const RESOLVE = `mutation($input: ResolveChargebackInput!) {
  resolveChargeback(input: $input) { chargeback { id status } userErrors { code message } }
}`;
const PUBLIC = `query($token: String!) {
  paymentByToken(token: $token) { status cardAccepted remaining { amount currency } successUrl cancelUrl
    cardCharge { id status brand last4 declineCode message challenge } }
}`;

describe('card payments', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  beforeAll(async () => {
    // Several declines come from one test address: the card-testing budgets have their own test.
    t = await startTestApp({ RATE_LIMIT_SCALE: '10' });
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
  });
  afterAll(async () => t?.close());

  const cards = async (paymentId: string) => (await t.gql(PAYMENT_CARDS, { id: paymentId }, owner)).data!.payment;
  const eventsOf = async (paymentId: string) =>
    (await t.orm.em.fork().find(WebhookEvent, { merchantId: t.demo.merchantId }, { orderBy: { id: 'asc' } }))
      .filter((event) => event.data.paymentId === paymentId || event.data.id === paymentId)
      .map((event) => event.type)
      .sort(); // ids order by the millisecond only: events of one transaction come in any order
  const balanceOf = async (purpose: LedgerAccountPurpose, currency = 'EUR') =>
    (await balances(t.orm.em.fork(), t.demo.merchantId)).find(
      (row) => row.purpose === purpose && row.currency === currency,
    )?.posted ?? 0n;

  it('one-off card payment: created, tokenised, paid by card, with its events and attempts', async () => {
    const created = await createCardPayment(t, owner, {
      amount: '12.50',
      successUrl: 'https://shop.example/thanks',
      cancelUrl: 'https://shop.example/cart',
    });
    expect(created.payment).toMatchObject({ kind: 'CARD', status: 'OPEN' });
    expect(created.payUrl).toBe(`${t.app.config.publicUrl}/pay/${created.pageToken}`);

    const page = (await t.gql(PUBLIC, { token: created.pageToken })).data!.paymentByToken;
    expect(page).toMatchObject({
      cardAccepted: true,
      remaining: { amount: '12.50', currency: 'EUR' },
      successUrl: 'https://shop.example/thanks',
      cardCharge: null,
    });

    const card = await tokenise(t, created.pageToken, '4242 9900 0000 0010');
    expect(card).toEqual({
      token: expect.stringMatching(/^ctok_/),
      brand: 'VISA',
      last4: '0010',
      expMonth: 12,
      expYear: EXP_YEAR,
      holderName: 'Ada Lovelace',
    });
    const key = newKey();
    const paid = (await t.gql(PAY_BY_CARD, { pageToken: created.pageToken, cardToken: card.token, key })).data!
      .payByCard;
    expect(paid).toMatchObject({
      status: 'CAPTURED',
      redirectUrl: 'https://shop.example/thanks',
      payment: { status: 'PAID', cardAccepted: false, remaining: { amount: '0.00' } },
      userErrors: [],
    });
    // A retry with the same key is the same attempt: nothing is charged twice.
    const again = (await t.gql(PAY_BY_CARD, { pageToken: created.pageToken, cardToken: card.token, key })).data!
      .payByCard;
    expect(again).toMatchObject({ status: 'CAPTURED', chargeId: paid.chargeId });

    const payment = await cards(created.payment.id);
    expect(payment.cardCharges).toEqual([
      expect.objectContaining({
        status: 'CAPTURED',
        captureMode: 'AUTOMATIC',
        amount: { amount: '12.50', currency: 'EUR' },
        captured: { amount: '12.50' },
        last4: '0010',
      }),
    ]);
    expect(payment.cardCharges[0].operations).toEqual([
      expect.objectContaining({ kind: 'AUTHORISE', state: 'ANSWERED', outcome: 'APPROVED' }),
    ]);
    expect(payment.cardCharges[0].operations[0].idempotencyKey).toMatch(/^cch_.*:authorise:1$/);
    expect(await eventsOf(created.payment.id)).toEqual(['card.charge.captured', 'payment.created', 'payment.paid']);

    const refusedAgain = await payWith(t, created.pageToken, testCard(TestCardScenario.APPROVE)).catch(
      (error: Error) => error.message,
    );
    expect(refusedAgain).toMatch(/409/); // the tokeniser already refuses a paid payment
  });

  it('a declined card leaves the payment open with a clear message; another card then pays', async () => {
    const created = await createCardPayment(t, owner, { currency: 'USD', amount: '5.00' });
    const declined = await payWith(t, created.pageToken, testCard(TestCardScenario.INSUFFICIENT_FUNDS));
    expect(declined).toMatchObject({
      status: 'DECLINED',
      declineCode: 'INSUFFICIENT_FUNDS',
      message: expect.stringContaining('not enough funds'),
      payment: { status: 'OPEN', cardAccepted: true },
    });
    const paid = await payWith(t, created.pageToken, testCard(TestCardScenario.APPROVE));
    expect(paid).toMatchObject({ status: 'CAPTURED', payment: { status: 'PAID' } });
    expect(await eventsOf(created.payment.id)).toEqual([
      'card.charge.captured',
      'card.charge.declined',
      'payment.created',
      'payment.paid',
    ]);
  });

  it('challenge: REQUIRES_ACTION, a wrong answer declines, the documented answer pays', async () => {
    const created = await createCardPayment(t, owner);
    const first = await payWith(t, created.pageToken, testCard(TestCardScenario.CHALLENGE));
    expect(first).toMatchObject({ status: 'REQUIRES_ACTION', payment: { status: 'OPEN' } });
    expect(first.challenge).toContain(TEST_CHALLENGE_ANSWER);
    const page = (await t.gql(PUBLIC, { token: created.pageToken })).data!.paymentByToken;
    expect(page.cardCharge).toMatchObject({
      id: first.chargeId,
      status: 'REQUIRES_ACTION',
      challenge: first.challenge,
    });

    const wrong = (
      await t.gql(COMPLETE_CHALLENGE, { pageToken: created.pageToken, chargeId: first.chargeId, answer: '9999' })
    ).data!.completeCardChallenge;
    expect(wrong).toMatchObject({ status: 'DECLINED', declineCode: 'AUTHENTICATION_FAILED' });
    const again = (
      await t.gql(COMPLETE_CHALLENGE, { pageToken: created.pageToken, chargeId: first.chargeId, answer: '1234' })
    ).data!.completeCardChallenge;
    expect(again.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);

    const second = await payWith(t, created.pageToken, testCard(TestCardScenario.CHALLENGE));
    const passed = (
      await t.gql(COMPLETE_CHALLENGE, {
        pageToken: created.pageToken,
        chargeId: second.chargeId,
        answer: TEST_CHALLENGE_ANSWER,
      })
    ).data!.completeCardChallenge;
    expect(passed).toMatchObject({ status: 'CAPTURED', payment: { status: 'PAID' } });
    const charge = (await cards(created.payment.id)).cardCharges[1];
    expect(charge.operations.map((operation: any) => operation.outcome)).toEqual(['REQUIRES_ACTION', 'APPROVED']);
  });

  it('manual capture: authorised, then captured; another authorised, then voided', async () => {
    const manual = await createCardPayment(t, owner, { captureMode: 'MANUAL' });
    const authorised = await payWith(t, manual.pageToken, testCard(TestCardScenario.APPROVE));
    expect(authorised).toMatchObject({ status: 'AUTHORISED', payment: { status: 'OPEN' } });
    // While authorised, the page takes no second card.
    const card = await tokenise(t, manual.pageToken, testCard(TestCardScenario.APPROVE));
    const busy = (await t.gql(PAY_BY_CARD, { pageToken: manual.pageToken, cardToken: card.token, key: newKey() })).data!
      .payByCard;
    expect(busy.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);

    const captured = (await t.gql(CAPTURE, { input: { paymentId: manual.payment.id } }, owner)).data!
      .captureCardPayment;
    expect(captured).toMatchObject({
      charge: { status: 'CAPTURED', captured: { amount: '10.00' } },
      payment: { status: 'PAID' },
      userErrors: [],
    });
    const twice = (await t.gql(CAPTURE, { input: { paymentId: manual.payment.id } }, owner)).data!.captureCardPayment;
    expect(twice).toMatchObject({ charge: { status: 'CAPTURED' }, userErrors: [] });
    expect(await eventsOf(manual.payment.id)).toEqual([
      'card.charge.authorised',
      'card.charge.captured',
      'payment.created',
      'payment.paid',
    ]);

    const toVoid = await createCardPayment(t, owner, { captureMode: 'MANUAL' });
    await payWith(t, toVoid.pageToken, testCard(TestCardScenario.APPROVE));
    const voided = (await t.gql(VOID, { input: { paymentId: toVoid.payment.id } }, owner)).data!.voidCardPayment;
    expect(voided).toMatchObject({ charge: { status: 'VOIDED' }, payment: { status: 'OPEN' }, userErrors: [] });
    const captureVoided = (await t.gql(CAPTURE, { input: { paymentId: toVoid.payment.id } }, owner)).data!
      .captureCardPayment;
    expect(captureVoided.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);
    // A voided authorisation frees the page for another card.
    expect(await payWith(t, toVoid.pageToken, testCard(TestCardScenario.APPROVE))).toMatchObject({
      status: 'AUTHORISED',
    });
  });

  it('partial and full refunds: never more than captured; a retry is the same refund; a refused one books nothing', async () => {
    const created = await createCardPayment(t, owner);
    await payWith(t, created.pageToken, testCard(TestCardScenario.APPROVE));
    const refund = async (amount: string | null, key = newKey('refund')) =>
      (await t.gql(REFUND, { input: { paymentId: created.payment.id, amount, idempotencyKey: key } }, owner)).data!
        .refundCardPayment;

    const key = newKey('refund');
    const part = await refund('4.00', key);
    expect(part).toMatchObject({
      refund: { status: 'SUCCEEDED', amount: { amount: '4.00' } },
      payment: { status: 'PAID' },
    });
    expect(await refund('4.00', key)).toMatchObject({ refund: { id: part.refund.id } });
    expect((await refund('3.00', key)).userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' })]);
    expect((await refund('6.01')).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: ['input', 'amount'] }),
    ]);
    const rest = await refund(null);
    expect(rest).toMatchObject({
      refund: { status: 'SUCCEEDED', amount: { amount: '6.00' } },
      payment: { status: 'REFUNDED' },
    });
    expect((await refund('0.01')).userErrors).toEqual([expect.objectContaining({ code: 'INVALID_AMOUNT' })]);
    const events = await eventsOf(created.payment.id);
    expect(events.filter((type) => type.startsWith('card.refund'))).toEqual([
      'card.refund.succeeded',
      'card.refund.succeeded',
    ]);
    expect(events).toContain('payment.refunded');

    const failing = await createCardPayment(t, owner);
    await payWith(t, failing.pageToken, testCard(TestCardScenario.REFUND_FAILS));
    const refused = (await t.gql(REFUND, { input: { paymentId: failing.payment.id, idempotencyKey: newKey() } }, owner))
      .data!.refundCardPayment;
    expect(refused).toMatchObject({
      refund: { status: 'FAILED', declineCode: 'REFUND_REFUSED' },
      payment: { status: 'PAID' },
    });
    const charge = (await cards(failing.payment.id)).cardCharges[0];
    expect(charge.refunded).toEqual({ amount: '0.00' }); // the reservation was released
  });

  it('a chargeback larger than the available balance leaves a receivable; won gives the amount back', async () => {
    // In a currency the merchant holds nothing else in: its balance is this payment's net alone.
    const created = await createCardPayment(t, owner, { amount: '10.00', currency: 'CHF' });
    await payWith(t, created.pageToken, testCard(TestCardScenario.APPROVE));
    const available = await balanceOf(LedgerAccountPurpose.MERCHANT_AVAILABLE, 'CHF');
    expect(available).toBeGreaterThan(0n);
    const forbidden = await t.gql(OPEN_CHARGEBACK, { input: { paymentId: created.payment.id, reason: 'x' } }, owner);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const opened = (
      await t.gql(OPEN_CHARGEBACK, { input: { paymentId: created.payment.id, reason: 'Not recognised' } }, admin)
    ).data!.openChargeback;
    expect(opened).toMatchObject({ chargeback: { status: 'OPENED', amount: { amount: '10.00' } }, userErrors: [] });
    // 10.00 (and the plan's chargeback fee) came out of the merchant: all it had, the rest as a receivable.
    expect(await balanceOf(LedgerAccountPurpose.MERCHANT_AVAILABLE, 'CHF')).toBe(0n);
    const receivable = await balanceOf(LedgerAccountPurpose.MERCHANT_RECEIVABLE, 'CHF');
    expect(receivable).toBeLessThanOrEqual(available - 1000n);
    expect(receivable).toBeLessThan(0n);

    const evidence = (
      await t.gql(EVIDENCE, { input: { id: opened.chargeback.id, evidence: 'Signed delivery note' } }, owner)
    ).data!.addChargebackEvidence;
    expect(evidence.chargeback.evidence).toContain('Signed delivery note');
    const won = (await t.gql(RESOLVE, { input: { id: opened.chargeback.id, outcome: 'WON' } }, admin)).data!
      .resolveChargeback;
    expect(won).toMatchObject({ chargeback: { status: 'WON' }, userErrors: [] });
    expect(
      (await t.gql(RESOLVE, { input: { id: opened.chargeback.id, outcome: 'LOST' } }, admin)).data!.resolveChargeback
        .userErrors,
    ).toEqual([expect.objectContaining({ code: 'ALREADY_RESOLVED' })]);
    expect(await eventsOf(created.payment.id)).toEqual(
      expect.arrayContaining(['card.chargeback.opened', 'card.chargeback.won']),
    );
  });

  it('the processor’s disputes open chargebacks once, by the dispute poller', async () => {
    const created = await createCardPayment(t, owner);
    await payWith(t, created.pageToken, testCard(TestCardScenario.CHARGEBACK));
    expect(await pollDisputes(workerDeps(t))).toBeGreaterThanOrEqual(1);
    expect(await pollDisputes(workerDeps(t))).toBe(0);
    const payment = await cards(created.payment.id);
    expect(payment.chargebacks).toEqual([expect.objectContaining({ status: 'OPENED', amount: { amount: '10.00' } })]);
  });

  it('timeout: the charge is UNKNOWN until reconciliation asks the processor; refunds likewise', async () => {
    const created = await createCardPayment(t, owner);
    const unknown = await payWith(t, created.pageToken, testCard(TestCardScenario.TIMEOUT));
    expect(unknown).toMatchObject({ status: 'UNKNOWN', payment: { status: 'OPEN' } });
    expect(unknown.message).toMatch(/do not pay again/);
    expect((await cards(created.payment.id)).cardCharges[0].operations[0]).toMatchObject({ state: 'UNKNOWN' });

    expect(await reconcileCardOperations(workerDeps(t), { olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
    const resolved = await cards(created.payment.id);
    expect(resolved).toMatchObject({ status: 'PAID' });
    expect(resolved.cardCharges[0]).toMatchObject({ status: 'CAPTURED' });
    expect(resolved.cardCharges[0].operations[0]).toMatchObject({ state: 'RECONCILED', outcome: 'APPROVED' });
    expect(await eventsOf(created.payment.id)).toEqual([
      'card.charge.captured',
      'card.charge.unknown',
      'payment.created',
      'payment.paid',
    ]);

    const refund = (await t.gql(REFUND, { input: { paymentId: created.payment.id, idempotencyKey: newKey() } }, owner))
      .data!.refundCardPayment;
    expect(refund).toMatchObject({ refund: { status: 'UNKNOWN' }, payment: { status: 'PAID' } });
    await reconcileCardOperations(workerDeps(t), { olderThanMs: 0 });
    expect((await cards(created.payment.id)).refunds).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    expect((await cards(created.payment.id)).status).toBe('REFUNDED');
  });

  it('a card captured after its payment was cancelled is booked as late money and refunded to the card in full', async () => {
    const created = await createCardPayment(t, owner);
    const unknown = await payWith(t, created.pageToken, testCard(TestCardScenario.TIMEOUT));
    expect(unknown).toMatchObject({ status: 'UNKNOWN' });
    // The merchant gives up on the payment while the bank has not answered.
    const cancelled = await t.gql(
      `mutation($input: CancelPaymentInput!) { cancelPayment(input: $input) { payment { status } } }`,
      { input: { id: created.payment.id, idempotencyKey: newKey() } },
      owner,
    );
    expect(cancelled.data!.cancelPayment.payment).toEqual({ status: 'CANCELLED' });
    const available = await balanceOf(LedgerAccountPurpose.MERCHANT_AVAILABLE);

    // The bank did take the money: reconciliation books it, and its refund starts at once.
    await reconcileCardOperations(workerDeps(t), { olderThanMs: 0 });
    let payment = await cards(created.payment.id);
    expect(payment.status).toBe('CANCELLED');
    expect(payment.cardCharges[0]).toMatchObject({ status: 'CAPTURED', lateCapture: true });
    expect(payment.refunds).toEqual([expect.objectContaining({ amount: { amount: '10.00' } })]);
    // The test processor answers this card's refund late too: the next round settles it.
    await reconcileCardOperations(workerDeps(t), { olderThanMs: 0 });
    expect(await refundLateCaptures(workerDeps(t))).toBe(0); // started once, not again
    payment = await cards(created.payment.id);
    expect(payment.refunds).toEqual([expect.objectContaining({ status: 'SUCCEEDED', amount: { amount: '10.00' } })]);
    expect(payment.status).toBe('CANCELLED');
    // The merchant is left with neither the money nor the refund: only the plan's fee on the capture is its cost.
    const fee = (await t.orm.em.fork().findOneOrFail(Payment, created.payment.id)).platformFeeMinor;
    expect(await balanceOf(LedgerAccountPurpose.MERCHANT_AVAILABLE)).toBe(available - fee);
    expect(await eventsOf(created.payment.id)).toContain('card.refund.succeeded');
  });

  it('an attempt whose answer was never recorded and that the processor never saw is declined NOT_PROCESSED', async () => {
    const created = await createCardPayment(t, owner);
    // A crash between recording the attempt and asking the processor: the operation stays PENDING.
    const card = await tokenise(t, created.pageToken, testCard(TestCardScenario.APPROVE));
    const em = t.orm.em.fork();
    const token = await em.findOneOrFail(CardToken, card.token);
    const charge = build(CardCharge, {
      paymentId: created.payment.id,
      merchantId: t.demo.merchantId,
      requestKey: 'crashed',
      tokenId: token.id,
      processor: 'test',
      captureMode: CardCaptureMode.AUTOMATIC,
      amountMinor: 1000n,
      currency: 'EUR',
      brand: token.brand,
      last4: token.last4,
      fingerprint: token.fingerprint,
    });
    em.persist(charge);
    em.persist(
      build(CardOperation, {
        chargeId: charge.id,
        kind: CardOperationKind.AUTHORISE,
        idempotencyKey: `${charge.id}:authorise:1`,
        createdAt: new Date(Date.now() - 120_000),
      }),
    );
    await em.flush();
    await reconcileCardOperations(workerDeps(t), { olderThanMs: 60_000 });
    const payment = await cards(created.payment.id);
    expect(payment.cardCharges[0]).toMatchObject({ status: 'DECLINED', declineCode: 'NOT_PROCESSED' });
    expect(payment.status).toBe('OPEN');
  });

  it('the tokeniser checks every field at the boundary and names it, never echoing the number', async () => {
    const created = await createCardPayment(t, owner);
    const good = {
      pageToken: created.pageToken,
      number: testCard(TestCardScenario.APPROVE),
      expMonth: 12,
      expYear: EXP_YEAR,
      cvc: '123',
    };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...good, number: '4242990000000011' }, 400, 'number'], // Luhn
      [{ ...good, number: '42429900' }, 400, 'number'],
      [{ ...good, number: 4242990000000010 }, 400, 'number'],
      [{ ...good, number: '4242-9900-0000-001x' }, 400, 'number'],
      [{ ...good, expMonth: 13 }, 400, 'expMonth'],
      [{ ...good, expMonth: 'soon' }, 400, 'expMonth'],
      [{ ...good, expYear: 2001 }, 400, 'expYear'],
      [{ ...good, expYear: EXP_YEAR + 40 }, 400, 'expYear'],
      [{ ...good, cvc: '12' }, 400, 'cvc'],
      [{ ...good, cvc: 123 }, 400, 'cvc'],
      [{ ...good, holderName: 42 }, 400, 'holderName'],
      [{ ...good, holderName: good.number }, 400, 'holderName'],
      [{ ...good, pageToken: 'nope' }, 400, 'pageToken'],
      [{ ...good, pageToken: 'A'.repeat(27) }, 404, 'pageToken'],
      [{ ...good, number: '4111111111111111' }, 400, 'number'], // a real-looking card on the test processor
    ];
    for (const [body, status, field] of cases) {
      const answer = await postCard(t, body);
      expect({ field, status: answer.status, answered: answer.json.error?.field }).toEqual({
        field,
        status,
        answered: field,
      });
      expect(JSON.stringify(answer.json)).not.toMatch(/\d{12,}/);
    }
    const raw = await fetch(`${t.url}/card/tokens`, { method: 'POST', body: '{"number": "4242990000000010"' });
    expect(raw.status).toBe(400);
    expect(await raw.text()).not.toContain('4242990000000010');
    const tooBig = await fetch(`${t.url}/card/tokens`, { method: 'POST', body: 'x'.repeat(10_000) });
    expect(tooBig.status).toBe(413);
  });

  it('createCardPayment validates its input and takes cards only where the product does', async () => {
    const bad = await t.gql(
      `mutation { createCardPayment(input: { amount: "1.00", currency: "EUR", description: "x", successUrl: "javascript:alert(1)" }) {
        payment { id } userErrors { code field } } }`,
      {},
      owner,
    );
    expect(bad.data!.createCardPayment.userErrors).toEqual([{ code: 'INVALID_URL', field: ['input', 'successUrl'] }]);
    const anonymous = await t.gql(
      `mutation { createCardPayment(input: { amount: "1.00", currency: "EUR", description: "x" }) { payUrl } }`,
    );
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
