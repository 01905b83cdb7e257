import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, requireViewer } from '../../common/context';
import { checkDateRange } from '../../common/date-range';
import { buildReport } from './reporting.service';
import { Report, ReportArgs } from './reporting.types';

@Resolver(() => Report)
export class ReportingResolver {
  @Authorized()
  @Query(() => Report, {
    description:
      "A merchant's reporting home for [from, to): its own for a merchant's users, any merchant's for admins (who " +
      'must name one). BAD_USER_INPUT when from is not before to or the period is longer than allowed.',
  })
  report(@Args(() => ReportArgs) args: ReportArgs, @Ctx() ctx: Context): Promise<Report> {
    const merchantId = actingMerchant(requireViewer(ctx), args.merchantId);
    const { from, to } = checkDateRange(args);
    return buildReport(ctx.em, { merchantId, from: from!, to: to! });
  }
}
