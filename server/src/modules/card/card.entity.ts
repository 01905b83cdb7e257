import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { bigint } from '../../common/orm';
import type { Transitions } from '../../common/state-machine';
import { CardBrand } from './card.numbers';
import { CardDeclineCode, CardOutcome } from './card.processor';

registerEnumType(CardBrand, { name: 'CardBrand', description: 'The card scheme, from the number’s prefix.' });

/**
 * A tokenised card: what Tollgate keeps of a card, and all it keeps (never the number or the CVC). Made by
 * `POST /card/tokens` for one payer page (its id is the token the page pays with), or by `POST /card/payout-tokens`
 * for a merchant's own payout card.
 */
@Entity({ tableName: 'card_token' })
@ObjectType({
  description: 'A card as Tollgate keeps it: brand, last four digits, expiry and holder; never the number.',
})
export class CardToken {
  /** The token ("ctok_…") handed to the payer's page; 80 random bits besides the time. */
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('ctok');

  /** The adapter that holds the card (CARD_PROCESSOR at tokenisation). */
  @Property({ type: 'string', length: 40 })
  processor!: string;

  @Property({ type: 'string', length: 100, hidden: true })
  processorToken!: string;

  /** HMAC of the number under the processor's key: the same card, the same fingerprint. */
  @Property({ type: 'string', length: 64 })
  @Index()
  fingerprint!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => CardBrand)
  brand!: CardBrand;

  @Property({ type: 'string', length: 4 })
  @Field(() => String)
  last4!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  expMonth!: number;

  @Property({ type: 'integer' })
  @Field(() => Int)
  expYear!: number;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  holderName: string | null = null;

  /** The payment whose page made it: only that page may pay with it. Null for a merchant's payout card. */
  @Property({ type: 'string', length: 40, nullable: true })
  @Index()
  paymentId: string | null = null;

  /**
   * The merchant that tokenised it as its own payout card (`POST /card/payout-tokens`); null for a payer's card. Only
   * such a token may be a payout destination, and only of this merchant.
   */
  @Property({ type: 'string', length: 40, nullable: true })
  @Index()
  merchantId: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

export enum CardCaptureMode {
  AUTOMATIC = 'AUTOMATIC',
  MANUAL = 'MANUAL',
}
registerEnumType(CardCaptureMode, {
  name: 'CardCaptureMode',
  description: 'AUTOMATIC: the card is charged at once. MANUAL: authorised only, until captureCardPayment or void.',
});

/** What a card payment (kind CARD) adds to its payment: where the payer returns and how it is captured. */
@Entity({ tableName: 'card_checkout' })
@ObjectType({ description: 'A card payment’s own settings: where the payer returns, and how the card is captured.' })
export class CardCheckout {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  paymentId!: string;

  @Property({ type: 'string', length: 2000, nullable: true })
  @Field(() => String, { nullable: true, description: 'Where the payer is sent once the payment is paid.' })
  successUrl: string | null = null;

  @Property({ type: 'string', length: 2000, nullable: true })
  @Field(() => String, { nullable: true, description: 'Where the payer is sent when giving up.' })
  cancelUrl: string | null = null;

  @Property({ type: 'string', length: 10 })
  @Field(() => CardCaptureMode)
  captureMode: CardCaptureMode = CardCaptureMode.AUTOMATIC;
}

