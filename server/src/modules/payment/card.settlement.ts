import type { EntityManager } from '@mikro-orm/core';
import type { PubSubLike } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { formatAmount } from '../../common/money';
import { build } from '../../common/orm';
import { nextState } from '../../common/state-machine';
import { chargebackFeeFor, feeFor, feePlanOf, reserveFor } from '../fee-plan';
import { LedgerAccountPurpose, paymentTransferRows, transferByKey, type KeyedTransfer } from '../ledger';
import { PaymentStatus, type Payment } from './payment.entity';
import { receiveFunds, receiveLateFunds, recordRefund } from './payment.service';
import { fromMerchant, postOnce, releaseToMerchant, toMerchant, type Leg } from './payment.settlement';
import { RESERVE_HOLD_TRANSITIONS, ReserveHold, ReserveHoldStatus } from './settlement.entity';

/*
 * Settlement of card money: the card rail (modules/card) says what the processor did (a capture, a refund, a
 * chargeback opened or decided) and these recipes book it. Card money enters from WORLD (the processor owes it to us)
 * like SMS money, but goes to the merchant at once: the fee from the merchant's fee plan to PLATFORM_FEES, the plan's
 * rolling reserve to MERCHANT_RESERVE (a ReserveHold each, released by the settlement sweep), the rest to available —
 * after covering any debt on MERCHANT_RECEIVABLE. Refunds and chargebacks debit available as far as it goes and leave
 * the rest owed on the receivable, which may go negative.
 *
 * Keys come from the card rail's own ids (`card-capture:<captureId>`, `card-refund:<refundId>`,
 * `chargeback:<id>:opened|won`): a retried call finds its transfer and answers as the first time, posting nothing
 * and leaving the payment alone (I4). Call them inside the card rail's transaction, with the payment locked
 * (lockPayment), so a payment's refunds queue rather than race.
 */

export type CardMethod = 'CARD_ONLINE' | 'CARD_PRESENT';

export interface CardCapture {
  /** The card rail's id of this capture: one posting per id. */
  captureId: string;
  /** Minor units of the payment's currency; positive. */
  amountMinor: bigint;
  method: CardMethod;
}

export interface CardCaptureBooking {
  transferId: string;
  /** The fee of the merchant's plan for this capture (to PLATFORM_FEES). */
  feeMinor: bigint;
  /** What the plan's rolling reserve holds back (0: none). */
  reserveMinor: bigint;
  /** Whether this capture made the payment PAID (false on a retried call). */
  paidNow: boolean;
  /**
   * The payment had stopped taking money before the card's money was taken (paid by SMS meanwhile, cancelled,
   * expired): booked as money that arrived late, which the card rail gives back to the card.
   */
  late: boolean;
}

const CARD_METHODS: readonly CardMethod[] = ['CARD_ONLINE', 'CARD_PRESENT'];
const DAY_MS = 86_400_000;

function checkAmount(amountMinor: bigint): void {
  if (typeof amountMinor !== 'bigint' || amountMinor <= 0n) {
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'the amount must be positive', ['input', 'amount']);
  }
}

/** What a keyed transfer credited (positive) or debited (negative) to accounts of a purpose. */
function legOf(transfer: KeyedTransfer, purpose: LedgerAccountPurpose): bigint {
  return transfer.entries.filter((entry) => entry.purpose === purpose).reduce((sum, entry) => sum + entry.amount, 0n);
}

/**
 * A card capture on a payment taking money: the payment is credited (PARTIALLY_PAID or PAID), and the money booked
 * WORLD −A → PLATFORM_FEES +fee, MERCHANT_RESERVE +reserve, the merchant +rest (its receivable covered first). The fee
 * is the merchant's plan's for the method; the reserve the plan's share of the net, held for the plan's days. Once
 * PAID, what SMS or payer credit booked pending for the payment is released too. Key `card-capture:<captureId>`.
 */
