import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, merchantFilter, requireViewer } from '../../common/context';
import { payload } from '../../common/errors';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { User, UserRole } from '../auth';
import { addTeamMember, assertTeamManager, createMerchant, removeTeamMember } from './team.service';
import {
  AddTeamMemberInput,
  AddTeamMemberPayload,
  CreateMerchantInput,
  CreateMerchantPayload,
  RemoveTeamMemberInput,
  RemoveTeamMemberPayload,
  TeamMemberConnection,
  TeamMembersArgs,
  TeamRole,
} from './team.types';

@Resolver(() => User)
export class TeamResolver {
  @Authorized()
  @Query(() => TeamMemberConnection, {
    description: 'Dashboard users of the merchants the caller may see, newest first.',
  })
  teamMembers(@Args(() => TeamMembersArgs) args: TeamMembersArgs, @Ctx() ctx: Context): Promise<Connection<User>> {
    const filter = merchantFilter(requireViewer(ctx), args.merchantId);
    // Platform admins belong to no merchant and are nobody's team.
    const where: FilterQuery<User> = filter.merchantId ? filter : { merchantId: { $ne: null } };
    return paginate(ctx.em, User, where, args);
  }

  @Authorized()
  @Mutation(() => AddTeamMemberPayload, { description: 'Adds an owner or staff member (owners and admins only).' })
  async addTeamMember(
    @Arg('input', () => AddTeamMemberInput) input: AddTeamMemberInput,
    @Ctx() ctx: Context,
  ): Promise<AddTeamMemberPayload> {
    const viewer = requireViewer(ctx);
    assertTeamManager(viewer);
    const merchantId = actingMerchant(viewer, input.merchantId);
    const role = input.role === TeamRole.OWNER ? UserRole.OWNER : UserRole.STAFF;
    return payload(
      (user, userErrors) => ({ user, userErrors }),
      () => addTeamMember(ctx.em, ctx, { ...input, merchantId, role }),
    );
  }

  @Authorized()
  @Mutation(() => RemoveTeamMemberPayload, {
    description: 'Removes a team member (owners and admins only); not yourself, not the last owner.',
  })
  async removeTeamMember(
    @Arg('input', () => RemoveTeamMemberInput) input: RemoveTeamMemberInput,
    @Ctx() ctx: Context,
  ): Promise<RemoveTeamMemberPayload> {
    const viewer = requireViewer(ctx);
    assertTeamManager(viewer);
    return payload(
      (removedUserId, userErrors) => ({ removedUserId, userErrors }),
      () => removeTeamMember(ctx.em, ctx, viewer, input.userId),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateMerchantPayload, {
    description: 'Creates a merchant with its first owner (platform admins only); with parentId, a sub-merchant.',
  })
  async createMerchant(
    @Arg('input', () => CreateMerchantInput) input: CreateMerchantInput,
    @Ctx() ctx: Context,
  ): Promise<CreateMerchantPayload> {
    return payload(
      (created, userErrors) => ({ merchant: created?.merchant ?? null, owner: created?.owner ?? null, userErrors }),
      () => createMerchant(ctx.em, ctx, input),
    );
  }
}
