import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, User } from '../auth';
import { Merchant } from '../merchant';
import { TeamInvite, TeamInviteStatus } from './team-invite.entity';
import {
  acceptTeamInvite,
  addTeamMember,
  assertTeamManager,
  changeTeamMemberRole,
  createMerchant,
  invitationByToken,
  inviteTeamMember,
  removeTeamMember,
  resendTeamInvite,
  revokeTeamInvite,
  searchMerchants,
  userRoleOf,
} from './team.service';
import {
  AcceptTeamInviteInput,
  AcceptTeamInvitePayload,
  AddTeamMemberInput,
  ChangeTeamMemberRoleInput,
  ChangeTeamMemberRolePayload,
  AddTeamMemberPayload,
  CreateMerchantInput,
  CreateMerchantPayload,
  RemoveTeamMemberInput,
  RemoveTeamMemberPayload,
  TeamMemberConnection,
  TeamMembersArgs,
  SearchMerchantsArgs,
  InviteTeamMemberInput,
  TeamInvitation,
  TeamInviteIdInput,
  TeamInvitePayload,
  TeamInvitesArgs,
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
    return payload(
      (user, userErrors) => ({ user, userErrors }),
      async () => addTeamMember(ctx.em, ctx, { ...input, merchantId, role: userRoleOf(input.role) }),
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

  @Authorized()
  @Query(() => User, {
    nullable: true,
    description:
      'A person by id, to show a name where an id was recorded (audit log): yourself, your merchants’ team, or ' +
      'anyone for platform admins; null otherwise.',
  })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<User | null> {
    const viewer = requireViewer(ctx);
    const user = await ctx.em.findOne(User, id);
    if (!user) return null;
    const visible =
      viewer.role === 'ADMIN' ||
      user.id === viewer.userId ||
      (user.merchantId !== null && viewer.merchantIds.includes(user.merchantId));
    return visible ? user : null;
  }

  @Authorized()
  @Query(() => [TeamInvite], {
    description: 'Invitations not yet accepted or revoked (pending and expired ones), newest first.',
  })
  async teamInvites(@Args(() => TeamInvitesArgs) args: TeamInvitesArgs, @Ctx() ctx: Context): Promise<TeamInvite[]> {
    const filter = merchantFilter(requireViewer(ctx), args.merchantId);
    return ctx.em.find(
      TeamInvite,
      { ...filter, acceptedAt: null, revokedAt: null },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 100 },
    );
  }

  @Authorized()
  @Mutation(() => TeamInvitePayload, {
    description:
      'Invites someone by email (owners and admins): a single-use link, valid 72 hours, to set their name and ' +
      'password. Inviting the same address again replaces the earlier link.',
  })
  async inviteTeamMember(
    @Arg('input', () => InviteTeamMemberInput) input: InviteTeamMemberInput,
    @Ctx() ctx: Context,
  ): Promise<TeamInvitePayload> {
    const viewer = requireViewer(ctx);
    assertTeamManager(viewer);
    const merchantId = actingMerchant(viewer, input.merchantId);
    return payload(
      (invite, userErrors) => ({ invite, userErrors }),
      () => inviteTeamMember(ctx.em, ctx, { merchantId, email: input.email, role: input.role }),
    );
  }

  @Authorized()
  @Mutation(() => TeamInvitePayload, {
    description: 'Sends an invitation again with a new link (the old one stops working) and 72 more hours.',
  })
  async resendTeamInvite(
    @Arg('input', () => TeamInviteIdInput) input: TeamInviteIdInput,
    @Ctx() ctx: Context,
  ): Promise<TeamInvitePayload> {
    const viewer = requireViewer(ctx);
    assertTeamManager(viewer);
    return payload(
      (invite, userErrors) => ({ invite, userErrors }),
      () => resendTeamInvite(ctx.em, ctx, viewer, input.inviteId),
    );
  }

  @Authorized()
  @Mutation(() => TeamInvitePayload, { description: 'Revokes a pending invitation: its link stops working.' })
  async revokeTeamInvite(
    @Arg('input', () => TeamInviteIdInput) input: TeamInviteIdInput,
    @Ctx() ctx: Context,
  ): Promise<TeamInvitePayload> {
    const viewer = requireViewer(ctx);
    assertTeamManager(viewer);
    return payload(
      (invite, userErrors) => ({ invite, userErrors }),
      () => revokeTeamInvite(ctx.em, ctx, viewer, input.inviteId),
    );
  }

  @Query(() => TeamInvitation, {
    nullable: true,
    description: 'What an invitation link is for (public: the token is the proof); null for an unknown link.',
  })
  async teamInvitation(@Arg('token', () => String) token: string, @Ctx() ctx: Context): Promise<TeamInvitation | null> {
    const found = await invitationByToken(ctx.em, token);
    if (!found) return null;
    const status: TeamInviteStatus = found.invite.statusAt();
    return { email: found.invite.email, merchantName: found.merchant.name, role: found.invite.role, status };
  }

  @Mutation(() => AcceptTeamInvitePayload, {
    description:
      'Accepts an invitation (public, by its token): creates the member with this name and password and logs them ' +
      'in. Each link works once.',
  })
  async acceptTeamInvite(
    @Arg('input', () => AcceptTeamInviteInput) input: AcceptTeamInviteInput,
    @Ctx() ctx: Context,
  ): Promise<AcceptTeamInvitePayload> {
    // Guessing tokens is hopeless (256 bits), but each try hashes a password: budgeted like a login.
    await ctx.limits.consume(['login:ip', ctx.ip]);
    return payload(
      (user, userErrors) => ({ user, userErrors }),
      async () => {
        const { user, token } = await acceptTeamInvite(ctx.em, ctx, input);
        ctx.setCookie(SESSION_COOKIE, token, SESSION_TTL_SECONDS);
        return user;
      },
    );
  }

  @Authorized()
  @Mutation(() => ChangeTeamMemberRolePayload, {
    description: "Changes a member's role (owners and admins); the last owner stays an owner.",
  })
  async changeTeamMemberRole(
    @Arg('input', () => ChangeTeamMemberRoleInput) input: ChangeTeamMemberRoleInput,
    @Ctx() ctx: Context,
  ): Promise<ChangeTeamMemberRolePayload> {
    const viewer = requireViewer(ctx);
    assertTeamManager(viewer);
    return payload(
      (user, userErrors) => ({ user, userErrors }),
      () => changeTeamMemberRole(ctx.em, ctx, viewer, input.userId, input.role),
    );
  }

  @Authorized('ADMIN')
  @Query(() => [Merchant], {
    description: "Platform admins' search: merchants by part of the name, a team member's email, or the id.",
  })
  searchMerchants(
    @Args(() => SearchMerchantsArgs) args: SearchMerchantsArgs,
    @Ctx() ctx: Context,
  ): Promise<Merchant[]> {
    if (args.text.length > 200) throw graphqlError('BAD_USER_INPUT', 'search with at most 200 characters');
    return searchMerchants(ctx.em, args.text, Math.min(Math.max(args.first ?? 20, 1), 50));
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
