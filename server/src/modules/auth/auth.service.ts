import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { newToken } from '../../common/ids';
import type { RateLimits } from '../../common/rate-limit';
import { isMerchantSuspended, Merchant } from '../merchant';
import { checkSecondFactor } from './totp.service';
import { DECOY_HASH, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password';
import { Session, User, UserRole } from './user.entity';
import { build } from '../../common/orm';

export const SESSION_COOKIE = 'tg_session';
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
// PCI DSS 8.3.4: lock after at most 10 failures for at least 30 minutes.
export const MAX_FAILED_LOGINS = 10;
export const LOCKOUT_MS = 30 * 60 * 1000;

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkPasswordStrength(password: string, field = ['input', 'password']): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UserFacingError(UserErrorCode.WEAK_PASSWORD, `use at least ${MIN_PASSWORD_LENGTH} characters`, field);
  }
  if (password.length > 200) throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 200 characters', field);
}

export async function createUser(
  em: EntityManager,
  input: { email: string; name: string; password: string; role: UserRole; merchantId: string | null },
): Promise<User> {
  const email = normaliseEmail(input.email);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'enter a valid email address', ['input', 'email']);
  }
  checkPasswordStrength(input.password);
  if (await em.findOne(User, { email })) {
    throw new UserFacingError(UserErrorCode.TAKEN, 'a user with this email already exists', ['input', 'email']);
  }
  const user = build(User, {
    email,
    name: input.name.trim() || email,
    role: input.role,
    merchantId: input.merchantId,
    passwordHash: await hashPassword(input.password),
  });
  em.persist(user);
  return user;
}

/** How long a login may wait for its TOTP code after the right password. */
export const SECOND_FACTOR_TTL_SECONDS = 5 * 60;

/**
 * Checks a password and opens a session; returns the session token for the cookie. For a user with two-factor login
 * on, the session is pending (it authorises nothing) until `completeSecondFactor` accepts a code.
 */
export async function login(
  em: EntityManager,
  email: string,
  password: string,
  now = new Date(),
): Promise<{ user: User; token: string; secondFactorRequired: boolean }> {
  const user = await em.findOne(User, { email: normaliseEmail(email) });
  if (!user) {
    await verifyPassword(await DECOY_HASH, password);
    throw new UserFacingError(UserErrorCode.INVALID_CREDENTIALS, 'email or password is wrong');
  }
  if (user.lockedUntil && user.lockedUntil > now) {
    throw new UserFacingError(UserErrorCode.LOCKED, 'too many failed logins; try again in 30 minutes');
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    user.failedLogins += 1;
    if (user.failedLogins >= MAX_FAILED_LOGINS) {
      user.lockedUntil = new Date(now.getTime() + LOCKOUT_MS);
      user.failedLogins = 0;
    }
    await em.flush();
    throw new UserFacingError(UserErrorCode.INVALID_CREDENTIALS, 'email or password is wrong');
  }
  user.failedLogins = 0;
  user.lockedUntil = null;
  const secondFactorRequired = user.totpEnabledAt !== null;
  const token = openSession(em, user, now, secondFactorRequired);
  await em.flush();
  return { user, token, secondFactorRequired };
}

/** A new session for a user who has proven who they are (persisted, not flushed); returns its cookie token. */
export function openSession(em: EntityManager, user: User, now = new Date(), secondFactorPending = false): string {
  const token = newToken(32);
  const ttl = secondFactorPending ? SECOND_FACTOR_TTL_SECONDS : SESSION_TTL_SECONDS;
  em.persist(
    build(Session, {
      tokenHash: sha256(token),
      userId: user.id,
      expiresAt: new Date(now.getTime() + ttl * 1000),
      secondFactorPending,
    }),
  );
  return token;
}

/**
 * Completes a login waiting for its TOTP (or recovery) code: the pending session is replaced by a full one, so the
 * token that waited for the code never authorises anything. Returns the new token.
 */
export async function completeSecondFactor(
  em: EntityManager,
  limits: RateLimits,
  pendingToken: string | null,
  code: string,
  now = new Date(),
): Promise<{ user: User; token: string }> {
  const pending = pendingToken ? await em.findOne(Session, { tokenHash: sha256(pendingToken) }) : null;
  const user = pending?.secondFactorPending && pending.expiresAt > now ? await em.findOne(User, pending.userId) : null;
  if (!pending || !user?.totpEnabledAt) {
    throw new UserFacingError(UserErrorCode.INVALID_CREDENTIALS, 'log in with your password again', ['input', 'code']);
  }
  await checkSecondFactor(em, limits, user, code);
  em.remove(pending);
  const token = openSession(em, user, now);
  await em.flush();
  return { user, token };
}

export async function logout(em: EntityManager, token: string): Promise<void> {
  await em.nativeDelete(Session, { tokenHash: sha256(token) });
}

export async function changePassword(em: EntityManager, userId: string, current: string, next: string): Promise<void> {
  const user = await em.findOneOrFail(User, userId);
  if (!(await verifyPassword(user.passwordHash, current))) {
    throw new UserFacingError(UserErrorCode.INVALID_CREDENTIALS, 'current password is wrong', [
      'input',
      'currentPassword',
    ]);
  }
  checkPasswordStrength(next, ['input', 'newPassword']);
  user.passwordHash = await hashPassword(next);
  // Other sessions end: a changed password must lock out whoever else knew the old one.
  await em.nativeDelete(Session, { userId });
  await em.flush();
}

/** The merchants a merchant's callers may act on: its own and, for a partner, its sub-merchants (any depth). */
export async function visibleMerchantIds(em: EntityManager, merchantId: string): Promise<string[]> {
  const ids = [merchantId];
  let frontier = [merchantId];
  while (frontier.length) {
    const children = await em.find(Merchant, { parentId: { $in: frontier } }, { fields: ['id'] });
    frontier = children.map((child) => child.id).filter((id) => !ids.includes(id));
    ids.push(...frontier);
  }
  return ids;
}

export async function viewerForSession(em: EntityManager, token: string, now = new Date()): Promise<Viewer | null> {
  const session = await em.findOne(Session, { tokenHash: sha256(token) });
  if (!session || session.expiresAt <= now || session.secondFactorPending) return null;
  const user = await em.findOne(User, session.userId);
  if (!user) return null;
  return viewerForUser(em, user);
}

export async function viewerForUser(em: EntityManager, user: User): Promise<Viewer> {
  // A suspended merchant's people may look, not act; a READ_ONLY member never acts. common/context.ts enforces it.
  const suspended = user.merchantId ? await isMerchantSuspended(em, user.merchantId) : false;
  const readOnly = suspended ? 'MERCHANT_SUSPENDED' : user.role === UserRole.READ_ONLY ? 'READ_ONLY_ROLE' : null;
  return {
    kind: 'user',
    userId: user.id,
    apiKeyId: null,
    role: user.role,
    merchantId: user.merchantId,
    merchantIds: user.merchantId ? await visibleMerchantIds(em, user.merchantId) : [],
    scopes: readOnly ? ['read'] : ['read', 'write'],
    readOnly,
    secondFactorMissing: user.role === UserRole.ADMIN && !user.totpEnabledAt,
  };
}
