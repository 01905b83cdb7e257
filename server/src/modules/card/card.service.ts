import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { PubSubLike } from '../../common/context';
import { graphqlError, UserErrorCode, UserFacingError } from '../../common/errors';
import { log } from '../../common/log';
import type { EventType } from '../../common/events';
import { formatAmount, MoneyError, parseAmount } from '../../common/money';
import type { Extensions } from '../../common/module';
import { build } from '../../common/orm';
import type { LimitName, RateLimits } from '../../common/rate-limit';
import { nextState } from '../../common/state-machine';
import { recordAudit, type AuditActor } from '../audit';
import { idempotent } from '../idempotency';
import {
  bookCardCapture,
  bookCardRefund,
  bookChargebackOpened,
  bookChargebackWon,
  createPayment,
  lockPayment,
  parsePositiveAmount,
  Payment,
  PaymentKind,
  PaymentStatus,
} from '../payment';
import { emitEvent } from '../webhook';
import {
  CARD_CHARGE_TRANSITIONS,
  CARD_REFUND_TRANSITIONS,
  CardCaptureMode,
  CardCharge,
  CardChargeStatus,
  CardCheckout,
  CardOperation,
  CardOperationKind,
  CardOperationState,
  CardRefund,
  CardRefundStatus,
  Chargeback,
  CHARGEBACK_TRANSITIONS,
  ChargebackStatus,
  CardToken,
  type CardChargeTransition,
  type CardRefundTransition,
  type ChargebackTransition,
} from './card.entity';
import { CardDeclineCode, CardOutcome, cardProcessorOf, type CardAnswer, type CardProcessor } from './card.processor';

/*
 * The card rail. Every processor call follows one rule: record the attempt (a CardOperation under our idempotency
 * key) in a transaction, call the processor outside any transaction, then apply the answer in a second transaction
 * (with the payment locked) — or, when no answer came, leave the attempt UNKNOWN for the reconciliation job, which
 * asks the processor (`lookup`) what became of it and applies that answer the same way. The processor is never
 * called while a database transaction is open, and money moves only through settlement (payment/card.settlement).
 */

/** What the rail needs of a request (a Context is one) or of a worker. */
export interface CardDeps {
  em: EntityManager;
  pubsub: PubSubLike;
  config: Config;
  extensions: Extensions;
  limits: RateLimits;
}

export function processorOf(deps: Pick<CardDeps, 'em' | 'config' | 'extensions'>): CardProcessor {
  return cardProcessorOf({ config: deps.config, em: deps.em, factories: deps.extensions.cardProcessors ?? [] });
}

const MAX_KEY = 255;
/** A call still PENDING after this long was cut off before its answer was recorded (a crash): look it up. */
const PENDING_MS = 60_000;
/** Page tokens are 27 characters of base64url; anything else cannot address a payment. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const CARD_TOKEN = /^ctok_[0-9a-z]{26}$/;

function invalid(code: UserErrorCode, message: string, field: string[]): UserFacingError {
  return new UserFacingError(code, message, field);
}

function checkKey(value: string | null | undefined, field: string[]): string {
  const key = value?.trim() ?? '';
  if (!key) throw invalid(UserErrorCode.REQUIRED, 'send an idempotency key: one per attempt, reused on retries', field);
  if (key.length > MAX_KEY) throw invalid(UserErrorCode.TOO_LONG, `use at most ${MAX_KEY} characters`, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw invalid(UserErrorCode.INVALID, 'no control characters', field);
  return key;
}

function checkEmail(value: string | null | undefined): string | null {
  const email = value?.trim() ?? '';
  if (!email) return null;
  if (email.length > 254) throw invalid(UserErrorCode.TOO_LONG, 'use at most 254 characters', ['email']);
  if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(email)) {
    throw invalid(UserErrorCode.INVALID, 'enter an email address like name@example.com', ['email']);
  }
  return email;
}

const takesMoney = (payment: Payment) =>
  payment.status === PaymentStatus.OPEN || payment.status === PaymentStatus.PARTIALLY_PAID;

/** What is left to pay of a payment (what a card pays of a mixed payment). */
export function remainingOf(payment: Payment): bigint {
  const left = payment.amount - payment.amountReceived;
  return left > 0n ? left : 0n;
}

/** Whether the payer may pay this payment by card: card payments and top-ups always; products when they say so. */
export async function acceptsCard(em: EntityManager, extensions: Extensions, payment: Payment): Promise<boolean> {
  if (payment.kind === PaymentKind.CARD || payment.kind === PaymentKind.TOP_UP) return true;
  const product = (extensions.paymentProducts ?? []).find((candidate) => candidate.kind === payment.kind);
  return product?.acceptsCard ? product.acceptsCard(em, payment) : false;
}

// --- Return URLs and card payments -----------------------------------------------------------------------------

/** http(s), no credentials, https in production: only the payer's browser goes there (no SSRF rule applies). */
function returnUrl(config: Config, value: string | null | undefined, field: string): string | null {
  const url = value?.trim() ?? '';
  if (!url) return null;
  const path = ['input', field];
  if (url.length > 2000) throw invalid(UserErrorCode.TOO_LONG, 'use a URL of at most 2000 characters', path);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(UserErrorCode.INVALID_URL, 'enter a full URL, like https://example.com/thanks', path);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an http or https URL', path);
  }
  if (parsed.username || parsed.password) {
    throw invalid(UserErrorCode.INVALID_URL, 'leave user name and password out of the URL', path);
  }
  if (config.mode === 'production' && parsed.protocol !== 'https:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an https URL', path);
  }
  return url;
}

export interface CardPaymentInput {
  amount: string;
  currency: string;
  description: string;
  successUrl?: string | null;
  cancelUrl?: string | null;
  externalId?: string | null;
  captureMode?: CardCaptureMode | null;
  metadata?: Record<string, unknown> | null;
  merchantId?: string | null;
  idempotencyKey?: string | null;
}

