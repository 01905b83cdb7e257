import type { EntityManager } from '@mikro-orm/core';
import type { Extensions } from '../../common/module';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';

/** Rows deleted per transaction: small enough that no sweep holds its locks for long. */
export const RETENTION_BATCH = 500;
const DAY_MS = 86_400_000;

/** Deletes messages and their attempts, in the caller's unit of work (for owners that sweep their own, e.g. webhooks). */
export async function deleteOutboxMessages(em: EntityManager, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await em.nativeDelete(OutboxAttempt, { messageId: { $in: [...ids] } });
  await em.nativeDelete(OutboxMessage, { id: { $in: [...ids] } });
}

/**
 * Deletes up to `limit` messages delivered more than `retentionDays` before `now`, with their attempts, in one short
 * transaction; returns how many. Only DELIVERED ones: a DEAD message is a side effect that never happened (a payer
 * without their code, a merchant never told), and it is the only trace an operator has of it, so it stays until an
 * admin retries it (then it is delivered and swept like any other); they are few, and counted by the metrics.
 * Kinds whose module shows their state and attempts with its own records (`keptByOwner`) are left to that module.
 */
export async function sweepDeliveredOutbox(
  deps: { orm: { em: EntityManager }; extensions: Extensions },
  options: { retentionDays: number; now?: Date; limit?: number },
): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * DAY_MS);
  const kept = (deps.extensions.outboxHandlers ?? [])
    .filter((spec) => spec.options.keptByOwner)
    .map((spec) => spec.kind);
  return deps.orm.em.fork().transactional(async (em) => {
    const due = await em.find(
      OutboxMessage,
      {
        status: OutboxStatus.DELIVERED,
        deliveredAt: { $lt: cutoff },
        ...(kept.length ? { kind: { $nin: kept } } : {}),
      },
      { fields: ['id'], orderBy: { deliveredAt: 'asc' }, limit: options.limit ?? RETENTION_BATCH },
    );
    await deleteOutboxMessages(
      em,
      due.map((message) => message.id),
    );
    return due.length;
  });
}
