import type { EntityManager } from '@mikro-orm/core';
import { Merchant, payerCreditDaysOf } from '../merchant';
import type { PubSubLike, Viewer } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import type { EventType } from '../../common/events';
import { formatAmount } from '../../common/money';
import { maskPhone } from '../../common/phone';
import { build } from '../../common/orm';
import { nextState } from '../../common/state-machine';
import { recordAudit } from '../audit';
import { LedgerAccountPurpose, LedgerTransferKind } from '../ledger';
import { ledgerAccount, lockedBalances, paymentTransferRows, reverse, transfer } from '../ledger';
import { emitEvent } from '../webhook';
import { Payment, PaymentStatus } from './payment.entity';
import type { PaymentProduct } from './payment.products';
import { applyTransition, lockPayment, receiveFunds, receiveLateFunds } from './payment.service';
import {
  PAYER_CREDIT_TRANSITIONS,
  PayerCredit,
  PayerCreditStatus,
  SUSPENSE_TRANSITIONS,
  SuspenseItem,
  SuspenseStatus,
  type PayerCreditTransition,
  type SuspenseReason,
} from './settlement.entity';

/*
 * Settlement: the one owner of the money a payment moves. Products and rails say what happened (an SMS was counted,
 * a voucher was sold from a prepaid block, an order is refunded); each named operation here turns that into a
 * posting recipe — which accounts, which amounts, which idempotency key — and posts it through the ledger, keeping
 * the payment's breakdown (gross → operator share → platform fee → net) in step. Only this file and the ledger write
 * to the ledger (an ESLint rule refuses any other import of its writes).
 *
 * Idempotency keys are derived from the outside event (an SMS id, a payment id), so whatever is retried, each event
 * posts once (I4).
 */

/** Who receives a leg: a purpose, and for merchant-owned purposes the merchant. */
export interface Leg {
  purpose: LedgerAccountPurpose;
  merchantId?: string;
  amount: bigint;
}

/** A posting recipe: balanced legs (zero legs are dropped), one key, what it is for. */
export interface Recipe {
  key: string;
  ownerId: string | null;
  currency: string;
  legs: Leg[];
  paymentId: string | null;
  description: string;
}

/** The two legs of moving `amount` from one account to another. */
export function between(from: Omit<Leg, 'amount'>, to: Omit<Leg, 'amount'>, amount: bigint): Leg[] {
  return [
    { ...from, amount: -amount },
    { ...to, amount },
  ];
}

async function post(em: EntityManager, recipe: Recipe): Promise<string> {
  return (await postOnce(em, recipe)).transferId;
}

/** Posts a recipe; `replayed` when its key had already posted it (nothing new was written). */
export async function postOnce(em: EntityManager, recipe: Recipe): Promise<{ transferId: string; replayed: boolean }> {
  const entries = [];
  for (const leg of recipe.legs) {
    if (leg.amount === 0n) continue; // the ledger refuses zero entries; the rest still sums to zero
    const account = await ledgerAccount(em, {
      merchantId: leg.merchantId ?? null,
      currency: recipe.currency,
      purpose: leg.purpose,
    });
    entries.push({ accountId: account.id, amount: leg.amount });
  }
  const { transfer: posted, replayed } = await transfer(em, {
    ownerId: recipe.ownerId,
    idempotencyKey: recipe.key,
    currency: recipe.currency,
    entries,
    paymentId: recipe.paymentId,
    description: recipe.description,
  });
  return { transferId: posted.id, replayed };
}

/*
 * The receivable: what a merchant owes Tollgate after a refund or chargeback larger than its available balance sits
 * on its MERCHANT_RECEIVABLE account as a negative balance. Whenever money reaches the merchant's available balance,
 * the debt is covered from it first. Both decisions read the balances they depend on locked (PostgreSQL) in the
 * caller's transaction, right before the posting that uses them.
 *
 * Lock order: a transaction takes the merchant's available and receivable rows (lockMerchantMoney) before any
 * posting that touches WORLD, whose row every payment locks. A card capture, refund or chargeback reads them before
 * its one posting; an SMS that may complete its payment takes them first (bookSmsCredit, bookLateSms,
 * attachSuspended), since its release to the merchant follows a WORLD posting in the same transaction.
 */