/** Creates a card payment (kind CARD) for `merchantId` (checked by the caller), audited, once per idempotency key. */
export async function createCardPayment(
  caller: { em: EntityManager; idempotencyKey: string | null; pubsub: PubSubLike; config: Config } & AuditActor,
  merchantId: string,
  input: CardPaymentInput,
): Promise<Payment> {
  const call = { operation: 'createCardPayment', merchantId: caller.viewer?.merchantId ?? merchantId, input };
  const { paymentId } = await idempotent(caller, call, async (em) => {
    const currency = input.currency.trim().toUpperCase();
    const successUrl = returnUrl(caller.config, input.successUrl, 'successUrl');
    const cancelUrl = returnUrl(caller.config, input.cancelUrl, 'cancelUrl');
    const payment = await createPayment(em, caller.pubsub, {
      merchantId,
      kind: PaymentKind.CARD,
      amount: parsePositiveAmount(input.amount.trim(), currency),
      currency,
      description: input.description,
      externalId: input.externalId,
      metadata: input.metadata ?? {},
    });
    em.persist(
      build(CardCheckout, {
        paymentId: payment.id,
        successUrl,
        cancelUrl,
        captureMode: input.captureMode ?? CardCaptureMode.AUTOMATIC,
      }),
    );
    recordAudit(em, caller, {
      action: 'payment.create',
      merchantId,
      targetId: payment.id,
      details: {
        kind: payment.kind,
        amount: formatAmount(payment.amount, payment.currency),
        currency: payment.currency,
        externalId: payment.externalId,
        captureMode: input.captureMode ?? CardCaptureMode.AUTOMATIC,
      },
    });
    return { paymentId: payment.id };
  });
  return caller.em.findOneOrFail(Payment, paymentId);
}

// --- Transitions and events ------------------------------------------------------------------------------------

const CHARGE_EVENTS: Partial<Record<CardChargeTransition, EventType>> = {
  authorise: 'card.charge.authorised',
  capture: 'card.charge.captured',
  decline: 'card.charge.declined',
  void: 'card.charge.voided',
  markUnknown: 'card.charge.unknown',
};

async function moveCharge(em: EntityManager, charge: CardCharge, transition: CardChargeTransition, at: Date) {
  charge.status = nextState(CARD_CHARGE_TRANSITIONS, charge.status, transition);
  charge.updatedAt = at;
  const type = CHARGE_EVENTS[transition];
  if (type) {
    await emitEvent(em, type, charge.merchantId, {
      chargeId: charge.id,
      paymentId: charge.paymentId,
      status: charge.status,
      amount: formatAmount(charge.amountMinor, charge.currency),
      captured: formatAmount(charge.capturedMinor, charge.currency),
      currency: charge.currency,
      brand: charge.brand,
      last4: charge.last4,
      declineCode: charge.declineCode,
      processorReference: charge.processorReference,
    });
  }
}

async function moveRefund(em: EntityManager, refund: CardRefund, transition: CardRefundTransition, at: Date) {
  refund.status = nextState(CARD_REFUND_TRANSITIONS, refund.status, transition);
  refund.updatedAt = at;
  if (transition === 'markUnknown') return;
  await emitEvent(em, transition === 'succeed' ? 'card.refund.succeeded' : 'card.refund.failed', refund.merchantId, {
    refundId: refund.id,
    paymentId: refund.paymentId,
    chargeId: refund.chargeId,
    status: refund.status,
    amount: formatAmount(refund.amountMinor, refund.currency),
    currency: refund.currency,
    declineCode: refund.declineCode,
  });
}

async function moveChargeback(em: EntityManager, chargeback: Chargeback, transition: ChargebackTransition | 'open') {
  if (transition !== 'open') {
    chargeback.status = nextState(CHARGEBACK_TRANSITIONS, chargeback.status, transition);
    chargeback.resolvedAt = new Date();
  }
  const type: EventType =
    transition === 'open'
      ? 'card.chargeback.opened'
      : transition === 'win'
        ? 'card.chargeback.won'
        : 'card.chargeback.lost';
  await emitEvent(em, type, chargeback.merchantId, {
    chargebackId: chargeback.id,
    paymentId: chargeback.paymentId,
    chargeId: chargeback.chargeId,
    status: chargeback.status,
    amount: formatAmount(chargeback.amountMinor, chargeback.currency),
    currency: chargeback.currency,
    reason: chargeback.reason,
  });
}

// --- Operations ----------------------------------------------------------------------------------------------

/** Records a processor call about to be made: the attempt's key, in the caller's transaction. */
async function startOperation(
  em: EntityManager,
  charge: CardCharge,
  kind: CardOperationKind,
  amountMinor: bigint | null,
  refundId: string | null = null,
): Promise<CardOperation> {
  if (kind !== CardOperationKind.REFUND) {
    // One call at a time per charge (refunds have their own reservations): the next waits for this one's answer.
    const inFlight = await em.count(CardOperation, {
      chargeId: charge.id,
      kind: { $ne: CardOperationKind.REFUND },
      state: { $in: [CardOperationState.PENDING, CardOperationState.UNKNOWN] },
    });
    if (inFlight > 0) {
      throw new UserFacingError(
        UserErrorCode.INVALID_TRANSITION,
        'the card processor has not answered the last call for this card payment yet; try again shortly',
      );
    }
  }
  const count = await em.count(CardOperation, { chargeId: charge.id, kind });
  const operation = build(CardOperation, {
    chargeId: charge.id,
    refundId,
    kind,
    amountMinor,
    idempotencyKey: `${refundId ?? charge.id}:${kind.toLowerCase()}:${count + 1}`,
  });
  em.persist(operation);
  return operation;
}