/** Where one card attempt stands. */
export enum CardChargeStatus {
  /** Created; the processor call is under way. */
  PENDING = 'PENDING',
  REQUIRES_ACTION = 'REQUIRES_ACTION',
  AUTHORISED = 'AUTHORISED',
  CAPTURED = 'CAPTURED',
  DECLINED = 'DECLINED',
  VOIDED = 'VOIDED',
  /** The processor did not answer: resolved by the reconciliation job with `lookup`. */
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(CardChargeStatus, {
  name: 'CardChargeStatus',
  description:
    'PENDING (asking the processor) → REQUIRES_ACTION (the payer must pass a challenge) → AUTHORISED (MANUAL ' +
    'capture) → CAPTURED (money taken), or DECLINED; AUTHORISED → VOIDED. UNKNOWN: the processor did not answer; ' +
    'the reconciliation job asks it what happened and moves the charge on. CAPTURED, DECLINED and VOIDED are final.',
});

export type CardChargeTransition = 'requireAction' | 'authorise' | 'capture' | 'decline' | 'void' | 'markUnknown';

/** The only ways a charge's status changes. */
export const CARD_CHARGE_TRANSITIONS: Transitions<CardChargeStatus, CardChargeTransition> = {
  requireAction: { from: [CardChargeStatus.PENDING, CardChargeStatus.UNKNOWN], to: CardChargeStatus.REQUIRES_ACTION },
  authorise: {
    from: [CardChargeStatus.PENDING, CardChargeStatus.REQUIRES_ACTION, CardChargeStatus.UNKNOWN],
    to: CardChargeStatus.AUTHORISED,
  },
  capture: {
    from: [
      CardChargeStatus.PENDING,
      CardChargeStatus.REQUIRES_ACTION,
      CardChargeStatus.AUTHORISED,
      CardChargeStatus.UNKNOWN,
    ],
    to: CardChargeStatus.CAPTURED,
  },
  decline: {
    from: [CardChargeStatus.PENDING, CardChargeStatus.REQUIRES_ACTION, CardChargeStatus.UNKNOWN],
    to: CardChargeStatus.DECLINED,
  },
  void: { from: [CardChargeStatus.AUTHORISED, CardChargeStatus.UNKNOWN], to: CardChargeStatus.VOIDED },
  markUnknown: {
    from: [CardChargeStatus.PENDING, CardChargeStatus.REQUIRES_ACTION, CardChargeStatus.AUTHORISED],
    to: CardChargeStatus.UNKNOWN,
  },
};

/** One attempt to pay a payment by card. */
@Entity({ tableName: 'card_charge' })
@Unique({ properties: ['paymentId', 'requestKey'] })
@Index({ properties: ['paymentId', 'id'] })
@Index({ properties: ['status', 'updatedAt'] })
@Index({ properties: ['processor', 'processorReference'] })
@ObjectType({ description: 'One attempt to pay a payment by card, with its processor calls.' })
export class CardCharge {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('cch');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  paymentId!: string;

  @Property({ type: 'string', length: 40 })
  merchantId!: string;

  /** The payer page's idempotency key for this attempt. */
  @Property({ type: 'string', length: 255 })
  requestKey!: string;

  @Property({ type: 'string', length: 40 })
  tokenId!: string;

