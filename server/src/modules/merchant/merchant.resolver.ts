import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, assertMerchantAccess, requireViewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { paginate } from '../../common/orm';
import { PageArgs, type Connection } from '../../common/pagination';
import { Merchant } from './merchant.entity';
import { resumeMerchant, suspendMerchant, updatePayerCreditPeriod } from './merchant.service';
import {
  MerchantConnection,
  MerchantSuspensionInput,
  MerchantSuspensionPayload,
  UpdatePayerCreditPeriodInput,
  UpdatePayerCreditPeriodPayload,
} from './merchant.types';

@Resolver(() => Merchant)
export class MerchantResolver {
  @Authorized()
  @Query(() => Merchant, { nullable: true, description: 'A merchant the caller may see.' })
  async merchant(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Merchant | null> {
    assertMerchantAccess(requireViewer(ctx), id);
    return ctx.em.findOne(Merchant, id);
  }

  @Authorized()
  @Query(() => MerchantConnection, {
    description: 'Merchants the caller may see: admins all, a partner itself and its sub-merchants.',
  })
  merchants(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<Connection<Merchant>> {
    const viewer = requireViewer(ctx);
    const where = viewer.role === 'ADMIN' ? {} : { id: { $in: [...viewer.merchantIds] } };
    return paginate(ctx.em, Merchant, where, page);
  }

  @Authorized()
  @Mutation(() => UpdatePayerCreditPeriodPayload, {
    description:
      "How long payers' unused credit waits before it is released to the merchant (owners and admins): at least " +
      'the platform minimum of 30 days.',
  })
  async updatePayerCreditPeriod(
    @Arg('input', () => UpdatePayerCreditPeriodInput) input: UpdatePayerCreditPeriodInput,
    @Ctx() ctx: Context,
  ): Promise<UpdatePayerCreditPeriodPayload> {
    const viewer = requireViewer(ctx);
    if (viewer.role !== 'OWNER' && viewer.role !== 'ADMIN') {
      throw graphqlError('FORBIDDEN', 'only an owner changes how long payer credit is kept');
    }
    const merchant = await ctx.em.findOneOrFail(Merchant, actingMerchant(viewer, input.merchantId));
    return payload(
      (updated, userErrors) => ({ merchant: updated, userErrors }),
      () => updatePayerCreditPeriod(ctx.em, ctx, merchant, input.days),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => MerchantSuspensionPayload, {
    description:
      'Suspends a merchant (platform admins): no new payments start (MERCHANT_SUSPENDED) and its people may read, ' +
      'not change anything; payments under way still settle. Emits merchant.suspended; audited.',
  })
  suspendMerchant(
    @Arg('input', () => MerchantSuspensionInput) input: MerchantSuspensionInput,
    @Ctx() ctx: Context,
  ): Promise<MerchantSuspensionPayload> {
    return payload(
      (merchant, userErrors) => ({ merchant, userErrors }),
      () => suspendMerchant(ctx.em.fork(), ctx, input.merchantId, input.reason),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => MerchantSuspensionPayload, {
    description: 'Lifts a suspension (platform admins). Emits merchant.resumed; audited.',
  })
  resumeMerchant(
    @Arg('input', () => MerchantSuspensionInput) input: MerchantSuspensionInput,
    @Ctx() ctx: Context,
  ): Promise<MerchantSuspensionPayload> {
    return payload(
      (merchant, userErrors) => ({ merchant, userErrors }),
      () => resumeMerchant(ctx.em.fork(), ctx, input.merchantId, input.reason),
    );
  }
}
