import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness';
import { checkInvariants } from '../../../test/invariants';
import { build } from '../../common/orm';
import { FeePlan } from '../fee-plan/fee-plan.entity';
import { assignFeePlan } from '../fee-plan/fee-plan.service';
import { HIGH_RISK_PLAN_NAME } from '../fee-plan/fee-plan.seed';
import { LedgerAccountPurpose as Purpose } from '../ledger/ledger.entity';
import { balances, lockedBalance } from '../ledger/ledger.service';
import { Merchant } from '../merchant/merchant.entity';
import { WebhookEvent } from '../webhook/webhook-event.entity';
import {
  bookCardCapture,
  bookCardRefund,
  bookChargebackOpened,
  bookChargebackWon,
  releaseDueReserves,
  type CardMethod,
} from './card.settlement';
import { Payment, PaymentKind, PaymentStatus } from './payment.entity';
import { createPayment, lockPayment } from './payment.service';
import { bookSmsCredit, refundPayment } from './payment.settlement';
import { ReserveHold, ReserveHoldStatus } from './settlement.entity';

/*
 * Settlement of card money, booking by booking, on its own merchants (one per test, so balances start at zero). The
 * default plan (migration 0006): card online 1.9% + 0.25, card present 2.7%, chargeback 15.00, no reserve; the demo
 * "High risk" plan: card online 3.9% + 0.35, chargeback 25.00, 10% reserve for 90 days.
 */

const DAY = 86_400_000;