  @Property({ type: 'string', length: 40 })
  processor!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'The processor’s reference of the charge, once it gave one.' })
  processorReference: string | null = null;

  @Property({ type: 'string', length: 20 })
  @Field(() => CardChargeStatus)
  status: CardChargeStatus = CardChargeStatus.PENDING;

  @Property({ type: 'string', length: 10 })
  @Field(() => CardCaptureMode)
  captureMode!: CardCaptureMode;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Card-present (a terminal) rather than online.' })
  present: boolean = false;

  /** What the attempt charges: what remained of the payment when it started. */
  @Property({ type: bigint() })
  amountMinor!: bigint;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: bigint() })
  capturedMinor: bigint = 0n;

  /** Refunds booked or under way (reserved before the processor is asked, released if it refuses). */
  @Property({ type: bigint() })
  refundedMinor: bigint = 0n;

  /** Chargebacks opened against it. */
  @Property({ type: bigint() })
  chargedBackMinor: bigint = 0n;

  /**
   * Captured after its payment had stopped taking money (paid by SMS meanwhile, cancelled, expired): the money is
   * refunded to the card in full, at once and, should that be cut short, by the reconciliation job.
   */
  @Property({ type: 'boolean' })
  @Field(() => Boolean, {
    description: 'Captured after the payment had stopped taking money: refunded to the card automatically.',
  })
  lateCapture: boolean = false;

  @Property({ type: 'string', length: 30, nullable: true })
  @Field(() => CardDeclineCode, { nullable: true })
  declineCode: CardDeclineCode | null = null;

  /** REQUIRES_ACTION: the question for the payer. */
  @Property({ type: 'string', length: 300, nullable: true })
  @Field(() => String, { nullable: true, description: 'REQUIRES_ACTION: what the payer is asked.' })
  challenge: string | null = null;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Card-present: the holder must sign the receipt.' })
  signatureRequired: boolean = false;

  @Property({ type: 'string', length: 20 })
  @Field(() => CardBrand)
  brand!: CardBrand;

  @Property({ type: 'string', length: 4 })
  @Field(() => String)
  last4!: string;

  @Property({ type: 'string', length: 64 })
  fingerprint!: string;

  /** An email the payer gave on the page (products that deliver by email). */
  @Property({ type: 'string', length: 254, nullable: true })
  payerEmail: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  capturedAt: Date | null = null;

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => Money, { name: 'amount', description: 'What this attempt charges.' })
  get amountMoney(): Money {
    return Money.of(this.amountMinor, this.currency);
  }

  @Field(() => Money, { name: 'captured', description: 'What was taken from the card.' })
  get capturedMoney(): Money {
    return Money.of(this.capturedMinor, this.currency);
  }

  @Field(() => Money, { name: 'refunded', description: 'Refunds booked or under way.' })
  get refundedMoney(): Money {
    return Money.of(this.refundedMinor, this.currency);
  }
}

export enum CardOperationKind {
  AUTHORISE = 'AUTHORISE',
  CAPTURE = 'CAPTURE',
  VOID = 'VOID',
  REFUND = 'REFUND',
}
registerEnumType(CardOperationKind, { name: 'CardOperationKind', description: 'Which processor call.' });

export enum CardOperationState {
  /** Asked; no answer recorded yet (a crash here is found by the reconciliation job). */
  PENDING = 'PENDING',
  ANSWERED = 'ANSWERED',
  /** Answered UNKNOWN (timeout): waiting for reconciliation. */
  UNKNOWN = 'UNKNOWN',
  /** Reconciled with `lookup`. */
  RECONCILED = 'RECONCILED',
}
registerEnumType(CardOperationState, { name: 'CardOperationState', description: 'Where one processor call stands.' });

/** One processor call, recorded before it is made, under our idempotency key: the attempts of a payment. */
@Entity({ tableName: 'card_operation' })
@Index({ properties: ['chargeId', 'id'] })
@Index({ properties: ['state', 'createdAt'] })
@ObjectType({ description: 'One call to the card processor, under Tollgate’s idempotency key.' })
export class CardOperation {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('cop');

  @Property({ type: 'string', length: 40 })
  chargeId!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  refundId: string | null = null;

  @Property({ type: 'string', length: 20 })
  @Field(() => CardOperationKind)
  kind!: CardOperationKind;

  /** The key the processor knows the attempt by: a retry of the same attempt reuses it. */
  @Property({ type: 'string', length: 255, unique: true })
  @Field(() => String)
  idempotencyKey!: string;

  @Property({ type: 'string', length: 12 })
  @Field(() => CardOperationState)
  state: CardOperationState = CardOperationState.PENDING;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => CardOutcome, { nullable: true, description: 'What the processor said; null while pending.' })
  outcome: CardOutcome | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  reference: string | null = null;

  @Property({ type: 'string', length: 30, nullable: true })
  @Field(() => CardDeclineCode, { nullable: true })
  declineCode: CardDeclineCode | null = null;

  @Property({ type: bigint(), nullable: true })
  amountMinor: bigint | null = null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'How long the call took, in milliseconds.' })
  durationMs: number | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  answeredAt: Date | null = null;
}

