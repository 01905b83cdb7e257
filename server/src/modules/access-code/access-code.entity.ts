import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { bigint } from '../../common/orm';

/** How long a code stays good (seed A4). Each code keeps the rules it was issued under. */
export enum AccessCodeKind {
  /** Good for `validitySeconds` after it was issued, any number of checks. */
  PERIOD_FROM_ISSUE = 'PERIOD_FROM_ISSUE',
  /** Good for `validitySeconds` after its first successful check; never expires unused. */
  PERIOD_FROM_FIRST_USE = 'PERIOD_FROM_FIRST_USE',
  /** Good for `maxUses` successful checks, no time limit. */
  USES = 'USES',
  /** Both: `maxUses` successful checks, all within `validitySeconds` after issue. */
  USES_AND_PERIOD = 'USES_AND_PERIOD',
}
registerEnumType(AccessCodeKind, {
  name: 'AccessCodeKind',
  description: 'How long a code stays good; every code keeps the rules it was issued under.',
  valuesConfig: {
    PERIOD_FROM_ISSUE: { description: 'validitySeconds after issue, any number of checks.' },
    PERIOD_FROM_FIRST_USE: { description: 'validitySeconds after the first successful check.' },
    USES: { description: 'maxUses successful checks, no time limit.' },
    USES_AND_PERIOD: { description: 'maxUses successful checks, within validitySeconds after issue.' },
  },
});

export const PERIOD_KINDS: readonly AccessCodeKind[] = [
  AccessCodeKind.PERIOD_FROM_ISSUE,
  AccessCodeKind.PERIOD_FROM_FIRST_USE,
  AccessCodeKind.USES_AND_PERIOD,
];
export const USE_KINDS: readonly AccessCodeKind[] = [AccessCodeKind.USES, AccessCodeKind.USES_AND_PERIOD];

/** Which characters codes are drawn from; look-alikes (0 O Q 1 I) are never among them. */
export enum AccessCodeAlphabet {
  DIGITS = 'DIGITS',
  LETTERS = 'LETTERS',
  LETTERS_AND_DIGITS = 'LETTERS_AND_DIGITS',
}
registerEnumType(AccessCodeAlphabet, {
  name: 'AccessCodeAlphabet',
  description: 'Digits 2–9, capital letters without I O Q, or both; the merchant may exclude more look-alikes.',
});

/** Where a code stands, derived from its columns (revoked, then used up, then expired). */
export enum AccessCodeStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  USED_UP = 'USED_UP',
  REVOKED = 'REVOKED',
}
registerEnumType(AccessCodeStatus, {
  name: 'AccessCodeStatus',
  description: 'ACTIVE (admits checks), EXPIRED (its period ended), USED_UP (no uses left), REVOKED (by the merchant).',
});

/** What one check found. PAID admits; EXPIRED and USED_UP go to the expired URL; INVALID and REVOKED to invalid. */
export enum AccessCodeCheckResult {
  PAID = 'PAID',
  EXPIRED = 'EXPIRED',
  USED_UP = 'USED_UP',
  REVOKED = 'REVOKED',
  INVALID = 'INVALID',
  /** Refused before any database query: too many invalid checks from this source. */
  THROTTLED = 'THROTTLED',
  /** A server-to-server check from an address not on the service's allow-list. */
  FORBIDDEN = 'FORBIDDEN',
}
registerEnumType(AccessCodeCheckResult, {
  name: 'AccessCodeCheckResult',
  description:
    'What a check found: PAID; EXPIRED or USED_UP (sent to the expired URL); INVALID or REVOKED (sent to the ' +
    'invalid URL); THROTTLED (refused: too many invalid checks from the source); FORBIDDEN (server-to-server ' +
    'check from an address not allowed).',
});

/** How a check arrived. */
export enum AccessCodeCheckChannel {
  /** `GET /check/<service>`: the payer's browser, answered with a redirect. */
  REDIRECT = 'REDIRECT',
  /** `POST /check/<service>`: the merchant's server, answered with JSON. */
  API = 'API',
  /** The `checkAccessCode` GraphQL query, by API key. */
  GRAPHQL = 'GRAPHQL',
}
registerEnumType(AccessCodeCheckChannel, {
  name: 'AccessCodeCheckChannel',
  description: 'REDIRECT (payer browser, GET), API (merchant server, POST JSON) or GRAPHQL (checkAccessCode).',
});

/**
 * A merchant's access-code product (seed A): an SMS with its keyword to one of its short codes buys a code under
 * these rules; `/check/<id>` sends payers to the paid, expired or invalid URL.
 */
