import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/**
 * A country the SMS rails serve. Keyed by its ISO code rather than a generated id: the code is what payers,
 * gateways and CSV files name a country by, and it never changes.
 */
@Entity({ tableName: 'sms_country' })
@ObjectType({
  description: 'A country where payers can pay by premium SMS, with the currency its tariffs are priced in.',
})
export class Country {
  @PrimaryKey({ type: 'string', length: 2 })
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code, upper case, e.g. "DE".' })
  code!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'English name, e.g. "Germany".' })
  name!: string;

  @Property({ type: 'string', length: 3 })
  @Field(() => String, { description: 'ISO 4217 code of the local currency SMS prices are set in, e.g. "EUR".' })
  currency!: string;

  /** Inactive countries keep their data but are left out of quotes and of the public list. */
  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Whether payers are offered this country.' })
  active: boolean = true;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
