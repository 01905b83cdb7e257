import type { EntityManager } from '@mikro-orm/core';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';

/** Where one outbox message stands, for modules that show their deliveries (a payment's timeline). */
export interface DeliveryState {
  id: string;
  status: OutboxStatus;
  attemptCount: number;
  lastError: string | null;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
}

/** The states of these messages, by id; a message deleted by retention (delivered long ago) is absent. */
export async function deliveryStates(em: EntityManager, ids: readonly string[]): Promise<Map<string, DeliveryState>> {
  if (!ids.length) return new Map();
  const messages = await em.find(OutboxMessage, { id: { $in: [...ids] } });
  return new Map(
    messages.map((message) => [
      message.id,
      {
        id: message.id,
        status: message.status,
        attemptCount: message.attemptCount,
        lastError: message.lastError,
        deliveredAt: message.deliveredAt,
        nextAttemptAt: message.nextAttemptAt,
      },
    ]),
  );
}
