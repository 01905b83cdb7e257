import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { bigint } from '../../common/orm';

/** The languages of the payer's pages and the protocol's error pages (seed B7: Russian and English at least). */
export enum PurseLanguage {
  RU = 'RU',
  EN = 'EN',
}
registerEnumType(PurseLanguage, {
  name: 'PurseLanguage',
  description: 'A language of the payment pages: RU (Russian, the protocol’s default) or EN (English).',
});

/**
 * A merchant's SMS purse (seed B, "sms:bank"): the merchant's form posts to `/bank/` with the purse's number and a
 * signature made with its secret code; payers pay by one SMS; the merchant's Result URL hears of every SMS.
 */
@Entity({ tableName: 'purse' })
// A merchant's list, newest first.
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({
  description:
    'An SMS purse (the sms:bank protocol): the merchant’s form posts to /bank/ with `s_purse` = `number`; each SMS ' +
    'paid is reported to the Result URL. The secret code is never a field: createPurse and rotatePurseSecret return ' +
    'it, revealPurseSecret shows it (audited).',
})
export class Purse {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Global id, prefixed "prs_".' })
  id: string = newId('prs');

  /** The protocol's `s_purse` (an int field), drawn from a counter (see purse.numbers.ts); unique for ever. */
  @Property({ type: 'integer', unique: true })
  @Field(() => Int, { description: 'The purse’s number in the protocol: the `s_purse` field of the form.' })
  number!: number;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'The merchant’s name for it; shown to payers.' })
  name!: string;

  /**
   * The secret code both MD5 signatures are made with. Kept readable, not hashed, because signing needs it; never
   * a GraphQL field.
   */
  @Property({ type: 'string', length: 64, hidden: true })
  secret!: string;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'Where the payer returns after paying (POST form with `s_status=1`).' })
  successUrl!: string;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'Where the payer returns after cancelling (POST form with `s_status=0`).' })
  failUrl!: string;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'The merchant’s handler that receives a signed form POST for each paid SMS.' })
  resultUrl!: string;

  /** ISO codes; empty means every country the platform serves. */
  @Property({ type: 'json' })
  @Field(() => [String], {
    description: 'ISO 3166-1 alpha-2 codes of the countries payers may pay from; empty: every country served.',
  })
  countries: string[] = [];

  // Enums are plain string columns, checked in code: SQLite check constraints are invisible to schema diffs.
  @Property({ type: 'string', length: 2 })
  @Field(() => PurseLanguage, { description: 'The pages’ language when the form’s URL names none.' })
  language: PurseLanguage = PurseLanguage.RU;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When the secret code was made or last rotated.' })
  secretChangedAt: Date = new Date();
}

/** One extra field of the merchant's form (seed B2), kept in the order it came. */
@ObjectType('PurseExtraField', { description: 'An extra field of the merchant’s form, returned to it as sent.' })
export class ExtraField {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

/**
 * What a purse adds to a Payment (kind PURSE), one to one by `paymentId`. Every protocol field is kept exactly as it
 * travelled (decoded from the form, never trimmed or reformatted), because the signatures Tollgate sends back are
 * computed over those strings: a merchant that posted `s_amount=2` gets `2`, not `2.00`.
 */
@Entity({ tableName: 'purse_payment' })
@Index({ properties: ['purseId', 'id'] })
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({
  description:
    'A payment opened by a purse’s form: the protocol’s fields exactly as the merchant sent them, beside the ' +
    'Payment they belong to.',
})
export class PursePayment {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Global id, prefixed "ppy_".' })
  id: string = newId('ppy');

  @Property({ type: 'string', length: 40, unique: true })
  @Field(() => ID)
  paymentId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  purseId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  /** `s_purse` as sent (it names the purse by number; kept for the signatures). */
  @Property({ type: 'string', length: 20 })
  purseField!: string;

  /** `s_order_id` as sent. */
  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`s_order_id` as sent.' })
  orderId!: string;

  /** `s_amount` as sent, e.g. "2" or "2.50"; the payment's amount holds its value in cents. */
  @Property({ type: 'string', length: 20 })
  @Field(() => String, { name: 'amountAsSent', description: '`s_amount` as sent, e.g. "2" (USD).' })
  amountField!: string;

  /** `s_clear_amount` as sent: "0" (the amount is the payer's price) or "1" (the merchant's net). */
  @Property({ type: 'string', length: 1 })
  @Field(() => String, {
    description: '`s_clear_amount` as sent: "0", the amount is the payer’s price; "1", it is your net.',
  })
  clearAmount!: string;

  /** `s_description` as sent (up to 127 characters, possibly empty). */
  @Property({ type: 'text' })
  @Field(() => String, { description: '`s_description` as sent (up to 127 characters; may be empty).' })
  description!: string;

  @Property({ type: 'json' })
  @Field(() => [ExtraField], { description: 'The form’s extra fields, in order (seed B2).' })
  extraFields: ExtraField[] = [];

  @Property({ type: 'string', length: 2 })
  @Field(() => PurseLanguage, { description: 'The payer’s pages’ language.' })
  language!: PurseLanguage;

  /** The country the payer chose on the page, then the country the paying SMS came from. */
  @Property({ type: 'string', length: 2, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'The country the payer chose, then the one the paying SMS came from (ISO 3166-1 alpha-2).',
  })
  country: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

/**
 * One paid SMS of a purse payment: the protocol's operation (`s_inv`), reported to the Result URL once. The first
 * SMS that makes the payment PAID is one; each further SMS with the same text is a top-up (seed B8) and another.
 * The unique SMS id makes "one operation, one callback, per SMS" a database rule, not a pre-check.
 */
@Entity({ tableName: 'purse_operation' })
@Index({ properties: ['pursePaymentId', 'id'] })
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({ description: 'One paid SMS of a purse payment: the protocol’s operation, reported to the Result URL.' })
export class PurseOperation {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('pop');

  /** The protocol's `s_inv` (an int field), from a counter; unique for ever. */
  @Property({ type: 'integer', unique: true })
  @Field(() => Int, { description: 'The operation number sent as `s_inv`.' })
  number!: number;

  @Property({ type: 'string', length: 40 })
  purseId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 40 })
  pursePaymentId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  paymentId!: string;

  @Property({ type: 'string', length: 40, unique: true })
  @Field(() => ID, { description: 'The SMS that paid it.' })
  smsId!: string;

  /** `s_phone` as sent: the payer's number in international form without the "+". */
  @Property({ type: 'string', length: 32 })
  phone!: string;

  /** What the SMS counted for, in US cents (the price when `s_clear_amount=0`, else the merchant's yield). */
  @Property({ type: bigint() })
  creditedMinor!: bigint;

  /** The outbox message that delivers the Result URL callback. */
  @Property({ type: 'string', length: 40 })
  callbackMessageId!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

/**
 * Named counters for the protocol's int numbers (`s_purse`, `s_inv`): one row per counter, incremented by a single
 * UPDATE … RETURNING inside the caller's transaction, which works alike on SQLite and PostgreSQL. The unique indexes
 * on the numbered columns are the guarantee; the counter only hands out the next value.
 */
@Entity({ tableName: 'purse_counter' })
export class PurseCounter {
  @PrimaryKey({ type: 'string', length: 40 })
  name!: string;

  @Property({ type: 'integer' })
  value: number = 0;
}