export async function bookCardCapture(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  capture: CardCapture,
  at = new Date(),
): Promise<CardCaptureBooking> {
  checkAmount(capture.amountMinor);
  if (!CARD_METHODS.includes(capture.method)) throw new Error(`bookCardCapture: unknown method ${capture.method}`);
  const key = `card-capture:${capture.captureId}`;
  const merchantId = payment.merchantId;
  const earlier = await transferByKey(em, merchantId, key);
  if (earlier) {
    return {
      transferId: earlier.id,
      feeMinor: legOf(earlier, LedgerAccountPurpose.PLATFORM_FEES),
      reserveMinor: legOf(earlier, LedgerAccountPurpose.MERCHANT_RESERVE),
      paidNow: false,
      late: false,
    };
  }
  const amount = capture.amountMinor;
  const plan = await feePlanOf(em, merchantId);
  const fee = feeFor(plan, capture.method, amount, payment.currency);
  const net = amount - fee;
  const reserve = plan.reserveDays > 0 ? reserveFor(plan, net) : 0n;
  // The processor has taken the money whatever became of the payment meanwhile, so it is booked either way: credited
  // to a payment still taking money, or as late money on a closed one (the card rail refunds it).
  const late = payment.status !== PaymentStatus.OPEN && payment.status !== PaymentStatus.PARTIALLY_PAID;
  if (late) receiveLateFunds(em, pubsub, payment, amount, at);
  else await receiveFunds(em, pubsub, payment, amount, at);
  const legs: Leg[] = [
    { purpose: LedgerAccountPurpose.WORLD, amount: -amount },
    { purpose: LedgerAccountPurpose.PLATFORM_FEES, amount: fee },
    { purpose: LedgerAccountPurpose.MERCHANT_RESERVE, merchantId, amount: reserve },
    ...(await toMerchant(em, merchantId, payment.currency, net - reserve)),
  ];
  const { transferId, replayed } = await postOnce(em, {
    key,
    ownerId: merchantId,
    currency: payment.currency,
    legs,
    paymentId: payment.id,
    description: `Card capture ${capture.captureId} (${capture.method === 'CARD_PRESENT' ? 'card present' : 'online'}) for payment ${payment.reference}`,
  });
  // Only a caller that did not lock the payment gets here: the payment was credited twice in memory, so roll back.
  if (replayed) throw new Error(`card capture ${capture.captureId} was booked concurrently; lock the payment first`);
  if (reserve > 0n) {
    em.persist(
      build(ReserveHold, {
        merchantId,
        paymentId: payment.id,
        captureId: capture.captureId,
        currency: payment.currency,
        amountMinor: reserve,
        releaseAt: new Date(at.getTime() + plan.reserveDays * DAY_MS),
        createdAt: at,
        updatedAt: at,
      }),
    );
  }
  payment.grossMinor += amount;
  payment.platformFeeMinor += fee;
  payment.netMinor += net;
  payment.cardNetMinor += net;
  const paidNow = !late && payment.status === PaymentStatus.PAID;
  if (paidNow) await releaseToMerchant(em, payment);
  return { transferId, feeMinor: fee, reserveMinor: reserve, paidNow, late };
}

/** What card captures brought a payment in all (minor units), from its ledger transfers. */
export async function cardCapturedMinor(em: EntityManager, paymentId: string): Promise<bigint> {
  const rows = await paymentTransferRows(em, paymentId);
  return rows
    .filter((row) => row.idempotencyKey.startsWith('card-capture:'))
    .reduce((sum, row) => sum + row.amount, 0n);
}

/**
 * Money refunded to the card: MERCHANT_AVAILABLE −min(available, A), MERCHANT_RECEIVABLE −rest (the merchant owes
 * it), WORLD +A. The capture's fee is not given back: the processor charged it. Never more than the payment's card
 * captures less what was refunded (INVALID_AMOUNT naming input.amount). Tracks `refundedMinor`: a PAID payment
 * refunded in full becomes REFUNDED, a partial refund emits `payment.partially_refunded`. Key `card-refund:<refundId>`.
 * `receivableMinor` is what the merchant was left owing by this refund (0 when its balance covered it).
 */
export async function bookCardRefund(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  refund: { refundId: string; amountMinor: bigint },
  at = new Date(),
): Promise<{ transferId: string; receivableMinor: bigint }> {
  checkAmount(refund.amountMinor);
  const key = `card-refund:${refund.refundId}`;
  const earlier = await transferByKey(em, payment.merchantId, key);
  if (earlier)
    return { transferId: earlier.id, receivableMinor: -legOf(earlier, LedgerAccountPurpose.MERCHANT_RECEIVABLE) };
  const refundable = (await cardCapturedMinor(em, payment.id)) - payment.refundedMinor;
  if (refund.amountMinor > refundable) {
    throw new UserFacingError(
      UserErrorCode.INVALID_AMOUNT,
      `at most ${formatAmount(refundable < 0n ? 0n : refundable, payment.currency)} ${payment.currency} can be refunded`,
      ['input', 'amount'],
    );
  }
  const legs = await fromMerchant(em, payment.merchantId, payment.currency, refund.amountMinor);
  const { transferId, replayed } = await postOnce(em, {
    key,
    ownerId: payment.merchantId,
    currency: payment.currency,
    legs: [...legs, { purpose: LedgerAccountPurpose.WORLD, amount: refund.amountMinor }],
    paymentId: payment.id,
    description: `Card refund ${refund.refundId} of payment ${payment.reference}`,
  });
  if (replayed) throw new Error(`card refund ${refund.refundId} was booked concurrently; lock the payment first`);
  await recordRefund(em, pubsub, payment, refund.amountMinor, at);
  return { transferId, receivableMinor: -legs[1].amount };
}

/**
 * A payer disputed a card payment: the amount goes back to the processor (WORLD +A) and the plan's chargeback fee
 * (per currency) to PLATFORM_FEES, both debited from the merchant as a refund is (available first, then receivable).
 * Key `chargeback:<id>:opened`. `receivableMinor`: what the merchant was left owing by it.
 */
