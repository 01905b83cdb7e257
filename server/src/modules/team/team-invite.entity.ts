import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { TeamRole } from './team-role';

export enum TeamInviteStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(TeamInviteStatus, {
  name: 'TeamInviteStatus',
  description: 'PENDING until the invitee sets a password (ACCEPTED), an owner revokes it, or 72 hours pass (EXPIRED).',
});

/**
 * An emailed, single-use invitation to a merchant's team. The link's token is stored only as its SHA-256; the mail
 * renders the link from a seal (AES-GCM under SESSION_SECRET) that is wiped when the invitation is used or revoked.
 */
@Entity({ tableName: 'team_invite' })
@ObjectType('TeamInvite', { description: 'An invitation to join a merchant’s team, sent by email.' })
export class TeamInvite {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('inv');

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 320 })
  @Field(() => String, { description: 'Where the link was sent, lower-case.' })
  email!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => TeamRole, { description: 'The role the invitee gets.' })
  role!: TeamRole;

  @Property({ type: 'string', length: 64, unique: true, hidden: true })
  tokenHash!: string;

  @Property({ type: 'text', nullable: true, hidden: true })
  seal: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  invitedByUserId: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'The link works until then (72 hours after it was last sent).' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  acceptedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  revokedAt: Date | null = null;

  statusAt(now = new Date()): TeamInviteStatus {
    if (this.acceptedAt) return TeamInviteStatus.ACCEPTED;
    if (this.revokedAt) return TeamInviteStatus.REVOKED;
    return this.expiresAt <= now ? TeamInviteStatus.EXPIRED : TeamInviteStatus.PENDING;
  }

  @Field(() => TeamInviteStatus)
  get status(): TeamInviteStatus {
    return this.statusAt();
  }
}
