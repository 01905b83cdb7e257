import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

@Entity({ tableName: 'webhook_endpoint' })
@ObjectType({
  description: "A merchant's URL that receives signed event notifications (POST, JSON, `X-Tollgate-Signature`).",
})
export class WebhookEndpoint {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: "The endpoint's id." })
  id: string = newId('whe');

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The merchant whose events it receives.' })
  merchantId!: string;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'Where events are POSTed (http or https; https only in production).' })
  url!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true, description: "The merchant's own note about the endpoint." })
  description: string | null = null;

  @Property({ type: 'json' })
  @Field(() => [String], { description: 'Event types it receives, e.g. "payment.succeeded"; "*" means all.' })
  eventTypes: string[] = [];

  /**
   * The HMAC key deliveries are signed with. Kept readable, not hashed, because signing needs it; never a GraphQL
   * field: it is shown at creation and rotation, and by the audited reveal mutation.
   */
  @Property({ type: 'string', length: 100, hidden: true })
  secret!: string;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Disabled endpoints receive no new events; pending deliveries to them stop.' })
  active = true;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When it was registered.' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When it was last changed.' })
  updatedAt: Date = new Date();

  /** Deleted endpoints stay as rows so their delivery history keeps its owner; nothing lists or sends to them. */
  @Property({ type: 'datetime', nullable: true })
  deletedAt: Date | null = null;
}
