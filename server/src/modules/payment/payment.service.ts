import { randomInt } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/core';
import type { Context, PubSubLike } from '../../common/context';
import { graphqlError, UserErrorCode, UserFacingError } from '../../common/errors';
import { newToken } from '../../common/ids';
import type { EventType } from '../../common/events';
import { formatAmount, isCurrency, Money, MoneyError, parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { parsePhone, phoneInput } from '../../common/phone';
import { nextState } from '../../common/state-machine';
import { recordAudit, type AuditActor } from '../audit';
import { idempotent } from '../idempotency';
import { isMerchantSuspended } from '../merchant';
import { emitEvent } from '../webhook';
import { afterCommit } from './after-commit';
import { merchantPaymentsTopic, paymentEvent, paymentTopic } from './payment.events';
import { Payment, PAYMENT_TRANSITIONS, PaymentKind, PaymentStatus, type PaymentTransition } from './payment.entity';

/**
 * Uppercase letters and digits without look-alikes (0/O/Q, 1/I/L): payers copy references by hand into SMS.
 * 30 symbols × 8 places ≈ 6.6·10¹¹ references, so random ones rarely collide even after years of payments.
 */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPRSTUVWXYZ';
export const REFERENCE_LENGTH = 8;
const REFERENCE_ATTEMPTS = 5;

/** Ten trillion of a 2-decimal currency: far above any real payment, far below what a signed 64-bit column holds. */
export const MAX_AMOUNT_MINOR = 10n ** 15n;
const MAX_METADATA_CHARS = 4096;

export function newReference(): string {
  let reference = '';
  for (let i = 0; i < REFERENCE_LENGTH; i++) reference += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return reference;
}

/** Normalises a reference as a payer might type it ("k7m2 xr9d") for lookup. */
export function normaliseReference(text: string): string {
  return text.replace(/[\s-]/g, '').toUpperCase();
}

/**
 * Reads a decimal amount from the API ("12.50") into minor units, with typed errors for the caller's input fields:
 * unknown currency, not a decimal, too many decimals for the currency, not positive, absurdly large.
 */
export function parsePositiveAmount(
  amount: string,
  currency: string,
  fields: { amount: string[]; currency: string[] } = { amount: ['input', 'amount'], currency: ['input', 'currency'] },
): bigint {
  if (!isCurrency(currency)) {
    throw new UserFacingError(UserErrorCode.INVALID_CURRENCY, `"${currency}" is not a currency Tollgate takes`, [
      ...fields.currency,
    ]);
  }
  let minor: bigint;
  try {
    minor = parseAmount(amount, currency);
  } catch (error) {
    if (error instanceof MoneyError)
      throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, error.message, fields.amount);
    throw error;
  }
  if (minor <= 0n)
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'the amount must be positive', fields.amount);
  if (minor > MAX_AMOUNT_MINOR)
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'the amount is too large', fields.amount);
  return minor;
}

/**
 * "+359 888-123 456" → "+359888123456"; null when it is not a valid phone number (libphonenumber, see parsePhone).
 * A national form ("0888 123 456") needs the payer's country.
 */
export function normalisePhone(phone: string, country?: string | null): string | null {
  return parsePhone(phone, country);
}

export interface NewPayment {
  merchantId: string;
  kind: PaymentKind;
  /** Price in minor units of `currency`; positive. */
  amount: bigint;
  currency: string;
  description: string;
  externalId?: string | null;
  payerPhone?: string | null;
  payerCountry?: string | null;
  metadata?: Record<string, unknown>;
  expiresAt?: Date | null;
}

/**
 * Creates an OPEN payment with a fresh public reference and page token. Every product creates its payments here.
 * Run it inside `em.transactional()` with the product's own rows: the payment is announced on the live topics only
 * once that transaction commits (pass `pubsub: null` to stay silent, e.g. when seeding). Throws UserFacingError on
 * bad input, with fields named as in `createPayment`'s input.
 */
