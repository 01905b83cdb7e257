import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { IdInput } from '../../common/mutation';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage } from './outbox-message.entity';
import { listAttempts, retryOutboxMessage } from './outbox.service';
import { OutboxMessageConnection, OutboxMessagesArgs, RetryOutboxMessagePayload } from './outbox.types';

@Resolver(() => OutboxMessage)
export class OutboxResolver {
  @Authorized('ADMIN')
  @Query(() => OutboxMessageConnection, { description: 'Outbox messages, newest first (platform admins).' })
  outboxMessages(
    @Args(() => OutboxMessagesArgs) args: OutboxMessagesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<OutboxMessage>> {
    const where = {
      ...(args.status ? { status: args.status } : {}),
      ...(args.kind ? { kind: args.kind } : {}),
      ...(args.merchantId ? { merchantId: args.merchantId } : {}),
    };
    return paginate(ctx.em, OutboxMessage, where, args);
  }

  @Authorized('ADMIN')
  @Query(() => OutboxMessage, {
    nullable: true,
    description: 'One outbox message with its attempts (platform admins).',
  })
  outboxMessage(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OutboxMessage | null> {
    return ctx.em.findOne(OutboxMessage, id);
  }

  @FieldResolver(() => [OutboxAttempt], { description: 'Every attempt so far, oldest first.' })
  attempts(@Root() message: OutboxMessage, @Ctx() ctx: Context): Promise<OutboxAttempt[]> {
    return listAttempts(ctx.em, message.id);
  }

  @Authorized('ADMIN')
  @Mutation(() => RetryOutboxMessagePayload, {
    description: 'Sends a DEAD message back to PENDING with a fresh budget of attempts; it is attempted at once.',
  })
  async retryOutboxMessage(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<RetryOutboxMessagePayload> {
    const message = await ctx.em.findOne(OutboxMessage, input.id);
    if (!message) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (retried, userErrors) => ({ outboxMessage: retried ?? message, userErrors }),
      () => retryOutboxMessage(ctx.em, ctx, message),
    );
  }
}
