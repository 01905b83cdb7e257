import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { bigint } from '../../common/orm';
import type { Transitions } from '../../common/state-machine';

/** Vouchers are priced and paid in US dollars: SMS tariffs yield USD (see the SMS rails). */
export const VOUCHER_CURRENCY = 'USD';

/** What one voucher is (seed V1). */
export enum VoucherKind {
  PIN = 'PIN',
  LOGIN = 'LOGIN',
  LINK = 'LINK',
}
registerEnumType(VoucherKind, {
  name: 'VoucherKind',
  description: 'PIN: a code; LOGIN: a login and a password; LINK: an activation link.',
});

/** What the project's price means, and so what each SMS counts for. */
export enum VoucherPricing {
  PRICE = 'PRICE',
  NET = 'NET',
}
registerEnumType(VoucherPricing, {
  name: 'VoucherPricing',
  description:
    "PRICE: the price is what the buyer pays (the SMS' prices must reach it). NET: the price is what the seller " +
    "receives (the SMS' yields must reach it; the buyer pays more, by country).",
});

/** AVAILABLE → RESERVED (a payment holds it) → SOLD, or back to AVAILABLE; AVAILABLE → WITHDRAWN. */
export enum VoucherStatus {
  AVAILABLE = 'AVAILABLE',
  RESERVED = 'RESERVED',
  SOLD = 'SOLD',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(VoucherStatus, {
  name: 'VoucherStatus',
  description:
    'AVAILABLE (in stock) → RESERVED (held by a payment in progress) → SOLD; a reservation that lapses makes it ' +
    'AVAILABLE again. AVAILABLE → WITHDRAWN (taken off sale by the seller).',
});

/**
 * RESERVED: the payment holds a voucher. RELEASED: the reservation lapsed before any SMS arrived; the payment is
 * still open (no time limit, seed V8) and takes a voucher again with its next SMS. SOLD: paid, voucher delivered.
 * UNFULFILLED: money arrived while no voucher was left: kept, flagged for the seller or an admin to resolve (a
 * voucher by hand or a refund). REFUNDED: resolved by a refund.
 */
export enum VoucherOrderState {
  RESERVED = 'RESERVED',
  RELEASED = 'RELEASED',
  SOLD = 'SOLD',
  UNFULFILLED = 'UNFULFILLED',
  REFUNDED = 'REFUNDED',
}
registerEnumType(VoucherOrderState, {
  name: 'VoucherOrderState',
  description:
    'RESERVED: a voucher is held for the payment. RELEASED: the hold lapsed before any SMS arrived (the payment ' +
    "stays open). SOLD: paid and delivered. UNFULFILLED: money arrived but no voucher was left; needs the seller's " +
    "or an admin's resolution. REFUNDED: resolved by a refund.",
});

export type VoucherOrderTransition = 'release' | 'reclaim' | 'runOut' | 'sell' | 'refund';

/**
 * The only ways an order's state changes: the sweep releases a lapsed hold; money arriving on a released order takes
 * a voucher again (reclaim) or finds none (runOut); a resolution assigns one (reclaim) or refunds; the payment
 * becoming paid sells the voucher held.
 */
export const VOUCHER_ORDER_TRANSITIONS: Transitions<VoucherOrderState, VoucherOrderTransition> = {
  release: { from: [VoucherOrderState.RESERVED], to: VoucherOrderState.RELEASED },
  reclaim: { from: [VoucherOrderState.RELEASED, VoucherOrderState.UNFULFILLED], to: VoucherOrderState.RESERVED },
  runOut: { from: [VoucherOrderState.RELEASED, VoucherOrderState.UNFULFILLED], to: VoucherOrderState.UNFULFILLED },
  sell: { from: [VoucherOrderState.RESERVED], to: VoucherOrderState.SOLD },
  refund: { from: [VoucherOrderState.UNFULFILLED], to: VoucherOrderState.REFUNDED },
};

@Entity({ tableName: 'voucher_project' })
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({ description: "A seller's voucher shop: what is sold, at what price, where, and its public page." })
export class VoucherProject {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "vpr_".' })
  id: string = newId('vpr');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String)
  name!: string;

