import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Money } from '../../common/money';
import { PayloadType } from '../../common/mutation';
import { FeeMethod, FeePlan } from './fee-plan.entity';

@ObjectType({ description: 'What one method costs under a plan: a percentage of the amount plus a fixed amount.' })
export class FeeRule {
  @Field(() => FeeMethod)
  method!: FeeMethod;

  @Field(() => Int, {
    description: 'Percentage of the amount in basis points (190 = 1.90%), rounded half-up to the minor unit.',
  })
  percentBps!: number;

  @Field(() => [Money], {
    description: 'Fixed amount added per payment, one per currency; a currency not listed has none.',
  })
  fixed!: Money[];

  @Field(() => Boolean, {
    description:
      'True for SMS: the tariff’s operator share and platform fee price each SMS, and the rule itself is zero.',
  })
  fromTariff!: boolean;
}

@InputType({ description: 'An amount in one currency.' })
export class FeeAmountInput {
  @Field(() => String, { description: 'Decimal string at the currency’s scale, e.g. "0.25"; not negative.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code, e.g. "EUR".' })
  currency!: string;
}

@InputType({ description: 'One method’s price.' })
export class FeeRuleInput {
  @Field(() => FeeMethod)
  method!: FeeMethod;

  @Field(() => Int, { description: 'Basis points, 0 to 10000 (100%). Must be 0 for SMS.' })
  percentBps!: number;

  @Field(() => [FeeAmountInput], {
    nullable: true,
    description:
      'Fixed amount per payment, at most one per currency, each at most 100000 in major units. None for SMS.',
  })
  fixed?: FeeAmountInput[] | null;
}

@InputType()
export class CreateFeePlanInput {
  @Field(() => String, { description: 'Unique, 1 to 100 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Up to 500 characters.' })
  description?: string | null;

  @Field(() => [FeeRuleInput], {
    description: 'At most one rule per method; a method not listed costs nothing (SMS is always the tariff’s).',
  })
  rules!: FeeRuleInput[];

  @Field(() => [FeeAmountInput], {
    nullable: true,
    description: 'Chargeback fee, at most one per currency; a currency not listed has none.',
  })
  chargebackFee?: FeeAmountInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Rolling reserve in basis points, 0 to 10000 (default 0).' })
  reserveBps?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Days the reserve is held, 0 to 365 (default 0); at least 1 with a reserve.',
  })
  reserveDays?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Make this the default plan (the previous default stops being it).',
  })
  isDefault?: boolean | null;
}

@InputType({ description: 'What to change of a plan; fields left out stay as they are.' })
export class UpdateFeePlanInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Up to 500 characters; an empty string removes it.' })
  description?: string | null;

  @Field(() => [FeeRuleInput], {
    nullable: true,
    description: 'Each listed method’s rule is replaced; methods not listed keep theirs.',
  })
  rules?: FeeRuleInput[] | null;

  @Field(() => [FeeAmountInput], { nullable: true, description: 'Replaces the chargeback fees as a whole.' })
  chargebackFee?: FeeAmountInput[] | null;

  @Field(() => Int, { nullable: true })
  reserveBps?: number | null;

  @Field(() => Int, { nullable: true })
  reserveDays?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True makes it the default plan. The default cannot be unset: make another plan the default.',
  })
  isDefault?: boolean | null;
}

@InputType()
export class AssignFeePlanInput {
  @Field(() => ID)
  merchantId!: string;

  @Field(() => ID, { nullable: true, description: 'The plan; null gives the merchant the default plan again.' })
  planId?: string | null;
}

export const CreateFeePlanPayload = PayloadType(() => FeePlan, 'CreateFeePlan', { field: 'feePlan' });
export type CreateFeePlanPayload = InstanceType<typeof CreateFeePlanPayload>;

export const UpdateFeePlanPayload = PayloadType(() => FeePlan, 'UpdateFeePlan', { field: 'feePlan' });
export type UpdateFeePlanPayload = InstanceType<typeof UpdateFeePlanPayload>;

export const AssignFeePlanPayload = PayloadType(() => FeePlan, 'AssignFeePlan', {
  field: 'feePlan',
  fieldDescription: 'The plan the merchant has now.',
});
export type AssignFeePlanPayload = InstanceType<typeof AssignFeePlanPayload>;