/** Locks (PostgreSQL) and reads a merchant's available and receivable balances in a currency. */
export async function lockMerchantMoney(
  em: EntityManager,
  merchantId: string,
  currency: string,
): Promise<{ available: bigint; receivable: bigint }> {
  const balances = await lockedBalances(em, {
    merchantId,
    currency,
    purposes: [LedgerAccountPurpose.MERCHANT_AVAILABLE, LedgerAccountPurpose.MERCHANT_RECEIVABLE],
  });
  return {
    available: balances[LedgerAccountPurpose.MERCHANT_AVAILABLE],
    receivable: balances[LedgerAccountPurpose.MERCHANT_RECEIVABLE],
  };
}

/** The legs crediting a merchant `amount` as available money, covering its receivable first. */
export async function toMerchant(
  em: EntityManager,
  merchantId: string,
  currency: string,
  amount: bigint,
): Promise<Leg[]> {
  const owed = -(await lockMerchantMoney(em, merchantId, currency)).receivable;
  const cover = owed <= 0n ? 0n : owed < amount ? owed : amount;
  return [
    { purpose: LedgerAccountPurpose.MERCHANT_RECEIVABLE, merchantId, amount: cover },
    { purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE, merchantId, amount: amount - cover },
  ];
}

/** The legs debiting a merchant `amount`: its available balance as far as it goes, the rest owed (receivable). */
export async function fromMerchant(
  em: EntityManager,
  merchantId: string,
  currency: string,
  amount: bigint,
): Promise<Leg[]> {
  const { available } = await lockMerchantMoney(em, merchantId, currency);
  const take = available <= 0n ? 0n : available < amount ? available : amount;
  return [
    { purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE, merchantId, amount: -take },
    { purpose: LedgerAccountPurpose.MERCHANT_RECEIVABLE, merchantId, amount: -(amount - take) },
  ];
}

/** What one billed SMS is worth, from its tariff: price = operator share + platform fee + yield (minor units). */
export interface SmsCharge {
  smsId: string;
  /** The payer's phone, for the transfer's description (masked there: merchants read it). */
  from?: string | null;
  shortCode: string;
  country: string;
  currency: string;
  priceMinor: bigint;
  yieldMinor: bigint;
  operatorShareMinor: bigint;
  platformFeeMinor: bigint;
}

/**
 * How a product counts an SMS towards its payment's amount. YIELD: what the merchant gets (a payment's amount is
 * what the merchant must receive). PRICE: what the payer paid (seed B1, `s_clear_amount=0`). The ledger books the
 * same money either way.
 */
export type CountMode = 'YIELD' | 'PRICE';

const counted = (charge: { priceMinor: bigint; yieldMinor: bigint }, mode: CountMode) =>
  mode === 'PRICE' ? charge.priceMinor : charge.yieldMinor;

/** The payer's money enters from WORLD and splits into the merchant's part (on `to`), the operator's and ours. */
function smsLegs(charge: SmsCharge, to: { purpose: LedgerAccountPurpose; merchantId?: string }): Leg[] {
  return [
    { purpose: LedgerAccountPurpose.WORLD, amount: -charge.priceMinor },
    { ...to, amount: charge.yieldMinor },
    { purpose: LedgerAccountPurpose.OPERATOR_SHARE, amount: charge.operatorShareMinor },
    { purpose: LedgerAccountPurpose.PLATFORM_FEES, amount: charge.platformFeeMinor },
  ];
}

/** "SMS from +359******456 to 1094 (BG)": what a merchant reads in its ledger (the SMS id is in the key). */
function smsDescription(charge: SmsCharge): string {
  return `SMS from ${charge.from ? maskPhone(charge.from) : 'a payer'} to ${charge.shortCode} (${charge.country})`;
}

/** What one SMS adds to a payment's breakdown, in minor units of its charge's currency. */
export interface SmsBreakdown {
  grossMinor: bigint;
  operatorShareMinor: bigint;
  platformFeeMinor: bigint;
  netMinor: bigint;
}

/**
 * The breakdown one counted SMS adds to its payment (gross → operator share → platform fee → net), as booked here.
 * Pure: the tariff module shows merchants their yields per tariff with it, so what they read is what settles. The
 * platform fee is the tariff's under every fee plan (plans price SMS at zero: the tariff prices SMS).
 */