  /** Public and global: the buyer's page is /p/<slug>. */
  @Property({ type: 'string', length: 40, unique: true })
  @Field(() => String, { description: 'The public page is /p/<slug>; lower-case letters, digits and dashes.' })
  slug!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  description: string = '';

  @Property({ type: 'string', length: 500, nullable: true })
  @Field(() => String, { nullable: true, description: 'An http(s) URL of the logo shown on the public page.' })
  logoUrl: string | null = null;

  /** US cents. */
  @Property({ type: bigint() })
  priceMinor!: bigint;

  @Property({ type: 'string', length: 10 })
  @Field(() => VoucherPricing)
  pricing: VoucherPricing = VoucherPricing.PRICE;

  /** ISO codes the seller serves; empty: every country whose tariffs can pay the price. */
  @Property({ type: 'json' })
  @Field(() => [String], { description: 'Countries served (ISO codes); empty: every country that can pay.' })
  countries: string[] = [];

  @Property({ type: 'string', length: 10 })
  @Field(() => VoucherKind)
  kind: VoucherKind = VoucherKind.PIN;

  /** Paused projects take no new payment; open payments go on. */
  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Whether the public page takes new payments.' })
  active: boolean = true;

  @Property({ type: 'integer' })
  @Field(() => Int, {
    description: 'How long a voucher stays reserved for a payment that has received no SMS yet, in minutes.',
  })
  reservationMinutes: number = 24 * 60;

  /**
   * Whether buyers may pay by card too (issue #11): on the shop page, or to finish a payment partly paid by SMS. Off
   * by default: the seller turns it on.
   */
  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, {
    description:
      'Whether buyers may pay by card as well as by SMS (also the rest of a payment partly paid by SMS). Off by default.',
  })
  acceptsCard: boolean = false;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Field(() => Money, { name: 'price', description: 'The price in USD (see pricing).' })
  get price(): Money {
    return Money.of(this.priceMinor, VOUCHER_CURRENCY);
  }
}

/**
 * One voucher of a project's stock. Its secrets (code, password) are never GraphQL fields of this type, never
 * audited; only the buyer who paid sees them (VoucherPurchase.voucher).
 */
@Entity({ tableName: 'voucher' })
// Duplicates within a project are refused by this index (the code's hash: links may be long).
@Unique({ properties: ['projectId', 'codeHash'] })
// The claim's inner select: a project's available vouchers, oldest first.
@Index({ properties: ['projectId', 'status', 'id'] })
@ObjectType({ description: "A voucher of a project's stock. Its secret is shown only to the buyer who paid for it." })
export class Voucher {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "vch_".' })
  id: string = newId('vch');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  projectId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  /** The PIN, the login, or the activation link. */
  @Property({ type: 'text', hidden: true })
  code!: string;

  /** LOGIN vouchers only. */
  @Property({ type: 'text', nullable: true, hidden: true })
  password: string | null = null;

  /** SHA-256 (hex) of the code: what "duplicate" means, and a short indexable key for long links. */
  @Property({ type: 'string', length: 64, hidden: true })
  codeHash!: string;

  @Property({ type: 'string', length: 12 })
  @Field(() => VoucherStatus)
  status: VoucherStatus = VoucherStatus.AVAILABLE;

  /**
   * The payment holding (RESERVED) or having bought (SOLD) it. Unique: a payment never holds two vouchers, whatever
   * races; NULLs (available stock) do not collide on either dialect.
   */
  @Property({ type: 'string', length: 40, nullable: true, unique: true })
  @Field(() => ID, { nullable: true })
  paymentId: string | null = null;

  /** Set when the platform bought this voucher up front (V10): its sale then credits the platform. */
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The prepaid block it belongs to, if the platform bought it.' })
  prepaidBlockId: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  reservedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  soldAt: Date | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}

export interface InstructionSnapshot {
  shortCode: string;
  count: number;
  /** What one SMS counts for when the instruction was made (US cents). */
  value: number;
  /** The highest local price among the operators' rows, minor units of `currency`. */
  priceMinor: string;
  currency: string;
  priceUsdMinor: string;
}

