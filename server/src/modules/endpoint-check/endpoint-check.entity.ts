import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

/** Whose endpoint a check exercised. */
export enum EndpointCheckTarget {
  PURSE_RESULT_URL = 'PURSE_RESULT_URL',
  WEBHOOK_ENDPOINT = 'WEBHOOK_ENDPOINT',
}
registerEnumType(EndpointCheckTarget, {
  name: 'EndpointCheckTarget',
  description: 'PURSE_RESULT_URL: a purse’s Result URL (sms:bank callbacks); WEBHOOK_ENDPOINT: a webhook endpoint.',
});

export enum EndpointCheckStatus {
  /** The test callbacks were sent; the merchant still has to say what its system did with them. */
  AWAITING_ANSWERS = 'AWAITING_ANSWERS',
  /** The report is final. */
  COMPLETE = 'COMPLETE',
}
registerEnumType(EndpointCheckStatus, {
  name: 'EndpointCheckStatus',
  description:
    'AWAITING_ANSWERS: the test callbacks were sent and the merchant is asked what its system did with them; ' +
    'COMPLETE: the report is final.',
});

export enum EndpointCheckProbeKind {
  VALID = 'VALID',
  DUPLICATE = 'DUPLICATE',
  OUT_OF_ORDER_LATER = 'OUT_OF_ORDER_LATER',
  OUT_OF_ORDER_EARLIER = 'OUT_OF_ORDER_EARLIER',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
  STALE = 'STALE',
}
registerEnumType(EndpointCheckProbeKind, {
  name: 'EndpointCheckProbeKind',
  description:
    'One test callback of a check, in the order sent: VALID (a correct one), DUPLICATE (the same again, as a retry ' +
    'sends it), OUT_OF_ORDER_LATER then OUT_OF_ORDER_EARLIER (two operations, the later first), BAD_SIGNATURE (signed ' +
    'with a wrong key), STALE (webhooks: signed an hour ago; purses: a replay of an operation from an earlier check).',
});

export enum EndpointCheckFindingCode {
  /** The merchant's system acted on a callback whose signature was wrong: anyone can forge payments. */
  ACCEPTED_BAD_SIGNATURE = 'ACCEPTED_BAD_SIGNATURE',
  /** One operation was fulfilled more than once. */
  FULFILLED_TWICE = 'FULFILLED_TWICE',
  /** A stale callback (old timestamp, or a replayed operation) was acted on. */
  ACCEPTED_STALE = 'ACCEPTED_STALE',
  /** A valid callback was not fulfilled (often: the later of two that arrived out of order). */
  MISSED_CALLBACK = 'MISSED_CALLBACK',
  /** A valid callback was not answered 2xx: Tollgate would keep retrying it. */
  NOT_ACKNOWLEDGED = 'NOT_ACKNOWLEDGED',
  /** A forged or stale callback was answered 2xx, though nothing was done with it. */
  REFUSAL_NOT_SIGNALLED = 'REFUSAL_NOT_SIGNALLED',
  /** No callback reached the endpoint. */
  UNREACHABLE = 'UNREACHABLE',
}
registerEnumType(EndpointCheckFindingCode, {
  name: 'EndpointCheckFindingCode',
  description: 'A problem an endpoint check found; see EndpointCheckFinding.message and .fix.',
});

export enum EndpointCheckSeverity {
  /** Money or goods can be taken: fix before taking payments. */
  CRITICAL = 'CRITICAL',
  WARNING = 'WARNING',
}
registerEnumType(EndpointCheckSeverity, {
  name: 'EndpointCheckSeverity',
  description: 'CRITICAL: goods or money can be taken, fix it first; WARNING: works, but costs retries or orders.',
});

@ObjectType({ description: 'One test callback a check sent, and the answer it got.' })
export class EndpointCheckProbe {
  @Field(() => EndpointCheckProbeKind)
  kind!: EndpointCheckProbeKind;

  @Field(() => String, {
    nullable: true,
    description: 'The operation it reports: `s_inv` (purses) or the event id (webhooks); null when not sent.',
  })
  reference!: string | null;

  @Field(() => String, { description: 'What was sent, in words.' })
  description!: string;

  @Field(() => Boolean, {
    description: 'Sent: false when the check had nothing to send (a first purse check has no stale replay).',
  })
  sent!: boolean;