export function smsBreakdown(
  charge: Pick<SmsCharge, 'priceMinor' | 'yieldMinor' | 'operatorShareMinor' | 'platformFeeMinor'>,
): SmsBreakdown {
  return {
    grossMinor: charge.priceMinor,
    operatorShareMinor: charge.operatorShareMinor,
    platformFeeMinor: charge.platformFeeMinor,
    netMinor: charge.yieldMinor,
  };
}

function addToBreakdown(payment: Payment, charge: SmsCharge): void {
  const part = smsBreakdown(charge);
  payment.grossMinor += part.grossMinor;
  payment.operatorShareMinor += part.operatorShareMinor;
  payment.platformFeeMinor += part.platformFeeMinor;
  payment.netMinor += part.netMinor;
}

/**
 * A counted SMS on a payment taking money: its money is booked (the merchant's part pending, since operators pay out
 * later), the payment credited, and once PAID the merchant's part released (releaseToMerchant). Key `sms:<smsId>`.
 */
export async function bookSmsCredit(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  charge: SmsCharge,
  mode: CountMode,
  at = new Date(),
): Promise<{ transferId: string; credited: bigint; paidNow: boolean }> {
  const credited = counted(charge, mode);
  await receiveFunds(em, pubsub, payment, credited, at); // refuses a payment no longer taking money, first
  if (payment.status === PaymentStatus.PAID) await lockMerchantMoney(em, payment.merchantId, charge.currency);
  const transferId = await post(em, {
    key: `sms:${charge.smsId}`,
    ownerId: payment.merchantId,
    currency: charge.currency,
    legs: smsLegs(charge, { purpose: LedgerAccountPurpose.MERCHANT_PENDING, merchantId: payment.merchantId }),
    paymentId: payment.id,
    description: `${smsDescription(charge)} for payment ${payment.reference}`,
  });
  addToBreakdown(payment, charge);
  const paidNow = payment.status === PaymentStatus.PAID;
  if (paidNow) await releaseToMerchant(em, payment);
  return { transferId, credited, paidNow };
}

/**
 * Once a payment is PAID its money is the merchant's to withdraw: everything booked pending for it so far moves to
 * the merchant's available balance, once (key `payment-paid:<paymentId>`).
 */
export async function releaseToMerchant(em: EntityManager, payment: Payment): Promise<void> {
  // Card money went to the merchant when it was captured; only what SMS and payer credit booked pending is left.
  const pending = payment.netMinor - payment.cardNetMinor;
  if (pending <= 0n) return;
  await post(em, {
    key: `payment-paid:${payment.id}`,
    ownerId: payment.merchantId,
    currency: payment.currency,
    legs: [
      { purpose: LedgerAccountPurpose.MERCHANT_PENDING, merchantId: payment.merchantId, amount: -pending },
      ...(await toMerchant(em, payment.merchantId, payment.currency, pending)),
    ],
    paymentId: payment.id,
    description: `Payment ${payment.reference} paid`,
  });
}

/**
 * An SMS on a payment that no longer takes money, for a product that counts such SMS anyway (purses: a top-up of a
 * paid payment, B8, or an SMS after cancel — the payer paid). Booked like any SMS, then released to the merchant at
 * once under `top-up:<smsId>`, since no payment completion will release it.
 */
export async function bookLateSms(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  charge: SmsCharge,
  mode: CountMode,
  at = new Date(),
): Promise<{ transferId: string; credited: bigint }> {
  const merchantId = payment.merchantId;
  await lockMerchantMoney(em, merchantId, charge.currency);
  const transferId = await post(em, {
    key: `sms:${charge.smsId}`,
    ownerId: merchantId,
    currency: charge.currency,
    legs: smsLegs(charge, { purpose: LedgerAccountPurpose.MERCHANT_PENDING, merchantId }),
    paymentId: payment.id,
    description: smsDescription(charge),
  });
  await post(em, {
    key: `top-up:${charge.smsId}`,
    ownerId: merchantId,
    currency: charge.currency,
    legs: [
      { purpose: LedgerAccountPurpose.MERCHANT_PENDING, merchantId, amount: -charge.yieldMinor },
      ...(await toMerchant(em, merchantId, charge.currency, charge.yieldMinor)),
    ],
    paymentId: payment.id,
    description: `SMS ${charge.smsId} after payment ${payment.reference} closed: to the merchant`,
  });
  addToBreakdown(payment, charge);
  const credited = counted(charge, mode);
  receiveLateFunds(em, pubsub, payment, credited, at);
  return { transferId, credited };
}

