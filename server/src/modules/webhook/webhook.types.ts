import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export const WebhookEndpointConnection = ConnectionType(WebhookEndpoint, 'WebhookEndpoint');
export const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, 'WebhookDelivery');

const REFUSED = 'Why the input was refused; empty when it succeeded.';

@ArgsType()
export class WebhookEndpointsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID, { description: 'The endpoint whose deliveries to list.' })
  endpointId!: string;
}

@InputType({ description: 'A URL to receive events, and which events.' })
export class CreateWebhookEndpointInput {
  @Field(() => String, { description: 'Where to POST events: an http or https URL (https only in production).' })
  url!: string;

  @Field(() => [String], { description: 'Event types to receive, e.g. ["payment.succeeded"]; ["*"] for all.' })
  eventTypes!: string[];

  @Field(() => String, { nullable: true, description: 'A note for the merchant, up to 200 characters.' })
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the endpoint is for.' })
  merchantId?: string | null;
}

export const CreateWebhookEndpointPayload = PayloadType(() => WebhookEndpoint, 'CreateWebhookEndpoint', {
  field: 'webhookEndpoint',
  description: 'The new endpoint and its signing secret.',
  fieldDescription: 'The endpoint, unless the input was refused.',
  secret: 'The signing secret: verify `X-Tollgate-Signature` with it. Revealable later (audited).',
  userErrorsDescription: REFUSED,
});
export type CreateWebhookEndpointPayload = InstanceType<typeof CreateWebhookEndpointPayload>;

@InputType({ description: 'Changes to an endpoint; fields left out stay as they are.' })
export class UpdateWebhookEndpointInput {
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

export const UpdateWebhookEndpointPayload = PayloadType(() => WebhookEndpoint, 'UpdateWebhookEndpoint', {
  field: 'webhookEndpoint',
  description: 'The endpoint after the change.',
  fieldDescription: 'The endpoint as it is now.',
  secret: 'The new signing secret, when it was rotated.',
  userErrorsDescription: REFUSED,
});
export type UpdateWebhookEndpointPayload = InstanceType<typeof UpdateWebhookEndpointPayload>;

export const DeleteWebhookEndpointPayload = PayloadType(() => ID, 'DeleteWebhookEndpoint', {
  field: 'deletedWebhookEndpointId',
  description: 'Which endpoint was deleted.',
  fieldDescription: 'The id of the deleted endpoint.',
  userErrorsDescription: REFUSED,
});
export type DeleteWebhookEndpointPayload = InstanceType<typeof DeleteWebhookEndpointPayload>;

export const RevealWebhookEndpointSecretPayload = PayloadType(() => String, 'RevealWebhookEndpointSecret', {
  field: 'secret',
  description: "An endpoint's signing secret.",
  fieldDescription: "The endpoint's current signing secret.",
  userErrorsDescription: REFUSED,
});
export type RevealWebhookEndpointSecretPayload = InstanceType<typeof RevealWebhookEndpointSecretPayload>;

@InputType({ description: 'The endpoint to try.' })
export class SendTestWebhookInput {
  @Field(() => ID, { description: 'The endpoint to send a "webhook.test" event to.' })
  endpointId!: string;
}

export const WebhookDeliveryPayload = PayloadType(() => WebhookDelivery, 'WebhookDelivery', {
  field: 'webhookDelivery',
  description: 'A delivery just queued.',
  fieldDescription: 'The new delivery; it is attempted within a second.',
  userErrorsDescription: REFUSED,
});
export type WebhookDeliveryPayload = InstanceType<typeof WebhookDeliveryPayload>;