@Entity({ tableName: 'access_code_service' })
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({
  description:
    'An access-code service: an SMS with its keyword to one of its short codes buys a code, which the check URL ' +
    "turns into a redirect to the merchant's paid, expired or invalid page.",
})
export class AccessCodeService {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "acs_"; also the last part of the check URL.' })
  id: string = newId('acs');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'The merchant\'s name for it, also used in replies, e.g. "Premium articles".' })
  name!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: 'The first word of the SMS, upper-case, e.g. "NEWS".' })
  keyword!: string;

  @Property({ type: 'json' })
  @Field(() => [String], { description: 'Short codes the SMS may be sent to, e.g. ["1096"].' })
  shortCodes: string[] = [];

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The reply SMS, with {code}, {expires} and {uses}; always fits one SMS.' })
  replyTemplate!: string;

  @Property({ type: 'string', length: 30 })
  @Field(() => AccessCodeKind)
  kind!: AccessCodeKind;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'The period, in seconds, for kinds with one.' })
  validitySeconds: number | null = null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Successful checks each code admits, for kinds with uses.' })
  maxUses: number | null = null;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Characters per code, 4 to 32.' })
  codeLength!: number;

  @Property({ type: 'string', length: 20 })
  @Field(() => AccessCodeAlphabet)
  alphabet!: AccessCodeAlphabet;

  @Property({ type: 'string', length: 40 })
  @Field(() => String, { description: 'Further look-alikes the merchant keeps out of codes, e.g. "8B5S".' })
  excludedCharacters: string = '';

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'Where a good code sends the payer, with code, t and sig added.' })
  paidUrl!: string;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'Where an expired or used-up code sends the payer.' })
  expiredUrl!: string;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'Where an unknown or revoked code sends the payer.' })
  invalidUrl!: string;

  @Property({ type: 'json' })
  @Field(() => [String], {
    description: 'Addresses or CIDR ranges allowed to check codes server to server (POST, GraphQL); empty: none.',
  })
  allowedIps: string[] = [];

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Replies one received SMS may get, the code reply and resends together (1–5).' })
  maxRepliesPerSms: number = 1;

  /** HMAC key of the paid redirect's proof. Readable (signing needs it); shown once, then only by audited reveal. */
  @Property({ type: 'string', length: 100, hidden: true })
  secret!: string;

  /**
   * Whether the service also sells codes by card (issue #11): a public page starts a purchase at `cardPriceMinor`, and
   * the code is shown on the payer page and emailed instead of sent by SMS. Off by default.
   */
  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, {
    description:
      'Whether codes are also sold by card (startAccessCodePurchase): shown on the payer page and emailed, never ' +
      'sent by SMS. Off by default; needs cardPrice.',
  })
  acceptsCard: boolean = false;

  /** The price of one code bought by card, in minor units of `cardCurrency`; SMS purchases pay their tariff. */
  @Property({ type: bigint(), nullable: true })
  cardPriceMinor: bigint | null = null;

  @Property({ type: 'string', length: 3, nullable: true })
  cardCurrency: string | null = null;

  /** The price of a code bought by card, or null when none is set. */
  @Field(() => Money, { nullable: true, name: 'cardPrice', description: 'What one code costs by card.' })
  get cardPrice(): Money | null {
    return this.cardPriceMinor !== null && this.cardCurrency ? Money.of(this.cardPriceMinor, this.cardCurrency) : null;
  }

  /** The last flood alert (many invalid checks in a minute); at most one per hour. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When many invalid checks last raised an alert.' })
  floodAlertedAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Invalid checks in the minute that raised the last alert.' })
  floodAlertChecks: number | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  /** Deleted services stay as rows for their codes' history; they take no SMS and answer no checks. */
  @Property({ type: 'datetime', nullable: true })
  deletedAt: Date | null = null;
}

/**
 * One (keyword, short code) a service answers. A row per pair so the unique index, not a pre-check, guarantees
 * that two services (of any merchants) never claim the same SMS.
 */
@Entity({ tableName: 'access_code_route' })
@Unique({ properties: ['keyword', 'shortCode'] })
@Index({ properties: ['serviceId'] })
export class AccessCodeRoute {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('acr');

  @Property({ type: 'string', length: 20 })
  keyword!: string;

  @Property({ type: 'string', length: 15 })
  shortCode!: string;

  @Property({ type: 'string', length: 40 })
  serviceId!: string;
}

