import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

export enum UserRole {
  OWNER = 'OWNER',
  STAFF = 'STAFF',
  ADMIN = 'ADMIN',
}
registerEnumType(UserRole, {
  name: 'UserRole',
  description: 'OWNER and STAFF belong to a merchant; ADMIN runs the platform and sees across merchants.',
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
}