describe('card settlement', () => {
  let t: TestApp;
  let counter = 0;
  const id = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
  const fork = () => t.orm.em.fork();

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  async function newMerchant(planName?: string): Promise<string> {
    const em = fork();
    const merchant = build(Merchant, { name: `Card shop ${++counter}` });
    em.persist(merchant);
    await em.flush();
    if (planName) {
      const plan = await fork().findOneOrFail(FeePlan, { name: planName });
      await assignFeePlan(fork(), { viewer: null }, { merchantId: merchant.id, planId: plan.id });
    }
    return merchant.id;
  }

  async function newPayment(merchantId: string, amount: bigint, currency = 'EUR'): Promise<string> {
    const payment = await fork().transactional((tx) =>
      createPayment(tx, null, { merchantId, kind: PaymentKind.CARD, amount, currency, description: 'Card test' }),
    );
    return payment.id;
  }

  /** Runs a booking as the card rail will: in one transaction, on the locked payment. */
  function onPayment<T>(paymentId: string, book: (tx: ReturnType<typeof fork>, payment: Payment) => Promise<T>) {
    return fork().transactional(async (tx) => book(tx, (await lockPayment(tx, paymentId))!));
  }

  const capture = (
    paymentId: string,
    captureId: string,
    amount: bigint,
    method: CardMethod = 'CARD_ONLINE',
    at?: Date,
  ) =>
    onPayment(paymentId, (tx, payment) =>
      bookCardCapture(tx, null, payment, { captureId, amountMinor: amount, method }, at),
    );
  const refund = (paymentId: string, refundId: string, amount: bigint) =>
    onPayment(paymentId, (tx, payment) => bookCardRefund(tx, null, payment, { refundId, amountMinor: amount }));

  /** The merchant's posted balances by purpose, in minor units. */
  async function held(merchantId: string, currency = 'EUR'): Promise<Partial<Record<Purpose, bigint>>> {
    const rows = await balances(fork(), merchantId);
    return Object.fromEntries(rows.filter((row) => row.currency === currency).map((row) => [row.purpose, row.posted]));
  }
  const platform = (purpose: Purpose, currency = 'EUR') =>
    lockedBalance(fork(), { merchantId: null, currency, purpose });
  const paymentRow = (paymentId: string) => fork().findOneOrFail(Payment, paymentId);

  it('books a capture: the plan’s fee to the platform, the rest to the merchant; a retry posts nothing', async () => {
    const merchantId = await newMerchant();
    const paymentId = await newPayment(merchantId, 1000n);
    const [fees, world] = [await platform(Purpose.PLATFORM_FEES), await platform(Purpose.WORLD)];

    const first = await capture(paymentId, id('cap'), 1000n);
    // 1.9% of 10.00 = 0.19, + 0.25.
    expect(first).toMatchObject({ feeMinor: 44n, reserveMinor: 0n, paidNow: true });
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 956n });
    expect((await platform(Purpose.PLATFORM_FEES)) - fees).toBe(44n);
    expect((await platform(Purpose.WORLD)) - world).toBe(-1000n);
    expect(await paymentRow(paymentId)).toMatchObject({
      status: PaymentStatus.PAID,
      amountReceived: 1000n,
      grossMinor: 1000n,
      platformFeeMinor: 44n,
      netMinor: 956n,
      cardNetMinor: 956n,
    });
    await checkInvariants(t.orm);
  });

  it('answers a retried capture, refund and chargeback as the first time, posting once', async () => {
    const merchantId = await newMerchant();
    const paymentId = await newPayment(merchantId, 1000n);
    const captureId = id('cap');
    const first = await capture(paymentId, captureId, 1000n);
    const again = await capture(paymentId, captureId, 1000n);
    expect(again).toEqual({ ...first, paidNow: false });
    expect((await paymentRow(paymentId)).amountReceived).toBe(1000n);

    const refundId = id('ref');
    const refunded = await refund(paymentId, refundId, 300n);
    expect(await refund(paymentId, refundId, 300n)).toEqual(refunded);
    expect((await paymentRow(paymentId)).refundedMinor).toBe(300n);

    const chargebackId = id('chb');
    const opened = await onPayment(paymentId, (tx, p) =>
      bookChargebackOpened(tx, p, { chargebackId, amountMinor: 700n }),
    );
    expect(
      await onPayment(paymentId, (tx, p) => bookChargebackOpened(tx, p, { chargebackId, amountMinor: 700n })),
    ).toEqual(opened);
    const won = await onPayment(paymentId, (tx, p) => bookChargebackWon(tx, p, { chargebackId, amountMinor: 700n }));
    expect(
      await onPayment(paymentId, (tx, p) => bookChargebackWon(tx, p, { chargebackId, amountMinor: 700n })),
    ).toEqual(won);
    // 9.56 − 3.00 refund − (7.00 + 15.00 fee) + 7.00 won = −8.44: available spent, the rest owed.
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 0n, MERCHANT_RECEIVABLE: -844n });
    const keys = (await fork()
      .getConnection()
      .execute('select idempotency_key from ledger_transfer where payment_id = ? order by id', [paymentId])) as {
      idempotency_key: string;
    }[];
    expect(keys.map((row) => row.idempotency_key.split(':')[0])).toEqual([
      'card-capture',
      'card-refund',
      'chargeback',
      'chargeback',
    ]);
    await checkInvariants(t.orm);
  });

  it('takes partial captures until the price is reached; card present has its own rate', async () => {
    const merchantId = await newMerchant();
    const paymentId = await newPayment(merchantId, 1000n);
    expect(await capture(paymentId, id('cap'), 400n, 'CARD_PRESENT')).toMatchObject({ feeMinor: 11n, paidNow: false });
    expect((await paymentRow(paymentId)).status).toBe(PaymentStatus.PARTIALLY_PAID);
    // 2.7% of 6.00 = 0.162 → 0.16.
    expect(await capture(paymentId, id('cap'), 600n, 'CARD_PRESENT')).toMatchObject({ feeMinor: 16n, paidNow: true });
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 973n });
    // Money the card brought after the payment was paid is booked as late (the card rail refunds it), not credited.
    expect(await capture(paymentId, id('cap'), 100n)).toMatchObject({ late: true, paidNow: false });
    expect(await paymentRow(paymentId)).toMatchObject({ status: PaymentStatus.PAID, amountReceived: 1100n });
    await checkInvariants(t.orm);
  });

  it('refunds in part (still paid) and in full (refunded); past the available balance the rest is a receivable', async () => {
    const merchantId = await newMerchant();
    const paymentId = await newPayment(merchantId, 1000n);
    await capture(paymentId, id('cap'), 1000n);

    expect(await refund(paymentId, id('ref'), 300n)).toMatchObject({ receivableMinor: 0n });
    expect(await paymentRow(paymentId)).toMatchObject({ status: PaymentStatus.PAID, refundedMinor: 300n });
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 656n });

    // The fee stays with the platform, so refunding the rest takes more than the merchant has.
    expect(await refund(paymentId, id('ref'), 700n)).toMatchObject({ receivableMinor: 44n });
    expect(await paymentRow(paymentId)).toMatchObject({ status: PaymentStatus.REFUNDED, refundedMinor: 1000n });
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 0n, MERCHANT_RECEIVABLE: -44n });

    await expect(refund(paymentId, id('ref'), 1n)).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
      field: ['input', 'amount'],
    });
    const events = await fork().find(WebhookEvent, { merchantId }, { orderBy: { id: 'asc' } });
    expect(events.map((event) => event.type)).toEqual([
      'payment.created',
      'payment.paid',
      'payment.partially_refunded',
      'payment.refunded',
    ]);
    expect(events[2].data).toMatchObject({ status: 'PAID', refunded: '3.00' });
    await checkInvariants(t.orm);
  });

  it('covers a receivable from the next money the merchant gets, before its available balance', async () => {
    const merchantId = await newMerchant();
    const first = await newPayment(merchantId, 1000n);
    await capture(first, id('cap'), 1000n);
    await refund(first, id('ref'), 1000n);
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 0n, MERCHANT_RECEIVABLE: -44n });

    const second = await newPayment(merchantId, 2000n);
    await capture(second, id('cap'), 2000n); // fee 0.38 + 0.25: 19.37 to the merchant, 0.44 of it owed
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 1893n, MERCHANT_RECEIVABLE: 0n });
    await checkInvariants(t.orm);
  });

  it('opens a chargeback past the available balance (amount and fee owed), gives the amount back when won', async () => {
    const merchantId = await newMerchant();
    const paymentId = await newPayment(merchantId, 1000n);
    await capture(paymentId, id('cap'), 1000n);
    const fees = await platform(Purpose.PLATFORM_FEES);

    const chargebackId = id('chb');
    const opened = await onPayment(paymentId, (tx, p) =>
      bookChargebackOpened(tx, p, { chargebackId, amountMinor: 1000n }),
    );
    // 10.00 + 15.00 from 9.56 available: 15.44 owed.
    expect(opened).toMatchObject({ feeMinor: 1500n, receivableMinor: 1544n });
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 0n, MERCHANT_RECEIVABLE: -1544n });
    expect((await platform(Purpose.PLATFORM_FEES)) - fees).toBe(1500n);

    await onPayment(paymentId, (tx, p) => bookChargebackWon(tx, p, { chargebackId, amountMinor: 1000n }));
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 0n, MERCHANT_RECEIVABLE: -544n });
    expect((await platform(Purpose.PLATFORM_FEES)) - fees).toBe(1500n); // the fee stays

    // Lost: nothing more to post. Another chargeback, lost, leaves what it took.
    const lost = id('chb');
    await onPayment(paymentId, (tx, p) => bookChargebackOpened(tx, p, { chargebackId: lost, amountMinor: 500n }));
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 0n, MERCHANT_RECEIVABLE: -2544n });

    await expect(
      onPayment(paymentId, (tx, p) => bookChargebackWon(tx, p, { chargebackId: id('chb'), amountMinor: 100n })),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });

    const next = await newPayment(merchantId, 5000n);
    await capture(next, id('cap'), 5000n); // 0.95 + 0.25 fee: 48.80 to the merchant, 25.44 of it owed
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 2336n, MERCHANT_RECEIVABLE: 0n });
    await checkInvariants(t.orm);
  });

  it('holds the plan’s rolling reserve and releases it to the merchant after its days, covering a debt first', async () => {
    const merchantId = await newMerchant(HIGH_RISK_PLAN_NAME);
    const paymentId = await newPayment(merchantId, 10_000n);
    const at = new Date(Date.now() - 100 * DAY);
    const captureId = id('cap');
    // 3.9% of 100.00 + 0.35 = 4.25; 10% of the 95.75 net = 9.575 → 9.58 held for 90 days.
    expect(await capture(paymentId, captureId, 10_000n, 'CARD_ONLINE', at)).toMatchObject({
      feeMinor: 425n,
      reserveMinor: 958n,
    });
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 8617n, MERCHANT_RESERVE: 958n });
    const hold = await fork().findOneOrFail(ReserveHold, { captureId });
    expect(hold).toMatchObject({ status: ReserveHoldStatus.HELD, amountMinor: 958n, paymentId });
    expect(hold.releaseAt.getTime()).toBe(at.getTime() + 90 * DAY);

    await refund(paymentId, id('ref'), 9000n);
    expect(await held(merchantId)).toEqual({
      MERCHANT_AVAILABLE: 0n,
      MERCHANT_RESERVE: 958n,
      MERCHANT_RECEIVABLE: -383n,
    });

    expect(await releaseDueReserves(t.orm.em, new Date(at.getTime() + 89 * DAY))).toBe(0);
    await checkInvariants(t.orm);
    expect(await releaseDueReserves(t.orm.em, new Date(at.getTime() + 90 * DAY))).toBeGreaterThanOrEqual(1);
    expect(await fork().findOneOrFail(ReserveHold, { captureId })).toMatchObject({
      status: ReserveHoldStatus.RELEASED,
    });
    expect(await held(merchantId)).toEqual({
      MERCHANT_AVAILABLE: 575n,
      MERCHANT_RESERVE: 0n,
      MERCHANT_RECEIVABLE: 0n,
    });
    expect(await releaseDueReserves(t.orm.em)).toBe(0);
    await checkInvariants(t.orm);
  });

  it('finishes a payment part paid by SMS with a card: the SMS money is released, the card money not twice', async () => {
    for (const order of ['sms-first', 'card-first'] as const) {
      const merchantId = await newMerchant();
      const paymentId = await newPayment(merchantId, 500n, 'USD');
      const sms = () =>
        onPayment(paymentId, (tx, payment) =>
          bookSmsCredit(
            tx,
            null,
            payment,
            {
              smsId: id('sms'),
              shortCode: '1096',
              country: 'BG',
              currency: 'USD',
              priceMinor: 245n,
              yieldMinor: 200n,
              operatorShareMinor: 30n,
              platformFeeMinor: 15n,
            },
            'YIELD',
          ),
        );
      if (order === 'sms-first') await sms();
      // 1.9% of 3.00 = 0.057 → 0.06, + 0.25.
      await capture(paymentId, id('cap'), 300n);
      if (order === 'card-first') await sms();
      expect(await paymentRow(paymentId)).toMatchObject({ status: PaymentStatus.PAID, netMinor: 469n });
      expect(await held(merchantId, 'USD')).toEqual({ MERCHANT_AVAILABLE: 469n, MERCHANT_PENDING: 0n });
    }
    await checkInvariants(t.orm);
  });

  it('covers a debt once under parallel captures and refunds of one merchant’s payments', async () => {
    const merchantId = await newMerchant();
    const seed = await newPayment(merchantId, 1000n);
    await capture(seed, id('cap'), 1000n);
    await refund(seed, id('ref'), 1000n); // 0.44 owed
    const payments = await Promise.all(Array.from({ length: 8 }, () => newPayment(merchantId, 1000n)));
    await Promise.all(payments.map((paymentId) => capture(paymentId, id('cap'), 1000n)));
    // Refunds of these beside captures of as many more, all at once: the receivable never goes above zero.
    const more = await Promise.all(Array.from({ length: 8 }, () => newPayment(merchantId, 1000n)));
    await Promise.all([
      ...payments.map((paymentId) => refund(paymentId, id('ref'), 1000n)),
      ...more.map((paymentId) => capture(paymentId, id('cap'), 1000n)),
    ]);
    // 16 × 9.56 − 0.44 − 8 × 10.00 = 72.52, whichever came first.
    const balances = await held(merchantId);
    expect(balances.MERCHANT_AVAILABLE! + balances.MERCHANT_RECEIVABLE!).toBe(7252n);
    await Promise.all(more.map((paymentId) => refund(paymentId, id('ref'), 100n)));
    expect(await held(merchantId)).toEqual({ MERCHANT_AVAILABLE: 6452n, MERCHANT_RECEIVABLE: 0n });
    await checkInvariants(t.orm);
  });

  it('refuses to refund card money by reversing the ledger: it goes back by card', async () => {
    const merchantId = await newMerchant();
    const paymentId = await newPayment(merchantId, 1000n);
    await capture(paymentId, id('cap'), 1000n);
    await expect(onPayment(paymentId, (tx, p) => refundPayment(tx, null, p))).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    expect((await paymentRow(paymentId)).status).toBe(PaymentStatus.PAID);
  });

  it('shows what was refunded in the payment’s breakdown', async () => {
    const owner = await t.ownerAuth();
    const paymentId = await newPayment(t.demo.merchantId, 2000n, 'GBP');
    await capture(paymentId, id('cap'), 2000n);
    await refund(paymentId, id('ref'), 550n);
    const result = await t.gql(
      `query($id: ID!) { payment(id: $id) { status breakdown { gross { amount } platformFee { amount }
        net { amount } refunded { amount currency } } } }`,
      { id: paymentId },
      owner,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.payment).toEqual({
      status: 'PAID',
      breakdown: {
        gross: { amount: '20.00' },
        platformFee: { amount: '0.63' },
        net: { amount: '19.37' },
        refunded: { amount: '5.50', currency: 'GBP' },
      },
    });
  });
});