export async function createPayment(em: EntityManager, pubsub: PubSubLike | null, input: NewPayment): Promise<Payment> {
  if (!Object.values(PaymentKind).includes(input.kind)) throw new Error(`unknown payment kind ${String(input.kind)}`);
  // The one place every product starts a payment: a suspended merchant starts none (payments under way still settle).
  if (await isMerchantSuspended(em, input.merchantId)) {
    throw new UserFacingError(UserErrorCode.MERCHANT_SUSPENDED, 'this merchant is suspended and takes no new payments');
  }
  if (!isCurrency(input.currency)) {
    throw new UserFacingError(UserErrorCode.INVALID_CURRENCY, `"${input.currency}" is not a currency Tollgate takes`, [
      'input',
      'currency',
    ]);
  }
  if (input.amount <= 0n || input.amount > MAX_AMOUNT_MINOR) {
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'the amount must be positive and not absurdly large', [
      'input',
      'amount',
    ]);
  }
  const description = input.description.trim();
  if (!description) throw new UserFacingError(UserErrorCode.REQUIRED, 'say what is paid for', ['input', 'description']);
  if (description.length > 255) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 255 characters', ['input', 'description']);
  }
  const externalId = input.externalId?.trim() || null;
  if (externalId && externalId.length > 100) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 100 characters', ['input', 'externalId']);
  }
  let payerPhone: string | null = null;
  if (input.payerPhone?.trim()) {
    payerPhone = phoneInput(input.payerPhone, ['input', 'payerPhone'], input.payerCountry?.trim());
  }
  const payerCountry = input.payerCountry?.trim().toUpperCase() || null;
  if (payerCountry && !/^[A-Z]{2}$/.test(payerCountry)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'use a two-letter country code, e.g. BG', [
      'input',
      'payerCountry',
    ]);
  }
  const metadata = input.metadata ?? {};
  if (JSON.stringify(metadata).length > MAX_METADATA_CHARS) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `keep metadata under ${MAX_METADATA_CHARS} characters of JSON`, [
      'input',
      'metadata',
    ]);
  }

  const payment = build(Payment, {
    merchantId: input.merchantId,
    kind: input.kind,
    amount: input.amount,
    currency: input.currency,
    reference: await unusedReference(em),
    pageToken: newToken(),
    description,
    externalId,
    payerPhone,
    payerCountry,
    metadata,
    expiresAt: input.expiresAt ?? null,
  });
  em.persist(payment);
  announce(em, pubsub, payment);
  await emitPaymentEvent(em, payment, 'payment.created');
  return payment;
}

/** What the dashboard's payment mutations take of a request: its unit of work, idempotency key, live topics, actor. */
export type PaymentCaller = Pick<Context, 'em' | 'idempotencyKey' | 'pubsub'> & AuditActor;

/** `createPayment`'s input as the API gives it; the whole of it is what an idempotent retry must repeat. */
export interface TopUpInput {
  amount: string;
  currency: string;
  description: string;
  externalId?: string | null;
  payerPhone?: string | null;
  metadata?: Record<string, unknown> | null;
  merchantId?: string | null;
  idempotencyKey?: string | null;
}

/** Creates a balance top-up for `merchantId` (checked by the caller), audited, at most once per idempotency key. */
export async function createTopUp(caller: PaymentCaller, merchantId: string, input: TopUpInput): Promise<Payment> {
  const call = { operation: 'createPayment', merchantId: caller.viewer?.merchantId ?? merchantId, input };
  const { paymentId } = await idempotent(caller, call, async (em) => {
    const currency = input.currency.trim().toUpperCase();
    const payment = await createPayment(em, caller.pubsub, {
      merchantId,
      kind: PaymentKind.TOP_UP,
      amount: parsePositiveAmount(input.amount.trim(), currency),
      currency,
      description: input.description,
      externalId: input.externalId,
      payerPhone: input.payerPhone,
      metadata: input.metadata ?? {},
    });
    recordAudit(em, caller, {
      action: 'payment.create',
      merchantId,
      targetId: payment.id,
      details: {
        kind: payment.kind,
        amount: Money.of(payment.amount, payment.currency).amount,
        currency: payment.currency,
        externalId: payment.externalId,
      },
    });
    return { paymentId: payment.id };
  });
  return caller.em.findOneOrFail(Payment, paymentId);
}

/**
 * Cancels a payment the caller may see (checked by the caller), audited, at most once per idempotency key; refused
 * with INVALID_TRANSITION once it no longer takes money.
 */
export async function cancelPayment(
  caller: PaymentCaller,
  found: Payment,
  input: { id: string; idempotencyKey?: string | null },
): Promise<Payment> {
  const call = { operation: 'cancelPayment', merchantId: caller.viewer?.merchantId ?? found.merchantId, input };
  await idempotent(caller, call, async (em) => {
    const payment = await lockPayment(em, found.id);
    if (!payment) throw graphqlError('NOT_FOUND', 'no such object');
    const from = payment.status;
    await applyTransition(em, caller.pubsub, payment, 'cancel');
    recordAudit(em, caller, {
      action: 'payment.cancel',
      merchantId: payment.merchantId,
      targetId: payment.id,
      details: { from, to: payment.status },
    });
    return { paymentId: payment.id };
  });
  return caller.em.findOneOrFail(Payment, found.id, { refresh: true });
}

/**
 * A reference no stored payment has. The unique index is what guarantees uniqueness: this check only makes a
 * collision with an existing payment a retry rather than a failed transaction. (Two concurrent payments drawing the
 * same reference, odds ~1 in 10¹¹, fail on the index and the caller retries with its idempotency key.)
 */
async function unusedReference(em: EntityManager): Promise<string> {
  for (let attempt = 0; attempt < REFERENCE_ATTEMPTS; attempt++) {
    const reference = newReference();
    if ((await em.count(Payment, { reference })) === 0) return reference;
  }
  throw new Error(`no unused payment reference after ${REFERENCE_ATTEMPTS} attempts`);
}

/** The catalogued event each payment transition emits. */
const TRANSITION_EVENTS: Record<PaymentTransition, EventType> = {
  markPartiallyPaid: 'payment.partially_paid',
  markPaid: 'payment.paid',
  cancel: 'payment.cancelled',
  expire: 'payment.expired',
  refund: 'payment.refunded',
};

