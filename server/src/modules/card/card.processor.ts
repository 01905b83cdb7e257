import type { EntityManager } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import type { Config } from '../../common/config';
import type { CardBrand } from './card.numbers';

/*
 * The card processor seen from Tollgate: one adapter per processor (a test one ships), in the spirit of Vendure's
 * payment handlers and Hyperswitch's connectors. Every call that moves money carries our idempotency key (one per
 * attempt, stored as a CardOperation before the call), so a retry after a timeout is the same attempt, and `lookup`
 * tells what became of an attempt whose answer never came. An adapter never throws for a processor's refusal: it
 * answers DECLINED with a code. A timeout or a lost connection is UNKNOWN, never a guess.
 */

/** How a processor answered one call. */
export enum CardOutcome {
  APPROVED = 'APPROVED',
  DECLINED = 'DECLINED',
  /** The issuer wants the payer to pass a challenge first (3-D Secure style). */
  REQUIRES_ACTION = 'REQUIRES_ACTION',
  /** No answer (timeout): the call may or may not have happened; `lookup` tells later. */
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(CardOutcome, {
  name: 'CardOutcome',
  description: 'How the card processor answered one call: APPROVED, DECLINED, REQUIRES_ACTION, or UNKNOWN (timeout).',
});

/** Why a processor declined, as a closed set (adapters map their processor's codes onto it). Codes only grow. */
export enum CardDeclineCode {
  DECLINED = 'DECLINED',
  INSUFFICIENT_FUNDS = 'INSUFFICIENT_FUNDS',
  EXPIRED_CARD = 'EXPIRED_CARD',
  AUTHENTICATION_FAILED = 'AUTHENTICATION_FAILED',
  HOLDER_NAME_REQUIRED = 'HOLDER_NAME_REQUIRED',
  REFUND_REFUSED = 'REFUND_REFUSED',
  /** Not a card this processor takes (e.g. a real card on the test processor). */
  CARD_NOT_SUPPORTED = 'CARD_NOT_SUPPORTED',
  /** The call made no sense to the processor (unknown token or reference, amount too large). */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** The attempt never reached the processor (reconciliation found nothing under its key). */
  NOT_PROCESSED = 'NOT_PROCESSED',
}
registerEnumType(CardDeclineCode, {
  name: 'CardDeclineCode',
  description:
    'Why the card processor declined: DECLINED (no reason given), INSUFFICIENT_FUNDS, EXPIRED_CARD, ' +
    'AUTHENTICATION_FAILED (challenge failed), HOLDER_NAME_REQUIRED (card-present), REFUND_REFUSED, ' +
    'CARD_NOT_SUPPORTED, INVALID_REQUEST, NOT_PROCESSED (the attempt never reached the processor).',
});

/** The card as typed: reaches the adapter's `tokenise` only, and is never stored, logged or returned. */
export interface CardDetails {
  /** Digits only, Luhn-valid. */
  number: string;
  expMonth: number;
  /** Four digits. */
  expYear: number;
  cvc: string;
  holderName: string | null;
}

export type TokeniseAnswer =
  | {
      ok: true;
      /** The processor's token for the card: what later calls name it by. */
      processorToken: string;
      /** HMAC of the number under a processor-side key: the same card gives the same fingerprint. */
      fingerprint: string;
      brand: CardBrand;
      last4: string;
    }
  | { ok: false; declineCode: CardDeclineCode; message: string };

/** One answer to a money-moving call. */
export interface CardAnswer {
  outcome: CardOutcome;
  /** The processor's reference of the charge (authorise) or of the operation (refund, payout); null if none. */
  reference: string | null;
  declineCode: CardDeclineCode | null;
  /** The card's fingerprint, when the processor knows the card. */
  fingerprint: string | null;
  /** authorise: whether the money was captured in the same call (capture: true). */
  captured?: boolean;
  /** REQUIRES_ACTION: what the payer is asked (shown on the hosted page). */
  challenge?: string | null;
  /** Card-present: the holder must sign the receipt. */
  signatureRequired?: boolean;
}

export interface AuthoriseRequest {
  /** Our idempotency key of this attempt. */
  key: string;
  processorToken: string;
  amountMinor: bigint;
  currency: string;
  /** True: authorise and capture at once (a sale); false: authorise only, capture later. */
  capture: boolean;
  /** The pending authorisation a challenge answer is for (its REQUIRES_ACTION reference). */
  reference?: string | null;
  challengeAnswer?: string | null;
  /** A charge of a stored token without the payer present (recurring): no challenge can be asked. */
  merchantInitiated?: boolean;
  /** Card-present (a terminal) rather than online. */
  present?: boolean;
}

/** A chargeback the processor reports against one of our charges. */
export interface ProcessorDispute {
  /** The processor's id of the dispute: a chargeback is opened once per dispute. */
  id: string;
  /** The reference of the charge disputed. */
  chargeReference: string;
  amountMinor: bigint;
  currency: string;
  reason: string;
  reportedAt: Date;
}

export interface CardProcessor {
  /** Its registry name (CARD_PROCESSOR). */
  readonly name: string;
  tokenise(card: CardDetails): Promise<TokeniseAnswer>;
  authorise(request: AuthoriseRequest): Promise<CardAnswer>;
  /** Captures (all of) an authorisation. */
  capture(request: { key: string; reference: string; amountMinor: bigint }): Promise<CardAnswer>;
  void(request: { key: string; reference: string }): Promise<CardAnswer>;
  /** Refunds part or all of a captured charge; the answer's reference is the refund's. */
  refund(request: { key: string; reference: string; amountMinor: bigint }): Promise<CardAnswer>;
  /** Sends money to a card (payouts). */
  payout(request: { key: string; processorToken: string; amountMinor: bigint; currency: string }): Promise<CardAnswer>;
  /** What became of the attempt under our `key`; null when the processor never saw it. */
  lookup(key: string): Promise<CardAnswer | null>;
  /** Chargebacks reported since `since` (inclusive), oldest first. */
  disputes(since: Date): Promise<ProcessorDispute[]>;
}

/** What an adapter is built from: the platform's configuration and a unit of work to fork (for in-house state). */
export interface CardProcessorDeps {
  config: Config;
  em: EntityManager;
}

/**
 * One adapter as a module offers it (the `cardProcessors` extension): a new processor is a module providing one
 * of these, chosen by CARD_PROCESSOR; no product and no part of the card rail changes.
 */
export interface CardProcessorFactory {
  name: string;
  create(deps: CardProcessorDeps): CardProcessor;
  /** Its own tables, if it keeps state in Tollgate's database. */
  entities?: readonly Function[];
}

declare module '../../common/module' {
  interface Extensions {
    cardProcessors: readonly CardProcessorFactory[];
  }
}

const built = new WeakMap<object, CardProcessor>();

/**
 * The configured adapter (CARD_PROCESSOR, default `test`), built once per set of extensions; throws at start when
 * no module provides one of that name.
 */
export function cardProcessorOf(
  deps: CardProcessorDeps & { factories: readonly CardProcessorFactory[] },
): CardProcessor {
  const cached = built.get(deps.factories);
  if (cached && cached.name === deps.config.cardProcessor) return cached;
  const factory = deps.factories.find((candidate) => candidate.name === deps.config.cardProcessor);
  if (!factory) {
    const known = deps.factories.map((candidate) => candidate.name).join(', ') || 'none';
    throw new Error(`CARD_PROCESSOR "${deps.config.cardProcessor}" is not provided by any module (known: ${known})`);
  }
  const processor = factory.create({ config: deps.config, em: deps.em.fork() });
  built.set(deps.factories, processor);
  return processor;
}
