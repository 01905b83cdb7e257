import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { Viewer } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { RateLimited, type Budget, type Limiter, type RateLimits } from '../../common/rate-limit';
import { User, UserRole } from '../auth';
import { MAIL_SECRET_MASK, sendMail, type MailSecret } from '../mail';
import { CODE_DIGITS, codeHash, newCode, openCode, sameHash, sealCode } from './confirmation.crypto';
import { ConfirmationCode, ConfirmationStatus } from './confirmation.entity';

/*
 * One-time confirmation codes (seed M5, ASVS 5): a request that moves money out or changes where it goes is confirmed
 * by a code emailed to the merchant's owner. Each code is tied to its request (purpose + target id), lives ten
 * minutes, is used at most once (a conditional UPDATE: of twenty parallel confirmations one wins), and dies after
 * five wrong guesses; a caller who guesses wrong too often is also refused for a while, on the platform's shared
 * limiter. Confirming is two steps: verifyConfirmation checks the guess outside any transaction (so a wrong guess is
 * counted even though the request then fails), and consumeConfirmation uses the code inside the transaction that does
 * what it confirms (so a failure there leaves the code usable).
 */

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 5;
export const CONFIRMATION_MAIL_SECRET = 'confirmation-code';

/** Codes sent per merchant: a stolen session cannot bomb the owner's inbox. */
const ISSUE_BUDGET: Budget = { points: 30, seconds: 60 * 60 };
/** Wrong guesses per caller, across codes: past it, refused for half an hour. */
const GUESS_BUDGET: Budget = { points: 20, seconds: 60 * 60, blockSeconds: 30 * 60 };

/** Each platform's limiters, built once: a memory limiter built per call would forget every count. */
const limitersOf = new WeakMap<RateLimits, { issue: Limiter; guess: Limiter }>();
function limiters(limits: RateLimits, scale = 1) {
  let found = limitersOf.get(limits);
  if (!found) {
    found = {
      // RATE_LIMIT_SCALE raises the codes a merchant may be sent (a partner with many payouts), not the guesses.
      issue: limits.limiter('confirmation-issue', {
        ...ISSUE_BUDGET,
        points: Math.max(1, Math.round(ISSUE_BUDGET.points * scale)),
      }),
      guess: limits.limiter('confirmation-guess', GUESS_BUDGET),
    };
    limitersOf.set(limits, found);
  }
  return found;
}

export interface ConfirmationDeps {
  config: Config;
  limits: RateLimits;
}

export interface NewConfirmation {
  merchantId: string;
  purpose: string;
  targetId: string;
  /** Who asks: an owner gets the code themselves; anyone else (an API key) has it sent to the merchant's owner. */
  viewer: Viewer | null;
  subject: string;
  /** What the code confirms, in the owner's words: a line or two, shown above the code. */
  summary: string;
  now?: Date;
}

const binding = (row: Pick<ConfirmationCode, 'id' | 'purpose' | 'targetId'>) =>
  `${row.id}:${row.purpose}:${row.targetId}`;

/** The owner a merchant's codes go to: the asking owner, or the merchant's first owner. */
async function recipient(em: EntityManager, merchantId: string, viewer: Viewer | null): Promise<User> {
  if (viewer?.kind === 'user' && viewer.role === 'OWNER' && viewer.merchantId === merchantId && viewer.userId) {
    const self = await em.findOne(User, viewer.userId);
    if (self) return self;
  }
  const owner = await em.findOne(
    User,
    { merchantId, role: UserRole.OWNER },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  if (!owner) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'this merchant has no owner to send a code to');
  return owner;
}

/**
 * Emails a new code for a request, replacing any code still pending for it, in the caller's unit of work (the mail
 * goes out through the outbox only if the caller commits). The outbox holds the mail with the code masked; it is
 * rendered from its seal at sending. Returns the code's row (never the code).
 */
export async function issueConfirmation(
  em: EntityManager,
  deps: ConfirmationDeps,
  input: NewConfirmation,
): Promise<ConfirmationCode> {
  const issued = await limiters(deps.limits, deps.config.rateLimitScale).issue.hit(input.merchantId);
  if (!issued.allowed) throw new RateLimited('confirmation-issue', Math.ceil(issued.msBeforeNext / 1000));
  const now = input.now ?? new Date();
  const owner = await recipient(em, input.merchantId, input.viewer);
  await em.nativeUpdate(
    ConfirmationCode,
    { purpose: input.purpose, targetId: input.targetId, status: ConfirmationStatus.PENDING },
    { status: ConfirmationStatus.REVOKED, seal: null },
  );
  const row = build(ConfirmationCode, {
    merchantId: input.merchantId,
    purpose: input.purpose,
    targetId: input.targetId,
    userId: owner.id,
    email: owner.email,
    expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    createdAt: now,
  });
  const code = newCode();
  row.codeHash = codeHash(deps.config.sessionSecret, binding(row), code);
  row.seal = sealCode(deps.config.sessionSecret, binding(row), code);
  em.persist(row);
  sendMail(em, {
    to: owner.email,
    merchantId: input.merchantId,
    subject: input.subject,
    text:
      `${input.summary}\n\n` +
      `Your confirmation code: ${MAIL_SECRET_MASK}\n\n` +
      'It works once, for this request only, and expires in 10 minutes. If you did not ask for this, do not share ' +
      'the code with anyone: change your password and tell us.',
    secret: { kind: CONFIRMATION_MAIL_SECRET, id: row.id },
  });
  return row;
}

