import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { newId } from '../../common/ids';

/** Append-only: rows are inserted, never updated or deleted (invariant I8). */
@Entity({ tableName: 'audit_event' })
@ObjectType({ description: 'Who changed what, and when. Secrets are recorded as changed, never by value.' })
export class AuditEvent {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('aud');

  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The merchant whose data changed; null for platform-wide changes.' })
  merchantId: string | null = null;

  @Property({ type: 'string', length: 10 })
  @Field(() => String, { description: '"user", "apiKey" or "system".' })
  actorKind!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The user or API key that acted.' })
  actorId: string | null = null;

  @Property({ type: 'string', length: 60 })
  @Field(() => String, { description: 'What was done, e.g. "apiKey.create", "ledger.transfer".' })
  action!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The object acted on.' })
  targetId: string | null = null;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'What changed; secrets appear only as "changed".' })
  details: Record<string, unknown> = {};

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  ip: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
