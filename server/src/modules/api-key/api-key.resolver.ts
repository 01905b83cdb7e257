import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from 'type-graphql';
import type { Context, Scope } from '../../common/context';
import { actingMerchant, assertMerchantAccess, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload, UserError, UserErrorCode, UserFacingError } from '../../common/errors';
import { paginate } from '../../common/orm';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { recordAudit } from '../audit/audit.service';
import { ApiKey } from './api-key.entity';
import { createApiKey, revokeApiKey } from './api-key.service';

const ApiKeyConnection = ConnectionType(ApiKey, 'ApiKey');

@InputType()
class CreateApiKeyInput {
  @Field(() => String, { description: 'What the key is for, up to 100 characters.' })
  name!: string;

  @Field(() => [String], { description: '"read" and optionally "write".', defaultValue: ['read'] })
  scopes!: string[];

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the key acts for.' })
  merchantId?: string | null;
}

@ObjectType()
class CreateApiKeyPayload {
  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => String, {
    nullable: true,
    description: 'The key itself, shown this once. Send it as `Authorization: Bearer <key>`.',
  })
  secret!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
class RevokeApiKeyInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
class RevokeApiKeyPayload {
  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ArgsType()
class ApiKeysArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  merchantId?: string | null;
}

const SCOPES: Scope[] = ['read', 'write'];

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
      async () => {
        const unknown = input.scopes.find((scope) => !SCOPES.includes(scope as Scope));
        if (unknown)
          throw new UserFacingError(UserErrorCode.INVALID, `unknown scope "${unknown}"; use read or write`, [
            'input',
            'scopes',
          ]);
        const created = createApiKey(ctx.em, {
          merchantId,
          name: input.name,
          scopes: input.scopes as Scope[],
          createdByUserId: viewer.userId,
        });
        recordAudit(ctx.em, ctx, {
          action: 'apiKey.create',
          merchantId,
          targetId: created.apiKey.id,
          details: { name: created.apiKey.name, scopes: created.apiKey.scopes, secret: true },
        });
        await ctx.em.flush();
        return created;
      },
    );
  }

  @Authorized()
  @Mutation(() => RevokeApiKeyPayload, { description: 'Revokes an API key at once; calls with it fail from then on.' })
  async revokeApiKey(
    @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<RevokeApiKeyPayload> {
    const viewer = requireViewer(ctx);
    const apiKey = await ctx.em.findOne(ApiKey, input.id);
    if (!apiKey) throw graphqlError('NOT_FOUND', 'no such object');
    assertMerchantAccess(viewer, apiKey.merchantId);
    return payload(
      (revoked, userErrors) => ({ apiKey: revoked ?? apiKey, userErrors }),
      async () => {
        await revokeApiKey(ctx.em, apiKey);
        recordAudit(ctx.em, ctx, { action: 'apiKey.revoke', merchantId: apiKey.merchantId, targetId: apiKey.id });
        await ctx.em.flush();
        return apiKey;
      },
    );
  }
}