  @Field(() => String, { nullable: true, description: 'When it was sent (ISO 8601).' })
  sentAt!: string | null;

  @Field(() => Int, { nullable: true, description: 'The HTTP status the endpoint answered; null when it did not.' })
  httpStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'The start of the answer’s body (at most 200 characters).' })
  bodyExcerpt!: string | null;

  @Field(() => Int, { nullable: true, description: 'Milliseconds until the answer (or the failure).' })
  durationMs!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why no answer came: timeout, refused address, connection error.',
  })
  error!: string | null;
}

@ObjectType({ description: 'An operation the check reported, how often it should be fulfilled, and how often it was.' })
export class EndpointCheckReference {
  @Field(() => String, { description: '`s_inv` (purses) or the event id (webhooks), as sent.' })
  reference!: string;

  @Field(() => String, { description: 'Which test callbacks carried it.' })
  description!: string;

  @Field(() => Int, { description: 'How many times a correct system fulfils it: 1, or 0 for a forged or stale one.' })
  expected!: number;

  @Field(() => Int, { nullable: true, description: 'How many times the merchant’s system did; null until answered.' })
  fulfilled!: number | null;
}

@ObjectType({ description: 'A problem found, in plain words, with what to change.' })
export class EndpointCheckFinding {
  @Field(() => EndpointCheckFindingCode)
  code!: EndpointCheckFindingCode;

  @Field(() => EndpointCheckSeverity)
  severity!: EndpointCheckSeverity;

  @Field(() => String, { description: 'What happened.' })
  message!: string;

  @Field(() => String, { description: 'How to fix it.' })
  fix!: string;
}

@ObjectType({ description: 'What the merchant’s status URL answered when the check asked it what was fulfilled.' })
export class EndpointCheckStatusRead {
  @Field(() => Int, { nullable: true })
  httpStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'The start of the answer (at most 200 characters).' })
  bodyExcerpt!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it could not be used: no answer, not the expected JSON.' })
  error!: string | null;
}

/**
 * A run of the endpoint checker against a merchant's Result URL or webhook endpoint: the test callbacks sent, the
 * answers, what the merchant's system did (confirmed by the merchant or read from its status URL) and the findings.
 * No money moves: the callbacks name test operations that no payment has.
 */
@Entity({ tableName: 'endpoint_check' })
@Index({ properties: ['merchantId', 'targetId', 'id'] })
@ObjectType({ description: 'A run of the endpoint checker and its report (see runEndpointCheck).' })
export class EndpointCheck {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Global id, prefixed "chk_".' })
  id: string = newId('chk');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => EndpointCheckTarget)
  target!: EndpointCheckTarget;

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The purse or webhook endpoint checked.' })
  targetId!: string;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'The URL the test callbacks were sent to.' })
  url!: string;

  @Property({ type: 'string', length: 2000, nullable: true })
  @Field(() => String, { nullable: true, description: 'The merchant’s status URL the check read, if one was given.' })
  statusUrl: string | null = null;

  @Property({ type: 'string', length: 20 })
  @Field(() => EndpointCheckStatus)
  status: EndpointCheckStatus = EndpointCheckStatus.AWAITING_ANSWERS;

  @Property({ type: 'json' })
  @Field(() => [EndpointCheckProbe], { description: 'The test callbacks, in the order sent.' })
  probes: EndpointCheckProbe[] = [];

  @Property({ type: 'json' })
  @Field(() => [EndpointCheckReference], { description: 'The operations reported, each with what should happen.' })
  references: EndpointCheckReference[] = [];

  @Property({ type: 'json', nullable: true })
  @Field(() => EndpointCheckStatusRead, { nullable: true, description: 'The status URL’s answer, if one was given.' })
  statusRead: EndpointCheckStatusRead | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'Who said what was fulfilled: MERCHANT (confirmed on the page) or STATUS_URL; null until then.',
  })
  answeredBy: 'MERCHANT' | 'STATUS_URL' | null = null;

  @Property({ type: 'json' })
  @Field(() => [EndpointCheckFinding], { description: 'The problems found; empty on a clean report.' })
  findings: EndpointCheckFinding[] = [];

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the report became final.' })
  completedAt: Date | null = null;
}
