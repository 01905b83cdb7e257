import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

/** Something that happened to a merchant, as its webhook endpoints receive it. Written once, never changed. */
@Entity({ tableName: 'webhook_event' })
@ObjectType({ description: 'An event sent to webhook endpoints. Receivers deduplicate by its id.' })
export class WebhookEvent {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The same in every delivery and replay of this event.' })
  id: string = newId('evt');

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The merchant it happened to.' })
  merchantId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'What happened, e.g. "payment.succeeded".' })
  type!: string;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'The body\'s "data" member.' })
  data: Record<string, unknown> = {};

  // The retention sweep reads events oldest first.
  @Index()
  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When it happened; also in the body.' })
  createdAt: Date = new Date();
}
