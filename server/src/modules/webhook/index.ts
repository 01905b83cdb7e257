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
export { paymentEventDeliveries } from './webhook.timeline';
export type { PaymentEventDelivery } from './webhook.timeline';
