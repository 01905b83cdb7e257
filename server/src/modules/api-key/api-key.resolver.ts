import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, assertMerchantAccess, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { IdInput } from '../../common/mutation';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { ApiKey } from './api-key.entity';
import { issueApiKey, revokeApiKey } from './api-key.service';
import {
  ApiKeyConnection,
  ApiKeysArgs,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  RevokeApiKeyPayload,
} from './api-key.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Authorized()
  @Query(() => ApiKeyConnection, { description: "API keys of the caller's merchant, newest first." })
  apiKeys(@Args(() => ApiKeysArgs) args: ApiKeysArgs, @Ctx() ctx: Context): Promise<Connection<ApiKey>> {
    return paginate(ctx.em, ApiKey, merchantFilter(requireViewer(ctx), args.merchantId), args);
  }

  @Authorized()
  @Mutation(() => CreateApiKeyPayload, {
    description: 'Creates an API key for a partner system; its secret is returned once.',
  })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<CreateApiKeyPayload> {
    const viewer = requireViewer(ctx);
    if (viewer.kind === 'apiKey')
      throw graphqlError('FORBIDDEN', 'API keys are created in the dashboard, not with another key');
    const merchantId = actingMerchant(viewer, input.merchantId);
    return payload(
      (created, userErrors) => ({ apiKey: created?.apiKey ?? null, secret: created?.secret ?? null, userErrors }),
      () =>
        issueApiKey(ctx.em, ctx, {
          merchantId,
          name: input.name,
          scopes: input.scopes,
          createdByUserId: viewer.userId,
        }),
    );
  }

  @Authorized()
  @Mutation(() => RevokeApiKeyPayload, { description: 'Revokes an API key at once; calls with it fail from then on.' })
  async revokeApiKey(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context): Promise<RevokeApiKeyPayload> {
    const viewer = requireViewer(ctx);
    const apiKey = await ctx.em.findOne(ApiKey, input.id);
    if (!apiKey) throw graphqlError('NOT_FOUND', 'no such object');
    assertMerchantAccess(viewer, apiKey.merchantId);
    return payload(
      (revoked, userErrors) => ({ apiKey: revoked ?? apiKey, userErrors }),
      () => revokeApiKey(ctx.em, ctx, apiKey),
    );
  }
}