/**
 * An issued code. The value is stored sealed (AES-256-GCM) and found by a keyed hash (`lookup`), so a copy of the
 * table alone reveals no codes; the dashboard opens the seal to show them (seed A3). The rules are copied from the
 * service at issue, so later edits never change a code already sold.
 */
@Entity({ tableName: 'access_code' })
// Unique among the service's codes that still answer to their value; a dead code's lookup is cleared (retired) when
// its value is drawn again, so only live codes hold values.
@Unique({ properties: ['serviceId', 'lookup'] })
@Index({ properties: ['serviceId', 'id'] })
@Index({ properties: ['smsId'] })
@ObjectType({ description: 'A code sold by SMS or by card: what it admits, and how much of it is left.' })
export class AccessCode {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "acc_"; not the code itself.' })
  id: string = newId('acc');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  serviceId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The ACCESS_CODE payment that bought it.' })
  paymentId!: string;

  /** Null for a code bought by card (AccessCodePurchase). */
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The SMS that bought it; null when it was bought by card.' })
  smsId: string | null = null;

  /** HMAC-SHA256 of "<serviceId>:<code>" under a server key; null once retired (its value was issued again). */
  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  lookup: string | null = null;

  /** The code, sealed with AES-256-GCM under a server key (see access-code.crypto.ts). */
  @Property({ type: 'string', length: 200, hidden: true })
  sealed!: string;

  @Property({ type: 'string', length: 30 })
  @Field(() => AccessCodeKind)
  kind!: AccessCodeKind;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  validitySeconds: number | null = null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  maxUses: number | null = null;

  /** Null: uses are not limited. Decremented with `uses` by the one conditional UPDATE that admits a check. */
  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Successful checks left; null when uses are not limited.' })
  usesLeft: number | null = null;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Successful checks so far (for codes without a use limit, a moment behind).' })
  uses: number = 0;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  issuedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  firstUsedAt: Date | null = null;

  /** Null: no time limit yet (uses only, or a first-use period not started). */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it stops admitting; null: no time limit (yet).' })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  revokedAt: Date | null = null;

  /** Replies the buying SMS has had (the code, then resends), bounded by the service's maxRepliesPerSms. */
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Replies the buying SMS has had: the code, then any resends.' })
  repliesSent: number = 0;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

/**
 * One check attempt (seed A3), written in batches off the request path. Throttled attempts from one source in one
 * batch become one row with a count, so a flood costs the database little.
 */
@Entity({ tableName: 'access_code_check' })
@Index({ properties: ['serviceId', 'id'] })
@Index({ properties: ['serviceId', 'checkedAt'] })
@Index({ properties: ['codeId'] })
@ObjectType({ description: 'A check of a code: when, from where, and what it found.' })
export class AccessCodeCheck {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('acx');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  serviceId!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The code it matched, if any.' })
  codeId: string | null = null;

  /** The first two characters typed and the length, e.g. "K7…(8)": enough to recognise a typo, not a code. */
  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, { nullable: true, description: 'A hint of what was typed, e.g. "K7…(8)"; never the code.' })
  input: string | null = null;

  @Property({ type: 'string', length: 12 })
  @Field(() => AccessCodeCheckResult)
  result!: AccessCodeCheckResult;

  @Property({ type: 'string', length: 10 })
  @Field(() => AccessCodeCheckChannel)
  channel!: AccessCodeCheckChannel;

  @Property({ type: 'string', length: 45 })
  @Field(() => String, { description: 'The source address.' })
  ip!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'How many attempts this row stands for (throttled ones are merged).' })
  count: number = 1;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  checkedAt: Date = new Date();
}

/**
 * A purchase of a code by card (issue #11): started on the service's public page with the buyer's email, paid on the
 * payer page; once the card money arrives the code is issued (`codeId`), shown on that page and emailed. The email
 * lives here, not in the payment's metadata, so it never reaches the merchant's webhooks.
 */
@Entity({ tableName: 'access_code_purchase' })
@Index({ properties: ['serviceId', 'id'] })
export class AccessCodePurchase {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('acp');

  @Property({ type: 'string', length: 40, unique: true })
  paymentId!: string;

  @Property({ type: 'string', length: 40 })
  serviceId!: string;

  @Property({ type: 'string', length: 40 })
  merchantId!: string;

  /** Where the code is mailed (checked at the start; the hosted card page may give another, which wins). */
  @Property({ type: 'string', length: 254 })
  email!: string;

  /** The code issued once paid. */
  @Property({ type: 'string', length: 40, nullable: true })
  codeId: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
