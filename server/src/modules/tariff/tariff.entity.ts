import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { bigint } from '../../common/orm';

/**
 * What one SMS to a short code costs the payer and yields the merchant. All USD amounts are cents and always add up:
 * priceUsd = yieldUsd + operatorShareUsd + platformFeeUsd. A row is for every operator of its country (operatorId
 * null) or for one operator; at most one row exists per (country, operator or all, short code), checked in code
 * because a unique index does not treat NULL operators as equal.
 */
@Entity({ tableName: 'sms_tariff' })
@Index({ properties: ['countryCode', 'shortCode'] })
@ObjectType('SmsTariff', {
  description:
    'The price of one premium SMS to a short code in one country (for all its operators or one), and what it yields.',
})
export class SmsTariff {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('trf');

  @Property({ type: 'string', length: 2 })
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code of the country.' })
  countryCode!: string;

  /** Null: the tariff applies to every operator of the country that has no row of its own for this short code. */
  @Property({ type: 'string', length: 40, nullable: true })
  operatorId: string | null = null;

  @Property({ type: 'string', length: 15 })
  @Field(() => String, { description: 'The number the payer sends the SMS to, e.g. "7733".' })
  shortCode!: string;

  /**
   * The local currency of `priceMinor`. Normally the country's currency; kept per row so an inactive tariff left over
   * from before a currency change still reads correctly. Active tariffs always match their country (checked in code).
   */
  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** Payer's price in minor units of `currency`, tax included (what the operator charges). */
  @Property({ type: bigint() })
  priceMinor!: bigint;

  /** USD cents from here on. */
  @Property({ type: bigint() })
  priceUsdMinor!: bigint;

  @Property({ type: bigint() })
  yieldUsdMinor!: bigint;

  @Property({ type: bigint() })
  operatorShareUsdMinor!: bigint;

  @Property({ type: bigint() })
  platformFeeUsdMinor!: bigint;

  /** Deactivated rather than deleted, so payments that quoted a tariff can still find it. */
  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Whether quotes use this tariff.' })
  active: boolean = true;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Field(() => Money, { description: "What the payer is charged for one SMS, in the country's local currency." })
  get price(): Money {
    return Money.of(this.priceMinor, this.currency);
  }

  @Field(() => Money, { description: 'The USD equivalent of the price.' })
  get priceUsd(): Money {
    return Money.of(this.priceUsdMinor, 'USD');
  }

  @Field(() => Money, {
    description: "What one SMS yields the merchant, in USD, after the operator's share and the platform fee.",
  })
  get yieldUsd(): Money {
    return Money.of(this.yieldUsdMinor, 'USD');
  }
}