// --- Payer credit ---------------------------------------------------------------------------------------------

/**
 * An SMS on a closed payment of a product that keeps such money for its payer (vouchers, access codes): booked to
 * the merchant's PAYER_CREDIT account and kept as the phone's credit with that merchant (key `sms:<smsId>`).
 */
export async function creditPayer(
  em: EntityManager,
  payment: Payment,
  charge: SmsCharge,
  phone: string,
  at = new Date(),
): Promise<PayerCredit> {
  await post(em, {
    key: `sms:${charge.smsId}`,
    ownerId: payment.merchantId,
    currency: charge.currency,
    legs: smsLegs(charge, { purpose: LedgerAccountPurpose.PAYER_CREDIT, merchantId: payment.merchantId }),
    // The payer's money, not the closed payment's: refunding that payment must not touch it.
    paymentId: null,
    description: `${smsDescription(charge)}: credit for the payer (payment ${payment.reference} had closed)`,
  });
  return newCredit(em, {
    merchantId: payment.merchantId,
    phone,
    currency: charge.currency,
    amountMinor: charge.yieldMinor,
    priceMinor: charge.priceMinor,
    sourceSmsId: charge.smsId,
    sourcePaymentId: payment.id,
    at,
  });
}

async function newCredit(
  em: EntityManager,
  input: {
    merchantId: string;
    phone: string;
    currency: string;
    amountMinor: bigint;
    priceMinor: bigint;
    sourceSmsId: string;
    sourcePaymentId: string;
    at: Date;
  },
): Promise<PayerCredit> {
  // The merchant's own period, never under the platform minimum: unused credit then goes to the merchant.
  const days = payerCreditDaysOf(await em.findOne(Merchant, input.merchantId));
  const credit = build(PayerCredit, {
    merchantId: input.merchantId,
    phone: input.phone,
    currency: input.currency,
    amountMinor: input.amountMinor,
    priceMinor: input.priceMinor,
    sourceSmsId: input.sourceSmsId,
    sourcePaymentId: input.sourcePaymentId,
    releaseAt: new Date(input.at.getTime() + days * 86_400_000),
    createdAt: input.at,
    updatedAt: input.at,
  });
  em.persist(credit);
  await emitCreditEvent(em, credit, 'credit.created');
  return credit;
}

/**
 * Spends the phone's available credit with the payment's merchant on the payment, oldest first, while it takes
 * money. Call it only once an SMS from that phone has been counted on the payment: typing someone's number on a
 * payment page must never spend their credit. Each credit is spent whole, as the SMS it came from would have
 * counted (key `credit-spend:<creditId>`). Returns what was added and whether the payment became PAID.
 */
export async function spendPayerCredit(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  phone: string,
  mode: CountMode,
  at = new Date(),
): Promise<{ applied: bigint; paidNow: boolean }> {
  let applied = 0n;
  let paidNow = false;
  const credits = await em.find(
    PayerCredit,
    { merchantId: payment.merchantId, phone, currency: payment.currency, status: PayerCreditStatus.AVAILABLE },
    { orderBy: { id: 'asc' } },
  );
  for (const credit of credits) {
    if (payment.status !== PaymentStatus.OPEN && payment.status !== PaymentStatus.PARTIALLY_PAID) break;
    // A concurrent spend of the same credit fails the version check of this flush and the whole SMS is retried.
    moveCredit(credit, 'spend', at);
    credit.spentPaymentId = payment.id;
    await post(em, {
      key: `credit-spend:${credit.id}`,
      ownerId: payment.merchantId,
      currency: credit.currency,
      legs: between(
        { purpose: LedgerAccountPurpose.PAYER_CREDIT, merchantId: payment.merchantId },
        { purpose: LedgerAccountPurpose.MERCHANT_PENDING, merchantId: payment.merchantId },
        credit.amountMinor,
      ),
      paymentId: payment.id,
      description: `Payer credit ${credit.id} spent on payment ${payment.reference}`,
    });
    const value = mode === 'PRICE' ? credit.priceMinor : credit.amountMinor;
    payment.creditMinor += value;
    payment.netMinor += credit.amountMinor;
    applied += value;
    await receiveFunds(em, pubsub, payment, value, at);
    await emitCreditEvent(em, credit, 'credit.spent');
    if ((payment.status as PaymentStatus) === PaymentStatus.PAID) {
      paidNow = true;
      await releaseToMerchant(em, payment);
    }
  }
  return { applied, paidNow };
}

