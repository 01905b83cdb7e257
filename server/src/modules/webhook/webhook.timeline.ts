import type { EntityManager } from '@mikro-orm/core';
import { deliveryStates, type DeliveryState } from '../outbox';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';

/** One delivery of an event about a payment, for the payment's timeline. */
export interface PaymentEventDelivery {
  eventType: string;
  url: string;
  queuedAt: Date;
  /** Null once retention deleted the outbox message: it was delivered long ago. */
  state: DeliveryState | null;
}

/**
 * Every delivery of the merchant's events about one payment, oldest first: its own events (`data.id`) and those
 * naming it (`data.paymentId`: SMS, card, purse events).
 */
export async function paymentEventDeliveries(
  em: EntityManager,
  merchantId: string,
  paymentId: string,
): Promise<PaymentEventDelivery[]> {
  const events = await em.find(WebhookEvent, {
    merchantId,
    $or: [{ data: { id: paymentId } }, { data: { paymentId } }],
  });
  if (!events.length) return [];
  const deliveries = await em.find(
    WebhookDelivery,
    { eventId: { $in: events.map((event) => event.id) } },
    { orderBy: { id: 'asc' } },
  );
  const endpoints = await em.find(WebhookEndpoint, { id: { $in: [...new Set(deliveries.map((d) => d.endpointId))] } });
  const states = await deliveryStates(
    em,
    deliveries.map((delivery) => delivery.outboxMessageId),
  );
  return deliveries.map((delivery) => ({
    eventType: events.find((event) => event.id === delivery.eventId)?.type ?? 'event',
    url: endpoints.find((endpoint) => endpoint.id === delivery.endpointId)?.url ?? 'a deleted endpoint',
    queuedAt: delivery.createdAt,
    state: states.get(delivery.outboxMessageId) ?? null,
  }));
}
