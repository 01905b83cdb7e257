import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Context } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { nextState } from '../../common/state-machine';
import { recordAudit } from '../audit';
import { CARD_PAYOUT_TRANSITIONS, CardPayout, CardPayoutStatus, CardToken } from './card.entity';
import { CardDeclineCode, CardOutcome, type CardAnswer } from './card.processor';
import { processorOf, type CardDeps } from './card.service';

/*
 * Payouts to a card. The payout module asks for one (`sendCardPayout`) per withdrawal; the rail follows its rule of
 * every call: record the attempt (a CardPayout under the key `<withdrawal id>:payout`, once per withdrawal), call the
 * processor's `payout` outside any transaction, then apply the answer in a second transaction — or leave it UNKNOWN
 * for the reconciliation job, which asks `lookup` and applies what it says the same way. A final answer is handed, in
 * the transaction that records it, to the `cardPayoutHandlers` the modules provide (the payout module marks the
 * withdrawal PAID or REJECTED there), so the attempt and the withdrawal change together. This module moves no money.
 */

/** Who moved a payout on: the admin who sent it, or the reconciliation job (no viewer). */
export type CardPayoutActor = Pick<Context, 'viewer' | 'ip'>;

/** What a module does when a payout to a card is settled: called in the transaction that records the answer. */
export interface CardPayoutHandler {
  settled(em: EntityManager, payout: CardPayout, actor: CardPayoutActor): Promise<void>;
}

declare module '../../common/module' {
  interface Extensions {
    cardPayoutHandlers: readonly CardPayoutHandler[];
  }
}

/** A call still PENDING after this long was cut off before its answer was recorded (a crash): look it up. */
const PENDING_MS = 60_000;

export interface CardPayoutRequest {
  withdrawalId: string;
  merchantId: string;
  /** The merchant's payout card ("ctok_…"): it must be this merchant's own payout token. */
  tokenId: string;
  /** What is sent to the card, in minor units. */
  amountMinor: bigint;
  currency: string;
}

const keyOf = (withdrawalId: string) => `${withdrawalId}:payout`;

/** The attempt for a withdrawal, recorded once (of two concurrent senders, one records it, the other reads it). */
async function recordAttempt(deps: CardDeps, request: CardPayoutRequest): Promise<CardPayout> {
  const existing = await deps.em.fork().findOne(CardPayout, { withdrawalId: request.withdrawalId });
  if (existing) return existing;
  if (request.amountMinor <= 0n) {
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'nothing to send', ['input', 'amount']);
  }
  const em = deps.em.fork();
  const token = await em.findOne(CardToken, request.tokenId);
  // Only the merchant's own payout card (the payout module checked it when the destination was added).
  if (!token || token.merchantId !== request.merchantId || token.paymentId !== null) {
    throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such payout card for this merchant', [
      'input',
      'cardTokenId',
    ]);
  }
  const payout = build(CardPayout, {
    withdrawalId: request.withdrawalId,
    merchantId: request.merchantId,
    tokenId: token.id,
    processor: token.processor,
    idempotencyKey: keyOf(request.withdrawalId),
    amountMinor: request.amountMinor,
    currency: request.currency,
  });
  try {
    await em.persistAndFlush(payout);
    return payout;
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    return deps.em.fork().findOneOrFail(CardPayout, { withdrawalId: request.withdrawalId });
  }
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

/**
 * Applies an answer to an attempt, in one transaction with the attempt locked: SUCCEEDED on APPROVED, FAILED on
 * DECLINED (or anything else final), UNKNOWN when no answer came; a final answer goes to the handlers in the same
 * transaction. An attempt already settled is left alone. `durationMs` null: the answer came from `lookup`.
 */
