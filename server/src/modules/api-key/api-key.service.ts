import type { EntityManager } from '@mikro-orm/core';
import type { Scope, Viewer } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { newToken } from '../../common/ids';
import { flushAudited, type AuditActor } from '../audit';
import { sha256, visibleMerchantIds } from '../auth';
import { ApiKey } from './api-key.entity';
import { build } from '../../common/orm';

export const API_KEY_PREFIX = 'tgk_';
const LAST_USED_RESOLUTION_MS = 60_000;

/** Creates a key and returns it with its secret, which is never retrievable again. */
export function createApiKey(
  em: EntityManager,
  input: { merchantId: string; name: string; scopes: Scope[]; createdByUserId: string | null },
): { apiKey: ApiKey; secret: string } {
  const name = input.name.trim();
  if (!name) throw new UserFacingError(UserErrorCode.REQUIRED, 'give the key a name', ['input', 'name']);
  if (name.length > 100)
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 100 characters', ['input', 'name']);
  const scopes = [...new Set(input.scopes)];
  if (!scopes.includes('read')) scopes.unshift('read');
  const secret = API_KEY_PREFIX + newToken(32);
  const apiKey = build(ApiKey, {
    merchantId: input.merchantId,
    name,
    prefix: secret.slice(0, 12),
    secretHash: sha256(secret),
    scopeList: scopes.sort().join(','),
    createdByUserId: input.createdByUserId,
  });
  em.persist(apiKey);
  return { apiKey, secret };
}

const SCOPES: readonly string[] = ['read', 'write'];

/** A caller's new key (scopes as given, checked here), audited and flushed with it. */
export async function issueApiKey(
  em: EntityManager,
  actor: AuditActor,
  input: { merchantId: string; name: string; scopes: string[]; createdByUserId: string | null },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const unknown = input.scopes.find((scope) => !SCOPES.includes(scope));
  if (unknown)
    throw new UserFacingError(UserErrorCode.INVALID, `unknown scope "${unknown}"; use read or write`, [
      'input',
      'scopes',
    ]);
  const created = createApiKey(em, { ...input, scopes: input.scopes as Scope[] });
  await flushAudited(em, actor, {
    action: 'apiKey.create',
    merchantId: input.merchantId,
    targetId: created.apiKey.id,
    details: { name: created.apiKey.name, scopes: created.apiKey.scopes, secret: true },
  });
  return created;
}

/** Revokes a key at once, audited in the same flush. */
export async function revokeApiKey(
  em: EntityManager,
  actor: AuditActor,
  apiKey: ApiKey,
  now = new Date(),
): Promise<ApiKey> {
  if (apiKey.revokedAt) throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'this key is already revoked');
  apiKey.revokedAt = now;
  await flushAudited(em, actor, { action: 'apiKey.revoke', merchantId: apiKey.merchantId, targetId: apiKey.id });
  return apiKey;
}

/** The caller behind a bearer key, or null for an unknown or revoked key. */
export async function viewerForApiKey(em: EntityManager, secret: string, now = new Date()): Promise<Viewer | null> {
  if (!secret.startsWith(API_KEY_PREFIX)) return null;
  const apiKey = await em.findOne(ApiKey, { secretHash: sha256(secret) });
  if (!apiKey || apiKey.revokedAt) return null;
  if (!apiKey.lastUsedAt || now.getTime() - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // To the minute: one write a minute per key, not one per call.
    await em.nativeUpdate(ApiKey, { id: apiKey.id }, { lastUsedAt: now });
  }
  return {
    kind: 'apiKey',
    userId: null,
    apiKeyId: apiKey.id,
    role: null,
    merchantId: apiKey.merchantId,
    merchantIds: await visibleMerchantIds(em, apiKey.merchantId),
    scopes: apiKey.scopes as Scope[],
  };
}
