import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, requireViewer } from '../../common/context';
import { payload } from '../../common/errors';
import { Money } from '../../common/money';
import { Merchant } from '../merchant';
import { FEE_METHODS, FeeMethod, FeePlan } from './fee-plan.entity';
import { ruleOf } from './fee-plan.maths';
import { assignFeePlan, createFeePlan, feePlanOf, listFeePlans, updateFeePlan } from './fee-plan.service';
import {
  AssignFeePlanInput,
  AssignFeePlanPayload,
  CreateFeePlanInput,
  CreateFeePlanPayload,
  FeeRule,
  UpdateFeePlanInput,
  UpdateFeePlanPayload,
} from './fee-plan.types';

const moneyList = (amounts: Record<string, number>): Money[] =>
  Object.entries(amounts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, minor]) => Money.of(BigInt(minor), currency));

@Resolver(() => FeePlan)
export class FeePlanResolver {
  @Authorized('ADMIN')
  @Query(() => [FeePlan], { description: 'Every fee plan, by name. Admins only.' })
  feePlans(@Ctx() ctx: Context): Promise<FeePlan[]> {
    return listFeePlans(ctx.em);
  }

  @Authorized()
  @Query(() => FeePlan, {
    description: 'The fee plan of the caller’s merchant (admins and partners name one): read-only for merchants.',
  })
  feePlan(
    @Arg('merchantId', () => ID, { nullable: true, description: 'Admins and partners: whose plan.' })
    merchantId: string | null,
    @Ctx() ctx: Context,
  ): Promise<FeePlan> {
    return feePlanOf(ctx.em, actingMerchant(requireViewer(ctx), merchantId));
  }

  @FieldResolver(() => [FeeRule], { description: 'One rule per method, in a fixed order.' })
  rules(@Root() plan: FeePlan): FeeRule[] {
    return FEE_METHODS.map((method) => {
      const rule = ruleOf(plan, method);
      return Object.assign(new FeeRule(), {
        method,
        percentBps: rule.percentBps,
        fixed: moneyList(rule.fixed),
        fromTariff: method === FeeMethod.SMS,
      });
    });
  }

  @FieldResolver(() => [Money], {
    description: 'Fee charged per chargeback, one per currency; a currency not listed has none.',
  })
  chargebackFee(@Root() plan: FeePlan): Money[] {
    return moneyList(plan.chargebackFee);
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateFeePlanPayload, { description: 'Adds a fee plan. Admins only.' })
  createFeePlan(
    @Arg('input', () => CreateFeePlanInput) input: CreateFeePlanInput,
    @Ctx() ctx: Context,
  ): Promise<CreateFeePlanPayload> {
    return payload(
      (feePlan, userErrors) => ({ feePlan, userErrors }),
      () => createFeePlan(ctx.em, ctx, input),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => UpdateFeePlanPayload, {
    description: 'Changes a fee plan; it applies to payments from now on, never to money already booked. Admins only.',
  })
  updateFeePlan(
    @Arg('input', () => UpdateFeePlanInput) input: UpdateFeePlanInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateFeePlanPayload> {
    return payload(
      (feePlan, userErrors) => ({ feePlan, userErrors }),
      () => updateFeePlan(ctx.em, ctx, input),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => AssignFeePlanPayload, {
    description: 'Gives a merchant a fee plan, or the default plan again (planId null). Admins only.',
  })
  assignFeePlan(
    @Arg('input', () => AssignFeePlanInput) input: AssignFeePlanInput,
    @Ctx() ctx: Context,
  ): Promise<AssignFeePlanPayload> {
    return payload(
      (feePlan, userErrors) => ({ feePlan, userErrors }),
      () => assignFeePlan(ctx.em, ctx, input),
    );
  }
}

@Resolver(() => Merchant)
export class MerchantFeePlanResolver {
  @FieldResolver(() => FeePlan, { description: 'The merchant’s fee plan (its own or the default).' })
  feePlan(@Root() merchant: Merchant, @Ctx() ctx: Context): Promise<FeePlan> {
    return feePlanOf(ctx.em, merchant.id);
  }
}
