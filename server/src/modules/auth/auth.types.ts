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

@ObjectType('LoginPayload')
export class LoginPayload extends PayloadType(() => User, 'Login', { field: 'user', extended: true }) {
  @Field(() => Boolean, {
    description:
      'The password was right and the user has two-factor login: send a code with loginSecondFactor (within 5 ' +
      'minutes) to finish; `user` is null until then.',
  })
  secondFactorRequired!: boolean;
}

@InputType()
export class SecondFactorInput {
  @Field(() => String, { description: 'The 6-digit code from the authenticator app, or one unused recovery code.' })
  code!: string;
}

@ObjectType({ description: 'A TOTP secret to put into an authenticator app; confirm it with a code to turn it on.' })
export class TotpEnrolment {
  @Field(() => String, { description: 'The base32 secret, for typing in by hand.' })
  secret!: string;

  @Field(() => String, { description: 'The otpauth:// URI the QR code holds.' })
  otpauthUri!: string;

  @Field(() => String, { description: 'The QR code of otpauthUri as a PNG data: URL.' })
  qrCodeDataUrl!: string;
}

export const StartTotpEnrolmentPayload = PayloadType(() => TotpEnrolment, 'StartTotpEnrolment', {
  field: 'enrolment',
});
export type StartTotpEnrolmentPayload = InstanceType<typeof StartTotpEnrolmentPayload>;

@ObjectType('ConfirmTotpEnrolmentPayload')
export class ConfirmTotpEnrolmentPayload extends PayloadType(() => Boolean, 'ConfirmTotpEnrolment', {
  field: 'enabled',
  extended: true,
}) {
  @Field(() => [String], {
    nullable: true,
    description: 'Single-use recovery codes, shown this once: each logs in once instead of an app code.',
  })
  recoveryCodes!: string[] | null;
}

export const DisableTotpPayload = PayloadType(() => Boolean, 'DisableTotp', { field: 'disabled', nullable: false });
export type DisableTotpPayload = InstanceType<typeof DisableTotpPayload>;

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
