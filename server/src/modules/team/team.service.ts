import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { canAccessMerchant, type Viewer } from '../../common/context';
import { graphqlError, UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { recordAudit, type AuditActor } from '../audit';
import { createUser } from '../auth';
import { Session, User, UserRole } from '../auth';
import { Merchant } from '../merchant';

/** Roles a merchant's team may have; ADMIN is the platform's and is never granted here. */
export type TeamRole = UserRole.OWNER | UserRole.STAFF;

/** Only a merchant's owners (and platform admins) manage its people; staff and API keys may not. */
export function assertTeamManager(viewer: Viewer): void {
  const allowed = viewer.kind === 'user' && (viewer.role === UserRole.OWNER || viewer.role === UserRole.ADMIN);
  if (!allowed) throw graphqlError('FORBIDDEN', "only the merchant's owners or a platform admin manage its team");
}

/** Adds a dashboard user to a merchant, audited. The caller has checked access to `merchantId`. */
export async function addTeamMember(
  em: EntityManager,
  actor: AuditActor,
  input: { merchantId: string; email: string; name: string; role: TeamRole; password: string },
): Promise<User> {
  if (input.role !== UserRole.OWNER && input.role !== UserRole.STAFF) {
    throw new UserFacingError(UserErrorCode.INVALID, 'a team member is an OWNER or STAFF', ['input', 'role']);
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
