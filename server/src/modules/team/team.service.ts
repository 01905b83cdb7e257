import { LockMode, sql, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import { canAccessMerchant, type Viewer } from '../../common/context';
import { graphqlError, UserErrorCode, UserFacingError } from '../../common/errors';
import { newToken } from '../../common/ids';
import { build } from '../../common/orm';
import { recordAudit, type AuditActor } from '../audit';
import { createUser, normaliseEmail, openSession, sha256 } from '../auth';
import { Session, User, UserRole } from '../auth';
import { MAIL_SECRET_MASK, sendMail, type MailSecret } from '../mail';
import { Merchant } from '../merchant';
import { TeamInvite, TeamInviteStatus } from './team-invite.entity';
import { openToken, sealToken } from './team.crypto';
import { TeamRole } from './team-role';

/** The user role a team role grants (the same names; ADMIN is never one of them). */
export function userRoleOf(role: TeamRole): UserRole {
  const found = { OWNER: UserRole.OWNER, STAFF: UserRole.STAFF, READ_ONLY: UserRole.READ_ONLY }[role];
  if (!found) throw new UserFacingError(UserErrorCode.INVALID, 'choose OWNER, STAFF or READ_ONLY', ['input', 'role']);
  return found;
}

/** Only a merchant's owners (and platform admins) manage its people; staff and API keys may not. */
export function assertTeamManager(viewer: Viewer): void {
  const allowed = viewer.kind === 'user' && (viewer.role === UserRole.OWNER || viewer.role === UserRole.ADMIN);
  if (!allowed) throw graphqlError('FORBIDDEN', "only the merchant's owners or a platform admin manage its team");
}

/** Adds a dashboard user to a merchant, audited. The caller has checked access to `merchantId`. */
export async function addTeamMember(
  em: EntityManager,
  actor: AuditActor,
  input: { merchantId: string; email: string; name: string; role: UserRole; password: string },
): Promise<User> {
  if (input.role === UserRole.ADMIN) {
    throw new UserFacingError(UserErrorCode.INVALID, 'a team member is an OWNER, STAFF or READ_ONLY', [
      'input',
      'role',
    ]);
  }
  // A fork of its own: a refused input leaves nothing pending in the request's unit of work.
  const fork = em.fork();
  if (!(await fork.findOne(Merchant, input.merchantId))) throw graphqlError('NOT_FOUND', 'no such object');
  const user = await createUser(fork, { ...input, name: input.name.trim().slice(0, 200) });
  recordAudit(fork, actor, {
    action: 'team.add',
    merchantId: input.merchantId,
    targetId: user.id,
    details: { email: user.email, role: user.role },
  });
  await flushNewUser(fork, ['input', 'email']);
  return user;
}

/**
 * Removes a user of a merchant the viewer may see, audited, and returns their id: the account and its sessions go
 * at once. Refuses the caller's own account and the merchant's last owner. In a transaction of its own: on
 * PostgreSQL the merchant's owners are locked while counting, so two owners removing each other at the same moment
 * cannot leave the merchant with none.
 */
export async function removeTeamMember(
  em: EntityManager,
  actor: AuditActor,
  viewer: Viewer,
  userId: string,
): Promise<string> {
  return em.fork().transactional(async (tx) => {
    const user = await tx.findOne(User, userId);
    // Admin accounts have no merchant, so they are nobody's to remove here.
    if (!user?.merchantId || !canAccessMerchant(viewer, user.merchantId)) {
      throw graphqlError('NOT_FOUND', 'no such object');
    }
    if (user.id === viewer.userId) {
      throw new UserFacingError(UserErrorCode.CANNOT_REMOVE_SELF, 'you cannot remove yourself; ask another owner', [
        'input',
        'userId',
      ]);
    }
    if (user.role === UserRole.OWNER) {
      const owners = await tx.find(
        User,
        { merchantId: user.merchantId, role: UserRole.OWNER },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (owners.filter((owner) => owner.id !== user.id).length === 0) {
        throw new UserFacingError(UserErrorCode.LAST_OWNER, 'a merchant keeps at least one owner', ['input', 'userId']);
      }
    }
    await tx.nativeDelete(Session, { userId: user.id });
    tx.remove(user);
    recordAudit(tx, actor, {
      action: 'team.remove',
      merchantId: user.merchantId,
      targetId: user.id,
      details: { email: user.email, role: user.role },
    });
    return user.id;
  });
}

/** Creates a merchant (a partner's sub-merchant when `parentId` is given) with its first owner, audited. */
export async function createMerchant(
  em: EntityManager,
  actor: AuditActor,
  input: { name: string; parentId?: string | null; ownerEmail: string; ownerName: string; ownerPassword: string },
): Promise<{ merchant: Merchant; owner: User }> {
  // A fork of its own: a refused input leaves nothing pending in the request's unit of work.
  const fork = em.fork();
  const name = input.name.trim();
  if (!name) throw new UserFacingError(UserErrorCode.REQUIRED, 'give the merchant a name', ['input', 'name']);
  if (name.length > 200)
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 200 characters', ['input', 'name']);
  if (input.parentId && !(await fork.findOne(Merchant, input.parentId))) {
    throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such partner merchant', ['input', 'parentId']);
  }
  const merchant = build(Merchant, { name, parentId: input.parentId ?? null });
  fork.persist(merchant);
  const owner = await createUser(fork, {
    email: input.ownerEmail,
    name: input.ownerName.trim().slice(0, 200),
    password: input.ownerPassword,
    role: UserRole.OWNER,
    merchantId: merchant.id,
  }).catch((error: unknown) => {
    // createUser names its fields for a plain user; here they are the owner's.
    if (error instanceof UserFacingError && error.field?.[1]) {
      const field = `owner${error.field[1][0].toUpperCase()}${error.field[1].slice(1)}`;
      throw new UserFacingError(error.code, error.message, ['input', field]);
    }
    throw error;
  });
  recordAudit(fork, actor, {
    action: 'merchant.create',
    merchantId: merchant.id,
    targetId: merchant.id,
    details: { name: merchant.name, parentId: merchant.parentId, ownerEmail: owner.email },
  });
  await flushNewUser(fork, ['input', 'ownerEmail']);
  return { merchant, owner };
}

/** Flushes new users; a concurrent signup with the same email (the unique index) becomes the usual TAKEN error. */
async function flushNewUser(em: EntityManager, emailField: string[]): Promise<void> {
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new UserFacingError(UserErrorCode.TAKEN, 'a user with this email already exists', emailField);
    }
    throw error;
  }
}