/** What credit a phone has with a merchant now (for the payer's page). */
export async function availableCredit(
  em: EntityManager,
  input: { merchantId: string; phone: string; currency: string },
): Promise<bigint> {
  const credits = await em.find(PayerCredit, { ...input, status: PayerCreditStatus.AVAILABLE });
  return credits.reduce((sum, credit) => sum + credit.amountMinor, 0n);
}

/** Releases unused credit past its time to the merchants (key `credit-release:<id>`); returns how many. */
export async function releaseDueCredits(em: EntityManager, now = new Date(), limit = 100): Promise<number> {
  const due = await em
    .fork()
    .find(
      PayerCredit,
      { status: PayerCreditStatus.AVAILABLE, releaseAt: { $lte: now } },
      { orderBy: { releaseAt: 'asc' }, limit },
    );
  let released = 0;
  for (const candidate of due) {
    await em.fork().transactional(async (tx) => {
      const credit = await tx.findOne(PayerCredit, candidate.id, { refresh: true });
      if (!credit || credit.status !== PayerCreditStatus.AVAILABLE) return;
      moveCredit(credit, 'release', now);
      await post(tx, {
        key: `credit-release:${credit.id}`,
        ownerId: credit.merchantId,
        currency: credit.currency,
        legs: [
          { purpose: LedgerAccountPurpose.PAYER_CREDIT, merchantId: credit.merchantId, amount: -credit.amountMinor },
          ...(await toMerchant(tx, credit.merchantId, credit.currency, credit.amountMinor)),
        ],
        paymentId: null,
        description: `Payer credit ${credit.id} unused: released to the merchant`,
      });
      await emitCreditEvent(tx, credit, 'credit.released');
      released++;
    });
  }
  return released;
}

/** An admin pays a credit back to its payer (outside Tollgate): it leaves through WORLD. */
export async function refundPayerCredit(
  em: EntityManager,
  actor: { viewer: Viewer | null; ip?: string | null },
  input: { id: string; reason: string },
): Promise<PayerCredit> {
  const reason = checkReason(input.reason);
  return em.transactional(async (tx) => {
    const credit = await tx.findOne(PayerCredit, input.id, { refresh: true });
    if (!credit) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such credit', ['input', 'id']);
    if (credit.status !== PayerCreditStatus.AVAILABLE) {
      throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'only available credit can be refunded', [
        'input',
        'id',
      ]);
    }
    await payCreditBack(tx, credit, reason, new Date());
    await emitCreditEvent(tx, credit, 'credit.released');
    recordAudit(tx, actor, {
      action: 'credit.refund',
      merchantId: credit.merchantId,
      targetId: credit.id,
      details: { reason },
    });
    return credit;
  });
}

/** A credit paid back to its payer, outside Tollgate: it leaves through WORLD (key `credit-refund:<id>`). */
async function payCreditBack(em: EntityManager, credit: PayerCredit, why: string, at: Date): Promise<void> {
  moveCredit(credit, 'refund', at);
  credit.note = why;
  await post(em, {
    key: `credit-refund:${credit.id}`,
    ownerId: credit.merchantId,
    currency: credit.currency,
    legs: between(
      { purpose: LedgerAccountPurpose.PAYER_CREDIT, merchantId: credit.merchantId },
      { purpose: LedgerAccountPurpose.WORLD },
      credit.amountMinor,
    ),
    paymentId: null,
    description: `Payer credit ${credit.id} refunded to the payer: ${why}`,
  });
}

function moveCredit(credit: PayerCredit, transition: PayerCreditTransition, at: Date): void {
  credit.status = nextState(PAYER_CREDIT_TRANSITIONS, credit.status, transition);
  credit.updatedAt = at;
}

function emitCreditEvent(em: EntityManager, credit: PayerCredit, type: EventType) {
  return emitEvent(em, type, credit.merchantId, {
    creditId: credit.id,
    status: credit.status,
    amount: formatAmount(credit.amountMinor, credit.currency),
    currency: credit.currency,
    sourcePaymentId: credit.sourcePaymentId,
    spentPaymentId: credit.spentPaymentId,
    releaseAt: credit.releaseAt.toISOString(),
  });
}