/** Calls the processor; a thrown error (a timeout, a lost connection) is an UNKNOWN answer, never a guess. */
async function call(run: () => Promise<CardAnswer>): Promise<{ answer: CardAnswer; durationMs: number }> {
  const started = Date.now();
  let answer: CardAnswer;
  try {
    answer = await run();
  } catch {
    answer = { outcome: CardOutcome.UNKNOWN, reference: null, declineCode: null, fingerprint: null };
  }
  return { answer, durationMs: Date.now() - started };
}

function recordAnswer(operation: CardOperation, answer: CardAnswer, durationMs: number | null, at: Date): void {
  const reconciled = operation.state === CardOperationState.UNKNOWN || operation.state === CardOperationState.PENDING;
  operation.outcome = answer.outcome;
  operation.reference = answer.reference;
  operation.declineCode = answer.declineCode;
  if (durationMs !== null) operation.durationMs = durationMs;
  operation.answeredAt = at;
  operation.state =
    answer.outcome === CardOutcome.UNKNOWN
      ? CardOperationState.UNKNOWN
      : durationMs === null && reconciled
        ? CardOperationState.RECONCILED
        : CardOperationState.ANSWERED;
}

interface Applied {
  charge: CardCharge;
  payment: Payment;
}

/**
 * Applies a processor's answer to a charge call (authorise, capture, void), in one transaction with the payment
 * locked: the charge's named transition, its event and, for money taken, the capture's booking and the product's
 * reaction. An attempt already answered is left alone (a concurrent reconciliation got there first).
 * `durationMs` null: the answer came from `lookup`.
 */
async function applyChargeAnswer(
  deps: CardDeps,
  operationId: string,
  answer: CardAnswer,
  durationMs: number | null,
): Promise<Applied> {
  const applied = await recordChargeAnswer(deps, operationId, answer, durationMs);
  if (applied.charge.lateCapture) await refundLateCapture(deps, applied.charge.id);
  return applied;
}

async function recordChargeAnswer(
  deps: CardDeps,
  operationId: string,
  answer: CardAnswer,
  durationMs: number | null,
): Promise<Applied> {
  return deps.em.fork().transactional(async (em) => {
    const first = await em.findOneOrFail(CardOperation, operationId);
    const charge0 = await em.findOneOrFail(CardCharge, first.chargeId);
    const payment = (await lockPayment(em, charge0.paymentId))!;
    const operation = await em.findOneOrFail(CardOperation, operationId, { refresh: true });
    const charge = await em.findOneOrFail(CardCharge, operation.chargeId, { refresh: true });
    const done = operation.state === CardOperationState.ANSWERED || operation.state === CardOperationState.RECONCILED;
    if (done) return { charge, payment };
    if (operation.state === CardOperationState.UNKNOWN && answer.outcome === CardOutcome.UNKNOWN) {
      return { charge, payment };
    }
    const at = new Date();
    recordAnswer(operation, answer, durationMs, at);
    if (answer.reference && operation.kind === CardOperationKind.AUTHORISE)
      charge.processorReference = answer.reference;

    if (answer.outcome === CardOutcome.UNKNOWN) {
      if (charge.status !== CardChargeStatus.UNKNOWN) await moveCharge(em, charge, 'markUnknown', at);
      return { charge, payment };
    }
    switch (operation.kind) {
      case CardOperationKind.AUTHORISE:
        if (answer.outcome === CardOutcome.REQUIRES_ACTION) {
          charge.challenge = answer.challenge ?? 'Your bank asks you to confirm this payment.';
          await moveCharge(em, charge, 'requireAction', at);
        } else if (answer.outcome === CardOutcome.DECLINED) {
          charge.declineCode = answer.declineCode ?? CardDeclineCode.DECLINED;
          charge.challenge = null;
          await moveCharge(em, charge, 'decline', at);
        } else {
          charge.challenge = null;
          charge.signatureRequired = Boolean(answer.signatureRequired);
          if (answer.captured) await captured(deps, em, payment, charge, at);
          else await moveCharge(em, charge, 'authorise', at);
        }
        break;
      case CardOperationKind.CAPTURE:
        if (answer.outcome === CardOutcome.APPROVED) await captured(deps, em, payment, charge, at);
        else if (charge.status === CardChargeStatus.UNKNOWN) await moveCharge(em, charge, 'authorise', at);
        break;
      case CardOperationKind.VOID:
        if (answer.outcome === CardOutcome.APPROVED) await moveCharge(em, charge, 'void', at);
        else if (charge.status === CardChargeStatus.UNKNOWN) await moveCharge(em, charge, 'authorise', at);
        break;
      default:
        throw new Error(`not a charge call: ${operation.kind}`);
    }
    return { charge, payment };
  });
}

/** Money taken from the card: booked through settlement, then the product reacts, in the same transaction. */
async function captured(deps: CardDeps, em: EntityManager, payment: Payment, charge: CardCharge, at: Date) {
  charge.capturedMinor = charge.amountMinor;
  charge.capturedAt = at;
  await moveCharge(em, charge, 'capture', at);
  const booked = await bookCardCapture(
    em,
    deps.pubsub,
    payment,
    {
      captureId: charge.id,
      amountMinor: charge.capturedMinor,
      method: charge.present ? 'CARD_PRESENT' : 'CARD_ONLINE',
    },
    at,
  );
  if (booked.late) {
    // The product already had its outcome (or the payment was given up): the money goes back instead.
    charge.lateCapture = true;
    return;
  }
  const product = (deps.extensions.paymentProducts ?? []).find((candidate) => candidate.kind === payment.kind);
  await product?.onFunded?.(em, {
    payment,
    amountMinor: charge.capturedMinor,
    source: 'CARD',
    paidNow: booked.paidNow,
    payerEmail: charge.payerEmail,
    at,
    config: deps.config,
  });
}