export enum CardRefundStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(CardRefundStatus, {
  name: 'CardRefundStatus',
  description:
    'PENDING (asking the processor) → SUCCEEDED (booked) or FAILED (the processor refused; nothing booked). ' +
    'UNKNOWN: no answer; the reconciliation job resolves it.',
});

export type CardRefundTransition = 'succeed' | 'fail' | 'markUnknown';

export const CARD_REFUND_TRANSITIONS: Transitions<CardRefundStatus, CardRefundTransition> = {
  succeed: { from: [CardRefundStatus.PENDING, CardRefundStatus.UNKNOWN], to: CardRefundStatus.SUCCEEDED },
  fail: { from: [CardRefundStatus.PENDING, CardRefundStatus.UNKNOWN], to: CardRefundStatus.FAILED },
  markUnknown: { from: [CardRefundStatus.PENDING], to: CardRefundStatus.UNKNOWN },
};

@Entity({ tableName: 'card_refund' })
@Unique({ properties: ['paymentId', 'requestKey'] })
@Index({ properties: ['paymentId', 'id'] })
@ObjectType({ description: 'Money of a card payment given back to the card, in full or in part.' })
export class CardRefund {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('crf');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  paymentId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  chargeId!: string;

  @Property({ type: 'string', length: 40 })
  merchantId!: string;

  @Property({ type: 'string', length: 255 })
  requestKey!: string;

  @Property({ type: bigint() })
  amountMinor!: bigint;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 12 })
  @Field(() => CardRefundStatus)
  status: CardRefundStatus = CardRefundStatus.PENDING;

  @Property({ type: 'string', length: 30, nullable: true })
  @Field(() => CardDeclineCode, { nullable: true })
  declineCode: CardDeclineCode | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  processorReference: string | null = null;

  /** Left on the merchant's receivable account: the part its available balance could not cover. */
  @Property({ type: bigint() })
  receivableMinor: bigint = 0n;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Field(() => Money, { name: 'amount' })
  get amountMoney(): Money {
    return Money.of(this.amountMinor, this.currency);
  }
}

export enum ChargebackStatus {
  OPENED = 'OPENED',
  WON = 'WON',
  LOST = 'LOST',
}
registerEnumType(ChargebackStatus, {
  name: 'ChargebackStatus',
  description:
    'OPENED (the amount and the chargeback fee debited from the merchant) → WON (the amount given back; the fee ' +
    'stays) or LOST (final).',
});

export type ChargebackTransition = 'win' | 'lose';

export const CHARGEBACK_TRANSITIONS: Transitions<ChargebackStatus, ChargebackTransition> = {
  win: { from: [ChargebackStatus.OPENED], to: ChargebackStatus.WON },
  lose: { from: [ChargebackStatus.OPENED], to: ChargebackStatus.LOST },
};

@Entity({ tableName: 'chargeback' })
@Index({ properties: ['merchantId', 'id'] })
@Index({ properties: ['paymentId'] })
@ObjectType({
  description: 'A payer disputed a card payment with their bank: the money is held back from the merchant.',
})
export class Chargeback {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('chb');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  paymentId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  chargeId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: bigint() })
  amountMinor!: bigint;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 12 })
  @Field(() => ChargebackStatus)
  status: ChargebackStatus = ChargebackStatus.OPENED;

  @Property({ type: 'string', length: 300 })
  @Field(() => String, { description: 'Why the payer disputed it, as the processor or the admin said.' })
  reason!: string;

  /** The merchant's and admin's evidence, appended in order. */
  @Property({ type: 'text' })
  @Field(() => String, { description: 'Evidence attached so far (texts appended in order), empty if none.' })
  evidence: string = '';

  /** The processor's dispute, when it reported it: opened once per dispute. */
  @Property({ type: 'string', length: 100, nullable: true, unique: true })
  @Field(() => String, { nullable: true })
  processorDisputeId: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  reportedAt: Date | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  openedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  resolvedAt: Date | null = null;

  /** Left on the merchant's receivable account when it was opened. */
  @Property({ type: bigint() })
  receivableMinor: bigint = 0n;

  @Field(() => Money, { name: 'amount' })
  get amountMoney(): Money {
    return Money.of(this.amountMinor, this.currency);
  }
}

