import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { bigint } from '../../common/orm';
import type { Transitions } from '../../common/state-machine';

export enum SmsDirection {
  IN = 'IN',
  OUT = 'OUT',
}
registerEnumType(SmsDirection, {
  name: 'SmsDirection',
  description: 'IN: from a payer to one of our short codes; OUT: a reply from a short code to a payer.',
});

/**
 * Inbound: RECEIVED (stored, not yet processed) → COUNTED (attached to a payment and credited), CREDITED (its payment
 * had closed: the money became the payer's credit), FLAGGED (kept but not counted, see flagReason; its money waits in
 * suspense) or UNMATCHED (its text names no payment taking money; in suspense too). Outbound: QUEUED → SENT (the
 * channel took it) → DELIVERED or FAILED (delivery receipt, or the outbox gave up).
 */
export enum SmsStatus {
  RECEIVED = 'RECEIVED',
  COUNTED = 'COUNTED',
  CREDITED = 'CREDITED',
  FLAGGED = 'FLAGGED',
  UNMATCHED = 'UNMATCHED',
  QUEUED = 'QUEUED',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(SmsStatus, {
  name: 'SmsStatus',
  description:
    'Inbound: RECEIVED (stored, being processed) → COUNTED, CREDITED (payment closed: kept as payer credit), ' +
    'FLAGGED (kept, not counted) or UNMATCHED (no payment); an admin may resolve FLAGGED and UNMATCHED ones. ' +
    'Outbound: QUEUED → SENT → DELIVERED or FAILED.',
});

export type SmsTransition = 'count' | 'credit' | 'flag' | 'unmatch' | 'attach' | 'send' | 'deliver' | 'fail';

/**
 * The only ways an SMS's status changes. `attach` and `credit` from FLAGGED or UNMATCHED are an admin resolving a
 * suspended SMS. Outbound changes run as conditional updates whose WHERE is the transition's `from`.
 */
export const SMS_TRANSITIONS: Transitions<SmsStatus, SmsTransition> = {
  count: { from: [SmsStatus.RECEIVED], to: SmsStatus.COUNTED },
  credit: { from: [SmsStatus.RECEIVED, SmsStatus.FLAGGED, SmsStatus.UNMATCHED], to: SmsStatus.CREDITED },
  flag: { from: [SmsStatus.RECEIVED], to: SmsStatus.FLAGGED },
  unmatch: { from: [SmsStatus.RECEIVED], to: SmsStatus.UNMATCHED },
  attach: { from: [SmsStatus.FLAGGED, SmsStatus.UNMATCHED], to: SmsStatus.COUNTED },
  send: { from: [SmsStatus.QUEUED], to: SmsStatus.SENT },
  deliver: { from: [SmsStatus.QUEUED, SmsStatus.SENT], to: SmsStatus.DELIVERED },
  fail: { from: [SmsStatus.QUEUED, SmsStatus.SENT], to: SmsStatus.FAILED },
};

/** Why an inbound SMS was kept but not counted. Values only grow. */
export enum SmsFlag {
  /** Anti-fraud (seed V6): the payment's SMS come from another phone number. */
  PHONE_MISMATCH = 'PHONE_MISMATCH',
  /** Anti-fraud (seed V6): the payment's SMS come from another country. */
  COUNTRY_MISMATCH = 'COUNTRY_MISMATCH',
  /** No active tariff for the short code in the SMS's country (and operator). */
  NO_TARIFF = 'NO_TARIFF',
  /** The payment stopped taking money (paid, cancelled, expired) before this SMS was counted. */
  PAYMENT_CLOSED = 'PAYMENT_CLOSED',
  /** SMS yield US dollars; a payment in another currency cannot be credited by SMS. */
  CURRENCY_NOT_SUPPORTED = 'CURRENCY_NOT_SUPPORTED',
}
registerEnumType(SmsFlag, {
  name: 'SmsFlag',
  description: 'Why an SMS was kept but not counted. Values only grow.',
  valuesConfig: {
    PHONE_MISMATCH: { description: "Sent from a number other than the payment's first (anti-fraud)." },
    COUNTRY_MISMATCH: { description: "Sent from a country other than the payment's first (anti-fraud)." },
    NO_TARIFF: { description: 'No tariff for this short code in the country: its value is unknown.' },
    PAYMENT_CLOSED: { description: 'The payment no longer took money when the SMS was processed.' },
    CURRENCY_NOT_SUPPORTED: { description: 'The payment is not in USD, the currency SMS yield.' },
  },
});

/**
 * One SMS, in or out. Inbound SMS are stored before anything else happens (an acknowledged SMS is never lost), then
 * processed once: `processedAt` is claimed by a conditional update, so redeliveries and retries count it once.
 */
@Entity({ tableName: 'sms_message' })
// At most one row per provider message: a redelivered SMS finds its first copy. Direction is part of the key because
// a link numbers what it delivers and what it accepts independently.
@Unique({ properties: ['direction', 'provider', 'providerMessageId'] })
// A merchant's feed, newest first; a payment's lines; a simulator phone's conversation.
@Index({ properties: ['merchantId', 'id'] })
@Index({ properties: ['paymentId', 'id'] })
@Index({ properties: ['status', 'id'] })
@Index({ properties: ['provider', 'fromNumber'] })
@Index({ properties: ['provider', 'toNumber'] })
@ObjectType('SmsMessage', {
  description:
    'An SMS from a payer to a short code, or a reply. Inbound ones carry what they were counted for; flagged ones ' +
    'were kept but not counted.',
})
export class SmsMessage {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "sms_".' })
  id: string = newId('sms');