/** How long an invitation link works after it was (last) sent. */
export const INVITE_TTL_MS = 72 * 3600 * 1000;
export const TEAM_INVITE_MAIL_SECRET = 'team-invite';

export interface InviteDeps extends AuditActor {
  config: Config;
}

const inviteLink = (config: Config, token: string) => `${config.publicUrl}/invite/${token}`;

/** A fresh token for an invitation (its hash and seal on the row) and the mail carrying the link, in `em`. */
async function mailInvite(em: EntityManager, config: Config, invite: TeamInvite, now: Date): Promise<void> {
  const token = newToken(32);
  invite.tokenHash = sha256(token);
  invite.seal = sealToken(config.sessionSecret, invite.id, token);
  invite.expiresAt = new Date(now.getTime() + INVITE_TTL_MS);
  const merchant = await em.findOneOrFail(Merchant, invite.merchantId);
  sendMail(em, {
    to: invite.email,
    merchantId: invite.merchantId,
    subject: `You are invited to ${merchant.name} on Tollgate`,
    text:
      `You are invited to join ${merchant.name}'s team on Tollgate as ${invite.role.replace('_', '-').toLowerCase()}.\n\n` +
      `Set your name and password here: ${MAIL_SECRET_MASK}\n\n` +
      'The link works once and for 72 hours. If you did not expect this, ignore the mail.',
    secret: { kind: TEAM_INVITE_MAIL_SECRET, id: invite.id },
  });
}

