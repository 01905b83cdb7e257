import { assertCatalogued, OBSERVED_EVENT_KIND, OBSERVED_EVENTS, type EventType } from '../../common/events';
import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { newToken } from '../../common/ids';
import { isPrivateHost, postToUrl } from '../../common/outbound';
import { build } from '../../common/orm';
import { SIGNATURE_HEADER, signPayload } from '../../common/signature';
import { flushAudited, type AuditActor } from '../audit';
import { DeliveryError, enqueue, outboxHandler, type OutboxHandler } from '../outbox';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';

export const WEBHOOK_OUTBOX_KIND = 'webhook';
/** The event `sendTestWebhook` sends; endpoints receive it whatever types they subscribed to. */
export const TEST_EVENT_TYPE = 'webhook.test';
const SECRET_PREFIX = 'whsec_';
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const MAX_EVENT_TYPES = 50;

function invalid(code: UserErrorCode, message: string, field: string): UserFacingError {
  return new UserFacingError(code, message, ['input', field]);
}

/** http(s), no credentials in the URL; in production https only; nothing internal unless the platform allows it. */
function validUrl(config: Config, value: string): string {
  const url = value.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(UserErrorCode.INVALID_URL, 'enter a full URL, like https://example.com/tollgate', 'url');
  }
  if (url.length > 2000) throw invalid(UserErrorCode.TOO_LONG, 'use a URL of at most 2000 characters', 'url');
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an http or https URL', 'url');
  }
  // Credentials in a URL end up in logs and screens; the signature is how receivers authenticate us.
  if (parsed.username || parsed.password) {
    throw invalid(UserErrorCode.INVALID_URL, 'leave user name and password out of the URL', 'url');
  }
  // Event data is payment data: the signature proves who sent it but does not hide it.
  if (config.mode === 'production' && parsed.protocol !== 'https:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an https URL', 'url');
  }
  if (!config.allowPrivateCallbackUrls && isPrivateHost(parsed.hostname)) {
    throw invalid(UserErrorCode.INVALID_URL, 'use a public address, not an internal one', 'url');
  }
  return url;
}

function validEventTypes(types: readonly string[]): string[] {
  const unique = [...new Set(types.map((type) => type.trim()))];
  if (unique.length === 0) throw invalid(UserErrorCode.REQUIRED, 'choose at least one event type', 'eventTypes');
  if (unique.length > MAX_EVENT_TYPES) {
    throw invalid(UserErrorCode.TOO_LONG, `choose at most ${MAX_EVENT_TYPES} event types`, 'eventTypes');
  }
  const bad = unique.find((type) => type !== '*' && !EVENT_TYPE.test(type));
  if (bad) {
    throw invalid(
      UserErrorCode.INVALID,
      `"${bad}" is not an event type (like "payment.succeeded", or "*")`,
      'eventTypes',
    );
  }
  return unique.sort();
}

function validDescription(value: string | null | undefined): string | null {
  const description = value?.trim() || null;
  if (description && description.length > 200) {
    throw invalid(UserErrorCode.TOO_LONG, 'use at most 200 characters', 'description');
  }
  return description;
}

function newSecret(): string {
  return SECRET_PREFIX + newToken(24);
}

/** Registers an endpoint; the returned secret is what its receiver verifies signatures with. */
export function createWebhookEndpoint(
  em: EntityManager,
  config: Config,
  input: { merchantId: string; url: string; eventTypes: readonly string[]; description?: string | null },
): { endpoint: WebhookEndpoint; secret: string } {
  const endpoint = build(WebhookEndpoint, {
    merchantId: input.merchantId,
    url: validUrl(config, input.url),
    eventTypes: validEventTypes(input.eventTypes),
    description: validDescription(input.description),
    secret: newSecret(),
  });
  em.persist(endpoint);
  return { endpoint, secret: endpoint.secret };
}

/** A caller registers an endpoint: created, audited and flushed together. */
export async function registerWebhookEndpoint(
  em: EntityManager,
  config: Config,
  actor: AuditActor,
  input: { merchantId: string; url: string; eventTypes: readonly string[]; description?: string | null },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const created = createWebhookEndpoint(em, config, input);
  await flushAudited(em, actor, {
    action: 'webhookEndpoint.create',
    merchantId: input.merchantId,
    targetId: created.endpoint.id,
    details: { url: created.endpoint.url, eventTypes: created.endpoint.eventTypes, secret: true },
  });
  return created;
}

export interface WebhookEndpointChanges {
  url?: string | null;
  eventTypes?: readonly string[] | null;
  description?: string | null;
  active?: boolean | null;
  rotateSecret?: boolean | null;
}

/**
 * Applies the given changes, audited; returns the new secret when it was rotated (the old one stops working at
 * once).
 */
