import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

/** What a fee is charged for. Values only grow. */
export enum FeeMethod {
  CARD_ONLINE = 'CARD_ONLINE',
  CARD_PRESENT = 'CARD_PRESENT',
  SMS = 'SMS',
  PAYOUT = 'PAYOUT',
}
registerEnumType(FeeMethod, {
  name: 'FeeMethod',
  description: 'What a fee plan prices. Values only grow.',
  valuesConfig: {
    CARD_ONLINE: { description: 'A card payment online (hosted page, card not present).' },
    CARD_PRESENT: { description: 'A card payment in person, at a terminal.' },
    SMS: {
      description:
        'A premium SMS: the tariff of its short code sets the operator share and the platform fee, as before fee ' +
        'plans; a plan adds nothing on top.',
    },
    PAYOUT: { description: 'A payout of the merchant’s balance (charged by the payouts issue).' },
  },
});

/** Every method, in the order plans list them. */
export const FEE_METHODS: readonly FeeMethod[] = [
  FeeMethod.CARD_ONLINE,
  FeeMethod.CARD_PRESENT,
  FeeMethod.SMS,
  FeeMethod.PAYOUT,
];

/**
 * One method's price as stored: a percentage in basis points (1/100 of a percent) plus a fixed amount per currency in
 * minor units (`{ "EUR": 25 }`: 0.25 EUR). A currency not listed has no fixed part. SMS rules are always zero: the
 * tariff prices SMS.
 */
export interface StoredFeeRule {
  percentBps: number;
  fixed: Record<string, number>;
}

/**
 * A merchant's commercial terms: one fee per payment by method, the chargeback fee, and the rolling reserve (a share
 * of card money held back for a number of days). Merchants without a plan of their own have the default plan; exactly
 * one plan is the default (the unique `defaultKey` guards it).
 */
@Entity({ tableName: 'fee_plan' })
@ObjectType({
  description:
    'Fees a merchant pays, per method (card online, card present, SMS, payout), its chargeback fee and its rolling ' +
    'reserve. A merchant without a plan of its own has the default plan.',
})
export class FeePlan {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "fpl_".' })
  id: string = newId('fpl');

  @Property({ type: 'string', length: 100, unique: true })
  @Field(() => String, { description: 'Unique name, up to 100 characters, e.g. "Standard".' })
  name!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  @Field(() => String, { nullable: true, description: 'What the plan is for, up to 500 characters.' })
  description: string | null = null;

  /** Per method; every method present (missing ones read as zero). */
  @Property({ type: 'json' })
  rules: Partial<Record<FeeMethod, StoredFeeRule>> = {};

  /** Per currency, minor units; a currency not listed has no chargeback fee. */
  @Property({ type: 'json' })
  chargebackFee: Record<string, number> = {};

  @Property({ type: 'integer' })
  @Field(() => Int, {
    description: 'Share of each card capture’s net held back as the rolling reserve, in basis points (0–10000).',
  })
  reserveBps: number = 0;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Days a reserve is held before it is released to the merchant (0–365).' })
  reserveDays: number = 0;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Whether merchants without a plan of their own have this one.' })
  isDefault: boolean = false;

  /** "default" on the default plan, null on the others: a unique index keeps one default (NULLs never collide). */
  @Property({ type: 'string', length: 10, nullable: true, unique: true, hidden: true })
  defaultKey: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version: number = 1;
}

/** Which plan a merchant has; no row: the default plan. Its own table, so the merchant module knows nothing of fees. */
@Entity({ tableName: 'merchant_fee_plan' })
export class MerchantFeePlan {
  @PrimaryKey({ type: 'string', length: 40 })
  merchantId!: string;

  @Property({ type: 'string', length: 40, index: true })
  planId!: string;

  @Property({ type: 'datetime' })
  assignedAt: Date = new Date();
}
