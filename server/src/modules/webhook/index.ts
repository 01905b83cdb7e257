import type { DomainModule } from '../../common/module';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import { WebhookDeliveryResolver, WebhookEndpointResolver } from './webhook.resolver';
import { webhookOutboxHandler } from './webhook.service';

export const webhookModule: DomainModule = {
  name: 'webhook',
  entities: [WebhookEndpoint, WebhookEvent, WebhookDelivery],
  resolvers: [WebhookEndpointResolver, WebhookDeliveryResolver],
  provides: { outboxHandlers: [webhookOutboxHandler] },
};

// The public face: what other modules use.
export { emitEvent } from './webhook.service';