export async function bookChargebackOpened(
  em: EntityManager,
  payment: Payment,
  chargeback: { chargebackId: string; amountMinor: bigint },
  _at = new Date(),
): Promise<{ transferId: string; feeMinor: bigint; receivableMinor: bigint }> {
  checkAmount(chargeback.amountMinor);
  const key = `chargeback:${chargeback.chargebackId}:opened`;
  const earlier = await transferByKey(em, payment.merchantId, key);
  if (earlier) {
    return {
      transferId: earlier.id,
      feeMinor: legOf(earlier, LedgerAccountPurpose.PLATFORM_FEES),
      receivableMinor: -legOf(earlier, LedgerAccountPurpose.MERCHANT_RECEIVABLE),
    };
  }
  const fee = chargebackFeeFor(await feePlanOf(em, payment.merchantId), payment.currency);
  const legs = await fromMerchant(em, payment.merchantId, payment.currency, chargeback.amountMinor + fee);
  const { transferId } = await postOnce(em, {
    key,
    ownerId: payment.merchantId,
    currency: payment.currency,
    legs: [
      ...legs,
      { purpose: LedgerAccountPurpose.WORLD, amount: chargeback.amountMinor },
      { purpose: LedgerAccountPurpose.PLATFORM_FEES, amount: fee },
    ],
    paymentId: payment.id,
    description: `Chargeback ${chargeback.chargebackId} opened on payment ${payment.reference}`,
  });
  return { transferId, feeMinor: fee, receivableMinor: -legs[1].amount };
}

/**
 * A chargeback decided for the merchant: the amount comes back from the processor (WORLD −A) to the merchant (its
 * receivable covered first); the chargeback fee stays. Refused unless the chargeback was opened. Key
 * `chargeback:<id>:won`. A lost chargeback posts nothing: the money left when it was opened.
 */
export async function bookChargebackWon(
  em: EntityManager,
  payment: Payment,
  chargeback: { chargebackId: string; amountMinor: bigint },
  _at = new Date(),
): Promise<{ transferId: string }> {
  checkAmount(chargeback.amountMinor);
  const key = `chargeback:${chargeback.chargebackId}:won`;
  const earlier = await transferByKey(em, payment.merchantId, key);
  if (earlier) return { transferId: earlier.id };
  const opened = await transferByKey(em, payment.merchantId, `chargeback:${chargeback.chargebackId}:opened`);
  if (!opened) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this chargeback was never opened');
  }
  if (chargeback.amountMinor > legOf(opened, LedgerAccountPurpose.WORLD)) {
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'more than the chargeback took', ['input', 'amount']);
  }
  const { transferId } = await postOnce(em, {
    key,
    ownerId: payment.merchantId,
    currency: payment.currency,
    legs: [
      { purpose: LedgerAccountPurpose.WORLD, amount: -chargeback.amountMinor },
      ...(await toMerchant(em, payment.merchantId, payment.currency, chargeback.amountMinor)),
    ],
    paymentId: payment.id,
    description: `Chargeback ${chargeback.chargebackId} won for payment ${payment.reference}`,
  });
  return { transferId };
}

/**
 * Releases reserve holds past their date to the merchants' available balances (receivable covered first), each in
 * its own transaction (key `reserve-release:<holdId>`); returns how many. Run by the settlement sweep.
 */
export async function releaseDueReserves(em: EntityManager, now = new Date(), limit = 100): Promise<number> {
  const due = await em
    .fork()
    .find(
      ReserveHold,
      { status: ReserveHoldStatus.HELD, releaseAt: { $lte: now } },
      { orderBy: { releaseAt: 'asc' }, limit, fields: ['id'] },
    );
  let released = 0;
  for (const candidate of due) {
    await em.fork().transactional(async (tx) => {
      const hold = await tx.findOne(ReserveHold, candidate.id, { refresh: true });
      if (!hold || hold.status !== ReserveHoldStatus.HELD) return;
      // A concurrent sweep releasing the same hold fails this flush's version check and changes nothing.
      hold.status = nextState(RESERVE_HOLD_TRANSITIONS, hold.status, 'release');
      hold.releasedAt = now;
      hold.updatedAt = now;
      await postOnce(tx, {
        key: `reserve-release:${hold.id}`,
        ownerId: hold.merchantId,
        currency: hold.currency,
        legs: [
          { purpose: LedgerAccountPurpose.MERCHANT_RESERVE, merchantId: hold.merchantId, amount: -hold.amountMinor },
          ...(await toMerchant(tx, hold.merchantId, hold.currency, hold.amountMinor)),
        ],
        paymentId: hold.paymentId,
        description: `Reserve ${hold.id} of payment ${hold.paymentId} released to the merchant`,
      });
      released++;
    });
  }
  return released;
}