  @Property({ type: 'string', length: 3 })
  @Field(() => SmsDirection, { description: 'IN: from a payer; OUT: a reply to a payer.' })
  direction!: SmsDirection;

  @Property({ type: 'string', length: 60 })
  @Field(() => String, { description: "The link it travelled on: 'http:<aggregator>', 'smpp:<smsc>', 'simulator'." })
  provider!: string;

  /** Inbound: the provider's id (unique per provider). Outbound: the id the channel gave it, once sent. */
  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: "The provider's id of the message (outbound: once sent)." })
  providerMessageId: string | null = null;

  /** Inbound: the payer's phone; outbound: the short code. Exposed through a resolver that masks it for merchants. */
  @Property({ type: 'string', length: 32 })
  fromNumber!: string;

  /** Inbound: the short code; outbound: the payer's phone. */
  @Property({ type: 'string', length: 32 })
  toNumber!: string;

  /** A reply that carries a secret (an access code) holds SMS_SECRET_MASK where it goes; see secretRef. */
  @Property({ type: 'text' })
  @Field(() => String, {
    description: 'The text as received or sent; a secret in a reply (an access code) shows as "••••••".',
  })
  text!: string;

  /**
   * Outbound: the secret the reply carries, as "<kind>:<id>" (e.g. the access code's id), put in place of the mask
   * only when the reply is sent, so the clear code is never stored here (it stays sealed where it lives).
   */
  @Property({ type: 'string', length: 80, nullable: true })
  secretRef: string | null = null;

  @Property({ type: 'string', length: 2, nullable: true })
  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2 country of the payer's operator." })
  country: string | null = null;

  @Property({ type: 'string', length: 60, nullable: true })
  @Field(() => String, { nullable: true, description: "The payer's mobile operator, when the provider said." })
  operator: string | null = null;

  @Property({ type: 'string', length: 12 })
  @Field(() => SmsStatus, { description: 'Where it stands (see SmsStatus).' })
  status!: SmsStatus;

  @Property({ type: 'string', length: 30, nullable: true })
  @Field(() => SmsFlag, { nullable: true, description: 'Why it was not counted; null when counted or outbound.' })
  flagReason: SmsFlag | null = null;

  /** Null until attached (unmatched inbound SMS belong to nobody, and only admins see them). */
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The merchant whose payment it belongs to.' })
  merchantId: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The payment it was attached to (or, for a reply, is about).' })
  paymentId: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => String, { nullable: true, description: 'The product that recognised its text, e.g. "payment".' })
  product: string | null = null;

  /** The tariff row it was valued by (null: none found, or not looked up). */
  @Property({ type: 'string', length: 40, nullable: true })
  tariffId: string | null = null;

  /** What the payer was charged, in US cents, by the tariff. */
  @Property({ type: bigint(), nullable: true })
  priceUsdMinor: bigint | null = null;

  /** What the merchant gets, in US cents, by the tariff. */
  @Property({ type: bigint(), nullable: true })
  yieldUsdMinor: bigint | null = null;

  @Property({ type: bigint(), nullable: true })
  operatorShareUsdMinor: bigint | null = null;

  @Property({ type: bigint(), nullable: true })
  platformFeeUsdMinor: bigint | null = null;

  /** What it added to the payment's amountReceived, in minor units of the payment's currency (USD); null: nothing. */
  @Property({ type: bigint(), nullable: true })
  creditedMinor: bigint | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The ledger transfer that booked its money, if counted.' })
  ledgerTransferId: string | null = null;

  /** Outbound: the inbound SMS it answers. */
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'For a reply: the SMS it answers.' })
  inReplyToId: string | null = null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Outbound: why the last send attempt failed.' })
  lastError: string | null = null;

  /** When the provider says the SMS reached it (inbound), or when we created the reply (outbound). */
  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'Inbound: when the provider received it; outbound: when the reply was queued.' })
  receivedAt: Date = new Date();

  /** Set (claimed) by the one transaction that processes an inbound SMS. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'Inbound: when it was matched and counted (or flagged).' })
  processedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'Outbound: when the channel accepted it.' })
  sentAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'Outbound: when a receipt said it reached the phone.' })
  deliveredAt: Date | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When Tollgate stored it.' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When its status last changed.' })
  updatedAt: Date = new Date();
}
