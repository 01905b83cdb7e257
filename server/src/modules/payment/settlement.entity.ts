import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { bigint } from '../../common/orm';
import type { Transitions } from '../../common/state-machine';

/*
 * What settlement keeps besides payments: money a billed SMS brought that no payment could take. Such money is
 * never dropped: it becomes the payer's credit with the merchant, or waits in suspense for an admin.
 */

/** AVAILABLE → SPENT (on the same phone's next payment), RELEASED (to the merchant after its period) or REFUNDED. */
export enum PayerCreditStatus {
  AVAILABLE = 'AVAILABLE',
  SPENT = 'SPENT',
  RELEASED = 'RELEASED',
  REFUNDED = 'REFUNDED',
}
registerEnumType(PayerCreditStatus, {
  name: 'PayerCreditStatus',
  description:
    'AVAILABLE (waits for the payer’s next payment from the same phone) → SPENT, RELEASED (unused past its period, ' +
    'to the merchant) or REFUNDED (by an admin, to the payer).',
});

export type PayerCreditTransition = 'spend' | 'release' | 'refund';

export const PAYER_CREDIT_TRANSITIONS: Transitions<PayerCreditStatus, PayerCreditTransition> = {
  spend: { from: [PayerCreditStatus.AVAILABLE], to: PayerCreditStatus.SPENT },
  release: { from: [PayerCreditStatus.AVAILABLE], to: PayerCreditStatus.RELEASED },
  // SPENT → REFUNDED: the payment it was spent on was refunded, and the payer gets that money back too.
  refund: { from: [PayerCreditStatus.AVAILABLE, PayerCreditStatus.SPENT], to: PayerCreditStatus.REFUNDED },
};

/**
 * One SMS's money kept for its payer with one merchant, because the payment it named had stopped taking money. It
 * behaves as that SMS would on the payer's next payment: spent whole, counted as the SMS would have been.
 */
@Entity({ tableName: 'payer_credit' })
// The credit a phone may spend with a merchant, oldest first; the release sweep.
@Index({ properties: ['merchantId', 'phone', 'status'] })
@Index({ properties: ['status', 'releaseAt'] })
@ObjectType({ description: 'Money a payer’s SMS brought after its payment closed, kept for their next payment.' })
export class PayerCredit {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "pcr_".' })
  id: string = newId('pcr');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  /** Only an SMS from this phone arriving on a payment lets the credit be spent on it. */
  @Property({ type: 'string', length: 20 })
  phone!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => PayerCreditStatus)
  status: PayerCreditStatus = PayerCreditStatus.AVAILABLE;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** The money held (the SMS's yield, minor units): what the merchant gets when it is spent or released. */
  @Property({ type: bigint() })
  amountMinor!: bigint;

  /** What the SMS cost its payer; counts towards payments whose amount is the payer's price. */
  @Property({ type: bigint() })
  priceMinor!: bigint;

  /** Each SMS makes at most one credit (I4). */
  @Property({ type: 'string', length: 40, unique: true })
  @Field(() => ID, { description: 'The SMS that brought the money.' })
  sourceSmsId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The closed payment the SMS named.' })
  sourcePaymentId!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The payment it was spent on.' })
  spentPaymentId: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'Unused until then, it is released to the merchant.' })
  releaseAt!: Date;

  @Property({ type: 'string', length: 500, nullable: true })
  @Field(() => String, { nullable: true, description: 'Why an admin refunded it.' })
  note: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => Money, { name: 'amount', description: 'The money held for the payer.' })
  get amount(): Money {
    return Money.of(this.amountMinor, this.currency);
  }
}

/** Why a billed SMS went to suspense. Values only grow. */
export enum SuspenseReason {
  /** Its text named no payment taking money. */
  UNMATCHED = 'UNMATCHED',
  /** No tariff for its short code in its country: its value is unknown. */
  NO_TARIFF = 'NO_TARIFF',
  /** Anti-fraud: sent from another phone than the payment's. */
  PHONE_MISMATCH = 'PHONE_MISMATCH',
  /** Anti-fraud: sent from another country than the payment's. */
  COUNTRY_MISMATCH = 'COUNTRY_MISMATCH',
  /** The payment is in a currency SMS cannot pay. */
  CURRENCY_NOT_SUPPORTED = 'CURRENCY_NOT_SUPPORTED',
  /** The payment was closed and its product takes neither late SMS nor credit. */
  PAYMENT_CLOSED = 'PAYMENT_CLOSED',
  /** The SMSC's sender address could not be read as a phone number: no payer to check or answer. */
  UNREADABLE_PHONE = 'UNREADABLE_PHONE',
}
registerEnumType(SuspenseReason, { name: 'SuspenseReason', description: 'Why a billed SMS waits in suspense.' });

