import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

export enum ConfirmationStatus {
  /** Sent, not used yet; usable until it expires. */
  PENDING = 'PENDING',
  /** Used once: it confirmed what it was sent for. */
  USED = 'USED',
  /** A newer code was sent for the same request. */
  REVOKED = 'REVOKED',
  /** Too many wrong guesses: a new code must be asked for. */
  LOCKED = 'LOCKED',
}
registerEnumType(ConfirmationStatus, { name: 'ConfirmationStatus', description: 'Where a confirmation code stands.' });

/**
 * A one-time code emailed to a merchant's owner to confirm one request (a payout destination, a withdrawal): it is
 * tied to that request by `purpose` and `targetId`, used at most once, dead after ten minutes or five wrong guesses.
 * The code itself is never stored in clear: `codeHash` (an HMAC under a server key) checks a guess, `seal` (AES-GCM)
 * lets the mail render it at sending, and is wiped once the code is used or replaced.
 */
@Entity({ tableName: 'confirmation_code' })
@Index({ properties: ['purpose', 'targetId'] })
@ObjectType('Confirmation', {
  description: 'A confirmation code was emailed to the merchant’s owner; type it into the confirming mutation.',
})
export class ConfirmationCode {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "cfc_".' })
  id: string = newId('cfc');

  @Index()
  @Property({ type: 'string', length: 40 })
  merchantId!: string;

  /** What kind of request it confirms, e.g. "payout-destination", "withdrawal". */
  @Property({ type: 'string', length: 40 })
  @Field(() => String, { description: 'What kind of request it confirms, e.g. "withdrawal".' })
  purpose!: string;

  /** The request it confirms (a destination's or a withdrawal's id). */
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The id of the request it confirms.' })
  targetId!: string;

  /** The owner it was sent to. */
  @Property({ type: 'string', length: 40 })
  userId!: string;

  @Property({ type: 'string', length: 320 })
  email!: string;

  /** Hex HMAC-SHA256 of "<id>:<purpose>:<targetId>:<code>" under a key derived from SESSION_SECRET. */
  @Property({ type: 'string', length: 64, hidden: true })
  codeHash!: string;

  /** The code sealed for the mail (AES-256-GCM); null once used, replaced or locked. */
  @Property({ type: 'string', length: 200, nullable: true, hidden: true })
  seal: string | null = null;

  // A plain string column: SQLite's check constraints are invisible to schema diffs, so enums are checked in code.
  @Property({ type: 'string', length: 10 })
  @Field(() => ConfirmationStatus)
  status: ConfirmationStatus = ConfirmationStatus.PENDING;

  /** Wrong guesses so far; at MAX_ATTEMPTS the code is LOCKED. */
  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'The code is refused after this (ten minutes after it was sent).' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
