import type { DomainModule } from '../../common/module';
import { startSweeper } from '../../common/sweeper';
import { Payment } from './payment.entity';
import { PaymentResolver, PublicPaymentResolver } from './payment.resolver';
import { paymentProductResolver } from './payment.products';
import { seedPayments } from './payment.seed';
import { paymentTimelineResolver } from './payment.timeline';
import { releaseDueReserves } from './card.settlement';
import { expireDuePayments, releaseDueCredits } from './payment.settlement';
import { PayerCredit, ReserveHold, SuspenseItem } from './settlement.entity';
import { PayerCreditResolver, PaymentMoneyResolver, SuspenseResolver } from './settlement.resolver';

export const paymentModule: DomainModule = {
  name: 'payment',
  entities: [Payment, PayerCredit, SuspenseItem, ReserveHold],
  resolvers: [PaymentResolver, PublicPaymentResolver, PaymentMoneyResolver, SuspenseResolver, PayerCreditResolver],
  resolversFor: (extensions) => [paymentProductResolver(extensions), paymentTimelineResolver(extensions)],
  seed: seedPayments,
  /** Expires unpaid payments past their window, releases unused payer credit and due card reserves, once a minute. */
  startWorkers(platform) {
    return startSweeper(
      'settlement sweep',
      async () => {
        const expired = await expireDuePayments(platform.orm.em, platform.pubsub, {
          products: platform.extensions.paymentProducts,
        });
        const released = await releaseDueCredits(platform.orm.em);
        const reserves = await releaseDueReserves(platform.orm.em);
        return expired.length >= 100 || released >= 100 || reserves >= 100;
      },
      { quiet: platform.config.mode === 'test' },
    );
  },
};

export type { FundedEvent, PaymentProduct } from './payment.products';

// The public face: what other modules use.
export { afterCommit } from './after-commit';
export { Payment, PaymentKind, PaymentStatus } from './payment.entity';
export { merchantPaymentsTopic, paymentTopic } from './payment.events';
export type { PaymentEvent } from './payment.events';
export {
  REFERENCE_ALPHABET,
  REFERENCE_LENGTH,
  applyTransition,
  createPayment,
  lockPayment,
  normalisePhone,
  normaliseReference,
  parsePositiveAmount,
} from './payment.service';
export type { NewPayment } from './payment.service';
export {
  attachSuspended,
  bookLateSms,
  bookSmsCredit,
  creditPayer,
  creditSuspended,
  openSuspenseItem,
  payPrepaidBlock,
  refundPayment,
  settlePrepaidSale,
  smsBreakdown,
  spendPayerCredit,
  suspendSms,
  writeOffSuspended,
} from './payment.settlement';
export type { CountMode, SmsBreakdown, SmsCharge } from './payment.settlement';
export {
  bookCardCapture,
  bookCardRefund,
  bookChargebackOpened,
  bookChargebackWon,
  cardCapturedMinor,
  releaseDueReserves,
} from './card.settlement';
export type { CardCapture, CardCaptureBooking, CardMethod } from './card.settlement';
export {
  holdWithdrawal,
  payWithdrawal,
  releaseWithdrawal,
  returnWithdrawal,
  withdrawableBalance,
} from './payout.settlement';
export type { WithdrawalMoney } from './payout.settlement';
export { reverseUnbilledSms } from './operator.settlement';
export type { UnbilledSms, UnbilledSmsOutcome, UnbilledSmsReversal } from './operator.settlement';
export { PublicPayment } from './payment.types';
export { ReserveHold, ReserveHoldStatus, SuspenseItem, SuspenseReason } from './settlement.entity';
export type { PayerCredit } from './settlement.entity';
export {
  DeliveryOutcome,
  PaymentTimelineEntry,
  PaymentTimelineKind,
  deliveryEntry,
  paymentTimeline,
  timelineEntry,
} from './payment.timeline';
export type { PaymentTimelineSource } from './payment.timeline';
export { paymentConversion, revenueByDay, revenueByProduct } from './payment.report';
export type { DailyRevenue, PaymentConversion, PaymentReportScope, ProductRevenue } from './payment.report';
