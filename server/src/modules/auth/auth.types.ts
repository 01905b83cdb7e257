import { Field, InputType, ObjectType } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { Merchant } from '../merchant';
import { User } from './user.entity';

@InputType()
export class LoginInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

export const LoginPayload = PayloadType(() => User, 'Login', { field: 'user' });
export type LoginPayload = InstanceType<typeof LoginPayload>;

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String, { description: 'At least 10 characters.' })
  newPassword!: string;
}

export const ChangePasswordPayload = PayloadType(() => Boolean, 'ChangePassword', {
  field: 'changed',
  nullable: false,
});
export type ChangePasswordPayload = InstanceType<typeof ChangePasswordPayload>;

@ObjectType({ description: 'Who is calling.' })
export class Me {
  @Field(() => User, { nullable: true, description: 'The logged-in user; null when calling with an API key.' })
  user!: User | null;

  @Field(() => Merchant, { nullable: true, description: "The caller's own merchant; null for platform admins." })
  merchant!: Merchant | null;

  @Field(() => [String], { description: 'What the caller may do: "read", "write".' })
  scopes!: string[];
}