export async function updateWebhookEndpoint(
  em: EntityManager,
  config: Config,
  actor: AuditActor,
  endpoint: WebhookEndpoint,
  changes: WebhookEndpointChanges,
  now = new Date(),
): Promise<{ endpoint: WebhookEndpoint; secret: string | null }> {
  if (changes.url != null) endpoint.url = validUrl(config, changes.url);
  if (changes.eventTypes != null) endpoint.eventTypes = validEventTypes(changes.eventTypes);
  if (changes.description !== undefined) endpoint.description = validDescription(changes.description);
  if (changes.active != null) endpoint.active = changes.active;
  const secret = changes.rotateSecret ? newSecret() : null;
  if (secret) endpoint.secret = secret;
  endpoint.updatedAt = now;
  const details: Record<string, unknown> = {};
  if (changes.url != null) details.url = endpoint.url;
  if (changes.eventTypes != null) details.eventTypes = endpoint.eventTypes;
  if (changes.description !== undefined) details.description = endpoint.description;
  if (changes.active != null) details.active = endpoint.active;
  if (secret) details.secret = true;
  await flushAudited(em, actor, {
    action: 'webhookEndpoint.update',
    merchantId: endpoint.merchantId,
    targetId: endpoint.id,
    details,
  });
  return { endpoint, secret };
}

/** Deletes an endpoint, audited: it receives nothing more. */
export async function deleteWebhookEndpoint(
  em: EntityManager,
  actor: AuditActor,
  endpoint: WebhookEndpoint,
  now = new Date(),
): Promise<WebhookEndpoint> {
  endpoint.active = false;
  endpoint.deletedAt = now;
  endpoint.updatedAt = now;
  await flushAudited(em, actor, {
    action: 'webhookEndpoint.delete',
    merchantId: endpoint.merchantId,
    targetId: endpoint.id,
    details: { url: endpoint.url },
  });
  return endpoint;
}

/** An endpoint's signing secret; the audit row commits before the secret leaves the server. */
export async function revealWebhookEndpointSecret(
  em: EntityManager,
  actor: AuditActor,
  endpoint: WebhookEndpoint,
): Promise<string> {
  await flushAudited(em, actor, {
    action: 'webhookEndpoint.revealSecret',
    merchantId: endpoint.merchantId,
    targetId: endpoint.id,
  });
  return endpoint.secret;
}

function endpointMatches(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type);
}

function deliver(em: EntityManager, event: WebhookEvent, endpoint: WebhookEndpoint, replayOfId: string | null = null) {
  const delivery = build(WebhookDelivery, {
    merchantId: event.merchantId,
    endpointId: endpoint.id,
    eventId: event.id,
    replayOfId,
  });
  const message = enqueue(em, {
    kind: WEBHOOK_OUTBOX_KIND,
    payload: { deliveryId: delivery.id },
    merchantId: event.merchantId,
  });
  delivery.outboxMessageId = message.id;
  em.persist(delivery);
  return delivery;
}

/**
 * The merchant's active endpoints, read once per unit of work: one SMS emits several events (sms.received,
 * payment.paid…), and endpoints do not change inside its transaction.
 */
const endpointsByUnit = new WeakMap<EntityManager, Map<string, Promise<WebhookEndpoint[]>>>();
function activeEndpoints(em: EntityManager, merchantId: string): Promise<WebhookEndpoint[]> {
  let byMerchant = endpointsByUnit.get(em);
  if (!byMerchant) endpointsByUnit.set(em, (byMerchant = new Map<string, Promise<WebhookEndpoint[]>>()));
  let endpoints = byMerchant.get(merchantId);
  if (!endpoints) {
    endpoints = em.find(WebhookEndpoint, { merchantId, active: true, deletedAt: null });
    byMerchant.set(merchantId, endpoints);
  }
  return endpoints;
}

/**
 * Records an event and queues one delivery per active endpoint of the merchant that subscribed to its type, all in
 * the caller's unit of work: the event is sent if and only if the change it reports commits.
 */
export async function emitWebhookEvent(
  em: EntityManager,
  input: { merchantId: string; type: string; data: Record<string, unknown> },
): Promise<{ event: WebhookEvent; deliveries: WebhookDelivery[] }> {
  if (!EVENT_TYPE.test(input.type)) throw new Error(`"${input.type}" is not an event type`);
  const event = build(WebhookEvent, { merchantId: input.merchantId, type: input.type, data: input.data });
  em.persist(event);
  const endpoints = await activeEndpoints(em, input.merchantId);
  const deliveries = endpoints
    .filter((endpoint) => endpointMatches(endpoint, input.type))
    // An endpoint's own failure report would only fail again there.
    .filter((endpoint) => !(input.type === 'webhook_endpoint.failing' && input.data.endpointId === endpoint.id))
    .map((endpoint) => deliver(em, event, endpoint));
  return { event, deliveries };
}

/**
 * Emits a catalogued event (common/events.ts) to the merchant's endpoints, in the caller's unit of work. The payload
 * must carry exactly the catalogued fields.
 */
export function emitEvent(
  em: EntityManager,
  type: EventType,
  merchantId: string,
  data: Record<string, unknown>,
): Promise<{ event: WebhookEvent; deliveries: WebhookDelivery[] }> {
  assertCatalogued(type, data);
  const emitted = emitWebhookEvent(em, { merchantId, type, data });
  if (OBSERVED_EVENTS.includes(type)) {
    return emitted.then((result) => {
      enqueue(em, {
        kind: OBSERVED_EVENT_KIND,
        payload: { eventId: result.event.id, type, merchantId, data },
        merchantId,
      });
      return result;
    });
  }
  return emitted;
}

