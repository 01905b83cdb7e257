import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, canAccessMerchant, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { IdInput } from '../../common/mutation';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { OutboxAttempt } from '../outbox';
import { OutboxMessage, OutboxStatus } from '../outbox';
import { listAttempts } from '../outbox';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import {
  deleteWebhookEndpoint,
  registerWebhookEndpoint,
  replayWebhookDelivery,
  revealWebhookEndpointSecret,
  sendTestWebhook,
  updateWebhookEndpoint,
} from './webhook.service';
import {
  CreateWebhookEndpointInput,
  CreateWebhookEndpointPayload,
  DeleteWebhookEndpointPayload,
  RevealWebhookEndpointSecretPayload,
  SendTestWebhookInput,
  UpdateWebhookEndpointInput,
  UpdateWebhookEndpointPayload,
  WebhookDeliveriesArgs,
  WebhookDeliveryConnection,
  WebhookDeliveryPayload,
  WebhookEndpointConnection,
  WebhookEndpointsArgs,
} from './webhook.types';

/** An endpoint the caller may see; NOT_FOUND otherwise, the same for other tenants' ids as for unknown ones. */
async function loadEndpoint(ctx: Context, id: string): Promise<WebhookEndpoint> {
  const viewer = requireViewer(ctx);
  const endpoint = await ctx.em.findOne(WebhookEndpoint, { id, deletedAt: null });
  if (!endpoint || !canAccessMerchant(viewer, endpoint.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
  return endpoint;
}

/** The outbox message carrying a delivery (from the identity map when the list resolver preloaded it). */
function messageOf(ctx: Context, delivery: WebhookDelivery): Promise<OutboxMessage> {
  return ctx.em.findOneOrFail(OutboxMessage, delivery.outboxMessageId);
}

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  @Authorized()
  @Query(() => WebhookEndpointConnection, { description: 'Webhook endpoints the caller may see, newest first.' })
  webhookEndpoints(
    @Args(() => WebhookEndpointsArgs) args: WebhookEndpointsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<WebhookEndpoint>> {
    const where = { ...merchantFilter(requireViewer(ctx), args.merchantId), deletedAt: null };
    return paginate(ctx.em, WebhookEndpoint, where, args);
  }

  @Authorized()
  @Query(() => WebhookEndpoint, { description: 'One webhook endpoint.' })
  webhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookEndpoint> {
    return loadEndpoint(ctx, id);
  }

  @Authorized()
  @Mutation(() => CreateWebhookEndpointPayload, {
    description: 'Registers a URL to receive events; the payload carries its signing secret.',
  })
  async createWebhookEndpoint(
    @Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput,
    @Ctx() ctx: Context,
  ): Promise<CreateWebhookEndpointPayload> {
    const merchantId = actingMerchant(requireViewer(ctx), input.merchantId);
    return payload(
      (created, userErrors) => ({
        webhookEndpoint: created?.endpoint ?? null,
        secret: created?.secret ?? null,
        userErrors,
      }),
      () => registerWebhookEndpoint(ctx.em, ctx.config, ctx, { ...input, merchantId }),
    );
  }

  @Authorized()
  @Mutation(() => UpdateWebhookEndpointPayload, {
    description: 'Changes an endpoint: URL, event types, note, enabled, or its secret.',
  })
  async updateWebhookEndpoint(
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateWebhookEndpointPayload> {
    const endpoint = await loadEndpoint(ctx, input.id);
    return payload(
      (updated, userErrors) => ({ webhookEndpoint: endpoint, secret: updated?.secret ?? null, userErrors }),
      () => updateWebhookEndpoint(ctx.em, ctx.config, ctx, endpoint, input),
    );
  }

  @Authorized()
  @Mutation(() => DeleteWebhookEndpointPayload, {
    description: 'Deletes an endpoint: it receives nothing more, and its pending deliveries stop.',
  })
  async deleteWebhookEndpoint(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteWebhookEndpointPayload> {
    const endpoint = await loadEndpoint(ctx, input.id);
    return payload(
      (deleted, userErrors) => ({ deletedWebhookEndpointId: deleted?.id ?? null, userErrors }),
      () => deleteWebhookEndpoint(ctx.em, ctx, endpoint),
    );
  }

  @Authorized()
  @Mutation(() => RevealWebhookEndpointSecretPayload, {
    description: "Shows an endpoint's signing secret; every reveal is in the audit log.",
  })
  async revealWebhookEndpointSecret(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<RevealWebhookEndpointSecretPayload> {
    const endpoint = await loadEndpoint(ctx, input.id);
    return { secret: await revealWebhookEndpointSecret(ctx.em, ctx, endpoint), userErrors: [] };
  }

  @Authorized()
  @Mutation(() => WebhookDeliveryPayload, {
    description: 'Sends a "webhook.test" event to an endpoint, whatever types it subscribed to.',
  })
  async sendTestWebhook(
    @Arg('input', () => SendTestWebhookInput) input: SendTestWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookDeliveryPayload> {
    const endpoint = await loadEndpoint(ctx, input.endpointId);
    return payload(
      (webhookDelivery, userErrors) => ({ webhookDelivery, userErrors }),
      async () => {
        const delivery = sendTestWebhook(ctx.em, endpoint);
        await ctx.em.flush();
        return delivery;
      },
    );
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @Authorized()
  @Query(() => WebhookDeliveryConnection, { description: "An endpoint's deliveries, newest first." })
  async webhookDeliveries(
    @Args(() => WebhookDeliveriesArgs) args: WebhookDeliveriesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<WebhookDelivery>> {
    const endpoint = await loadEndpoint(ctx, args.endpointId);
    const page = await paginate(ctx.em, WebhookDelivery, { endpointId: endpoint.id }, args);
    // Load the page's messages and events in two queries; the field resolvers then find them in the identity map.
    const nodes = page.edges.map((edge) => edge.node);
    await Promise.all([
      ctx.em.find(OutboxMessage, { id: { $in: nodes.map((node) => node.outboxMessageId) } }),
      ctx.em.find(WebhookEvent, { id: { $in: [...new Set(nodes.map((node) => node.eventId))] } }),
    ]);
    return page;
  }

  @Authorized()
  @Mutation(() => WebhookDeliveryPayload, {
    description: "Sends a delivery's event again as a new delivery (same event id, so receivers can deduplicate).",
  })
  async replayWebhookDelivery(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookDeliveryPayload> {
    const viewer = requireViewer(ctx);
    const original = await ctx.em.findOne(WebhookDelivery, input.id);
    if (!original || !canAccessMerchant(viewer, original.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (webhookDelivery, userErrors) => ({ webhookDelivery, userErrors }),
      () => replayWebhookDelivery(ctx.em, ctx, original),
    );
  }

  @FieldResolver(() => WebhookEvent, { description: 'The event this delivery sends.' })
  event(@Root() delivery: WebhookDelivery, @Ctx() ctx: Context): Promise<WebhookEvent> {
    return ctx.em.findOneOrFail(WebhookEvent, delivery.eventId);
  }

  @FieldResolver(() => OutboxStatus, { description: 'PENDING until the receiver answers 2xx; DEAD when given up.' })
  async status(@Root() delivery: WebhookDelivery, @Ctx() ctx: Context): Promise<OutboxStatus> {
    return (await messageOf(ctx, delivery)).status;
  }

  @FieldResolver(() => Int, { description: 'Attempts so far (since the last retry, if an admin retried it).' })
  async attemptCount(@Root() delivery: WebhookDelivery, @Ctx() ctx: Context): Promise<number> {
    return (await messageOf(ctx, delivery)).attemptCount;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When it is next attempted, while PENDING.' })
  async nextAttemptAt(@Root() delivery: WebhookDelivery, @Ctx() ctx: Context): Promise<Date | null> {
    const message = await messageOf(ctx, delivery);
    return message.status === OutboxStatus.PENDING ? message.nextAttemptAt : null;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When the receiver accepted it.' })
  async deliveredAt(@Root() delivery: WebhookDelivery, @Ctx() ctx: Context): Promise<Date | null> {
    return (await messageOf(ctx, delivery)).deliveredAt;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  async lastError(@Root() delivery: WebhookDelivery, @Ctx() ctx: Context): Promise<string | null> {
    return (await messageOf(ctx, delivery)).lastError;
  }

  @FieldResolver(() => [OutboxAttempt], { description: 'Every attempt, oldest first.' })
  attempts(@Root() delivery: WebhookDelivery, @Ctx() ctx: Context): Promise<OutboxAttempt[]> {
    return listAttempts(ctx.em, delivery.outboxMessageId);
  }
}