// --- Paying on the payer's page ------------------------------------------------------------------------------

export interface PayByCardInput {
  pageToken: string;
  cardToken: string;
  email?: string | null;
  idempotencyKey: string;
}

export interface PayResult {
  charge: CardCharge;
  payment: Payment;
}

async function paymentByPage(em: EntityManager, pageToken: string): Promise<Payment> {
  const payment = PAGE_TOKEN.test(pageToken) ? await em.findOne(Payment, { pageToken }) : null;
  if (!payment) throw graphqlError('NOT_FOUND', 'no such payment');
  return payment;
}

/** The declines budgets of one attempt: its source, its payment, its card. */
function declineCharges(ip: string, paymentId: string, fingerprint: string): [LimitName, string][] {
  return [
    ['card-decline:ip', ip],
    ['card-decline:payment', paymentId],
    ['card-decline:fingerprint', fingerprint],
  ];
}

/**
 * The payer pays what remains of a payment with a tokenised card. Idempotent by the page's key: a retry answers
 * the first attempt's state (asking the processor first if it never answered). Declines count against the card
 * testing budgets (source, payment, card), which are checked before the processor is asked.
 */
export async function payByCard(deps: CardDeps & { ip: string }, input: PayByCardInput): Promise<PayResult> {
  const key = checkKey(input.idempotencyKey, ['idempotencyKey']);
  const email = checkEmail(input.email);
  const payment = await paymentByPage(deps.em.fork(), input.pageToken);
  const earlier = await deps.em.fork().findOne(CardCharge, { paymentId: payment.id, requestKey: key });
  if (earlier) return retried(deps, earlier);

  const cardToken = input.cardToken.trim();
  const token = CARD_TOKEN.test(cardToken)
    ? await deps.em.fork().findOne(CardToken, { id: cardToken, paymentId: payment.id })
    : null;
  if (!token)
    throw invalid(UserErrorCode.NOT_FOUND, 'this card was not entered on this page; enter it again', ['cardToken']);
  const budgets = declineCharges(deps.ip, payment.id, token.fingerprint);
  await deps.limits.consume(...budgets);

  let started: { charge: CardCharge; operation: CardOperation; capture: boolean };
  try {
    started = await deps.em.fork().transactional(async (em) => {
      const locked = (await lockPayment(em, payment.id))!;
      if (!takesMoney(locked) || remainingOf(locked) <= 0n) {
        throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this payment no longer takes money');
      }
      if (!(await acceptsCard(em, deps.extensions, locked))) {
        throw new UserFacingError(UserErrorCode.INVALID, 'this payment cannot be paid by card');
      }
      const busy = await em.count(CardCharge, {
        paymentId: locked.id,
        status: {
          $in: [
            CardChargeStatus.PENDING,
            CardChargeStatus.REQUIRES_ACTION,
            CardChargeStatus.AUTHORISED,
            CardChargeStatus.UNKNOWN,
          ],
        },
      });
      if (busy > 0) {
        throw new UserFacingError(
          UserErrorCode.INVALID_TRANSITION,
          'a card payment for this page is already under way; wait for its answer',
        );
      }
      const checkout = await em.findOne(CardCheckout, { paymentId: locked.id });
      const captureMode = checkout?.captureMode ?? CardCaptureMode.AUTOMATIC;
      const charge = build(CardCharge, {
        paymentId: locked.id,
        merchantId: locked.merchantId,
        requestKey: key,
        tokenId: token.id,
        processor: token.processor,
        captureMode,
        amountMinor: remainingOf(locked),
        currency: locked.currency,
        brand: token.brand,
        last4: token.last4,
        fingerprint: token.fingerprint,
        payerEmail: email,
      });
      em.persist(charge);
      const operation = await startOperation(em, charge, CardOperationKind.AUTHORISE, charge.amountMinor);
      return { charge, operation, capture: captureMode === CardCaptureMode.AUTOMATIC };
    });
  } catch (error) {
    await deps.limits.refund(...budgets); // nothing was asked of the processor
    if (error instanceof UniqueConstraintViolationException) {
      const winner = await deps.em.fork().findOne(CardCharge, { paymentId: payment.id, requestKey: key });
      if (winner) return retried(deps, winner);
    }
    throw error;
  }

  const { answer, durationMs } = await call(() =>
    processorOf(deps).authorise({
      key: started.operation.idempotencyKey,
      processorToken: token.processorToken,
      amountMinor: started.charge.amountMinor,
      currency: started.charge.currency,
      capture: started.capture,
    }),
  );
  const applied = await applyChargeAnswer(deps, started.operation.id, answer, durationMs);
  if (applied.charge.status !== CardChargeStatus.DECLINED) await deps.limits.refund(...budgets);
  return applied;
}

/** A repeated payByCard: the attempt as it stands, after asking the processor about a call it never answered. */
async function retried(deps: CardDeps, charge: CardCharge): Promise<PayResult> {
  if (charge.status === CardChargeStatus.UNKNOWN || charge.status === CardChargeStatus.PENDING) {
    await reconcileCharge(deps, charge.id, PENDING_MS);
  }
  const em = deps.em.fork();
  const fresh = await em.findOneOrFail(CardCharge, charge.id);
  return { charge: fresh, payment: await em.findOneOrFail(Payment, fresh.paymentId) };
}

