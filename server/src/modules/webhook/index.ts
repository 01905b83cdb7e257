import type { EntityManager } from '@mikro-orm/core';
import type { DomainModule } from '../../common/module';
import { startSweeper } from '../../common/sweeper';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import { WebhookDeliveryResolver, WebhookEndpointResolver } from './webhook.resolver';
import { sweepWebhookEvents, WEBHOOK_RETENTION_BATCH } from './webhook.retention';
import { webhookOutboxHandler } from './webhook.service';

export const webhookModule: DomainModule = {
  name: 'webhook',
  entities: [WebhookEndpoint, WebhookEvent, WebhookDelivery],
  resolvers: [WebhookEndpointResolver, WebhookDeliveryResolver],
  provides: { outboxHandlers: [webhookOutboxHandler] },
  /** Every 10 minutes, events past their retention go, with their deliveries (see sweepWebhookEvents). */
  startWorkers: (platform) =>
    startSweeper(
      'webhook retention sweep',
      async () => (await sweepWebhookEvents(platform.orm.em, platform.config)) >= WEBHOOK_RETENTION_BATCH,
      { intervalMs: 10 * 60_000, quiet: platform.config.mode === 'test' },
    ),
};

// The public face: what other modules use.
export { emitEvent } from './webhook.service';

/** What the endpoint checker needs to sign test events for an endpoint; null when it does not exist or was deleted. */
export async function webhookEndpointTarget(
  em: EntityManager,
  endpointId: string,
): Promise<{ id: string; merchantId: string; url: string; secret: string } | null> {
  const endpoint = await em.findOne(WebhookEndpoint, { id: endpointId, deletedAt: null });
  return endpoint && { id: endpoint.id, merchantId: endpoint.merchantId, url: endpoint.url, secret: endpoint.secret };
}
export { paymentEventDeliveries } from './webhook.timeline';
export type { PaymentEventDelivery } from './webhook.timeline';
