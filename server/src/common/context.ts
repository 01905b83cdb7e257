import type { EntityManager } from '@mikro-orm/core';
import type { Config } from './config';
import type { Logger } from './log';
import type { Extensions } from './module';
import type { RateLimits } from './rate-limit';
import { graphqlError } from './errors';

export type Scope = 'read' | 'write';

/** Who is calling: a dashboard user (by session cookie) or a partner system (by API key). */
export interface Viewer {
  kind: 'user' | 'apiKey';
  userId: string | null;
  apiKeyId: string | null;
  role: 'OWNER' | 'STAFF' | 'READ_ONLY' | 'ADMIN' | null;
  /** The caller's own merchant; null for platform admins. */
  merchantId: string | null;
  /** Merchants the caller may read and change: its own and, for a partner, its sub-merchants. */
  merchantIds: readonly string[];
  scopes: readonly Scope[];
  /** Why a user has only the read scope: a READ_ONLY role, or a suspended merchant. */
  readOnly?: 'READ_ONLY_ROLE' | 'MERCHANT_SUSPENDED' | null;
  /** A platform admin who has not enrolled two-factor login yet: may do nothing but enrol. */
  secondFactorMissing?: boolean;
}

/** The events live pages subscribe to; payloads are plain objects, so they cross Redis unchanged. */
export interface PubSubLike {
  publish(topic: string, payload: unknown): void;
  subscribe(topic: string): AsyncIterable<unknown>;
}

export interface Context {
  /** This request's own EntityManager fork: nothing leaks between requests. */
  em: EntityManager;
  viewer: Viewer | null;
  config: Config;
  pubsub: PubSubLike;
  /** The platform's request budgets: `await ctx.limits.consume(['login:ip', ctx.ip])` throws RATE_LIMITED. */
  limits: RateLimits;
  /** What the modules plug into each other (SMS products, outbox handlers…). */
  extensions: Extensions;
  ip: string;
  /** The `Idempotency-Key` header, if the caller sent one. */
  idempotencyKey: string | null;
  /** The raw session cookie, if any (logout needs it). */
  sessionToken: string | null;
  setCookie(name: string, value: string, maxAgeSeconds: number): void;
  clearCookie(name: string): void;
  /** This request's id: in its `X-Request-Id` header, its log lines and its errors' `extensions.requestId`. */
  requestId: string;
  /** A logger bound to the request id; never log GraphQL variables or credentials with it. */
  log: Logger;
}

/** What a user may still do without the write scope: their own login, never the merchant's data. */
const SELF_SERVICE_MUTATIONS: ReadonlySet<string> = new Set([
  'login',
  'loginSecondFactor',
  'logout',
  'changePassword',
  'startTotpEnrolment',
  'confirmTotpEnrolment',
  'disableTotp',
  'acceptTeamInvite',
]);

/**
 * The one rule for every mutation (the schema's global middleware calls it): without the `write` scope, nothing
 * changes: a read-only API key, a READ_ONLY team member, the people of a suspended merchant. Users keep their own
 * login's self-service.
 */
export function assertMayMutate(viewer: Viewer | null, mutation: string): void {
  if (!viewer || viewer.scopes.includes('write')) return;
  if (viewer.kind === 'user' && SELF_SERVICE_MUTATIONS.has(mutation)) return;
  if (viewer.readOnly === 'MERCHANT_SUSPENDED') {
    throw graphqlError('MERCHANT_SUSPENDED', 'this merchant is suspended: you can look, not change anything');
  }
  if (viewer.readOnly === 'READ_ONLY_ROLE') throw graphqlError('FORBIDDEN', 'your role is read-only: ask an owner');
  throw graphqlError('FORBIDDEN', 'this API key is read-only');
}

/** What an admin without two-factor login may still call: enrolling it, and leaving. */
const SECOND_FACTOR_SETUP: ReadonlySet<string> = new Set([
  'startTotpEnrolment',
  'confirmTotpEnrolment',
  'logout',
  'changePassword',
]);

/** Platform admins must use two-factor login: until they enrol, every operation but enrolling is refused. */
export function assertSecondFactor(viewer: Viewer | null, operation: string): void {
  if (viewer?.secondFactorMissing && !SECOND_FACTOR_SETUP.has(operation)) {
    throw graphqlError('TOTP_REQUIRED', 'platform admins must turn on two-factor login first');
  }
}

export function isAdmin(viewer: Viewer | null): boolean {
  return viewer?.role === 'ADMIN';
}

export function requireViewer(ctx: Pick<Context, 'viewer'>): Viewer {
  if (!ctx.viewer) throw graphqlError('UNAUTHENTICATED', 'log in or send an API key');
  return ctx.viewer;
}

/** The merchant a caller acts for; admins must name one. Throws FORBIDDEN across tenants. */
export function actingMerchant(viewer: Viewer, requested?: string | null): string {
  const merchantId = requested ?? viewer.merchantId;
  if (!merchantId) throw graphqlError('BAD_USER_INPUT', 'merchantId is required for platform admins');
  assertMerchantAccess(viewer, merchantId);
  return merchantId;
}

export function canAccessMerchant(viewer: Viewer, merchantId: string): boolean {
  return viewer.role === 'ADMIN' || viewer.merchantIds.includes(merchantId);
}

/** Not-found rather than forbidden, so a caller cannot probe which ids exist in other tenants. */
export function assertMerchantAccess(viewer: Viewer, merchantId: string): void {
  if (!canAccessMerchant(viewer, merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
}

/** Filter for list queries: what this viewer may see (admins: everything, optionally one merchant). */
export function merchantFilter(
  viewer: Viewer,
  merchantId?: string | null,
): { merchantId?: string | { $in: string[] } } {
  if (merchantId) {
    assertMerchantAccess(viewer, merchantId);
    return { merchantId };
  }
  return viewer.role === 'ADMIN' ? {} : { merchantId: { $in: [...viewer.merchantIds] } };
}
