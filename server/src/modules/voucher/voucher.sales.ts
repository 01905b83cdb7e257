import type { EntityManager } from '@mikro-orm/core';
import { nextState } from '../../common/state-machine';
import { startSweeper } from '../../common/sweeper';
import { emitEvent } from '../webhook';
import type { PubSubLike } from '../../common/context';
import { graphqlError, UserErrorCode, UserFacingError } from '../../common/errors';
import { parsePhone } from '../../common/phone';
import { formatAmount } from '../../common/money';
import { build } from '../../common/orm';
import { sourceKey } from '../../common/rate-limit';
import { recordAudit, type AuditActor } from '../audit';
import { Payment, PaymentKind, PaymentStatus } from '../payment';
import { createPayment, lockPayment, normaliseReference } from '../payment';
import { refundPayment, settlePrepaidSale } from '../payment';
import { SmsDirection, SmsFlag, SmsMessage, SmsStatus } from '../sms';
import { TAKING_MONEY, type ExpectedSms, type SmsReceived } from '../sms';
import type { FundedEvent } from '../payment';
import { sendSmsReply } from '../sms';
import { Country } from '../tariff';
import {
  VOUCHER_CURRENCY,
  Voucher,
  VoucherOrder,
  VoucherOrderState,
  VOUCHER_ORDER_TRANSITIONS,
  type VoucherOrderTransition,
  VoucherProject,
  type InstructionSnapshot,
} from './voucher.entity';
import { expandInstruction, quoteCountries } from './voucher.instruction';
import { claimVoucher, releaseVoucher, sellVoucher } from './voucher.stock';

/*
 * A voucher purchase from start to delivery:
 *   start      → a payment (OPEN, the buyer's country fixed) and a reserved voucher, in one transaction;
 *   SMS        → the rails count it (and refuse other phones and countries, V6); the first counted SMS makes the
 *                reservation hold for ever (V8); the SMS that completes the price sells the voucher;
 *   no SMS for reservationMinutes → the sweep puts the voucher back; a later SMS takes one again, or, with none
 *                left, the order is UNFULFILLED (money kept, flagged) until the seller or an admin resolves it.
 * Everything that touches one payment runs with the payment row locked (lockPayment, which the rails also take),
 * so the sweep, an SMS and a resolution of the same payment queue instead of interleaving.
 */

/**
 * Unpaid reservations one source (an IPv4 address, an IPv6 /64) may hold in one shop. A start beyond it releases
 * that source's oldest unpaid reservation rather than being refused. Why: a source is often many people (a mobile
 * carrier's NAT, an office), and a buyer who reloads or changes country starts again while the old reservation still
 * holds; a refusal would lock them out of buying at all, while a release costs nobody money: the released payment
 * stays open, and an SMS that arrives for it later takes a voucher again if one is left (or is kept and flagged, as
 * for any lapsed reservation). An abuser, for their part, never holds more than this many of a shop's vouchers from
 * one source, however often they start.
 */
export const MAX_UNPAID_RESERVATIONS_PER_SOURCE = 3;

/**
 * Starts a buyer's payment for a voucher of the project `slug`, paid by SMS from `country`. Without a country (only
 * where the project accepts cards) the payment is meant for card: no SMS instruction, and the first SMS that may
 * still arrive fixes the country. Either way it is one payment, which the card rail can finish for what is missing.
 */