// --- Suspense -----------------------------------------------------------------------------------------------------

/**
 * A billed SMS no payment takes (unmatched, flagged, no tariff): kept in the suspense list, its money (where its
 * tariff is known) booked from WORLD to SUSPENSE with the operator's share and our fee (key `sms:<smsId>`), until an
 * admin resolves it.
 */
export async function suspendSms(
  em: EntityManager,
  input: {
    smsId: string;
    phone: string;
    reason: SuspenseReason;
    currency: string;
    charge: SmsCharge | null;
    merchantId: string | null;
    paymentId: string | null;
  },
): Promise<SuspenseItem> {
  const item = build(SuspenseItem, {
    smsId: input.smsId,
    phone: input.phone,
    reason: input.reason,
    currency: input.currency,
    merchantId: input.merchantId,
    paymentId: input.paymentId,
    amountMinor: input.charge?.yieldMinor ?? null,
    priceMinor: input.charge?.priceMinor ?? null,
    operatorShareMinor: input.charge?.operatorShareMinor ?? null,
    platformFeeMinor: input.charge?.platformFeeMinor ?? null,
  });
  em.persist(item);
  if (input.charge) {
    await post(em, {
      key: `sms:${input.charge.smsId}`,
      ownerId: null,
      currency: input.charge.currency,
      legs: smsLegs(input.charge, { purpose: LedgerAccountPurpose.SUSPENSE }),
      // Not the payment's money: refunding the payment must not touch it.
      paymentId: null,
      description: `${smsDescription(input.charge)}: in suspense (${input.reason.toLowerCase()})`,
    });
  }
  return item;
}

/** The item's money leaves SUSPENSE for a merchant's account; an unknown amount comes from WORLD as the admin says. */
function fromSuspense(item: SuspenseItem, amountMinor: bigint): Leg {
  return item.amountMinor === null
    ? { purpose: LedgerAccountPurpose.WORLD, amount: -amountMinor }
    : { purpose: LedgerAccountPurpose.SUSPENSE, amount: -amountMinor };
}

/** The money a suspense item holds, or what the admin states for one whose tariff was unknown. */
function suspendedAmount(item: SuspenseItem, stated: bigint | null): bigint {
  if (item.amountMinor !== null) return item.amountMinor;
  if (stated === null || stated <= 0n) {
    throw new UserFacingError(
      UserErrorCode.REQUIRED,
      "this SMS's value is unknown (no tariff): state the merchant's part from the operator's statement",
      ['input', 'amount'],
    );
  }
  return stated;
}

/** Locks an open suspense item for resolution, or refuses. */
export async function openSuspenseItem(em: EntityManager, id: string): Promise<SuspenseItem> {
  const item = await em.findOne(SuspenseItem, id, { refresh: true });
  if (!item) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such suspense item', ['input', 'id']);
  if (item.status !== SuspenseStatus.OPEN) {
    throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'this item was already resolved', ['input', 'id']);
  }
  return item;
}

/**
 * An admin attaches a suspended SMS to a payment taking money: its money moves to the merchant's pending balance
 * (key `suspense-attach:<itemId>`) and counts towards the payment as the SMS would have. The rails call this (they
 * set the SMS's status and let the product react); returns what was counted and whether the payment became PAID.
 */
export async function attachSuspended(
  em: EntityManager,
  pubsub: PubSubLike | null,
  input: { item: SuspenseItem; payment: Payment; mode: CountMode; statedAmount: bigint | null; by: string },
): Promise<{ credited: bigint; paidNow: boolean }> {
  const { item, payment } = input;
  const amount = suspendedAmount(item, input.statedAmount);
  const value = input.mode === 'PRICE' && item.priceMinor !== null ? item.priceMinor : amount;
  await receiveFunds(em, pubsub, payment, value);
  if (payment.status === PaymentStatus.PAID) await lockMerchantMoney(em, payment.merchantId, item.currency);
  await post(em, {
    key: `suspense-attach:${item.id}`,
    ownerId: payment.merchantId,
    currency: item.currency,
    legs: [
      fromSuspense(item, amount),
      { purpose: LedgerAccountPurpose.MERCHANT_PENDING, merchantId: payment.merchantId, amount },
    ],
    paymentId: payment.id,
    description: `SMS ${item.smsId} attached from suspense to payment ${payment.reference} by ${input.by}`,
  });
  payment.grossMinor += item.priceMinor ?? amount;
  payment.operatorShareMinor += item.operatorShareMinor ?? 0n;
  payment.platformFeeMinor += item.platformFeeMinor ?? 0n;
  payment.netMinor += amount;
  item.status = nextState(SUSPENSE_TRANSITIONS, item.status, 'attach');
  item.resolvedTo = payment.id;
  item.resolution = `Attached to payment ${payment.reference} by ${input.by}`;
  item.updatedAt = new Date();
  const paidNow = payment.status === PaymentStatus.PAID;
  if (paidNow) await releaseToMerchant(em, payment);
  return { credited: value, paidNow };
}

