import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { rangeFilter } from '../../common/date-range';
import { merchantFilter, requireViewer } from '../../common/context';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { AuditEvent } from './audit-event.entity';
import { AuditEventConnection, AuditEventsArgs } from './audit.types';

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Authorized()
  @Query(() => AuditEventConnection, { description: 'The audit log the caller may see, newest first.' })
  auditEvents(
    @Args(() => AuditEventsArgs) args: AuditEventsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<AuditEvent>> {
    const where = {
      ...merchantFilter(requireViewer(ctx), args.merchantId),
      ...(args.action ? { action: args.action } : {}),
      ...rangeFilter('createdAt', args),
    };
    return paginate(ctx.em, AuditEvent, where, args);
  }
}