export async function startVoucherPayment(
  em: EntityManager,
  pubsub: PubSubLike | null,
  input: { slug: string; country?: string | null; buyerIp?: string | null },
  now = new Date(),
): Promise<VoucherOrder> {
  const slug = input.slug.trim().toLowerCase();
  const code = input.country?.trim().toUpperCase() || null;
  const source = input.buyerIp ? sourceKey(input.buyerIp) : null;
  return em.transactional(async (tx) => {
    const project = await tx.findOne(VoucherProject, { slug });
    if (!project || !project.active) {
      throw new UserFacingError(UserErrorCode.NOT_FOUND, 'this voucher is not on sale', ['input', 'slug']);
    }
    if (code === null && !project.acceptsCard) {
      throw new UserFacingError(UserErrorCode.REQUIRED, 'choose the country you will send the SMS from', [
        'input',
        'country',
      ]);
    }
    if (code !== null && !/^[A-Z]{2}$/.test(code)) {
      throw new UserFacingError(UserErrorCode.INVALID, 'use a two-letter country code, e.g. BG', ['input', 'country']);
    }
    const served = code !== null && (!project.countries.length || project.countries.includes(code));
    const [quote] = served
      ? await quoteCountries(tx, { target: project.priceMinor, mode: project.pricing, codes: [code] })
      : [];
    if (code !== null && !quote) {
      throw new UserFacingError(UserErrorCode.INVALID, 'this voucher cannot be paid by SMS from that country', [
        'input',
        'country',
      ]);
    }
    const payment = await createPayment(tx, pubsub, {
      merchantId: project.merchantId,
      kind: PaymentKind.VOUCHER,
      amount: project.priceMinor,
      currency: VOUCHER_CURRENCY,
      description: project.name,
      // The chosen country is the payment's: SMS from any other are flagged and not counted (seed V6).
      payerCountry: code,
      // Unpaid, it expires after a week (or its reservation, if longer); a later SMS becomes the payer's credit.
      expiresAt: new Date(
        now.getTime() + Math.max(VOUCHER_PAYMENT_DAYS * 86_400_000, project.reservationMinutes * 60_000),
      ),
      metadata: { voucherProjectId: project.id },
    });
    if (source) await releaseBeyondCap(tx, project.id, source, now);
    // Reserved at the start, so a payment that completes always has its voucher. Sold out: the transaction rolls
    // back and no payment is left behind (nor a release above).
    const voucher = await claimVoucher(tx, { projectId: project.id, paymentId: payment.id, now });
    if (!voucher) {
      throw new UserFacingError(UserErrorCode.SOLD_OUT, 'sold out: no voucher is left', ['input', 'slug']);
    }
    const order = build(VoucherOrder, {
      paymentId: payment.id,
      projectId: project.id,
      merchantId: project.merchantId,
      country: code,
      pricing: project.pricing,
      instruction: quote?.lines ?? [],
      state: VoucherOrderState.RESERVED,
      reservationExpiresAt: new Date(now.getTime() + project.reservationMinutes * 60_000),
      buyerSource: source,
      createdAt: now,
      updatedAt: now,
    });
    tx.persist(order);
    return order;
  });
}

