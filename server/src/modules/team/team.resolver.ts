import type { FilterQuery } from '@mikro-orm/core';
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
  registerEnumType,
  Resolver,
} from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, canAccessMerchant, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload, UserError } from '../../common/errors';
import { paginate } from '../../common/orm';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { recordAudit } from '../audit/audit.service';
import { User, UserRole } from '../auth/user.entity';
import { Merchant } from '../merchant/merchant.entity';
import { addTeamMember, assertTeamManager, createMerchant, flushNewUser, removeTeamMember } from './team.service';

enum TeamRole {
  OWNER = 'OWNER',
  STAFF = 'STAFF',
}
registerEnumType(TeamRole, {
  name: 'TeamRole',
  description: 'OWNER manages the team, keys and settings; STAFF works with payments.',
});

const TeamMemberConnection = ConnectionType(User, 'TeamMember');

@ArgsType()
class TeamMembersArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@InputType()
class AddTeamMemberInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'Up to 200 characters.' })
  name!: string;

  @Field(() => TeamRole)
  role!: TeamRole;

  @Field(() => String, { description: 'Their first password, at least 10 characters; they can change it.' })
  password!: string;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant to add them to.' })
  merchantId?: string | null;
}

@ObjectType()
class AddTeamMemberPayload {
  @Field(() => User, { nullable: true })
  user!: User | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
class RemoveTeamMemberInput {
  @Field(() => ID)
  userId!: string;
}

@ObjectType()
class RemoveTeamMemberPayload {
  @Field(() => ID, { nullable: true, description: 'The removed user; their sessions ended with the account.' })
  removedUserId!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
class CreateMerchantInput {
  @Field(() => String, { description: 'Up to 200 characters.' })
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Makes it a sub-merchant of this partner, who then sees its data.' })
  parentId?: string | null;

  @Field(() => String)
  ownerEmail!: string;

  @Field(() => String)
  ownerName!: string;

  @Field(() => String, { description: 'At least 10 characters.' })
  ownerPassword!: string;
}

@ObjectType()
class CreateMerchantPayload {
  @Field(() => Merchant, { nullable: true })
  merchant!: Merchant | null;

  @Field(() => User, { nullable: true, description: 'Its first owner.' })
  owner!: User | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

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
      async () => {
        // A fork of its own: a refused input leaves nothing pending in the request's unit of work.
        const em = ctx.em.fork();
        const role = input.role === TeamRole.OWNER ? UserRole.OWNER : UserRole.STAFF;
        const user = await addTeamMember(em, { ...input, merchantId, role });
        recordAudit(em, ctx, {
          action: 'team.add',
          merchantId,
          targetId: user.id,
          details: { email: user.email, role: user.role },
        });
        await flushNewUser(em, ['input', 'email']);
        return user;
      },
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
      () =>
        ctx.em.fork().transactional(async (em) => {
          const user = await em.findOne(User, input.userId);
          // Admin accounts have no merchant, so they are nobody's to remove here.
          if (!user?.merchantId || !canAccessMerchant(viewer, user.merchantId)) {
            throw graphqlError('NOT_FOUND', 'no such object');
          }
          await removeTeamMember(em, viewer, user);
          recordAudit(em, ctx, {
            action: 'team.remove',
            merchantId: user.merchantId,
            targetId: user.id,
            details: { email: user.email, role: user.role },
          });
          return user.id;
        }),
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
      async () => {
        const em = ctx.em.fork();
        const created = await createMerchant(em, input);
        recordAudit(em, ctx, {
          action: 'merchant.create',
          merchantId: created.merchant.id,
          targetId: created.merchant.id,
          details: {
            name: created.merchant.name,
            parentId: created.merchant.parentId,
            ownerEmail: created.owner.email,
          },
        });
        await flushNewUser(em, ['input', 'ownerEmail']);
        return created;
      },
    );
  }
}
