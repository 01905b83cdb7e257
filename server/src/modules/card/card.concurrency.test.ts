import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { createCardPayment, newKey, PAYMENT_CARDS, payWith, REFUND } from '../../../test/cards';
import { TestCardScenario, testCard } from './test-cards';
import { TestProcessorCharge } from './test-processor.entity';

describe('card refunds under concurrency', () => {
  let t: TestApp;
  let owner: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  it('20 parallel refunds of 10.00 on a 10.00 charge refund 10.00 in total', async () => {
    const created = await createCardPayment(t, owner, { amount: '10.00', currency: 'EUR' });
    expect(await payWith(t, created.pageToken, testCard(TestCardScenario.APPROVE))).toMatchObject({
      status: 'CAPTURED',
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.gql(REFUND, { input: { paymentId: created.payment.id, amount: '10.00', idempotencyKey: newKey() } }, owner),
      ),
    );
    const payloads = answers.map((answer) => {
      expect(answer.errors).toBeUndefined();
      return answer.data!.refundCardPayment;
    });
    const succeeded = payloads.filter((payload) => payload.refund?.status === 'SUCCEEDED');
    expect(succeeded).toHaveLength(1);
    for (const payload of payloads.filter((candidate) => !candidate.refund)) {
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_AMOUNT' })]);
    }
    const payment = (await t.gql(PAYMENT_CARDS, { id: created.payment.id }, owner)).data!.payment;
    expect(payment.status).toBe('REFUNDED');
    expect(payment.refunds.map((refund: any) => refund.amount.amount)).toEqual(['10.00']);
    expect(payment.cardCharges[0].refunded).toEqual({ amount: '10.00' });
    // The processor agrees: it refunded the charge once.
    const atProcessor = await t.orm.em
      .fork()
      .findOneOrFail(TestProcessorCharge, payment.cardCharges[0].processorReference);
    expect(atProcessor.refundedMinor).toBe(1000n);
  });

  it('parallel partial refunds add up to at most what was captured', async () => {
    const created = await createCardPayment(t, owner, { amount: '10.00', currency: 'USD' });
    await payWith(t, created.pageToken, testCard(TestCardScenario.APPROVE));
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.gql(REFUND, { input: { paymentId: created.payment.id, amount: '1.00', idempotencyKey: newKey() } }, owner),
      ),
    );
    const succeeded = answers.filter((answer) => answer.data?.refundCardPayment.refund?.status === 'SUCCEEDED');
    expect(succeeded).toHaveLength(10);
    const payment = (await t.gql(PAYMENT_CARDS, { id: created.payment.id }, owner)).data!.payment;
    expect(payment.status).toBe('REFUNDED');
  });
});
