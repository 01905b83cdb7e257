import type { DomainModule } from '../../common/module';
import { SmsMessage } from './sms.entity';
import { mountSmsRoutes } from './sms.http';
import { smsProcessHandler } from './sms.pipeline';
import { smsSendHandler } from './sms.replies';
import { PaymentSmsResolver, PublicPaymentSmsResolver, SmsResolver } from './sms.resolver';
import { SuspenseResolutionResolver } from './sms.suspense';

export const smsModule: DomainModule = {
  name: 'sms',
  entities: [SmsMessage],
  resolvers: [SmsResolver, PaymentSmsResolver, PublicPaymentSmsResolver, SuspenseResolutionResolver],
  provides: { outboxHandlers: [smsProcessHandler, smsSendHandler] },
  /** The aggregator's webhook. */
  mountRoutes: mountSmsRoutes,
};

export { receiveInboundSms, SmsInputError } from './sms.pipeline';
export { registerSmsChannel, unregisterSmsChannel } from './sms.channels';
export { recognisePaymentReference } from './sms.products';
export { sendSmsReply } from './sms.replies';
export { markSmsDelivery } from './sms.delivery';