/** Invites someone to a merchant's team by email (the caller has checked access to `merchantId`), audited. */
export async function inviteTeamMember(
  em: EntityManager,
  deps: InviteDeps,
  input: { merchantId: string; email: string; role: TeamRole },
  now = new Date(),
): Promise<TeamInvite> {
  const role = userRoleOf(input.role);
  const email = normaliseEmail(input.email);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || email.length > 320) {
    throw new UserFacingError(UserErrorCode.INVALID, 'enter a valid email address', ['input', 'email']);
  }
  return em.fork().transactional(async (tx) => {
    if (!(await tx.findOne(Merchant, input.merchantId))) throw graphqlError('NOT_FOUND', 'no such object');
    if (await tx.findOne(User, { email })) {
      throw new UserFacingError(UserErrorCode.TAKEN, 'a user with this email already exists', ['input', 'email']);
    }
    // One live invitation per person and merchant: inviting again replaces the earlier link.
    await tx.nativeUpdate(
      TeamInvite,
      { merchantId: input.merchantId, email, acceptedAt: null, revokedAt: null },
      { revokedAt: now, seal: null },
    );
    const invite = build(TeamInvite, {
      merchantId: input.merchantId,
      email,
      role: input.role,
      invitedByUserId: deps.viewer?.userId ?? null,
      createdAt: now,
    });
    await mailInvite(tx, deps.config, invite, now);
    tx.persist(invite);
    recordAudit(tx, deps, {
      action: 'team.invite',
      merchantId: input.merchantId,
      targetId: invite.id,
      details: { email, role },
    });
    return invite;
  });
}

