import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

@Entity({ tableName: 'api_key' })
@ObjectType({
  description: 'A credential for a partner system. The secret is shown once, at creation, and stored only as a hash.',
})
export class ApiKey {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('key');

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: 'The first characters of the key, to tell keys apart.' })
  prefix!: string;

  /** SHA-256 of the key: keys carry 256 random bits, so a fast hash is enough and lookups stay O(1). */
  @Property({ type: 'string', length: 64, unique: true, hidden: true })
  secretHash!: string;

  @Property({ type: 'string', length: 40 })
  scopeList!: string;

  @Field(() => [String], { description: '"read" and, for keys that may change things, "write".' })
  get scopes(): string[] {
    return this.scopeList.split(',');
  }

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The user who created the key.' })
  createdByUserId: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'Last authenticated call, to the minute.' })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  revokedAt: Date | null = null;
}
