import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { bigint } from '../../common/orm';
import type { Transitions } from '../../common/state-machine';

/** What a payment buys. Every product creates its payments through the payment service, so all of them look alike. */
export enum PaymentKind {
  PURSE = 'PURSE',
  VOUCHER = 'VOUCHER',
  ACCESS_CODE = 'ACCESS_CODE',
  STORE_ORDER = 'STORE_ORDER',
  TOP_UP = 'TOP_UP',
  CARD = 'CARD',
}
registerEnumType(PaymentKind, {
  name: 'PaymentKind',
  description: 'The product a payment belongs to: purse, voucher, access code, store order, balance top-up, card.',
});

/**
 * Where a payment stands. OPEN and PARTIALLY_PAID take money; PAID, CANCELLED, EXPIRED and REFUNDED are final except
 * that a PAID payment may still be refunded.
 */
export enum PaymentStatus {
  OPEN = 'OPEN',
  PARTIALLY_PAID = 'PARTIALLY_PAID',
  PAID = 'PAID',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
  REFUNDED = 'REFUNDED',
}
registerEnumType(PaymentStatus, {
  name: 'PaymentStatus',
  description:
    'OPEN (waiting for money) → PARTIALLY_PAID (some received, e.g. 1 SMS of 3) → PAID. OPEN or PARTIALLY_PAID → ' +
    'CANCELLED; OPEN → EXPIRED; PAID → REFUNDED. CANCELLED, EXPIRED and REFUNDED are final.',
});

export type PaymentTransition = 'markPartiallyPaid' | 'markPaid' | 'cancel' | 'expire' | 'refund';

/**
 * The only ways a payment's status changes. `markPartiallyPaid` may repeat (each further SMS of a multi-SMS payment).
 * A partly paid payment does not expire on its own: the payer has money in it (seed V8: no time limit); a product
 * that must give up on it cancels it and settles what was received.
 */
export const PAYMENT_TRANSITIONS: Transitions<PaymentStatus, PaymentTransition> = {
  markPartiallyPaid: { from: [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID], to: PaymentStatus.PARTIALLY_PAID },
  markPaid: { from: [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID], to: PaymentStatus.PAID },
  cancel: { from: [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID], to: PaymentStatus.CANCELLED },
  expire: { from: [PaymentStatus.OPEN], to: PaymentStatus.EXPIRED },
  refund: { from: [PaymentStatus.PAID], to: PaymentStatus.REFUNDED },
};

@Entity({ tableName: 'payment' })
// A merchant's list, newest first (ids sort by time), and lookups by the merchant's order id.
@Index({ properties: ['merchantId', 'id'] })
@Index({ properties: ['merchantId', 'externalId'] })
// For expiry sweeps: open payments past their time.
@Index({ properties: ['status', 'expiresAt'] })
@ObjectType({
  description:
    'One payment of any product (purse, voucher, access code, store order, top-up, card): the "transaction" a ' +
    'merchant sees. Its status changes only through named transitions.',
})
export class Payment {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('pay');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  // Enums are plain string columns, checked in code: SQLite check constraints are invisible to schema diffs.
  @Property({ type: 'string', length: 20 })
  @Field(() => PaymentKind)
  kind!: PaymentKind;

  @Property({ type: 'string', length: 20 })
  @Field(() => PaymentStatus)
  status: PaymentStatus = PaymentStatus.OPEN;

  /** Price in minor units of `currency`. */
  @Property({ type: bigint() })
  amount!: bigint;

  /** What has arrived so far, in minor units; may exceed `amount` when the cheapest SMS set overshoots the price. */
  @Property({ type: bigint() })
  amountReceived: bigint = 0n;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /**
   * What the payer types into an SMS. Public and short, so not a secret: the payer's page is addressed by
   * `pageToken` instead. Unique for ever (payments have no time limit), enforced by the index.
   */
  @Property({ type: 'string', length: 12, unique: true })
  @Field(() => String, { description: 'Short public code the payer quotes in an SMS, e.g. "K7M2XR9D".' })
  reference!: string;

  /** 160 random bits; whoever holds it sees the payer's page, so it is never listed, logged or audited. */
  @Property({ type: 'string', length: 64, unique: true, hidden: true })
  pageToken!: string;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'The payer\'s phone in international form, e.g. "+359888123456".',
  })
  payerPhone: string | null = null;

  @Property({ type: 'string', length: 2, nullable: true })
  @Field(() => String, { nullable: true, description: "The payer's country (ISO 3166-1 alpha-2), once known." })
  payerCountry: string | null = null;

  @Property({ type: 'string', length: 255 })
  @Field(() => String, { description: 'What is paid for, shown to the payer; up to 255 characters.' })
  description!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: "The merchant's own id for this payment (its order id)." })
  externalId: string | null = null;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'Free-form data the merchant attached; returned as given.' })
  metadata: Record<string, unknown> = {};

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When the status or the amount received last changed.' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  paidAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'After this an unpaid payment may expire; null: never.' })
  expiresAt: Date | null = null;

  // The money breakdown, in minor units of `currency`, kept by settlement as it posts (payment.settlement.ts):
  // gross − operator share − platform fee (+ the net of payer credit spent) = net, the merchant's part.
  /** What payers paid for this payment (each counted SMS's price). */
  @Property({ type: bigint() })
  grossMinor: bigint = 0n;

  /** The mobile operators' part of the gross. */
  @Property({ type: bigint() })
  operatorShareMinor: bigint = 0n;

  /** Tollgate's fee out of the gross. */
  @Property({ type: bigint() })
  platformFeeMinor: bigint = 0n;

  /** Payer credit (from earlier SMS) spent on this payment, as it counted towards the amount (payer's view). */
  @Property({ type: bigint() })
  creditMinor: bigint = 0n;

  /** The merchant's part: what settlement booked to the merchant for this payment. */
  @Property({ type: bigint() })
  netMinor: bigint = 0n;

  /**
   * The part of the net card captures booked straight to the merchant (available balance and reserve): the payment's
   * completion releases only the rest, which SMS and payer credit booked as pending (card.settlement.ts).
   */
  @Property({ type: bigint(), defaultRaw: '0' })
  cardNetMinor: bigint = 0n;

  /** What was refunded to the payer so far (card refunds); never more than its card captures. */
  @Property({ type: bigint(), defaultRaw: '0' })
  refundedMinor: bigint = 0n;

  /**
   * Optimistic lock, bumped by the ORM on every update: a concurrent change makes the later flush fail instead of
   * silently overwriting (two SMS crediting one payment). Also orders live updates: subscribers drop older versions.
   */
  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => Money, { name: 'amount', description: 'The price.' })
  get amountMoney(): Money {
    return Money.of(this.amount, this.currency);
  }

  @Field(() => Money, { name: 'amountReceived', description: 'What has arrived so far; may exceed the price.' })
  get amountReceivedMoney(): Money {
    return Money.of(this.amountReceived, this.currency);
  }
}
