import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { RateLimited, type Budget, type Limiter, type RateLimits } from '../../common/rate-limit';
import { recordAudit, type AuditActor } from '../audit';
import { sha256 } from './auth.service';
import { User } from './user.entity';

/*
 * Two-factor login with TOTP (RFC 6238, otplib): a user enrols an authenticator app by scanning the otpauth URI (as a
 * QR code) and confirming one code; from then on a login asks for a code after the password. Ten single-use recovery
 * codes are shown once at enrolment and stored hashed. Wrong codes are counted per user on the shared rate limiter,
 * so a stolen password cannot be followed by a million guesses.
 */

export const TOTP_ISSUER = 'Tollgate';
export const RECOVERY_CODE_COUNT = 10;
/** Wrong codes per user before a quarter of an hour's pause: a 6-digit code cannot be guessed at this rate. */
export const TOTP_GUESS_BUDGET: Budget = { points: 5, seconds: 15 * 60, blockSeconds: 15 * 60 };
/** One step either side: clocks of phones drift. */
const EPOCH_TOLERANCE_SECONDS = 30;

const guessLimiters = new WeakMap<RateLimits, Limiter>();
function guesses(limits: RateLimits): Limiter {
  let found = guessLimiters.get(limits);
  if (!found) {
    found = limits.limiter('totp-guess', TOTP_GUESS_BUDGET);
    guessLimiters.set(limits, found);
  }
  return found;
}

export interface TotpDeps extends AuditActor {
  limits: RateLimits;
}

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
}

const codeField = ['input', 'code'];

/** Starts (or restarts) enrolment: a fresh secret, kept pending until a code from it is confirmed. */
export async function startTotpEnrolment(em: EntityManager, userId: string): Promise<TotpEnrolment> {
  const user = await em.findOneOrFail(User, userId);
  if (user.totpEnabledAt) {
    throw new UserFacingError(UserErrorCode.INVALID, 'two-factor login is already on; turn it off first to re-enrol');
  }
  const secret = generateSecret();
  user.totpPendingSecret = secret;
  await em.flush();
  const otpauthUri = generateURI({ issuer: TOTP_ISSUER, label: user.email, secret });
  return { secret, otpauthUri, qrCodeDataUrl: await QRCode.toDataURL(otpauthUri, { margin: 1, width: 240 }) };
}

/** Confirms enrolment with a code from the app; returns the recovery codes, shown this once. */
export async function confirmTotpEnrolment(
  em: EntityManager,
  deps: TotpDeps,
  userId: string,
  code: string,
): Promise<string[]> {
  const user = await em.findOneOrFail(User, userId);
  if (user.totpEnabledAt) throw new UserFacingError(UserErrorCode.INVALID, 'two-factor login is already on');
  if (!user.totpPendingSecret) {
    throw new UserFacingError(UserErrorCode.INVALID_CODE, 'start the enrolment first', codeField);
  }
  const step = await checkTotp(deps.limits, user, user.totpPendingSecret, code);
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  user.totpSecret = user.totpPendingSecret;
  user.totpPendingSecret = null;
  user.totpEnabledAt = new Date();
  user.totpLastStep = step;
  user.recoveryCodeHashes = recoveryCodes.map((recovery) => sha256(normaliseRecoveryCode(recovery)));
  recordAudit(em, deps, { action: 'auth.totp_enabled', merchantId: user.merchantId, targetId: user.id, details: {} });
  await em.flush();
  return recoveryCodes;
}

/** Turns two-factor login off, proven by a current code or a recovery code. */
export async function disableTotp(em: EntityManager, deps: TotpDeps, userId: string, code: string): Promise<void> {
  const user = await em.findOneOrFail(User, userId);
  if (!user.totpEnabledAt) throw new UserFacingError(UserErrorCode.INVALID, 'two-factor login is not on');
  await checkSecondFactor(em, deps.limits, user, code);
  user.totpSecret = null;
  user.totpEnabledAt = null;
  user.totpLastStep = null;
  user.recoveryCodeHashes = null;
  recordAudit(em, deps, { action: 'auth.totp_disabled', merchantId: user.merchantId, targetId: user.id, details: {} });
  await em.flush();
}

/**
 * Checks a login's second factor: a 6-digit TOTP code (never the same time step twice) or one of the recovery codes
 * (used up). Flushes what it used; a wrong code is counted against the user and refused with INVALID_CODE.
 */
export async function checkSecondFactor(
  em: EntityManager,
  limits: RateLimits,
  user: User,
  code: string,
): Promise<void> {
  const guess = code.replace(/\s/g, '');
  if (/^\d{6}$/.test(guess)) {
    user.totpLastStep = await checkTotp(limits, user, user.totpSecret!, guess);
    await em.flush();
    return;
  }
  await assertBudget(limits, user.id);
  const hash = sha256(normaliseRecoveryCode(guess));
  const left = user.recoveryCodeHashes ?? [];
  if (!left.includes(hash)) return refuse(limits, user.id);
  user.recoveryCodeHashes = left.filter((candidate) => candidate !== hash);
  await em.flush();
}

async function assertBudget(limits: RateLimits, userId: string): Promise<void> {
  const limiter = guesses(limits);
  const spent = await limiter.peek(userId);
  // Refused once the budget is used up, not only past it: five wrong codes, then a pause.
  if (spent && (!spent.allowed || spent.consumed >= limiter.budget.points))
    throw new RateLimited('totp-guess', Math.max(1, Math.ceil(spent.msBeforeNext / 1000)));
}

async function refuse(limits: RateLimits, userId: string): Promise<never> {
  await guesses(limits).hit(userId);
  throw new UserFacingError(
    UserErrorCode.INVALID_CODE,
    'that code is not right; check the time on your phone',
    codeField,
  );
}

/** Returns the accepted code's time step. */
async function checkTotp(limits: RateLimits, user: User, secret: string, code: string): Promise<number> {
  await assertBudget(limits, user.id);
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return refuse(limits, user.id);
  const result = await verify({ secret, token, epochTolerance: EPOCH_TOLERANCE_SECONDS });
  // The TOTP strategy's result carries its time step (an HOTP one would not).
  if (!result.valid || !('timeStep' in result)) return refuse(limits, user.id);
  // A right code of a step already used is refused, never taken twice, but not counted as a guess: it proves the
  // secret is known, and two logins within one step (two browser tabs) should not lock anyone out.
  if (user.totpLastStep !== null && result.timeStep <= user.totpLastStep) {
    throw new UserFacingError(
      UserErrorCode.INVALID_CODE,
      'that code was already used: wait for the next one',
      codeField,
    );
  }
  return result.timeStep;
}

/** "k7q2m-x9d4r": 50 random bits, easy to type from paper. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}