/** Where one payout to a card stands. */
export enum CardPayoutStatus {
  /** Recorded; the processor is being asked (a crash here is found by the reconciliation job). */
  PENDING = 'PENDING',
  /** The processor sent the money. */
  SUCCEEDED = 'SUCCEEDED',
  /** The processor refused (or never saw the attempt): nothing was sent. */
  FAILED = 'FAILED',
  /** No answer (timeout): the reconciliation job asks the processor (`lookup`) and moves it on. */
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(CardPayoutStatus, {
  name: 'CardPayoutStatus',
  description:
    'PENDING (asking the processor) → SUCCEEDED (money sent to the card) or FAILED (refused; nothing sent). ' +
    'UNKNOWN: no answer; the reconciliation job asks the processor what happened. SUCCEEDED and FAILED are final.',
});

export type CardPayoutTransition = 'succeed' | 'fail' | 'markUnknown';

export const CARD_PAYOUT_TRANSITIONS: Transitions<CardPayoutStatus, CardPayoutTransition> = {
  succeed: { from: [CardPayoutStatus.PENDING, CardPayoutStatus.UNKNOWN], to: CardPayoutStatus.SUCCEEDED },
  fail: { from: [CardPayoutStatus.PENDING, CardPayoutStatus.UNKNOWN], to: CardPayoutStatus.FAILED },
  markUnknown: { from: [CardPayoutStatus.PENDING], to: CardPayoutStatus.UNKNOWN },
};

/**
 * One payout to a card: the processor's `payout` call for one withdrawal, recorded before it is made under our
 * idempotency key (`<withdrawal id>:payout`), once per withdrawal (unique): a retry is the same attempt.
 */
@Entity({ tableName: 'card_payout' })
@Index({ properties: ['status', 'createdAt'] })
@ObjectType({ description: 'One payout sent to a card through the card processor, for one withdrawal.' })
export class CardPayout {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "cpo_".' })
  id: string = newId('cpo');

  /** The withdrawal it pays: one attempt per withdrawal. */
  @Property({ type: 'string', length: 40, unique: true })
  @Field(() => ID)
  withdrawalId!: string;

  @Property({ type: 'string', length: 40 })
  @Index()
  merchantId!: string;

  @Property({ type: 'string', length: 40 })
  tokenId!: string;

  @Property({ type: 'string', length: 40 })
  processor!: string;

  /** The key the processor knows the attempt by. */
  @Property({ type: 'string', length: 255, unique: true })
  @Field(() => String)
  idempotencyKey!: string;

  /** What is sent to the card (the withdrawal less its fee). */
  @Property({ type: bigint() })
  amountMinor!: bigint;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 12 })
  @Field(() => CardPayoutStatus)
  status: CardPayoutStatus = CardPayoutStatus.PENDING;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => CardOutcome, { nullable: true, description: 'What the processor said; null while pending.' })
  outcome: CardOutcome | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'The processor’s reference of the payout.' })
  processorReference: string | null = null;

  @Property({ type: 'string', length: 30, nullable: true })
  @Field(() => CardDeclineCode, { nullable: true })
  declineCode: CardDeclineCode | null = null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'How long the call took, in milliseconds.' })
  durationMs: number | null = null;

  /** True when the answer came from the reconciliation job's `lookup`. */
  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'The answer came from reconciliation (the call itself went unanswered).' })
  reconciled: boolean = false;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  answeredAt: Date | null = null;

  @Field(() => Money, { name: 'amount', description: 'What is sent to the card.' })
  get amountMoney(): Money {
    return Money.of(this.amountMinor, this.currency);
  }
}
