import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { newId } from '../../common/ids';

/** How the parts of one concatenated SMS went on to the SMS pipeline. */
export enum PartsPassedAs {
  /** All parts came: one SMS, its text the parts' in order. */
  WHOLE = 'WHOLE',
  /** Some never came in time: each part that did is an SMS of its own. */
  SEPARATE = 'SEPARATE',
}

/**
 * One part of a concatenated SMS, kept until its siblings arrive (they may come in any order, over any bind of any
 * process) and the message goes on to the SMS pipeline. Stored before the part is acknowledged, so a restart loses
 * nothing. A group is claimed by one process with a conditional update of `claimId` (whole or part by part), then
 * passed on with message ids made from the part ids, so passing it again after a crash counts it once. Passed parts
 * stay for the redelivery window, so a part the SMSC delivers again then is recognised and not counted twice.
 */
@Entity({ tableName: 'smpp_part' })
// A redelivered part finds its first copy.
@Unique({ properties: ['provider', 'partKey'] })
// The parts of one message; the sweep's stale and expired parts.
@Index({ properties: ['provider', 'groupKey'] })
@Index({ properties: ['claimId'] })
@Index({ properties: ['createdAt'] })
export class SmppPart {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('smpart');

  /** The link it came on (as SmsMessage.provider). */
  @Property({ type: 'string', length: 60 })
  provider!: string;

  /** The derived message id of the part's PDU (a hash of everything in it): the same part delivered again. */
  @Property({ type: 'string', length: 64 })
  partKey!: string;

  /** A hash of sender, short code, concatenation reference and part count: the same for all parts of a message. */
  @Property({ type: 'string', length: 64 })
  groupKey!: string;

  @Property({ type: 'integer' })
  total!: number;

  /** 1-based position in the message. */
  @Property({ type: 'integer' })
  seq!: number;

  /** The sender in E.164 form, or as the SMSC gave it when it could not be read (then senderUnreadable). */
  @Property({ type: 'string', length: 32 })
  fromNumber!: string;

  @Property({ type: 'boolean' })
  senderUnreadable: boolean = false;

  @Property({ type: 'string', length: 32 })
  toNumber!: string;

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'string', length: 2 })
  country!: string;

  @Property({ type: 'string', length: 60, nullable: true })
  operator: string | null = null;

  /** Which process took the group on (a random id per claim); null while it waits for its siblings. */
  @Property({ type: 'string', length: 40, nullable: true })
  claimId: string | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  passedAs: PartsPassedAs | null = null;

  @Property({ type: 'datetime', nullable: true })
  claimedAt: Date | null = null;

  /** When the SMS pipeline stored what it became; a claim without it after a while is passed on again. */
  @Property({ type: 'datetime', nullable: true })
  passedAt: Date | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