/** The payer answers the challenge of a charge that REQUIRES_ACTION. */
export async function completeCardChallenge(
  deps: CardDeps & { ip: string },
  input: { pageToken: string; chargeId: string; answer: string },
): Promise<PayResult> {
  const payment = await paymentByPage(deps.em.fork(), input.pageToken);
  const answerText = input.answer.trim();
  if (!answerText) throw invalid(UserErrorCode.REQUIRED, 'enter what your bank asks for', ['answer']);
  if (answerText.length > 100) throw invalid(UserErrorCode.TOO_LONG, 'use at most 100 characters', ['answer']);
  const found = await deps.em.fork().findOne(CardCharge, { id: input.chargeId, paymentId: payment.id });
  if (!found) throw invalid(UserErrorCode.NOT_FOUND, 'no such card payment on this page', ['chargeId']);
  const budgets = declineCharges(deps.ip, payment.id, found.fingerprint);
  await deps.limits.consume(...budgets);
  let started: { charge: CardCharge; operation: CardOperation; token: CardToken };
  try {
    started = await deps.em.fork().transactional(async (em) => {
      await lockPayment(em, payment.id);
      const charge = await em.findOneOrFail(CardCharge, found.id, { refresh: true });
      if (charge.status !== CardChargeStatus.REQUIRES_ACTION) {
        throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this card payment is not waiting for a challenge');
      }
      const token = await em.findOneOrFail(CardToken, charge.tokenId);
      const operation = await startOperation(em, charge, CardOperationKind.AUTHORISE, charge.amountMinor);
      return { charge, operation, token };
    });
  } catch (error) {
    await deps.limits.refund(...budgets);
    throw error;
  }
  const { answer, durationMs } = await call(() =>
    processorOf(deps).authorise({
      key: started.operation.idempotencyKey,
      processorToken: started.token.processorToken,
      amountMinor: started.charge.amountMinor,
      currency: started.charge.currency,
      capture: started.charge.captureMode === CardCaptureMode.AUTOMATIC,
      reference: started.charge.processorReference,
      challengeAnswer: answerText,
    }),
  );
  const applied = await applyChargeAnswer(deps, started.operation.id, answer, durationMs);
  if (applied.charge.status !== CardChargeStatus.DECLINED) await deps.limits.refund(...budgets);
  return applied;
}

// --- Merchant operations: capture, void, refund ---------------------------------------------------------------

type Caller = CardDeps & AuditActor;

/** The latest charge of a payment in one of these states, or a user error naming the payment. */
async function chargeIn(em: EntityManager, paymentId: string, statuses: CardChargeStatus[], what: string) {
  const charge = await em.findOne(
    CardCharge,
    { paymentId, status: { $in: statuses } },
    { orderBy: { id: 'desc' }, refresh: true },
  );
  if (!charge)
    throw invalid(UserErrorCode.INVALID_TRANSITION, `this payment has no card charge ${what}`, ['input', 'paymentId']);
  return charge;
}

/** Captures or voids a payment's authorised card (MANUAL capture). Idempotent: a second call finds it done. */
async function settleAuthorisation(caller: Caller, payment: Payment, kind: CardOperationKind): Promise<PayResult> {
  const capture = kind === CardOperationKind.CAPTURE;
  const done = capture ? CardChargeStatus.CAPTURED : CardChargeStatus.VOIDED;
  const started = await caller.em.fork().transactional(async (em) => {
    await lockPayment(em, payment.id);
    const charge = await chargeIn(em, payment.id, [CardChargeStatus.AUTHORISED, done], 'authorised');
    if (charge.status === done) return { charge, operation: null };
    const operation = await startOperation(em, charge, kind, charge.amountMinor);
    recordAudit(em, caller, {
      action: capture ? 'card.capture' : 'card.void',
      merchantId: payment.merchantId,
      targetId: charge.id,
      details: { paymentId: payment.id, amount: formatAmount(charge.amountMinor, charge.currency) },
    });
    return { charge, operation };
  });
  if (!started.operation) return { charge: started.charge, payment };
  const processor = processorOf(caller);
  const { answer, durationMs } = await call(() =>
    capture
      ? processor.capture({
          key: started.operation.idempotencyKey,
          reference: started.charge.processorReference ?? '',
          amountMinor: started.charge.amountMinor,
        })
      : processor.void({ key: started.operation.idempotencyKey, reference: started.charge.processorReference ?? '' }),
  );
  const applied = await applyChargeAnswer(caller, started.operation.id, answer, durationMs);
  if (answer.outcome === CardOutcome.DECLINED) {
    throw new UserFacingError(
      UserErrorCode.INVALID_TRANSITION,
      `the card processor refused to ${capture ? 'capture' : 'void'} it (${answer.declineCode ?? 'DECLINED'})`,
    );
  }
  return applied;
}

export const captureCardPayment = (caller: Caller, payment: Payment) =>
  settleAuthorisation(caller, payment, CardOperationKind.CAPTURE);
export const voidCardPayment = (caller: Caller, payment: Payment) =>
  settleAuthorisation(caller, payment, CardOperationKind.VOID);

/**
 * Refunds card money of a payment, in full (no amount) or in part, once per idempotency key. The amount is reserved
 * on the charge under the payment's lock before the processor is asked, so concurrent refunds never exceed what was
 * captured; a refusal releases it, an approval books it (settlement: available first, then receivable).
 */
