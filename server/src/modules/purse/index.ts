import type { EntityManager } from '@mikro-orm/core';
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

/** What the endpoint checker needs to sign test callbacks for a purse's Result URL; null when there is no such purse. */
export async function purseCallbackTarget(
  em: EntityManager,
  purseId: string,
): Promise<{ id: string; merchantId: string; number: number; resultUrl: string; secret: string } | null> {
  const purse = await em.findOne(Purse, purseId);
  return (
    purse && {
      id: purse.id,
      merchantId: purse.merchantId,
      number: purse.number,
      resultUrl: purse.resultUrl,
      secret: purse.secret,
    }
  );
}
export { resultForm } from './purse.protocol';
export { encodeForm, postForm } from './purse.callback';

/** The names of this merchant's purses among `ids` (others are left out), for the reporting home. */
export async function purseNames(
  em: EntityManager,
  merchantId: string,
  ids: readonly string[],
): Promise<Map<string, { name: string; removed: boolean }>> {
  if (!ids.length) return new Map();
  const purses = await em.find(Purse, { id: { $in: [...ids] }, merchantId });
  return new Map(purses.map((purse) => [purse.id, { name: purse.name, removed: false }]));
}
