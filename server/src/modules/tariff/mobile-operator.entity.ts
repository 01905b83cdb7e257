import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

/** A mobile network of one country. Created on first use by a tariff (admin form or CSV), found again by name. */
@Entity({ tableName: 'sms_operator' })
@Unique({ properties: ['countryCode', 'name'] })
@ObjectType({ description: 'A mobile network operator in one country.' })
export class MobileOperator {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('opr');

  @Property({ type: 'string', length: 2 })
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code of its country.' })
  countryCode!: string;

  @Property({ type: 'string', length: 60 })
  @Field(() => String, { description: 'Name as payers know it, e.g. "Vodafone".' })
  name!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
