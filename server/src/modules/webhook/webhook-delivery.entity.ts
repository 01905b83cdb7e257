import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

/**
 * One event sent to one endpoint. Its state and attempts live in the outbox message that carries it (one source of
 * truth); this row ties that message to the merchant's endpoint and event so the merchant can see it.
 */
@Entity({ tableName: 'webhook_delivery' })
@ObjectType({ description: 'One event sent to one endpoint, with every attempt at it.' })
export class WebhookDelivery {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: "The delivery's id (receivers see the event's id instead)." })
  id: string = newId('whd');

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The merchant whose endpoint it is.' })
  merchantId!: string;

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The endpoint it is sent to.' })
  endpointId!: string;

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The event it sends.' })
  eventId!: string;

  @Property({ type: 'string', length: 40, unique: true })
  outboxMessageId!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The delivery this one re-sends, for replays.' })
  replayOfId: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When it was queued.' })
  createdAt: Date = new Date();
}