/** An admin turns a suspended SMS into its payer's credit with a merchant (key `suspense-credit:<itemId>`). */
export async function creditSuspended(
  em: EntityManager,
  input: { item: SuspenseItem; merchantId: string; statedAmount: bigint | null; by: string },
): Promise<PayerCredit> {
  const { item } = input;
  const amount = suspendedAmount(item, input.statedAmount);
  await post(em, {
    key: `suspense-credit:${item.id}`,
    ownerId: input.merchantId,
    currency: item.currency,
    legs: [
      fromSuspense(item, amount),
      { purpose: LedgerAccountPurpose.PAYER_CREDIT, merchantId: input.merchantId, amount },
    ],
    paymentId: null,
    description: `SMS ${item.smsId} credited from suspense to its payer by ${input.by}`,
  });
  const credit = await newCredit(em, {
    merchantId: input.merchantId,
    phone: item.phone,
    currency: item.currency,
    amountMinor: amount,
    priceMinor: item.priceMinor ?? amount,
    sourceSmsId: item.smsId,
    sourcePaymentId: item.paymentId ?? item.smsId,
    at: new Date(),
  });
  item.status = nextState(SUSPENSE_TRANSITIONS, item.status, 'credit');
  item.resolvedTo = credit.id;
  item.resolution = `Credited to the payer by ${input.by}`;
  item.updatedAt = new Date();
  return credit;
}

/**
 * An admin writes a suspended SMS off with a reason: the money held (if any) becomes platform income, since no
 * merchant or payer can be given it (key `suspense-write-off:<itemId>`).
 */
export async function writeOffSuspended(
  em: EntityManager,
  input: { item: SuspenseItem; reason: string; by: string },
): Promise<SuspenseItem> {
  const { item } = input;
  const reason = checkReason(input.reason);
  if (item.amountMinor !== null && item.amountMinor > 0n) {
    await post(em, {
      key: `suspense-write-off:${item.id}`,
      ownerId: null,
      currency: item.currency,
      legs: between(
        { purpose: LedgerAccountPurpose.SUSPENSE },
        { purpose: LedgerAccountPurpose.PLATFORM_FEES },
        item.amountMinor,
      ),
      paymentId: null,
      description: `SMS ${item.smsId} written off from suspense by ${input.by}: ${reason}`,
    });
  }
  item.status = nextState(SUSPENSE_TRANSITIONS, item.status, 'writeOff');
  item.resolution = `Written off by ${input.by}: ${reason}`;
  item.updatedAt = new Date();
  return item;
}

function checkReason(value: string): string {
  const reason = value.trim();
  if (!reason) throw new UserFacingError(UserErrorCode.REQUIRED, 'say why', ['input', 'reason']);
  if (reason.length > 300)
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 300 characters', ['input', 'reason']);
  return reason;
}

// --- Refunds, prepaid vouchers ----------------------------------------------------------------------------------

/**
 * Pays a payment's money back: every posted transfer of the payment is reversed (key `refund:<transferId>`), the
 * release to the merchant first so the SMS postings find their money back where they left it, and the payment
 * closes (PAID → REFUNDED, otherwise CANCELLED). Run it with the payment locked.
 */
