import type { EntityManager } from '@mikro-orm/core';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';

/**
 * How far the outbox is behind, for monitoring: when the oldest message that is due (and not being attempted) fell
 * due, null when none is; and how many messages gave up (DEAD). Both read the (status, next_attempt_at) index.
 */
export async function outboxBacklog(
  em: EntityManager,
  now = new Date(),
): Promise<{ oldestDueAt: Date | null; dead: number }> {
  const oldest = await em.findOne(
    OutboxMessage,
    { status: OutboxStatus.PENDING, nextAttemptAt: { $lte: now } },
    { orderBy: { nextAttemptAt: 'asc' }, fields: ['id', 'nextAttemptAt'] },
  );
  const dead = await em.count(OutboxMessage, { status: OutboxStatus.DEAD });
  return { oldestDueAt: oldest?.nextAttemptAt ?? null, dead };
}
