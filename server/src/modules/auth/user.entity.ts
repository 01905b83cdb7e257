import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

export enum UserRole {
  OWNER = 'OWNER',
  STAFF = 'STAFF',
  ADMIN = 'ADMIN',
  /** Sees everything of its merchant and changes nothing (enforced for every mutation, in common/context.ts). */
  READ_ONLY = 'READ_ONLY',
}
registerEnumType(UserRole, {
  name: 'UserRole',
  description:
    'OWNER, STAFF and READ_ONLY belong to a merchant (READ_ONLY may read, never change); ADMIN runs the platform and ' +
    'sees across merchants. Values only grow.',
});

@Entity({ tableName: 'app_user' })
@ObjectType('User', { description: 'A person who logs in to the dashboard.' })
export class User {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('usr');

  @Property({ type: 'string', length: 320, unique: true })
  @Field(() => String, { description: 'Login email, stored lower-case.' })
  email!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  // A plain string column: SQLite's check constraints are invisible to schema diffs, so enums are checked in code.
  @Property({ type: 'string', length: 10 })
  @Field(() => UserRole)
  role!: UserRole;

  /** Null for platform admins. */
  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true })
  merchantId: string | null = null;

  /** Argon2id hash (memory-hard); the password itself is never stored. */
  @Property({ type: 'string', length: 200, hidden: true })
  passwordHash!: string;

  @Property({ type: 'integer' })
  failedLogins: number = 0;

  @Property({ type: 'datetime', nullable: true })
  lockedUntil: Date | null = null;

  /** The base32 TOTP secret once two-factor login is on; never leaves the server after enrolment. */
  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  totpSecret: string | null = null;

  /** The secret shown during enrolment, until a code from it is confirmed. */
  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  totpPendingSecret: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  totpEnabledAt: Date | null = null;

  /** The last accepted TOTP time step: a code is never accepted twice. */
  @Property({ type: 'integer', nullable: true })
  totpLastStep: number | null = null;

  /** SHA-256 of the unused recovery codes (high-entropy, shown once at enrolment). */
  @Property({ type: 'json', nullable: true, hidden: true })
  recoveryCodeHashes: string[] | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

@Entity({ tableName: 'user_session' })
export class Session {
  /** SHA-256 of the cookie's token, so a leaked table cannot be replayed. */
  @PrimaryKey({ type: 'string', length: 64 })
  tokenHash!: string;

  @Index()
  @Property({ type: 'string', length: 40 })
  userId!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  /** A password was right but the TOTP code is still owed: such a session authorises nothing yet. */
  @Property({ type: 'boolean' })
  secondFactorPending: boolean = false;
}