export async function refundCardPayment(
  caller: Caller,
  payment: Payment,
  input: { amount?: string | null; idempotencyKey: string; chargeId?: string },
): Promise<{ refund: CardRefund; payment: Payment }> {
  const key = checkKey(input.idempotencyKey, ['input', 'idempotencyKey']);
  let wanted: bigint | null = null;
  if (input.amount != null && input.amount.trim() !== '') {
    try {
      wanted = parseAmount(input.amount.trim(), payment.currency);
    } catch (error) {
      if (error instanceof MoneyError) throw invalid(UserErrorCode.INVALID_AMOUNT, error.message, ['input', 'amount']);
      throw error;
    }
    if (wanted <= 0n) throw invalid(UserErrorCode.INVALID_AMOUNT, 'the amount must be positive', ['input', 'amount']);
  }
  const answerFor = async (refund: CardRefund) => {
    if (wanted !== null && refund.amountMinor !== wanted) {
      throw invalid(
        UserErrorCode.IDEMPOTENCY_CONFLICT,
        'this idempotency key was already used for a different refund; use a new key',
        ['input', 'idempotencyKey'],
      );
    }
    if (refund.status === CardRefundStatus.UNKNOWN || refund.status === CardRefundStatus.PENDING) {
      await reconcileRefund(caller, refund.id, PENDING_MS);
    }
    const em = caller.em.fork();
    return {
      refund: await em.findOneOrFail(CardRefund, refund.id),
      payment: await em.findOneOrFail(Payment, payment.id),
    };
  };
  const earlier = await caller.em.fork().findOne(CardRefund, { paymentId: payment.id, requestKey: key });
  if (earlier) return answerFor(earlier);

  let started: { refund: CardRefund; operation: CardOperation; charge: CardCharge };
  try {
    started = await caller.em.fork().transactional(async (em) => {
      await lockPayment(em, payment.id);
      const charges = await em.find(
        CardCharge,
        { paymentId: payment.id, status: CardChargeStatus.CAPTURED },
        { orderBy: { id: 'desc' }, refresh: true },
      );
      const room = (charge: CardCharge) => charge.capturedMinor - charge.refundedMinor - charge.chargedBackMinor;
      const open = charges.filter((charge) => room(charge) > 0n);
      if (!open.length) {
        throw invalid(UserErrorCode.INVALID_AMOUNT, 'nothing paid by card is left to refund', ['input', 'amount']);
      }
      const charge = input.chargeId
        ? open.find((candidate) => candidate.id === input.chargeId)
        : wanted === null
          ? open[0]
          : open.find((candidate) => room(candidate) >= wanted);
      if (!charge) {
        const most = open.reduce((max, candidate) => (room(candidate) > max ? room(candidate) : max), 0n);
        throw invalid(
          UserErrorCode.INVALID_AMOUNT,
          `at most ${formatAmount(most, payment.currency)} can be refunded (card money not yet refunded)`,
          ['input', 'amount'],
        );
      }
      const amountMinor = wanted ?? room(charge);
      charge.refundedMinor += amountMinor; // the reservation
      charge.updatedAt = new Date();
      const refund = build(CardRefund, {
        paymentId: payment.id,
        chargeId: charge.id,
        merchantId: payment.merchantId,
        requestKey: key,
        amountMinor,
        currency: charge.currency,
      });
      em.persist(refund);
      const operation = await startOperation(em, charge, CardOperationKind.REFUND, amountMinor, refund.id);
      recordAudit(em, caller, {
        action: 'card.refund',
        merchantId: payment.merchantId,
        targetId: refund.id,
        details: { paymentId: payment.id, amount: formatAmount(amountMinor, charge.currency) },
      });
      return { refund, operation, charge };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      const winner = await caller.em.fork().findOne(CardRefund, { paymentId: payment.id, requestKey: key });
      if (winner) return answerFor(winner);
    }
    throw error;
  }
  const { answer, durationMs } = await call(() =>
    processorOf(caller).refund({
      key: started.operation.idempotencyKey,
      reference: started.charge.processorReference ?? '',
      amountMinor: started.refund.amountMinor,
    }),
  );
  return applyRefundAnswer(caller, started.operation.id, answer, durationMs);
}

/** Applies the processor's answer to a refund call: booked, released, or left UNKNOWN for reconciliation. */
async function applyRefundAnswer(
  deps: CardDeps,
  operationId: string,
  answer: CardAnswer,
  durationMs: number | null,
): Promise<{ refund: CardRefund; payment: Payment }> {
  return deps.em.fork().transactional(async (em) => {
    const first = await em.findOneOrFail(CardOperation, operationId);
    const refund0 = await em.findOneOrFail(CardRefund, first.refundId!);
    const payment = (await lockPayment(em, refund0.paymentId))!;
    const operation = await em.findOneOrFail(CardOperation, operationId, { refresh: true });
    const refund = await em.findOneOrFail(CardRefund, refund0.id, { refresh: true });
    const done = operation.state === CardOperationState.ANSWERED || operation.state === CardOperationState.RECONCILED;
    if (done) return { refund, payment };
    if (operation.state === CardOperationState.UNKNOWN && answer.outcome === CardOutcome.UNKNOWN) {
      return { refund, payment };
    }
    const at = new Date();
    recordAnswer(operation, answer, durationMs, at);
    if (answer.outcome === CardOutcome.UNKNOWN) {
      await moveRefund(em, refund, 'markUnknown', at);
    } else if (answer.outcome === CardOutcome.APPROVED) {
      refund.processorReference = answer.reference;
      const booked = await bookCardRefund(
        em,
        deps.pubsub,
        payment,
        { refundId: refund.id, amountMinor: refund.amountMinor },
        at,
      );
      refund.receivableMinor = booked.receivableMinor;
      await moveRefund(em, refund, 'succeed', at);
    } else {
      const charge = await em.findOneOrFail(CardCharge, refund.chargeId, { refresh: true });
      charge.refundedMinor -= refund.amountMinor; // the reservation goes back
      charge.updatedAt = at;
      refund.declineCode = answer.declineCode ?? CardDeclineCode.DECLINED;
      await moveRefund(em, refund, 'fail', at);
    }
    return { refund, payment };
  });
}

// --- Chargebacks -------------------------------------------------------------------------------------------------

function checkText(value: string, field: string[], max: number, what: string): string {
  const text = value.trim();
  if (!text) throw invalid(UserErrorCode.REQUIRED, `enter ${what}`, field);
  if (text.length > max) throw invalid(UserErrorCode.TOO_LONG, `use at most ${max} characters`, field);
  return text;
}

/**
 * Opens a chargeback on a payment's captured card money (an admin, or the dispute poller for a processor's
 * dispute): the amount and the plan's chargeback fee are debited from the merchant through settlement — from its
 * available balance, the rest as a receivable.
 */
export async function openChargeback(
  deps: CardDeps,
  actor: AuditActor,
  input: {
    paymentId: string;
    amount?: string | null;
    amountMinor?: bigint;
    reason: string;
    processorDisputeId?: string | null;
    reportedAt?: Date | null;
    chargeId?: string | null;
  },
): Promise<Chargeback> {
  const reason = checkText(input.reason, ['input', 'reason'], 300, 'why the payer disputes it');
  return deps.em.fork().transactional(async (em) => {
    const payment = await lockPayment(em, input.paymentId);
    if (!payment) throw invalid(UserErrorCode.NOT_FOUND, 'no such payment', ['input', 'paymentId']);
    const where = input.chargeId
      ? { id: input.chargeId, status: CardChargeStatus.CAPTURED }
      : { paymentId: payment.id, status: CardChargeStatus.CAPTURED };
    const charge = await em.findOne(CardCharge, where, { orderBy: { id: 'desc' }, refresh: true });
    if (!charge)
      throw invalid(UserErrorCode.INVALID_TRANSITION, 'this payment has no captured card charge', [
        'input',
        'paymentId',
      ]);
    const room = charge.capturedMinor - charge.chargedBackMinor;
    let amountMinor = input.amountMinor ?? room;
    if (input.amount != null && input.amount.trim() !== '') {
      try {
        amountMinor = parseAmount(input.amount.trim(), charge.currency);
      } catch (error) {
        if (error instanceof MoneyError)
          throw invalid(UserErrorCode.INVALID_AMOUNT, error.message, ['input', 'amount']);
        throw error;
      }
    }
    if (amountMinor <= 0n || amountMinor > room) {
      throw invalid(
        UserErrorCode.INVALID_AMOUNT,
        `a chargeback is of at most ${formatAmount(room, charge.currency)} (captured, not yet charged back)`,
        ['input', 'amount'],
      );
    }
    charge.chargedBackMinor += amountMinor;
    charge.updatedAt = new Date();
    const chargeback = build(Chargeback, {
      paymentId: payment.id,
      chargeId: charge.id,
      merchantId: payment.merchantId,
      amountMinor,
      currency: charge.currency,
      reason,
      processorDisputeId: input.processorDisputeId ?? null,
      reportedAt: input.reportedAt ?? null,
    });
    em.persist(chargeback);
    // Flushed first: a dispute reported twice fails here, on the unique index, before anything is booked.
    await em.flush();
    const booked = await bookChargebackOpened(em, payment, { chargebackId: chargeback.id, amountMinor });
    chargeback.receivableMinor = booked.receivableMinor;
    await moveChargeback(em, chargeback, 'open');
    recordAudit(em, actor, {
      action: 'chargeback.open',
      merchantId: payment.merchantId,
      targetId: chargeback.id,
      details: { paymentId: payment.id, amount: formatAmount(amountMinor, charge.currency), reason },
    });
    return chargeback;
  });
}

export async function addChargebackEvidence(
  deps: CardDeps,
  actor: AuditActor,
  chargeback: Chargeback,
  text: string,
): Promise<Chargeback> {
  const evidence = checkText(text, ['input', 'evidence'], 5000, 'the evidence');
  return deps.em.fork().transactional(async (em) => {
    await lockPayment(em, chargeback.paymentId);
    const fresh = await em.findOneOrFail(Chargeback, chargeback.id, { refresh: true });
    if (fresh.status !== ChargebackStatus.OPENED) {
      throw invalid(UserErrorCode.ALREADY_RESOLVED, 'this chargeback was already decided', ['input', 'id']);
    }
    const who = actor.viewer?.role === 'ADMIN' ? 'admin' : 'merchant';
    const entry = `[${new Date().toISOString()} ${who}] ${evidence}`;
    if (fresh.evidence.length + entry.length > 50_000) {
      throw invalid(UserErrorCode.TOO_LONG, 'this chargeback holds as much evidence as it can', ['input', 'evidence']);
    }
    fresh.evidence = fresh.evidence ? `${fresh.evidence}\n\n${entry}` : entry;
    recordAudit(em, actor, { action: 'chargeback.evidence', merchantId: fresh.merchantId, targetId: fresh.id });
    return fresh;
  });
}

export async function resolveChargeback(
  deps: CardDeps,
  actor: AuditActor,
  chargeback: Chargeback,
  outcome: 'WON' | 'LOST',
): Promise<Chargeback> {
  return deps.em.fork().transactional(async (em) => {
    const payment = (await lockPayment(em, chargeback.paymentId))!;
    const fresh = await em.findOneOrFail(Chargeback, chargeback.id, { refresh: true });
    if (fresh.status !== ChargebackStatus.OPENED) {
      throw invalid(UserErrorCode.ALREADY_RESOLVED, 'this chargeback was already decided', ['input', 'id']);
    }
    if (outcome === 'WON') {
      await bookChargebackWon(em, payment, { chargebackId: fresh.id, amountMinor: fresh.amountMinor });
      const charge = await em.findOneOrFail(CardCharge, fresh.chargeId, { refresh: true });
      charge.chargedBackMinor -= fresh.amountMinor;
      charge.updatedAt = new Date();
    }
    await moveChargeback(em, fresh, outcome === 'WON' ? 'win' : 'lose');
    recordAudit(em, actor, {
      action: 'chargeback.resolve',
      merchantId: fresh.merchantId,
      targetId: fresh.id,
      details: { outcome },
    });
    return fresh;
  });
}

// --- Reconciliation ----------------------------------------------------------------------------------------------

/** Asks the processor about a charge's unanswered call (if older than `olderThanMs`) and applies what it says. */
export async function reconcileCharge(deps: CardDeps, chargeId: string, olderThanMs: number): Promise<void> {
  const operations = await deps.em.fork().find(CardOperation, { chargeId, refundId: null, ...unanswered(olderThanMs) });
  for (const operation of operations) await reconcileOperation(deps, operation);
}

/** Calls answered UNKNOWN, and calls still PENDING after `pendingMs` (a crash between asking and recording). */
function unanswered(pendingMs: number) {
  return {
    $or: [
      { state: CardOperationState.UNKNOWN },
      { state: CardOperationState.PENDING, createdAt: { $lte: new Date(Date.now() - pendingMs) } },
    ],
  };
}

async function reconcileRefund(deps: CardDeps, refundId: string, olderThanMs: number): Promise<void> {
  const operations = await deps.em.fork().find(CardOperation, { refundId, ...unanswered(olderThanMs) });
  for (const operation of operations) await reconcileOperation(deps, operation);
}

/** What the processor knows of an attempt; an attempt it never saw was not processed. */
async function reconcileOperation(deps: CardDeps, operation: CardOperation): Promise<void> {
  const found = await call(async () => {
    const known = await processorOf(deps).lookup(operation.idempotencyKey);
    return (
      known ?? {
        outcome: CardOutcome.DECLINED,
        reference: null,
        declineCode: CardDeclineCode.NOT_PROCESSED,
        fingerprint: null,
      }
    );
  });
  if (found.answer.outcome === CardOutcome.UNKNOWN) return; // the processor is still away: next round
  if (operation.refundId) await applyRefundAnswer(deps, operation.id, found.answer, null);
  else await applyChargeAnswer(deps, operation.id, found.answer, null);
}

/**
 * One reconciliation round: every processor call left UNKNOWN, or PENDING for longer than `olderThanMs` (a crash
 * between asking and recording), is looked up and resolved. Returns how many calls it looked at.
 */
export async function reconcileCardOperations(
  deps: CardDeps,
  options: { olderThanMs?: number; limit?: number } = {},
): Promise<number> {
  const olderThanMs = options.olderThanMs ?? PENDING_MS;
  const due = await deps.em.fork().find(
    CardOperation,
    {
      state: { $in: [CardOperationState.PENDING, CardOperationState.UNKNOWN] },
      createdAt: { $lte: new Date(Date.now() - olderThanMs) },
    },
    { orderBy: { createdAt: 'asc' }, limit: options.limit ?? 100 },
  );
  for (const operation of due) await reconcileOperation(deps, operation);
  return due.length;
}

/**
 * Gives a late capture's money back to its card (see CardCharge.lateCapture), once: the refund's key is the charge's.
 * A failure is left to the next reconciliation round.
 */
async function refundLateCapture(deps: CardDeps, chargeId: string): Promise<void> {
  const em = deps.em.fork();
  const charge = await em.findOneOrFail(CardCharge, chargeId);
  const payment = await em.findOneOrFail(Payment, charge.paymentId);
  try {
    await refundCardPayment({ ...deps, viewer: null }, payment, {
      idempotencyKey: lateRefundKey(charge.id),
      chargeId: charge.id,
    });
  } catch (error) {
    // Already refunded by hand, or the processor refused: the charge's refunds tell the merchant.
    if (!(error instanceof UserFacingError))
      log.error({ err: error, chargeId }, 'card: refunding a late capture failed');
  }
}

const lateRefundKey = (chargeId: string) => `late-capture:${chargeId}`;

/**
 * Late captures whose refund never started (the process stopped between the capture and the refund): refunded now.
 * Returns how many it started.
 */
export async function refundLateCaptures(deps: CardDeps, limit = 100): Promise<number> {
  const em = deps.em.fork();
  const charges = await em.find(
    CardCharge,
    { lateCapture: true, status: CardChargeStatus.CAPTURED },
    { orderBy: { id: 'asc' }, limit },
  );
  if (!charges.length) return 0;
  const started = await em.find(CardRefund, { requestKey: { $in: charges.map((charge) => lateRefundKey(charge.id)) } });
  const done = new Set(started.map((refund) => refund.requestKey));
  const due = charges.filter((charge) => !done.has(lateRefundKey(charge.id)));
  for (const charge of due) await refundLateCapture(deps, charge.id);
  return due.length;
}

/**
 * Opens a chargeback for each dispute the processor reported since the last one seen (once per dispute: the unique
 * dispute id). Returns how many were opened.
 */
export async function pollDisputes(deps: CardDeps): Promise<number> {
  const em = deps.em.fork();
  const last = await em.findOne(
    Chargeback,
    { processorDisputeId: { $ne: null } },
    { orderBy: { reportedAt: 'desc' }, fields: ['reportedAt'] },
  );
  const disputes = await processorOf(deps).disputes(last?.reportedAt ?? new Date(0));
  let opened = 0;
  for (const dispute of disputes) {
    if (await em.count(Chargeback, { processorDisputeId: dispute.id })) continue;
    const charge = await em.findOne(CardCharge, {
      processor: processorOf(deps).name,
      processorReference: dispute.chargeReference,
    });
    if (!charge) continue; // not ours (or not yet recorded): the next round sees it again
    try {
      await openChargeback(
        deps,
        { viewer: null },
        {
          paymentId: charge.paymentId,
          chargeId: charge.id,
          amountMinor: dispute.amountMinor,
          reason: dispute.reason,
          processorDisputeId: dispute.id,
          reportedAt: dispute.reportedAt,
        },
      );
      opened++;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) continue; // another process opened it
      throw error;
    }
  }
  return opened;
}