/** The pending code of a request, checked against a guess; the proof consumeConfirmation needs. */
export interface VerifiedConfirmation {
  id: string;
  codeHash: string;
}

/**
 * Checks a guess for a request's code, outside any transaction. A wrong guess is counted on the code (five lock it)
 * and on the caller's budget, and answered INVALID_CODE; an expired, replaced or locked code is CODE_EXPIRED. Uses
 * nothing: consumeConfirmation does, in the caller's transaction.
 */
export async function verifyConfirmation(
  em: EntityManager,
  deps: ConfirmationDeps,
  input: { purpose: string; targetId: string; code: string; actorKey: string; now?: Date },
): Promise<VerifiedConfirmation> {
  const field = ['input', 'code'];
  const guesses = limiters(deps.limits).guess;
  const spent = await guesses.peek(input.actorKey);
  if (spent && !spent.allowed) throw new RateLimited('confirmation-guess', Math.ceil(spent.msBeforeNext / 1000));
  const now = input.now ?? new Date();
  const row = await em
    .fork()
    .findOne(
      ConfirmationCode,
      { purpose: input.purpose, targetId: input.targetId },
      { orderBy: { id: 'desc' }, disableIdentityMap: true },
    );
  if (!row || row.status === ConfirmationStatus.USED) {
    throw new UserFacingError(
      UserErrorCode.INVALID_CODE,
      'no code is waiting for this request: ask for a new one',
      field,
    );
  }
  if (row.status !== ConfirmationStatus.PENDING || row.expiresAt <= now) {
    throw new UserFacingError(UserErrorCode.CODE_EXPIRED, 'this code can no longer be used: ask for a new one', field);
  }
  const guess = input.code.replace(/[\s-]/g, '');
  const right =
    new RegExp(`^\\d{${CODE_DIGITS}}$`).test(guess) &&
    sameHash(codeHash(deps.config.sessionSecret, binding(row), guess), row.codeHash);
  if (!right) {
    // Counted in its own statement, outside the caller's transaction: the failed request must not take it back.
    await em
      .fork()
      .getConnection('write')
      .execute(
        `update confirmation_code set attempts = attempts + 1,
              status = case when attempts + 1 >= ? then ? else status end,
              seal = case when attempts + 1 >= ? then null else seal end
        where id = ? and status = ?`,
        [MAX_ATTEMPTS, ConfirmationStatus.LOCKED, MAX_ATTEMPTS, row.id, ConfirmationStatus.PENDING],
        'run',
      );
    await guesses.hit(input.actorKey);
    const left = MAX_ATTEMPTS - row.attempts - 1;
    throw new UserFacingError(
      left > 0 ? UserErrorCode.INVALID_CODE : UserErrorCode.CODE_EXPIRED,
      left > 0
        ? `that is not the code (${left} ${left === 1 ? 'try' : 'tries'} left)`
        : 'too many wrong codes: ask for a new one',
      field,
    );
  }
  return { id: row.id, codeHash: row.codeHash };
}

/**
 * Uses a verified code, inside the caller's transaction: one conditional UPDATE, so of many parallel confirmations
 * exactly one gets the row; the others (and a code expired since it was checked) are refused with ALREADY_RESOLVED or
 * CODE_EXPIRED. If the caller's transaction rolls back, the code is pending again.
 */
export async function consumeConfirmation(
  em: EntityManager,
  verified: VerifiedConfirmation,
  now = new Date(),
): Promise<void> {
  const used = await em.nativeUpdate(
    ConfirmationCode,
    { id: verified.id, codeHash: verified.codeHash, status: ConfirmationStatus.PENDING, expiresAt: { $gt: now } },
    { status: ConfirmationStatus.USED, usedAt: now, seal: null },
  );
  if (used !== 1) {
    throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'this code was already used or has expired', [
      'input',
      'code',
    ]);
  }
}

/** The latest code sent for a request, if any (for "a code was sent to …" answers). */
export function latestConfirmation(em: EntityManager, purpose: string, targetId: string) {
  return em.findOne(ConfirmationCode, { purpose, targetId }, { orderBy: { id: 'desc' } });
}

/**
 * Renders a pending code into its mail at sending; a code used, replaced, locked or expired since is not sent (the
 * mail goes DEAD, visible to admins, and the owner asks for a new one).
 */
export const confirmationMailSecret: MailSecret = {
  kind: CONFIRMATION_MAIL_SECRET,
  async reveal(em, config, id) {
    const row = await em.findOne(ConfirmationCode, id, { disableIdentityMap: true });
    if (!row?.seal || row.status !== ConfirmationStatus.PENDING || row.expiresAt <= new Date()) return null;
    return openCode(config.sessionSecret, binding(row), row.seal);
  },
};

/** "d•••@example.com": whom a code went to, without handing out the address. */
export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}
