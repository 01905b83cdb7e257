import { Args, ArgsType, Authorized, Ctx, Field, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { merchantFilter, requireViewer } from '../../common/context';
import { paginate } from '../../common/orm';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { AuditEvent } from './audit-event.entity';

const AuditEventConnection = ConnectionType(AuditEvent, 'AuditEvent');

@ArgsType()
class AuditEventsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this action, e.g. "apiKey.create".' })
  action?: string | null;
}

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
    };
    return paginate(ctx.em, AuditEvent, where, args);
  }
}
