import type { DomainModule } from '../../common/module';
import { SmsMessage } from './sms.entity';
import { mountSmsRoutes } from './sms.http';
import { smsProcessHandler } from './sms.pipeline';
import { smsSendHandler } from './sms.replies';
import { PaymentSmsResolver, PublicPaymentSmsResolver, SmsResolver } from './sms.resolver';
import { SuspenseResolutionResolver } from './sms.suspense';
import { smsTimeline } from './sms.timeline';

export const smsModule: DomainModule = {
  name: 'sms',
  entities: [SmsMessage],
  resolvers: [SmsResolver, PaymentSmsResolver, PublicPaymentSmsResolver, SuspenseResolutionResolver],
  provides: { outboxHandlers: [smsProcessHandler, smsSendHandler], paymentTimeline: [smsTimeline] },
  /** The aggregator's webhook. */
  mountRoutes: mountSmsRoutes,
};

export { MAX_SMS_TEXT_LENGTH, receiveInboundSms, SmsInputError, validateInbound } from './sms.pipeline';
export { registerSmsChannel, unregisterSmsChannel } from './sms.channels';
export { recognisePaymentReference } from './sms.products';
export { sendSmsReply } from './sms.replies';
export { SMS_SECRET_MASK } from './sms.secrets';
export type { SmsReplySecret } from './sms.secrets';
export { markSmsDelivery } from './sms.delivery';

// The public face: what other modules use.
export type { InboundSms, OutboundSms, SmsChannel } from './sms.channel';
export { SmsDirection, SmsFlag, SmsMessage, SmsStatus } from './sms.entity';
export { liveView, paymentSmsTopic } from './sms.events';
export type { SmsEvent } from './sms.events';
export { PaymentSmsLine, paymentSmsLines } from './sms.lines';
export { SMS_CURRENCY } from './sms.pipeline';
export type { SmsPipelineDeps } from './sms.pipeline';
export { TAKING_MONEY, referenceCandidates, smsProductsOf } from './sms.products';
export type { ExpectedSms, SmsMatch, SmsProduct, SmsReceived } from './sms.products';
export { tariffForSms } from './sms.tariff';
export { smsByCountry, smsByOperator } from './sms.report';
export type { SmsReportScope, SmsTotals } from './sms.report';
