import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../common/context';
import { AuditEvent } from './audit-event.entity';
import { build } from '../../common/orm';

const SECRET_KEYS = /password|secret|token|code|card|cvv|pan/i;

/** Replaces the value of every secret-looking key with "changed", at any depth. */
export function redact(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (SECRET_KEYS.test(key)) out[key] = 'changed';
    else if (value && typeof value === 'object' && !Array.isArray(value))
      out[key] = redact(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

/** Who acts: the request's caller (a Context is one), or nobody for the system itself. */
export interface AuditActor {
  viewer: Viewer | null;
  ip?: string | null;
}

/** What happened: the action, whose merchant it concerns, its target and details (secret-looking keys redacted). */
export interface AuditEventInput {
  action: string;
  merchantId: string | null;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Adds an audit row to the caller's unit of work, so it commits with the change it describes or not at all. */
export function recordAudit(em: EntityManager, actor: AuditActor, event: AuditEventInput): AuditEvent {
  const viewer = actor.viewer;
  const row = build(AuditEvent, {
    merchantId: event.merchantId,
    actorKind: viewer ? viewer.kind : 'system',
    actorId: viewer ? (viewer.userId ?? viewer.apiKeyId) : null,
    action: event.action,
    targetId: event.targetId ?? null,
    details: redact(event.details ?? {}),
    ip: actor.ip ?? null,
  });
  em.persist(row);
  return row;
}

/** Records the audit event and flushes it together with the change it describes. */
export async function flushAudited(em: EntityManager, actor: AuditActor, event: AuditEventInput): Promise<void> {
  recordAudit(em, actor, event);
  await em.flush();
}
