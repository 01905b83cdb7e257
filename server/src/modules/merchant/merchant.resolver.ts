import { Arg, Args, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { assertMerchantAccess, requireViewer } from '../../common/context';
import { paginate } from '../../common/orm';
import { PageArgs, type Connection } from '../../common/pagination';
import { Merchant } from './merchant.entity';
import { MerchantConnection } from './merchant.types';

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
}