/** An invitation of a merchant the viewer may manage; NOT_FOUND otherwise. */
async function manageableInvite(em: EntityManager, viewer: Viewer, inviteId: string): Promise<TeamInvite> {
  const invite = await em.findOne(TeamInvite, inviteId);
  if (!invite || !canAccessMerchant(viewer, invite.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
  return invite;
}

/** Sends a not-yet-accepted invitation again: a new link (the old one stops working) and 72 more hours. */
export async function resendTeamInvite(
  em: EntityManager,
  deps: InviteDeps,
  viewer: Viewer,
  inviteId: string,
  now = new Date(),
): Promise<TeamInvite> {
  return em.fork().transactional(async (tx) => {
    const invite = await manageableInvite(tx, viewer, inviteId);
    const status = invite.statusAt(now);
    if (status !== TeamInviteStatus.PENDING && status !== TeamInviteStatus.EXPIRED) {
      throw new UserFacingError(UserErrorCode.INVITE_EXPIRED, `this invitation was ${status.toLowerCase()}`, [
        'input',
        'inviteId',
      ]);
    }
    await mailInvite(tx, deps.config, invite, now);
    recordAudit(tx, deps, { action: 'team.invite_resend', merchantId: invite.merchantId, targetId: invite.id });
    return invite;
  });
}

/** Revokes a pending invitation: its link stops working at once. */
export async function revokeTeamInvite(
  em: EntityManager,
  actor: AuditActor,
  viewer: Viewer,
  inviteId: string,
  now = new Date(),
): Promise<TeamInvite> {
  return em.fork().transactional(async (tx) => {
    const invite = await manageableInvite(tx, viewer, inviteId);
    if (invite.acceptedAt || invite.revokedAt) {
      throw new UserFacingError(
        UserErrorCode.INVITE_EXPIRED,
        `this invitation was ${invite.statusAt(now).toLowerCase()}`,
        ['input', 'inviteId'],
      );
    }
    invite.revokedAt = now;
    invite.seal = null;
    recordAudit(tx, actor, { action: 'team.invite_revoke', merchantId: invite.merchantId, targetId: invite.id });
    return invite;
  });
}

/** The invitation a link names, or null for a token that names none. */
export async function invitationByToken(
  em: EntityManager,
  token: string,
): Promise<{ invite: TeamInvite; merchant: Merchant } | null> {
  if (!token || token.length > 100) return null;
  const invite = await em.findOne(TeamInvite, { tokenHash: sha256(token) });
  const merchant = invite ? await em.findOne(Merchant, invite.merchantId) : null;
  return invite && merchant ? { invite, merchant } : null;
}

/**
 * Accepts an invitation: creates the member with their own name and password and logs them in (returns the session
 * token). Single use: one conditional UPDATE claims the invitation, so of two parallel acceptances one wins.
 */
export async function acceptTeamInvite(
  em: EntityManager,
  actor: AuditActor,
  input: { token: string; name: string; password: string },
  now = new Date(),
): Promise<{ user: User; token: string }> {
  const field = ['input', 'token'];
  const found = await invitationByToken(em, input.token);
  if (!found) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'this invitation link is not valid', field);
  const { invite } = found;
  const status = invite.statusAt(now);
  if (status !== TeamInviteStatus.PENDING) {
    throw new UserFacingError(
      UserErrorCode.INVITE_EXPIRED,
      status === TeamInviteStatus.ACCEPTED
        ? 'this invitation was already used: log in instead'
        : `this invitation ${status === TeamInviteStatus.EXPIRED ? 'expired' : 'was revoked'}: ask for a new one`,
      field,
    );
  }
  const name = input.name.trim();
  if (!name) throw new UserFacingError(UserErrorCode.REQUIRED, 'tell your team your name', ['input', 'name']);
  if (name.length > 200)
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 200 characters', ['input', 'name']);
  return em.fork().transactional(async (tx) => {
    const claimed = await tx.nativeUpdate(
      TeamInvite,
      { id: invite.id, tokenHash: invite.tokenHash, acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { acceptedAt: now, seal: null },
    );
    if (claimed !== 1) {
      throw new UserFacingError(
        UserErrorCode.INVITE_EXPIRED,
        'this invitation was already used: log in instead',
        field,
      );
    }
    const user = await createUser(tx, {
      email: invite.email,
      name,
      password: input.password,
      role: userRoleOf(invite.role),
      merchantId: invite.merchantId,
    });
    recordAudit(tx, actor, {
      action: 'team.invite_accept',
      merchantId: invite.merchantId,
      targetId: user.id,
      details: { email: user.email, role: user.role, inviteId: invite.id },
    });
    const token = openSession(tx, user, now);
    await flushNewUser(tx, ['input', 'token']);
    return { user, token };
  });
}

/**
 * Changes a member's role, audited. The merchant keeps at least one owner: its owners are locked while counting
 * (PostgreSQL), so two owners demoting each other at once cannot leave none. Takes effect on their next request.
 */
export async function changeTeamMemberRole(
  em: EntityManager,
  actor: AuditActor,
  viewer: Viewer,
  userId: string,
  role: TeamRole,
): Promise<User> {
  const next = userRoleOf(role);
  return em.fork().transactional(async (tx) => {
    const user = await tx.findOne(User, userId);
    if (!user?.merchantId || !canAccessMerchant(viewer, user.merchantId)) {
      throw graphqlError('NOT_FOUND', 'no such object');
    }
    const before = user.role;
    if (before === next) return user;
    if (before === UserRole.OWNER) {
      const owners = await tx.find(
        User,
        { merchantId: user.merchantId, role: UserRole.OWNER },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (owners.filter((owner) => owner.id !== user.id).length === 0) {
        throw new UserFacingError(UserErrorCode.LAST_OWNER, 'a merchant keeps at least one owner', ['input', 'role']);
      }
    }
    user.role = next;
    recordAudit(tx, actor, {
      action: 'team.role_change',
      merchantId: user.merchantId,
      targetId: user.id,
      details: { email: user.email, from: before, to: next },
    });
    return user;
  });
}

/** Merchants whose name or id matches, or whose team has a matching email (platform admins' search). */
export async function searchMerchants(em: EntityManager, text: string, limit: number): Promise<Merchant[]> {
  // LIKE's own wildcards are dropped: the text is matched as typed.
  const needle = text
    .trim()
    .toLowerCase()
    .replace(/[%_\\]/g, '');
  if (!needle) return [];
  const pattern = `%${needle}%`;
  const members = await em.find(User, { email: { $like: pattern }, merchantId: { $ne: null } }, { limit: 200 });
  return em.find(
    Merchant,
    {
      $or: [
        { id: text.trim() },
        { [sql.lower('name')]: { $like: pattern } },
        { id: { $in: members.map((member) => member.merchantId!) } },
      ],
    },
    { orderBy: { name: 'asc', id: 'asc' }, limit },
  );
}

/** The invitation link of a queued mail, rendered at sending from its seal; null once used, revoked or expired. */
export const teamInviteMailSecret: MailSecret = {
  kind: TEAM_INVITE_MAIL_SECRET,
  async reveal(em, config, id) {
    const invite = await em.findOne(TeamInvite, id, { disableIdentityMap: true });
    if (!invite?.seal || invite.statusAt() !== TeamInviteStatus.PENDING) return null;
    const token = openToken(config.sessionSecret, invite.id, invite.seal);
    return token ? inviteLink(config, token) : null;
  },
};