function assertSendable(endpoint: WebhookEndpoint): void {
  if (endpoint.deletedAt) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'this endpoint was deleted');
  if (!endpoint.active) throw new UserFacingError(UserErrorCode.INVALID, 'enable the endpoint first');
}

/** Sends a `webhook.test` event to one endpoint, so a merchant can check their receiver. */
export function sendTestWebhook(em: EntityManager, endpoint: WebhookEndpoint): WebhookDelivery {
  assertSendable(endpoint);
  const event = build(WebhookEvent, {
    merchantId: endpoint.merchantId,
    type: TEST_EVENT_TYPE,
    data: { message: 'A test event from Tollgate: your endpoint is reachable.', endpointId: endpoint.id },
  });
  em.persist(event);
  return deliver(em, event, endpoint);
}

/**
 * Sends a delivery's event again, audited, as a new delivery with its own attempts (a delivered message is never sent
 * again by the outbox). The event id is unchanged, so a receiver that already processed it can tell.
 */
export async function replayWebhookDelivery(
  em: EntityManager,
  actor: AuditActor,
  original: WebhookDelivery,
): Promise<WebhookDelivery> {
  const [endpoint, event] = await Promise.all([
    em.findOneOrFail(WebhookEndpoint, original.endpointId),
    em.findOneOrFail(WebhookEvent, original.eventId),
  ]);
  assertSendable(endpoint);
  const delivery = deliver(em, event, endpoint, original.id);
  await flushAudited(em, actor, {
    action: 'webhookDelivery.replay',
    merchantId: original.merchantId,
    targetId: delivery.id,
    details: { replayOf: original.id, eventId: original.eventId },
  });
  return delivery;
}

/** The body a receiver gets; `data` is the event's, unchanged. */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data });
}

/** A 2xx answer delivers; anything else (or no answer in time) is retried by the outbox with backoff. */
const deliverWebhook: OutboxHandler<{ deliveryId: string }> = async (
  { deliveryId },
  { em, config, signal, message },
) => {
  const delivery = await em.findOne(WebhookDelivery, deliveryId);
  if (!delivery) throw new DeliveryError('the delivery record is missing', { permanent: true });
  const [endpoint, event] = await Promise.all([
    em.findOne(WebhookEndpoint, delivery.endpointId),
    em.findOne(WebhookEvent, delivery.eventId),
  ]);
  if (!event) throw new DeliveryError('the event record is missing', { permanent: true });
  if (!endpoint || endpoint.deletedAt) throw new DeliveryError('the endpoint was deleted', { permanent: true });
  if (!endpoint.active) throw new DeliveryError('the endpoint is disabled', { permanent: true });
  try {
    return await post(endpoint, event, config, signal);
  } catch (error) {
    // The last attempt failed: the delivery is given up, which the merchant hears of (webhook_endpoint.failing).
    // Not when the worker shuts down: that attempt is given back and counts for nothing.
    const shutdown = signal.aborted && !(signal.reason instanceof DeliveryError);
    if (message.attemptCount >= WEBHOOK_MAX_ATTEMPTS && !shutdown) {
      await emitEvent(em, 'webhook_endpoint.failing', endpoint.merchantId, {
        endpointId: endpoint.id,
        url: endpoint.url,
        eventId: event.id,
        eventType: event.type,
        error: (error instanceof Error ? error.message : String(error)).slice(0, 300),
        attempts: message.attemptCount,
      });
      await em.flush();
    }
    throw error;
  }
};

async function post(endpoint: WebhookEndpoint, event: WebhookEvent, config: Config, signal: AbortSignal) {
  const body = webhookBody(event);
  // Signed per attempt, with the current secret and time: a retry hours later still passes the receiver's tolerance.
  const response = await postToUrl(
    endpoint.url,
    body,
    {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signPayload(endpoint.secret, body),
      'user-agent': 'Tollgate-Webhooks/1',
    },
    { signal, allowPrivate: config.allowPrivateCallbackUrls },
  );
  if (response.status < 200 || response.status > 299) {
    const excerpt = response.body.trim().slice(0, 200);
    throw new DeliveryError(`HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`, { httpStatus: response.status });
  }
  return { httpStatus: response.status };
}

/** Attempts before a delivery is given up. */
const WEBHOOK_MAX_ATTEMPTS = 14;

// Receivers get 10 s to answer (they should acknowledge first, then process). 14 attempts with the outbox's
// backoff (15 s doubling, capped at 6 h) keep trying for about 10 to 20 hours, through a typical outage.
/** Delivers webhook events (the module provides it as an outbox handler). */
export const webhookOutboxHandler = outboxHandler(WEBHOOK_OUTBOX_KIND, deliverWebhook, {
  timeoutMs: 10_000,
  maxAttempts: WEBHOOK_MAX_ATTEMPTS,
  // Deliveries show their message's state and attempts; the webhook retention sweep deletes them together.
  keptByOwner: true,
});
