import type { DomainModule } from '../../common/module';
import { PaymentKind } from '../payment';
import { purseCallbackHandler } from './purse.callback';
import { Purse, PurseCounter, PurseOperation, PursePayment } from './purse.entity';
import { mountPurseRoutes } from './purse.http';
import {
  PaymentPurseResolver,
  PurseCallbackResolver,
  PurseOperationResolver,
  PursePaymentPageResolver,
  PursePaymentResolver,
  PurseResolver,
} from './purse.resolver';
import { seedPurse } from './purse.seed';
import { purseSmsProduct } from './purse.sms';
import { purseCallbackTimeline } from './purse.timeline';

export const purseModule: DomainModule = {
  name: 'purse',
  entities: [Purse, PursePayment, PurseOperation, PurseCounter],
  resolvers: [
    PurseResolver,
    PursePaymentResolver,
    PurseOperationResolver,
    PurseCallbackResolver,
    PursePaymentPageResolver,
    PaymentPurseResolver,
  ],
  provides: {
    smsProducts: [purseSmsProduct],
    outboxHandlers: [purseCallbackHandler],
    paymentTimeline: [purseCallbackTimeline],
    paymentProducts: [
      {
        kind: PaymentKind.PURSE,
        type: PursePayment,
        load: (em, payment) => em.findOne(PursePayment, { paymentId: payment.id }),
      },
    ],
  },
  /** The sms:bank protocol: the merchant's form (`POST /bank/`) and the payer's way back to the shop. */
  mountRoutes: mountPurseRoutes,
  seed: seedPurse,
};
