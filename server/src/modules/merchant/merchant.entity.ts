import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

@Entity({ tableName: 'merchant' })
@ObjectType({ description: 'An organisation that takes payments through Tollgate.' })
export class Merchant {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('mch');

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  /**
   * The partner that owns this merchant (its seller), if any. A partner sees its sub-merchants; nobody else crosses
   * tenants. Kept as an id so the tenancy tree needs no ORM relation loop.
   */
  @Property({ type: 'string', length: 40, nullable: true, index: true })
  @Field(() => ID, { nullable: true, description: 'The partner merchant this one belongs to.' })
  parentId: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
