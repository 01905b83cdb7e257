import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import { WebhookDeliveryResolver, WebhookEndpointResolver } from './webhook.resolver';
// Registers the "webhook" outbox handler.
import './webhook.service';

export const entities = [WebhookEndpoint, WebhookEvent, WebhookDelivery];
export const resolvers = [WebhookEndpointResolver, WebhookDeliveryResolver] as const;
