import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { User } from '../auth';
import { Merchant } from '../merchant';

export enum TeamRole {
  OWNER = 'OWNER',
  STAFF = 'STAFF',
}
registerEnumType(TeamRole, {
  name: 'TeamRole',
  description: 'OWNER manages the team, keys and settings; STAFF works with payments.',
});

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