/** OPEN → ATTACHED (counted on a payment), CREDITED (to the payer) or WRITTEN_OFF (with a reason). */
export enum SuspenseStatus {
  OPEN = 'OPEN',
  ATTACHED = 'ATTACHED',
  CREDITED = 'CREDITED',
  WRITTEN_OFF = 'WRITTEN_OFF',
}
registerEnumType(SuspenseStatus, {
  name: 'SuspenseStatus',
  description: 'OPEN (an admin must act) → ATTACHED to a payment, CREDITED to the payer, or WRITTEN_OFF.',
});

export type SuspenseTransition = 'attach' | 'credit' | 'writeOff';

export const SUSPENSE_TRANSITIONS: Transitions<SuspenseStatus, SuspenseTransition> = {
  attach: { from: [SuspenseStatus.OPEN], to: SuspenseStatus.ATTACHED },
  credit: { from: [SuspenseStatus.OPEN], to: SuspenseStatus.CREDITED },
  writeOff: { from: [SuspenseStatus.OPEN], to: SuspenseStatus.WRITTEN_OFF },
};

/**
 * A billed SMS that no payment took: kept, with its money (where its tariff is known) on the SUSPENSE account, until
 * an admin attaches it to a payment, credits it to its payer, or writes it off with a reason.
 */
@Entity({ tableName: 'suspense_item' })
@Unique({ properties: ['smsId'] })
@Index({ properties: ['status', 'id'] })
@ObjectType({ description: 'A billed SMS no payment took, waiting for an admin: never dropped.' })
export class SuspenseItem {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "sus_".' })
  id: string = newId('sus');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The SMS.' })
  smsId!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => SuspenseReason)
  reason!: SuspenseReason;

  @Property({ type: 'string', length: 20 })
  @Field(() => SuspenseStatus)
  status: SuspenseStatus = SuspenseStatus.OPEN;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The merchant of the payment the SMS named, if any.' })
  merchantId: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The payment the SMS named, if any.' })
  paymentId: string | null = null;

  /** The payer's phone, for a credit. */
  @Property({ type: 'string', length: 20 })
  phone!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** The merchant's part held on SUSPENSE (the tariff's yield); null when the tariff is unknown. */
  @Property({ type: bigint(), nullable: true })
  amountMinor: bigint | null = null;

  /** What the SMS cost its payer; null when unknown. */
  @Property({ type: bigint(), nullable: true })
  priceMinor: bigint | null = null;

  /** The operator's part and our fee of the price, booked when it was suspended; null when unknown. */
  @Property({ type: bigint(), nullable: true })
  operatorShareMinor: bigint | null = null;

  @Property({ type: bigint(), nullable: true })
  platformFeeMinor: bigint | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'Where it went: the payment attached to, or the credit made.' })
  resolvedTo: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  @Field(() => String, { nullable: true, description: 'Who resolved it, how and why.' })
  resolution: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => Money, { name: 'amount', nullable: true, description: 'The money held; null when unknown.' })
  get amount(): Money | null {
    return this.amountMinor === null ? null : Money.of(this.amountMinor, this.currency);
  }
}

/** HELD (the money sits on the merchant's MERCHANT_RESERVE) → RELEASED (moved to available on its release date). */
export enum ReserveHoldStatus {
  HELD = 'HELD',
  RELEASED = 'RELEASED',
}
registerEnumType(ReserveHoldStatus, {
  name: 'ReserveHoldStatus',
  description: 'HELD (on the merchant’s reserve until releaseAt) → RELEASED (moved to its available balance).',
});

export type ReserveHoldTransition = 'release';

export const RESERVE_HOLD_TRANSITIONS: Transitions<ReserveHoldStatus, ReserveHoldTransition> = {
  release: { from: [ReserveHoldStatus.HELD], to: ReserveHoldStatus.RELEASED },
};

/**
 * The rolling reserve of one card capture: the share of its net the merchant's fee plan holds back, on the
 * merchant's MERCHANT_RESERVE account until `releaseAt`, when the settlement sweep moves it to available. The reserve
 * account's balance always equals the merchant's held holds (a settlement invariant).
 */
@Entity({ tableName: 'reserve_hold' })
@Index({ properties: ['status', 'releaseAt'] })
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({ description: 'Card money held back by the merchant’s rolling reserve until its release date.' })
export class ReserveHold {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "rsv_".' })
  id: string = newId('rsv');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The payment whose card capture it holds back.' })
  paymentId!: string;

  /** Each capture holds back at most once (I4). */
  @Property({ type: 'string', length: 100, unique: true })
  captureId!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => ReserveHoldStatus)
  status: ReserveHoldStatus = ReserveHoldStatus.HELD;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: bigint() })
  amountMinor!: bigint;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When the sweep releases it to the merchant’s available balance.' })
  releaseAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  releasedAt: Date | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => Money, { name: 'amount', description: 'The money held back.' })
  get amount(): Money {
    return Money.of(this.amountMinor, this.currency);
  }
}