/**
 * One buyer's attempt to buy a voucher of a project: the link between the payment (which takes the SMS) and the
 * voucher it holds. The voucher itself records the holding payment (voucher.paymentId), the single source of truth.
 */
@Entity({ tableName: 'voucher_order' })
@Index({ properties: ['projectId', 'id'] })
@Index({ properties: ['merchantId', 'id'] })
// The reservation sweep: held reservations past their time.
@Index({ properties: ['state', 'reservationExpiresAt'] })
// The reservation cap: a source's unpaid reservations in one shop.
@Index({ properties: ['buyerSource', 'projectId'] })
@ObjectType('VoucherOrder', {
  description: "A buyer's purchase of one voucher: its payment, what the buyer was asked to send, where it stands.",
})
export class VoucherOrder {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "vor_".' })
  id: string = newId('vor');

  @Property({ type: 'string', length: 40, unique: true })
  @Field(() => ID)
  paymentId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  projectId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  /** Null for a payment started to be paid by card (no SMS instruction); the first SMS, if any, fixes it then. */
  @Property({ type: 'string', length: 2, nullable: true })
  @Field(() => String, {
    nullable: true,
    description:
      'The country the buyer chose; SMS from elsewhere are not counted. Null when the payment was started to be paid ' +
      'by card (no SMS instruction).',
  })
  country: string | null = null;

  /** The project's pricing when the order was made: what each SMS counts for. */
  @Property({ type: 'string', length: 10 })
  @Field(() => VoucherPricing)
  pricing!: VoucherPricing;

  /** The instruction the buyer was given, kept so it does not change under them when tariffs do. */
  @Property({ type: 'json' })
  instruction: InstructionSnapshot[] = [];

  @Property({ type: 'string', length: 12 })
  @Field(() => VoucherOrderState)
  state: VoucherOrderState = VoucherOrderState.RESERVED;

  /** While no SMS has been counted: when the reservation lapses. Null once one has: it then holds for ever. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the reservation lapses unless an SMS arrives first.' })
  reservationExpiresAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'How an unfulfilled order was resolved, and by whom.' })
  resolution: string | null = null;

  /**
   * Where the buyer started from (an IPv4 address, an IPv6 /64), for the cap on one source's unpaid reservations;
   * not in the API. Null for orders from before the cap.
   */
  @Property({ type: 'string', length: 45, nullable: true })
  buyerSource: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}

/** A buyer's message to the seller from the public page (seed V9). */
@Entity({ tableName: 'voucher_feedback' })
@Index({ properties: ['projectId', 'id'] })
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({ description: "A buyer's message to the seller, sent from the project's public page." })
export class VoucherFeedback {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('vfb');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  projectId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  /** The payment the buyer named, when it belongs to this project. */
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true })
  paymentId: string | null = null;

  @Property({ type: 'string', length: 12, nullable: true })
  @Field(() => String, { nullable: true, description: 'The payment number the buyer gave, if any.' })
  paymentReference: string | null = null;

  @Property({ type: 'text' })
  @Field(() => String)
  message!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true, description: 'How the buyer asks to be answered (email or phone), if given.' })
  contact: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

/** Seed V10: the platform bought `count` vouchers of a project up front and paid the seller at once. */
@Entity({ tableName: 'voucher_prepaid_block' })
@Index({ properties: ['projectId', 'id'] })
@ObjectType({ description: 'Vouchers the platform bought up front (prepaid settlement): the seller was paid at once.' })
export class VoucherPrepaidBlock {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('vpb');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  projectId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  count!: number;

  /** What the platform paid per voucher, US cents. */
  @Property({ type: bigint() })
  unitPriceMinor!: bigint;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The ledger transfer that paid the seller.' })
  transferId!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Field(() => Money, { name: 'unitPrice' })
  get unitPrice(): Money {
    return Money.of(this.unitPriceMinor, VOUCHER_CURRENCY);
  }

  @Field(() => Money, { name: 'total', description: 'What the seller was paid.' })
  get total(): Money {
    return Money.of(this.unitPriceMinor * BigInt(this.count), VOUCHER_CURRENCY);
  }
}