/** Makes room for one more unpaid reservation of `source` in the project: releases its oldest beyond the cap. */
async function releaseBeyondCap(tx: EntityManager, projectId: string, source: string, now: Date): Promise<void> {
  const held = await tx.find(
    VoucherOrder,
    {
      projectId,
      buyerSource: source,
      state: VoucherOrderState.RESERVED,
      // Null once an SMS was counted: paid reservations are the buyer's, whatever the cap.
      reservationExpiresAt: { $ne: null },
    },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  for (const order of held.slice(0, Math.max(0, held.length - MAX_UNPAID_RESERVATIONS_PER_SOURCE + 1))) {
    await releaseUnpaid(tx, order, now, { lapsedOnly: false });
  }
}

/** How long a voucher payment waits for its first SMS before it expires. */
const VOUCHER_PAYMENT_DAYS = 7;

// --- The SMS product hooks ---------------------------------------------------------------------------------------

/**
 * What the rails' onReceived runs for an SMS attached to a voucher payment, in the SMS's processing transaction with
 * the payment locked and already credited (when counted).
 */
export async function onVoucherSms(em: EntityManager, event: SmsReceived): Promise<void> {
  const { sms, payment, counted, paidNow } = event;
  const order = await em.findOne(VoucherOrder, { paymentId: payment.id }, { refresh: true });
  if (!order) return;
  if (counted) await moneyArrived(em, order, payment, paidNow, new Date());
  const text = event.credit
    ? `Tollgate: payment ${payment.reference} was already closed, so your SMS was kept as credit of ` +
      `${formatAmount(event.credit.amountMinor, event.credit.currency)} ${event.credit.currency} with this seller. ` +
      'It counts on your next purchase, once its first SMS arrives from this phone.'
    : replyText(sms, payment, order, counted);
  await sendSmsReply(em, { inboundSmsId: sms.id, text });
}

/**
 * Money reached a voucher payment (a counted SMS, a card capture), with the payment locked and already credited:
 * the reservation holds for ever from now on (seed V8), a lapsed one takes a voucher again (or the order is flagged
 * UNFULFILLED with the money kept), and the money that made the payment PAID sells the voucher held — once: a sold
 * order is never sold again.
 */
async function moneyArrived(
  em: EntityManager,
  order: VoucherOrder,
  payment: Payment,
  paidNow: boolean,
  now: Date,
): Promise<void> {
  order.reservationExpiresAt = null;
  if (order.state === VoucherOrderState.RELEASED || order.state === VoucherOrderState.UNFULFILLED) {
    // The reservation had lapsed: take a voucher again if any is left; otherwise keep the money and flag it.
    const voucher = await claimVoucher(em, { projectId: order.projectId, paymentId: payment.id, now });
    moveOrder(order, voucher ? 'reclaim' : 'runOut', now);
  }
  if (paidNow && order.state === VoucherOrderState.RESERVED) await completeSale(em, order, payment, now);
  order.updatedAt = now;
}

// --- The card hooks (PaymentProduct) -----------------------------------------------------------------------------

/** Whether a voucher payment may be paid, or finished, by card: its project accepts cards (the seller's setting). */
export async function voucherAcceptsCard(em: EntityManager, payment: Payment): Promise<boolean> {
  if (payment.kind !== PaymentKind.VOUCHER) return false;
  const order = await em.findOne(VoucherOrder, { paymentId: payment.id });
  const project = order && (await em.findOne(VoucherProject, order.projectId));
  return !!project?.acceptsCard;
}

/**
 * Card money reached a voucher payment (the card rail, in the capture's transaction, on the locked and credited
 * payment): what a counted SMS does — the voucher is sold when this money made the payment PAID, with the same
 * `voucher.sold` event; the payer page learns it from the payment's own announcement. No SMS reply: the buyer is on
 * the page. A partly SMS-paid payment finished by card is just the last money to arrive.
 */
export async function onVoucherFunded(em: EntityManager, event: FundedEvent): Promise<void> {
  const { payment } = event;
  const order = await em.findOne(VoucherOrder, { paymentId: payment.id }, { refresh: true });
  if (!order) return;
  await moneyArrived(em, order, payment, event.paidNow, event.at);
}

const NOT_COUNTED: Record<SmsFlag, string> = {
  PHONE_MISMATCH: 'all SMS of a payment must come from the same phone number',
  COUNTRY_MISMATCH: 'all SMS of a payment must come from the country chosen on the payment page',
  NO_TARIFF: 'this short code is not served in your country',
  PAYMENT_CLOSED: 'the payment no longer takes SMS',
  CURRENCY_NOT_SUPPORTED: 'this payment cannot be paid by SMS',
};

/** The reply to the buyer's SMS. Never carries the voucher itself: SMS replies travel through outbox rows. */
function replyText(sms: SmsMessage, payment: Payment, order: VoucherOrder, counted: boolean): string {
  const reference = payment.reference;
  if (!counted) {
    return `Tollgate: your SMS for ${reference} was not counted: ${sms.flagReason ? NOT_COUNTED[sms.flagReason] : 'it could not be attached'}.`;
  }
  if (order.state === VoucherOrderState.SOLD) {
    return `Tollgate: payment ${reference} is complete. Your voucher is on the payment page (look it up with ${reference} and this phone number).`;
  }
  if (order.state === VoucherOrderState.UNFULFILLED) {
    return `Tollgate: your SMS for ${reference} was received, but the vouchers are sold out. The seller will send you one or refund you.`;
  }
  const money = (minor: bigint) => formatAmount(minor, payment.currency);
  return (
    `Tollgate: received ${money(payment.amountReceived)} of ${money(payment.amount)} ${payment.currency} for ` +
    `${reference}. Send the next SMS to complete it.`
  );
}

/**
 * The SMS the buyer is asked to send, in order: the instruction given at the start, one line per SMS. Should the
 * tariffs have changed since, so that the SMS still expected no longer cover what is missing, the fewest-SMS
 * instruction for the rest is appended: a payment with no time limit must never be left with nothing to send.
 */
export async function voucherInstruction(em: EntityManager, payment: Payment): Promise<ExpectedSms[] | null> {
  if (payment.kind !== PaymentKind.VOUCHER) return null;
  const order = await em.findOne(VoucherOrder, { paymentId: payment.id });
  if (!order) return null;
  // A payment started for card has no country until an SMS fixes one; without it there is nothing to ask for.
  const country = order.country ?? payment.payerCountry;
  if (!country) return [];
  const expected = expandInstruction(order.instruction).map((line): ExpectedSms => ({
    shortCode: line.shortCode,
    text: payment.reference,
    country,
  }));
  const takingMoney = TAKING_MONEY.includes(payment.status);
  // A closed payment expects nothing more: every line still open goes.
  const missing = takingMoney ? payment.amount - payment.amountReceived : 0n;
  const counted = await em.find(SmsMessage, {
    paymentId: payment.id,
    direction: SmsDirection.IN,
    status: SmsStatus.COUNTED,
  });
  // The lines not yet matched by a counted SMS, with what each will still bring (at the original instruction's
  // values).
  const open: { index: number; value: bigint }[] = [];
  const expanded = expandInstruction(order.instruction);
  const arrived = new Map<string, number>();
  for (const sms of counted) arrived.set(sms.toNumber, (arrived.get(sms.toNumber) ?? 0) + 1);
  expanded.forEach((line, index) => {
    const left = arrived.get(line.shortCode) ?? 0;
    if (left > 0) arrived.set(line.shortCode, left - 1);
    else open.push({ index, value: BigInt(line.value) });
  });
  let still = open.reduce((sum, line) => sum + line.value, 0n);
  // Money from elsewhere (the payer's credit) may leave some lines unneeded: drop them, last first, while the rest
  // still covers what is missing, so the payer sends no SMS too many.
  const dropped = new Set<number>();
  for (const line of [...open].reverse()) {
    if (!takingMoney || still - line.value >= missing) {
      still -= line.value;
      dropped.add(line.index);
    }
  }
  if (dropped.size) expected.splice(0, expected.length, ...expected.filter((_, index) => !dropped.has(index)));
  if (!takingMoney || still >= missing) return expected;
  const [quote] = await quoteCountries(em, { target: missing - still, mode: order.pricing, codes: [country] });
  for (const line of expandInstruction(quote?.lines ?? [])) {
    expected.push({ shortCode: line.shortCode, text: payment.reference, country });
  }
  return expected;
}

/**
 * The payment became PAID holding a voucher: the voucher is SOLD. Settlement has already released the seller's part
 * (`payment-paid:<id>`). A voucher the platform prepaid was paid for already (V10): settlement moves its sale's net
 * to the platform, once per payment, so the seller is never paid twice for it.
 */
async function completeSale(em: EntityManager, order: VoucherOrder, payment: Payment, now: Date): Promise<void> {
  const sold = await sellVoucher(em, payment.id, now);
  if (sold !== 1) throw new Error(`voucher order ${order.id}: no reserved voucher to sell`); // a bug: roll back
  moveOrder(order, 'sell', now);
  const voucher = await em.findOneOrFail(Voucher, { paymentId: payment.id }, { refresh: true });
  if (voucher.prepaidBlockId) await settlePrepaidSale(em, payment, voucher.prepaidBlockId);
  await emitEvent(em, 'voucher.sold', payment.merchantId, {
    paymentId: payment.id,
    orderId: order.id,
    projectId: order.projectId,
    voucherId: voucher.id,
    country: order.country ?? payment.payerCountry,
  });
}

/** Moves an order through a named transition (VOUCHER_ORDER_TRANSITIONS), or throws INVALID_TRANSITION. */
function moveOrder(order: VoucherOrder, transition: VoucherOrderTransition, at: Date): void {
  order.state = nextState(VOUCHER_ORDER_TRANSITIONS, order.state, transition);
  order.updatedAt = at;
}

// --- Reservations that lapse -------------------------------------------------------------------------------------

/**
 * Puts back the vouchers of reservations past their time on which no SMS was counted; returns how many it released.
 * `now` is a parameter so tests can run it with any clock. Each release locks its payment first, as SMS processing
 * does, so an SMS counted at the same moment either comes first (and the reservation holds) or finds it released
 * (and takes a voucher again).
 */
export async function releaseLapsedReservations(
  em: EntityManager,
  now = new Date(),
  options: { limit?: number } = {},
): Promise<number> {
  const due = await em
    .fork()
    .find(
      VoucherOrder,
      { state: VoucherOrderState.RESERVED, reservationExpiresAt: { $lte: now } },
      { orderBy: { reservationExpiresAt: 'asc' }, limit: options.limit ?? 100 },
    );
  let released = 0;
  for (const candidate of due) {
    await em.fork().transactional(async (tx) => {
      if (await releaseUnpaid(tx, candidate, now, { lapsedOnly: true })) released++;
    });
  }
  return released;
}

/**
 * Puts back the voucher of a reservation no SMS was counted on (the payment stays open: a later SMS takes one again).
 * Locks the payment first, as SMS processing does, and looks again: false when an SMS came first (the hold is then
 * for ever) or the order moved on; with `lapsedOnly`, also when its time is not up.
 */
async function releaseUnpaid(
  tx: EntityManager,
  candidate: VoucherOrder,
  now: Date,
  options: { lapsedOnly: boolean },
): Promise<boolean> {
  const payment = await lockPayment(tx, candidate.paymentId);
  const order = await tx.findOne(VoucherOrder, candidate.id, { refresh: true });
  if (!payment || !order || order.state !== VoucherOrderState.RESERVED || !order.reservationExpiresAt) return false;
  if (options.lapsedOnly && order.reservationExpiresAt > now) return false;
  if (payment.amountReceived > 0n) {
    order.reservationExpiresAt = null; // money arrived: the hold is for ever
    return false;
  }
  await releaseVoucher(tx, payment.id, now);
  moveOrder(order, 'release', now);
  order.reservationExpiresAt = null;
  order.updatedAt = now;
  return true;
}

/**
 * The voucher product's reaction to its payment expiring unpaid (settlement's expiry sweep, in its transaction):
 * a voucher still held goes back to the stock.
 */
export async function onVoucherPaymentExpired(em: EntityManager, payment: Payment, at: Date): Promise<void> {
  const order = await em.findOne(VoucherOrder, { paymentId: payment.id }, { refresh: true });
  if (order?.state !== VoucherOrderState.RESERVED) return;
  await releaseVoucher(em, payment.id, at);
  moveOrder(order, 'release', at);
  order.reservationExpiresAt = null;
}

/** The background sweep (startWorkers): every `intervalMs`; `stop()` lets a running round finish. */
export function startReservationSweeper(
  em: EntityManager,
  options: { intervalMs?: number; quiet?: boolean } = {},
): { stop(): Promise<void> } {
  // Whole batches back to back while there is a backlog.
  return startSweeper('voucher reservation sweep', async () => (await releaseLapsedReservations(em)) >= 100, options);
}

// --- Lookup (seed V8) --------------------------------------------------------------------------------------------

/**
 * The order of the voucher payment with this number (its reference) paid from this phone, or null. The phone is the
 * second factor: the number alone is not a secret (it is the SMS text). Before any SMS arrived a payment has no
 * phone, so it cannot be looked up; its page link still works.
 */
export async function lookupVoucherPayment(
  em: EntityManager,
  input: { paymentNumber: string; phone: string },
): Promise<{ order: VoucherOrder; payment: Payment } | null> {
  const phone = parsePhone(input.phone);
  // A typing mistake, not a miss: the buyer is told which field to fix.
  if (!phone) throw graphqlError('BAD_USER_INPUT', 'phone: enter the phone in international form, e.g. +359888123456');
  const reference = normaliseReference(input.paymentNumber);
  if (!reference) return null;
  const payment = await em.findOne(Payment, { reference, kind: PaymentKind.VOUCHER });
  if (!payment || !payment.payerPhone || payment.payerPhone !== phone) return null;
  const order = await em.findOne(VoucherOrder, { paymentId: payment.id });
  return order && { order, payment };
}

// --- Resolving an unfulfilled order ------------------------------------------------------------------------------

export type Resolution = 'ASSIGN_VOUCHER' | 'REFUND';

/**
 * Resolves an UNFULFILLED order (money arrived while the stock was empty), by the seller or an admin: ASSIGN_VOUCHER
 * takes a voucher from the stock (added since) and sells it at once if the payment is paid, or holds it for the rest
 * of the SMS; REFUND reverses every ledger transfer of the payment (the buyer is paid back what arrived) and closes
 * the payment (PAID → REFUNDED, otherwise CANCELLED).
 */
export async function resolveVoucherOrder(
  em: EntityManager,
  actor: AuditActor & { pubsub: PubSubLike | null },
  input: { order: VoucherOrder; action: Resolution; note?: string | null },
): Promise<VoucherOrder> {
  const now = new Date();
  return em.transactional(async (tx) => {
    const payment = await lockPayment(tx, input.order.paymentId);
    const order = await tx.findOneOrFail(VoucherOrder, input.order.id, { refresh: true });
    if (!payment || order.state !== VoucherOrderState.UNFULFILLED) {
      throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'only an unfulfilled order can be resolved', [
        'input',
        'id',
      ]);
    }
    const who = actor.viewer?.role === 'ADMIN' ? 'an admin' : 'the seller';
    const note = input.note?.trim().slice(0, 500) || null;
    if (input.action === 'ASSIGN_VOUCHER') {
      const voucher = await claimVoucher(tx, { projectId: order.projectId, paymentId: payment.id, now });
      if (!voucher) {
        throw new UserFacingError(UserErrorCode.INVALID, 'no voucher is available: add stock first, or refund', [
          'input',
          'action',
        ]);
      }
      moveOrder(order, 'reclaim', now);
      if (payment.status === PaymentStatus.PAID) await completeSale(tx, order, payment, now);
    } else {
      await refundPayment(tx, actor.pubsub, payment, now);
      moveOrder(order, 'refund', now);
    }
    order.resolution = `${input.action === 'REFUND' ? 'Refunded' : 'Voucher assigned'} by ${who}${note ? `: ${note}` : ''}`;
    order.updatedAt = now;
    recordAudit(tx, actor, {
      action: 'voucher.order.resolve',
      merchantId: order.merchantId,
      targetId: order.id,
      details: { action: input.action, paymentId: payment.id, note },
    });
    return order;
  });
}

// --- What the public pages show ----------------------------------------------------------------------------------

/** The instruction given to the buyer, one line per SMS, with each SMS's price. */
export function numberedInstruction(order: VoucherOrder): (InstructionSnapshot & { number: number })[] {
  return expandInstruction(order.instruction).map((line, index) => ({ ...line, number: index + 1 }));
}

export async function countryName(em: EntityManager, code: string | null): Promise<string | null> {
  if (code === null) return null;
  return (await em.findOne(Country, { code }))?.name ?? code;
}