async function applyAnswer(
  deps: CardDeps,
  payoutId: string,
  answer: CardAnswer,
  durationMs: number | null,
  actor: CardPayoutActor,
): Promise<CardPayout> {
  return deps.em.fork().transactional(async (em) => {
    const lockMode =
      em.getPlatform().constructor.name === 'PostgreSqlPlatform' ? LockMode.PESSIMISTIC_WRITE : undefined;
    const payout = await em.findOneOrFail(CardPayout, payoutId, { lockMode, refresh: true });
    if (payout.status === CardPayoutStatus.SUCCEEDED || payout.status === CardPayoutStatus.FAILED) return payout;
    const at = new Date();
    if (durationMs !== null) payout.durationMs = durationMs;
    payout.updatedAt = at;
    if (answer.outcome === CardOutcome.UNKNOWN) {
      if (payout.status === CardPayoutStatus.PENDING) {
        payout.status = nextState(CARD_PAYOUT_TRANSITIONS, payout.status, 'markUnknown');
        payout.outcome = CardOutcome.UNKNOWN;
      }
      await em.flush();
      return payout;
    }
    const approved = answer.outcome === CardOutcome.APPROVED;
    payout.status = nextState(CARD_PAYOUT_TRANSITIONS, payout.status, approved ? 'succeed' : 'fail');
    payout.outcome = answer.outcome;
    payout.processorReference = answer.reference;
    payout.declineCode = approved ? null : (answer.declineCode ?? CardDeclineCode.DECLINED);
    payout.answeredAt = at;
    payout.reconciled = durationMs === null;
    recordAudit(em, actor, {
      action: approved ? 'card_payout.succeeded' : 'card_payout.failed',
      merchantId: payout.merchantId,
      targetId: payout.id,
      details: {
        withdrawalId: payout.withdrawalId,
        reference: payout.processorReference,
        declineCode: payout.declineCode,
        reconciled: payout.reconciled,
      },
    });
    for (const handler of deps.extensions.cardPayoutHandlers ?? []) await handler.settled(em, payout, actor);
    await em.flush();
    return payout;
  });
}

/** What the processor knows of an attempt; an attempt it never saw was not processed (FAILED, NOT_PROCESSED). */
async function reconcile(deps: CardDeps, payout: CardPayout, actor: CardPayoutActor): Promise<CardPayout> {
  const found = await call(async () => {
    const known = await processorOf(deps).lookup(payout.idempotencyKey);
    return (
      known ?? {
        outcome: CardOutcome.DECLINED,
        reference: null,
        declineCode: CardDeclineCode.NOT_PROCESSED,
        fingerprint: null,
      }
    );
  });
  if (found.answer.outcome === CardOutcome.UNKNOWN) return payout; // the processor is still away: next round
  return applyAnswer(deps, payout.id, found.answer, null, actor);
}

/**
 * Sends a withdrawal's money to the merchant's payout card, once: the attempt is recorded under the withdrawal's key
 * before the processor is asked; sending again returns the attempt as it stands (an UNKNOWN one is looked up). The
 * answer settles the withdrawal through the `cardPayoutHandlers`.
 */
export async function sendCardPayout(
  deps: CardDeps,
  actor: CardPayoutActor,
  request: CardPayoutRequest,
): Promise<CardPayout> {
  const payout = await recordAttempt(deps, request);
  if (payout.status === CardPayoutStatus.SUCCEEDED || payout.status === CardPayoutStatus.FAILED) return payout;
  if (payout.status === CardPayoutStatus.UNKNOWN) return reconcile(deps, payout, actor);
  if (payout.createdAt.getTime() < Date.now() - PENDING_MS) return reconcile(deps, payout, actor);
  const token = await deps.em.fork().findOneOrFail(CardToken, payout.tokenId);
  const processor = processorOf(deps);
  const { answer, durationMs } = await call(() =>
    processor.payout({
      key: payout.idempotencyKey,
      processorToken: token.processorToken,
      amountMinor: payout.amountMinor,
      currency: payout.currency,
    }),
  );
  return applyAnswer(deps, payout.id, answer, durationMs, actor);
}

/**
 * One reconciliation round for payouts: attempts left UNKNOWN, or PENDING for longer than `olderThanMs`, are looked
 * up and settled. Returns how many it looked at.
 */
export async function reconcileCardPayouts(
  deps: CardDeps,
  options: { olderThanMs?: number; limit?: number } = {},
): Promise<number> {
  const olderThanMs = options.olderThanMs ?? PENDING_MS;
  const due = await deps.em.fork().find(
    CardPayout,
    {
      $or: [
        { status: CardPayoutStatus.UNKNOWN },
        { status: CardPayoutStatus.PENDING, createdAt: { $lte: new Date(Date.now() - olderThanMs) } },
      ],
    },
    { orderBy: { createdAt: 'asc' }, limit: options.limit ?? 100 },
  );
  for (const payout of due) await reconcile(deps, payout, { viewer: null, ip: '' });
  return due.length;
}

/** The payout attempts of some withdrawals, by withdrawal id. */
export async function cardPayoutsOf(em: EntityManager, withdrawalIds: readonly string[]): Promise<CardPayout[]> {
  if (!withdrawalIds.length) return [];
  return em.find(CardPayout, { withdrawalId: { $in: [...withdrawalIds] } });
}
