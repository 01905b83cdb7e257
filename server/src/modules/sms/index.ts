import type { Router } from 'express';
import type { RouteDeps } from '../../app/modules';
import { SmsMessage } from './sms.entity';
import { mountSmsRoutes } from './sms.http';
import { setSmsPubSub } from './sms.pipeline';
import { PaymentSmsResolver, PublicPaymentSmsResolver, SmsResolver } from './sms.resolver';
// Registers the "sms.send" outbox handler (sms.pipeline registers "sms.process").
import './sms.replies';

export const entities = [SmsMessage];
export const resolvers = [SmsResolver, PaymentSmsResolver, PublicPaymentSmsResolver] as const;

/** The aggregator's webhook; also gives this process's pub/sub to SMS processed later by the outbox. */
export function mountRoutes(router: Router, deps: RouteDeps): void {
  setSmsPubSub(deps.pubsub);
  mountSmsRoutes(router, deps);
}

export { receiveInboundSms, SmsInputError } from './sms.pipeline';
export { registerSmsChannel, unregisterSmsChannel } from './sms.channels';
export { registerSmsProduct, recognisePaymentReference } from './sms.products';
export { sendSmsReply } from './sms.replies';
export { markSmsDelivery } from './sms.delivery';
