import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

/** PENDING → DELIVERED (final), or PENDING → DEAD after too many failures; an admin may send DEAD back to PENDING. */
export enum OutboxStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
}
registerEnumType(OutboxStatus, {
  name: 'DeliveryStatus',
  description: 'PENDING: waiting for its next attempt (or being attempted); DELIVERED: done; DEAD: given up on.',
});

/**
 * A side effect (HTTP callback, email, SMS) written in the same transaction as the change that causes it, and
 * carried out afterwards by the outbox worker: the change and its effect commit together or not at all.
 */
@Entity({ tableName: 'outbox_message' })
// The worker's claim query: due PENDING rows, oldest first.
@Index({ properties: ['status', 'nextAttemptAt'] })
// The retention sweep's query: DELIVERED rows, oldest delivery first.
@Index({ properties: ['status', 'deliveredAt'] })
// Callers that must cause a side effect at most once (a recurring charge per period) say so with a dedupe key; the
// database refuses the second row, so the duplicate's whole transaction fails rather than a pre-check racing.
@Unique({ properties: ['kind', 'dedupeKey'] })
@ObjectType({ description: 'A side effect waiting for, or done by, the outbox worker (platform admins only).' })
export class OutboxMessage {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: "The message's id." })
  id: string = newId('obx');

  @Property({ type: 'string', length: 60 })
  @Field(() => String, { description: 'Which handler carries it out, e.g. "webhook" or "mail".' })
  kind!: string;

  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The merchant it is for, if any.' })
  merchantId: string | null = null;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'What the handler gets, as the enqueuing module wrote it.' })
  payload: Record<string, unknown> = {};

  // A plain string column: SQLite's check constraints are invisible to schema diffs, so the status is checked in code.
  @Property({ type: 'string', length: 10 })
  @Field(() => OutboxStatus, { description: 'Where the message stands.' })
  status: OutboxStatus = OutboxStatus.PENDING;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Attempts since it was enqueued or last retried by an admin.' })
  attemptCount = 0;

  /**
   * When a worker may next claim it. Claiming moves it to the end of the claim's lease, so a row whose worker died
   * becomes due again by itself, with no separate "locked until" column to sweep.
   */
  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When it is next due (while being attempted: when the attempt is given up).' })
  nextAttemptAt: Date = new Date();

  /** Set by the claim that holds the row; an attempt's result is written only while its claim still holds. */
  @Property({ type: 'string', length: 40, nullable: true, hidden: true })
  claimToken: string | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true, description: 'At most one message per kind has this key.' })
  dedupeKey: string | null = null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When it was enqueued (committed with the change that caused it).' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When an attempt succeeded.' })
  deliveredAt: Date | null = null;
}
