import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { graphqlError } from '../../common/errors';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { MailMessage } from './mail-message.entity';
import { MailMessageConnection, MailMessagesArgs } from './mail.types';

@Resolver(() => MailMessage)
export class MailResolver {
  @Authorized('ADMIN')
  @Query(() => MailMessageConnection, {
    description:
      'Emails the server sent, newest first (platform admins; development and test only: NOT_AVAILABLE in production).',
  })
  mailMessages(
    @Args(() => MailMessagesArgs) args: MailMessagesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<MailMessage>> {
    // Production keeps no copies: mail carries confirmation codes and personal data.
    if (ctx.config.mode === 'production')
      throw graphqlError('NOT_AVAILABLE', 'sent mail is kept only in development and test');
    return paginate(ctx.em, MailMessage, args.to ? { to: args.to.trim() } : {}, args);
  }
}
