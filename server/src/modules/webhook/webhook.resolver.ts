import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, canAccessMerchant, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload, UserError } from '../../common/errors';
import { paginate } from '../../common/orm';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { recordAudit } from '../audit/audit.service';
import { OutboxAttempt } from '../outbox/outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from '../outbox/outbox-message.entity';
import { listAttempts } from '../outbox/outbox.service';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  replayWebhookDelivery,
  sendTestWebhook,
  updateWebhookEndpoint,
} from './webhook.service';

const WebhookEndpointConnection = ConnectionType(WebhookEndpoint, 'WebhookEndpoint');
const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, 'WebhookDelivery');

@ArgsType()
class WebhookEndpointsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@ArgsType()
class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID, { description: 'The endpoint whose deliveries to list.' })
  endpointId!: string;
}

@InputType({ description: 'A URL to receive events, and which events.' })
class CreateWebhookEndpointInput {
  @Field(() => String, { description: 'Where to POST events: an http or https URL (https only in production).' })
  url!: string;

  @Field(() => [String], { description: 'Event types to receive, e.g. ["payment.succeeded"]; ["*"] for all.' })
  eventTypes!: string[];

  @Field(() => String, { nullable: true, description: 'A note for the merchant, up to 200 characters.' })
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the endpoint is for.' })
  merchantId?: string | null;
}

@ObjectType({ description: 'The new endpoint and its signing secret.' })
class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpoint, { nullable: true, description: 'The endpoint, unless the input was refused.' })
  webhookEndpoint!: WebhookEndpoint | null;

  @Field(() => String, {
    nullable: true,
    description: 'The signing secret: verify `X-Tollgate-Signature` with it. Revealable later (audited).',
  })
  secret!: string | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty when it succeeded.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Changes to an endpoint; fields left out stay as they are.' })
class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: 'The endpoint to change.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'A new URL.' })
  url?: string | null;

  @Field(() => [String], { nullable: true, description: 'A new list of event types (replaces the old one).' })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true, description: 'A new note; an empty string removes it.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'false disables the endpoint, true enables it again.' })
  active?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Replace the signing secret; the old one stops working at once. The new one is in the payload.',
  })
  rotateSecret?: boolean | null;
}

@ObjectType({ description: 'The endpoint after the change.' })
class UpdateWebhookEndpointPayload {
  @Field(() => WebhookEndpoint, { nullable: true, description: 'The endpoint as it is now.' })
  webhookEndpoint!: WebhookEndpoint | null;

  @Field(() => String, { nullable: true, description: 'The new signing secret, when it was rotated.' })
  secret!: string | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty when it succeeded.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Names one webhook endpoint.' })
class WebhookEndpointIdInput {
  @Field(() => ID, { description: 'The webhook endpoint.' })
  id!: string;
}

@ObjectType({ description: 'Which endpoint was deleted.' })
class DeleteWebhookEndpointPayload {
  @Field(() => ID, { nullable: true, description: 'The id of the deleted endpoint.' })
  deletedWebhookEndpointId!: string | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty when it succeeded.' })
  userErrors!: UserError[];
}

@ObjectType({ description: "An endpoint's signing secret." })
class RevealWebhookEndpointSecretPayload {
  @Field(() => String, { nullable: true, description: "The endpoint's current signing secret." })
  secret!: string | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty when it succeeded.' })
  userErrors!: UserError[];
}

@InputType({ description: 'The endpoint to try.' })
class SendTestWebhookInput {
  @Field(() => ID, { description: 'The endpoint to send a "webhook.test" event to.' })
  endpointId!: string;
}

@InputType({ description: 'The delivery to send again.' })
class ReplayWebhookDeliveryInput {
  @Field(() => ID, { description: 'The delivery whose event to send again.' })
  id!: string;
}

@ObjectType({ description: 'A delivery just queued.' })
class WebhookDeliveryPayload {
  @Field(() => WebhookDelivery, { nullable: true, description: 'The new delivery; it is attempted within a second.' })
  webhookDelivery!: WebhookDelivery | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty when it succeeded.' })
  userErrors!: UserError[];
}

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
      async () => {
        const created = createWebhookEndpoint(ctx.em, ctx.config, { ...input, merchantId });
        recordAudit(ctx.em, ctx, {
          action: 'webhookEndpoint.create',
          merchantId,
          targetId: created.endpoint.id,
          details: { url: created.endpoint.url, eventTypes: created.endpoint.eventTypes, secret: true },
        });
        await ctx.em.flush();
        return created;
      },
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
      async () => {
        const updated = updateWebhookEndpoint(ctx.em, ctx.config, endpoint, input);
        const details: Record<string, unknown> = {};
        if (input.url != null) details.url = endpoint.url;
        if (input.eventTypes != null) details.eventTypes = endpoint.eventTypes;
        if (input.description !== undefined) details.description = endpoint.description;
        if (input.active != null) details.active = endpoint.active;
        if (updated.secret) details.secret = true;
        recordAudit(ctx.em, ctx, {
          action: 'webhookEndpoint.update',
          merchantId: endpoint.merchantId,
          targetId: endpoint.id,
          details,
        });
        await ctx.em.flush();
        return updated;
      },
    );
  }

  @Authorized()
  @Mutation(() => DeleteWebhookEndpointPayload, {
    description: 'Deletes an endpoint: it receives nothing more, and its pending deliveries stop.',
  })
  async deleteWebhookEndpoint(
    @Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteWebhookEndpointPayload> {
    const endpoint = await loadEndpoint(ctx, input.id);
    return payload(
      (deleted, userErrors) => ({ deletedWebhookEndpointId: deleted?.id ?? null, userErrors }),
      async () => {
        deleteWebhookEndpoint(endpoint);
        recordAudit(ctx.em, ctx, {
          action: 'webhookEndpoint.delete',
          merchantId: endpoint.merchantId,
          targetId: endpoint.id,
          details: { url: endpoint.url },
        });
        await ctx.em.flush();
        return endpoint;
      },
    );
  }

  @Authorized()
  @Mutation(() => RevealWebhookEndpointSecretPayload, {
    description: "Shows an endpoint's signing secret; every reveal is in the audit log.",
  })
  async revealWebhookEndpointSecret(
    @Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput,
    @Ctx() ctx: Context,
  ): Promise<RevealWebhookEndpointSecretPayload> {
    const endpoint = await loadEndpoint(ctx, input.id);
    recordAudit(ctx.em, ctx, {
      action: 'webhookEndpoint.revealSecret',
      merchantId: endpoint.merchantId,
      targetId: endpoint.id,
    });
    // The audit row commits before the secret leaves the server.
    await ctx.em.flush();
    return { secret: endpoint.secret, userErrors: [] };
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
    @Arg('input', () => ReplayWebhookDeliveryInput) input: ReplayWebhookDeliveryInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookDeliveryPayload> {
    const viewer = requireViewer(ctx);
    const original = await ctx.em.findOne(WebhookDelivery, input.id);
    if (!original || !canAccessMerchant(viewer, original.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (webhookDelivery, userErrors) => ({ webhookDelivery, userErrors }),
      async () => {
        const delivery = await replayWebhookDelivery(ctx.em, original);
        recordAudit(ctx.em, ctx, {
          action: 'webhookDelivery.replay',
          merchantId: original.merchantId,
          targetId: delivery.id,
          details: { replayOf: original.id, eventId: original.eventId },
        });
        await ctx.em.flush();
        return delivery;
      },
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
