import type { EntityManager } from '@mikro-orm/core';
import { deliveryStates } from '../outbox';
import { deliveryEntry, PaymentTimelineKind, type Payment, type PaymentTimelineEntry } from '../payment';
import { Purse, PurseOperation } from './purse.entity';

/** A purse payment's Result URL callbacks (one per paid SMS operation) with how each delivery went. */
export async function purseCallbackTimeline(em: EntityManager, payment: Payment): Promise<PaymentTimelineEntry[]> {
  const operations = await em.find(PurseOperation, { paymentId: payment.id }, { orderBy: { id: 'asc' } });
  if (!operations.length) return [];
  const purses = await em.find(Purse, { id: { $in: [...new Set(operations.map((op) => op.purseId))] } });
  const states = await deliveryStates(
    em,
    operations.map((operation) => operation.callbackMessageId),
  );
  return operations.map((operation) =>
    deliveryEntry(
      PaymentTimelineKind.CALLBACK,
      operation.createdAt,
      `Result URL callback (operation ${operation.number}) to ${purses.find((p) => p.id === operation.purseId)?.resultUrl ?? 'the purse'}`,
      states.get(operation.callbackMessageId) ?? null,
    ),
  );
}
