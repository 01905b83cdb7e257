import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

export enum AttemptOutcome {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(AttemptOutcome, { name: 'DeliveryAttemptOutcome', description: 'How one delivery attempt ended.' });

/** One try at carrying out an outbox message. Append-only: the history of a delivery is never rewritten. */
@Entity({ tableName: 'outbox_attempt' })
@ObjectType('DeliveryAttempt', { description: 'One try at delivering a message: when, how long, and what came back.' })
export class OutboxAttempt {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: "The attempt's id." })
  id: string = newId('oba');

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The outbox message attempted.' })
  messageId!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When the attempt began.' })
  startedAt!: Date;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'How long the attempt took, in milliseconds.' })
  durationMs!: number;

  @Property({ type: 'string', length: 10 })
  @Field(() => AttemptOutcome, { description: 'Whether the receiver took it.' })
  outcome!: AttemptOutcome;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'The HTTP status the receiver answered, for HTTP deliveries.' })
  httpStatus: number | null = null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why it failed: the error, or the start of the response.' })
  error: string | null = null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'What the handler reported on success, e.g. the SMTP reply.' })
  detail: string | null = null;
}
