import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../common/context';
import { graphqlError, payload, UserError } from '../../common/errors';
import { paginate } from '../../common/orm';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { recordAudit } from '../audit/audit.service';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';
import { listAttempts, retryOutboxMessage } from './outbox.service';

const OutboxMessageConnection = ConnectionType(OutboxMessage, 'OutboxMessage');

@ArgsType()
class OutboxMessagesArgs extends PageArgs {
  @Field(() => OutboxStatus, { nullable: true, description: 'Only messages in this state.' })
  status?: OutboxStatus | null;

  @Field(() => String, { nullable: true, description: 'Only this kind, e.g. "webhook".' })
  kind?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only messages for this merchant.' })
  merchantId?: string | null;
}

@InputType({ description: 'The DEAD message to try again.' })
class RetryOutboxMessageInput {
  @Field(() => ID, { description: 'A DEAD outbox message.' })
  id!: string;
}

@ObjectType({ description: 'The message after the retry was accepted or refused.' })
class RetryOutboxMessagePayload {
  @Field(() => OutboxMessage, {
    nullable: true,
    description: 'The message, PENDING again when the retry was accepted.',
  })
  outboxMessage!: OutboxMessage | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty when it succeeded.' })
  userErrors!: UserError[];
}

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
    @Arg('input', () => RetryOutboxMessageInput) input: RetryOutboxMessageInput,
    @Ctx() ctx: Context,
  ): Promise<RetryOutboxMessagePayload> {
    const message = await ctx.em.findOne(OutboxMessage, input.id);
    if (!message) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (retried, userErrors) => ({ outboxMessage: retried ?? message, userErrors }),
      async () => {
        retryOutboxMessage(message);
        recordAudit(ctx.em, ctx, {
          action: 'outbox.retry',
          merchantId: message.merchantId,
          targetId: message.id,
          details: { kind: message.kind },
        });
        await ctx.em.flush();
        return message;
      },
    );
  }
}
