import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { User } from '../auth';
import { Merchant } from '../merchant';

import { TeamInvite, TeamInviteStatus } from './team-invite.entity';
import { TeamRole } from './team-role';

export { TeamRole };

export const TeamMemberConnection = ConnectionType(User, 'TeamMember');

@ArgsType()
export class TeamMembersArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@InputType()
export class AddTeamMemberInput {
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

export const AddTeamMemberPayload = PayloadType(() => User, 'AddTeamMember', { field: 'user' });
export type AddTeamMemberPayload = InstanceType<typeof AddTeamMemberPayload>;

@InputType()
export class RemoveTeamMemberInput {
  @Field(() => ID)
  userId!: string;
}

export const RemoveTeamMemberPayload = PayloadType(() => ID, 'RemoveTeamMember', {
  field: 'removedUserId',
  fieldDescription: 'The removed user; their sessions ended with the account.',
});
export type RemoveTeamMemberPayload = InstanceType<typeof RemoveTeamMemberPayload>;

@InputType()
export class CreateMerchantInput {
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

@ObjectType('CreateMerchantPayload')
export class CreateMerchantPayload extends PayloadType(() => Merchant, 'CreateMerchant', {
  field: 'merchant',
  extended: true,
}) {
  @Field(() => User, { nullable: true, description: 'Its first owner.' })
  owner!: User | null;
}

@InputType()
export class InviteTeamMemberInput {
  @Field(() => String, { description: 'Where the single-use link goes; it works for 72 hours.' })
  email!: string;

  @Field(() => TeamRole)
  role!: TeamRole;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant to invite them to.' })
  merchantId?: string | null;
}

@InputType()
export class TeamInviteIdInput {
  @Field(() => ID)
  inviteId!: string;
}

export const TeamInvitePayload = PayloadType(() => TeamInvite, 'TeamInvite', { field: 'invite' });
export type TeamInvitePayload = InstanceType<typeof TeamInvitePayload>;

@ArgsType()
export class TeamInvitesArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@ObjectType({ description: 'What an invitation link shows before it is accepted (public, by its token).' })
export class TeamInvitation {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'The merchant whose team it joins.' })
  merchantName!: string;

  @Field(() => TeamRole)
  role!: TeamRole;

  @Field(() => TeamInviteStatus)
  status!: TeamInviteStatus;
}

@InputType()
export class AcceptTeamInviteInput {
  @Field(() => String, { description: 'The token from the invitation link.' })
  token!: string;

  @Field(() => String, { description: 'Up to 200 characters.' })
  name!: string;

  @Field(() => String, { description: 'At least 10 characters.' })
  password!: string;
}

export const AcceptTeamInvitePayload = PayloadType(() => User, 'AcceptTeamInvite', {
  field: 'user',
  fieldDescription: 'The new team member, logged in.',
});
export type AcceptTeamInvitePayload = InstanceType<typeof AcceptTeamInvitePayload>;

@InputType()
export class ChangeTeamMemberRoleInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => TeamRole)
  role!: TeamRole;
}

export const ChangeTeamMemberRolePayload = PayloadType(() => User, 'ChangeTeamMemberRole', { field: 'user' });
export type ChangeTeamMemberRolePayload = InstanceType<typeof ChangeTeamMemberRolePayload>;

@ArgsType()
export class SearchMerchantsArgs {
  @Field(() => String, { description: "Part of a merchant's name or of a team member's email, or a merchant id." })
  text!: string;

  @Field(() => Int, { nullable: true, description: 'At most this many (default 20, at most 50).' })
  first?: number | null;
}