/**
 * Moves a payment through a named transition (see PAYMENT_TRANSITIONS), or throws INVALID_TRANSITION. Run it
 * inside `em.transactional()`, ideally on a payment read with `lockPayment()`: the change is announced after the
 * commit, its catalogued event goes to the outbox in the same transaction, and the version column makes a
 * concurrent change fail the flush rather than be overwritten.
 */
export async function applyTransition(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  transition: PaymentTransition,
  at = new Date(),
): Promise<Payment> {
  payment.status = nextState(PAYMENT_TRANSITIONS, payment.status, transition);
  payment.updatedAt = at;
  if (payment.status === PaymentStatus.PAID) payment.paidAt = at;
  announce(em, pubsub, payment);
  await emitPaymentEvent(em, payment, TRANSITION_EVENTS[transition]);
  return payment;
}

/**
 * Credits money that arrived for a payment (one SMS, one card capture) and moves it to PARTIALLY_PAID or, once
 * the price is reached, PAID. Refused (INVALID_TRANSITION) for payments no longer taking money. Only settlement
 * calls it, beside the posting that brings the money.
 */
export async function receiveFunds(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  amountMinor: bigint,
  at = new Date(),
): Promise<Payment> {
  if (amountMinor <= 0n) throw new Error('receiveFunds: the amount must be positive');
  const received = payment.amountReceived + amountMinor;
  const transition: PaymentTransition = received >= payment.amount ? 'markPaid' : 'markPartiallyPaid';
  nextState(PAYMENT_TRANSITIONS, payment.status, transition); // refuses before anything changes
  payment.amountReceived = received;
  return applyTransition(em, pubsub, payment, transition, at);
}

/**
 * Records money refunded to the payer (a card refund, booked by settlement beside this): once everything the payment
 * received is refunded, a PAID payment takes the `refund` transition (→ REFUNDED); before that its status stays and
 * `payment.partially_refunded` is emitted. Only settlement calls it.
 */
export async function recordRefund(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  amountMinor: bigint,
  at = new Date(),
): Promise<Payment> {
  if (amountMinor <= 0n) throw new Error('recordRefund: the amount must be positive');
  payment.refundedMinor += amountMinor;
  if (payment.status === PaymentStatus.PAID && payment.refundedMinor >= payment.amountReceived) {
    return applyTransition(em, pubsub, payment, 'refund', at);
  }
  payment.updatedAt = at;
  announce(em, pubsub, payment);
  await emitPaymentEvent(em, payment, 'payment.partially_refunded');
  return payment;
}

/**
 * Money that arrived for a payment no longer taking money (a purse top-up, B8): what has arrived grows past the
 * price, the status stays, and the change is announced as a transition would be.
 */
export function receiveLateFunds(
  em: EntityManager,
  pubsub: PubSubLike | null,
  payment: Payment,
  amountMinor: bigint,
  at = new Date(),
): Payment {
  payment.amountReceived += amountMinor;
  payment.updatedAt = at;
  announce(em, pubsub, payment);
  return payment;
}

/** A payment's catalogued event payload (common/events.ts). */
export function paymentEventData(payment: Payment): Record<string, unknown> {
  const money = (minor: bigint) => formatAmount(minor, payment.currency);
  return {
    id: payment.id,
    merchantId: payment.merchantId,
    kind: payment.kind,
    status: payment.status,
    reference: payment.reference,
    externalId: payment.externalId,
    description: payment.description,
    amount: money(payment.amount),
    amountReceived: money(payment.amountReceived),
    currency: payment.currency,
    net: money(payment.netMinor),
    refunded: money(payment.refundedMinor),
    metadata: payment.metadata,
    createdAt: payment.createdAt.toISOString(),
    paidAt: payment.paidAt?.toISOString() ?? null,
  };
}

function emitPaymentEvent(em: EntityManager, payment: Payment, type: EventType) {
  return emitEvent(em, type, payment.merchantId, paymentEventData(payment));
}

/**
 * Reads a payment for changing it: fresh from the database, and on PostgreSQL locked (SELECT … FOR UPDATE) until
 * the transaction ends, so concurrent changes queue instead of failing. SQLite has a single writer anyway.
 */
export function lockPayment(em: EntityManager, id: string): Promise<Payment | null> {
  return em.findOne(Payment, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** The payer's page for a payment. */
export function payerUrl(publicUrl: string, payment: Payment): string {
  return `${publicUrl}/pay/${payment.pageToken}`;
}

/** Publishes the payment's committed state to its payer page and its merchant's dashboards, once per transaction. */
function announce(em: EntityManager, pubsub: PubSubLike | null, payment: Payment): void {
  if (!pubsub) return;
  afterCommit(
    em,
    () => {
      // Built after the commit: the state (and the version the flush bumped) that subscribers can read back.
      const event = paymentEvent(payment);
      pubsub.publish(paymentTopic(payment.pageToken), event);
      pubsub.publish(merchantPaymentsTopic(payment.merchantId), event);
    },
    payment,
  );
}