export async function refundPayment(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  at = new Date(),
): Promise<void> {
  const rows = await paymentTransferRows(em, payment.id);
  if (rows.some((row) => row.idempotencyKey.startsWith('card-capture:'))) {
    // Reversing a capture would take back its reserve and fee as if never booked: card money goes back by card.
    throw new UserFacingError(
      UserErrorCode.INVALID_TRANSITION,
      'this payment took card money: refund it through the card rail (refundCardPayment)',
    );
  }
  const reversed = new Set(rows.map((row) => row.reversesId).filter(Boolean));
  const toReverse = rows.filter(
    (row) =>
      (row.kind === LedgerTransferKind.TRANSFER || row.kind === LedgerTransferKind.POST) && !reversed.has(row.id),
  );
  // Whatever moved money onwards (to available, to the platform) is undone before what brought it in.
  const onward = (key: string) => /^(payment-paid|top-up|voucher-prepaid-sale):/.test(key);
  toReverse.sort((a, b) => Number(onward(b.idempotencyKey)) - Number(onward(a.idempotencyKey)));
  for (const row of toReverse) {
    await reverse(em, row.id, {
      idempotencyKey: `refund:${row.id}`,
      description: `Refund of payment ${payment.reference}`,
    });
  }
  // Credit spent here went back to PAYER_CREDIT with its reversal; the payer is paid that back too.
  const spent = await em.find(PayerCredit, { spentPaymentId: payment.id, status: PayerCreditStatus.SPENT });
  for (const credit of spent) {
    await payCreditBack(em, credit, `payment ${payment.reference} was refunded`, at);
  }
  await applyTransition(em, pubsub, payment, payment.status === PaymentStatus.PAID ? 'refund' : 'cancel', at);
}

/**
 * The platform buys a block of a seller's vouchers up front (seed V10): the block's price goes to the seller's
 * available balance at once (key `voucher-prepaid:<blockId>`). Returns the transfer's id.
 */
export async function payPrepaidBlock(
  em: EntityManager,
  input: { blockId: string; merchantId: string; currency: string; amountMinor: bigint; description: string },
): Promise<string> {
  return post(em, {
    key: `voucher-prepay:${input.blockId}`,
    ownerId: input.merchantId,
    currency: input.currency,
    legs: [
      { purpose: LedgerAccountPurpose.WORLD, amount: -input.amountMinor },
      ...(await toMerchant(em, input.merchantId, input.currency, input.amountMinor)),
    ],
    paymentId: null,
    description: input.description,
  });
}

/**
 * A voucher from a block the platform prepaid was sold: the seller was paid for it already, so the sale's net goes
 * from the seller's available balance to the platform, once per payment (key `voucher-prepaid-sale:<paymentId>`).
 */
export async function settlePrepaidSale(em: EntityManager, payment: Payment, blockId: string): Promise<void> {
  if (payment.netMinor <= 0n) return;
  await post(em, {
    key: `voucher-prepaid-sale:${payment.id}`,
    ownerId: payment.merchantId,
    currency: payment.currency,
    legs: between(
      { purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE, merchantId: payment.merchantId },
      { purpose: LedgerAccountPurpose.PLATFORM_FEES },
      payment.netMinor,
    ),
    paymentId: payment.id,
    description: `Voucher sale ${payment.reference} from prepaid block ${blockId}: to the platform`,
  });
}

// --- Expiry -------------------------------------------------------------------------------------------------------

/**
 * Expires OPEN payments past their `expiresAt` (nothing arrived in the window their product set); returns how many.
 * Each one is locked first, so an SMS counted at the same moment either comes first (and the payment is no longer
 * OPEN) or finds it expired (and becomes the payer's credit or a late count, by its product's rule).
 */
export async function expireDuePayments(
  em: EntityManager,
  pubsub: PubSubLike | null,
  options: { now?: Date; limit?: number; products?: readonly PaymentProduct[] } = {},
): Promise<Payment[]> {
  const now = options.now ?? new Date();
  const limit = options.limit ?? 100;
  const due = await em
    .fork()
    .find(
      Payment,
      { status: PaymentStatus.OPEN, expiresAt: { $lte: now } },
      { orderBy: { expiresAt: 'asc' }, limit, fields: ['id'] },
    );
  const expired: Payment[] = [];
  for (const candidate of due) {
    await em.fork().transactional(async (tx) => {
      const payment = await lockPayment(tx, candidate.id);
      if (!payment || payment.status !== PaymentStatus.OPEN || !payment.expiresAt || payment.expiresAt > now) return;
      await applyTransition(tx, pubsub, payment, 'expire', now);
      // Its product lets go of what it held for the payment (a reserved voucher), in the same transaction.
      await options.products?.find((product) => product.kind === payment.kind)?.onExpired?.(tx, payment, now);
      expired.push(payment);
    });
  }
  return expired;
}
