import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { canAccessMerchant, requireViewer } from '../../common/context';
import { graphqlError, payload, UserErrorCode, UserFacingError } from '../../common/errors';
import { PayloadType } from '../../common/mutation';
import { EndpointCheck, EndpointCheckTarget } from './endpoint-check.entity';
import { answerEndpointCheck, checkTarget, runEndpointCheck } from './endpoint-check.service';

@InputType({ description: 'Which endpoint to check: exactly one of purseId and webhookEndpointId.' })
export class RunEndpointCheckInput {
  @Field(() => ID, { nullable: true, description: 'Check this purse’s Result URL.' })
  purseId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Check this webhook endpoint.' })
  webhookEndpointId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Optional: a URL of yours the check GETs with `?check=<id>` after the test callbacks, answering JSON ' +
      '`{"fulfilled": {"<reference>": <times>}}`, so the report needs no answers from you.',
  })
  statusUrl?: string | null;
}

@InputType({ description: 'How many times your system fulfilled one operation of the check.' })
export class EndpointCheckFulfilmentInput {
  @Field(() => String, { description: 'The operation’s reference, as the check lists it.' })
  reference!: string;

  @Field(() => Int, { description: 'Times fulfilled, 0 to 10.' })
  times!: number;
}

@InputType()
export class AnswerEndpointCheckInput {
  @Field(() => ID)
  id!: string;

  @Field(() => [EndpointCheckFulfilmentInput], { description: 'One answer per reference of the check.' })
  fulfilments!: EndpointCheckFulfilmentInput[];
}

export const EndpointCheckPayload = PayloadType(() => EndpointCheck, 'EndpointCheck', { field: 'check' });
export type EndpointCheckPayload = InstanceType<typeof EndpointCheckPayload>;

const LISTED = 20;

function refused(message: string, field: string): UserFacingError {
  return new UserFacingError(UserErrorCode.REQUIRED, message, ['input', field]);
}

@Resolver(() => EndpointCheck)
export class EndpointCheckResolver {
  @Authorized()
  @Query(() => [EndpointCheck], {
    description: 'The latest checks (at most 20, newest first) of a purse’s Result URL or of a webhook endpoint.',
  })
  async endpointChecks(
    @Ctx() ctx: Context,
    @Arg('purseId', () => ID, { nullable: true }) purseId?: string | null,
    @Arg('webhookEndpointId', () => ID, { nullable: true }) webhookEndpointId?: string | null,
  ): Promise<EndpointCheck[]> {
    const viewer = requireViewer(ctx);
    const targetId = purseId ?? webhookEndpointId;
    if (!targetId || (purseId && webhookEndpointId)) {
      throw graphqlError('BAD_USER_INPUT', 'name exactly one of purseId and webhookEndpointId');
    }
    const target = await checkTarget(
      ctx.em,
      purseId ? EndpointCheckTarget.PURSE_RESULT_URL : EndpointCheckTarget.WEBHOOK_ENDPOINT,
      targetId,
    );
    if (!target || !canAccessMerchant(viewer, target.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return ctx.em.find(
      EndpointCheck,
      { targetId, merchantId: target.merchantId },
      { orderBy: { id: 'desc' }, limit: LISTED },
    );
  }

  @Authorized()
  @Mutation(() => EndpointCheckPayload, {
    description:
      'Checks your Result URL or webhook endpoint now: sends a valid test callback, the same again, two out of ' +
      'order, one badly signed and one stale, records each answer, and reports what your system got wrong. Test ' +
      'callbacks name test operations only (no money moves). At most 10 runs an hour per merchant.',
  })
  async runEndpointCheck(
    @Arg('input', () => RunEndpointCheckInput) input: RunEndpointCheckInput,
    @Ctx() ctx: Context,
  ): Promise<EndpointCheckPayload> {
    const viewer = requireViewer(ctx);
    return payload(
      (check: EndpointCheck | null, userErrors) => ({ check, userErrors }),
      async () => {
        if (!input.purseId === !input.webhookEndpointId) {
          throw refused(
            'choose a purse or a webhook endpoint to check',
            input.purseId ? 'webhookEndpointId' : 'purseId',
          );
        }
        const kind = input.purseId ? EndpointCheckTarget.PURSE_RESULT_URL : EndpointCheckTarget.WEBHOOK_ENDPOINT;
        const targetId = (input.purseId ?? input.webhookEndpointId)!;
        const target = await checkTarget(ctx.em, kind, targetId);
        // One answer for "does not exist" and "another merchant's".
        if (!target || !canAccessMerchant(viewer, target.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
        return runEndpointCheck(ctx.em, ctx, ctx, {
          ...target,
          target: kind,
          targetId,
          statusUrl: input.statusUrl,
        });
      },
    );
  }

  @Authorized()
  @Mutation(() => EndpointCheckPayload, {
    description: 'Says what your system did with a check’s test callbacks; the report becomes final.',
  })
  async answerEndpointCheck(
    @Arg('input', () => AnswerEndpointCheckInput) input: AnswerEndpointCheckInput,
    @Ctx() ctx: Context,
  ): Promise<EndpointCheckPayload> {
    const viewer = requireViewer(ctx);
    const check = await ctx.em.findOne(EndpointCheck, input.id);
    if (!check || !canAccessMerchant(viewer, check.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (answered: EndpointCheck | null, userErrors) => ({ check: answered ?? check, userErrors }),
      () => answerEndpointCheck(ctx.em, ctx, check, input.fulfilments),
    );
  }
}
