import type { EntityManager } from '@mikro-orm/core';
import type { DomainModule } from '../../common/module';
import { PaymentKind } from '../payment';
import {
  AccessCode,
  AccessCodeCheck,
  AccessCodePurchase,
  AccessCodeRoute,
  AccessCodeService,
} from './access-code.entity';
import { checkerFor } from './access-code.checker';
import { mountAccessCodeRoutes } from './access-code.http';
import { accessCodeProduct } from './access-code.product';
import { accessCodeReplySecret } from './access-code.service';
import { accessCodeAcceptsCard, accessCodeMailSecret, onAccessCodeFunded } from './access-code.card';
import {
  AccessCodePurchaseResolver,
  AccessCodeResolver,
  AccessCodeServiceResolver,
  SmsAccessCodeResolver,
} from './access-code.resolver';
import { seedAccessCodes } from './access-code.seed';

export const accessCodeModule: DomainModule = {
  name: 'access-code',
  entities: [AccessCodeService, AccessCodeRoute, AccessCode, AccessCodeCheck, AccessCodePurchase],
  resolvers: [AccessCodeServiceResolver, AccessCodeResolver, SmsAccessCodeResolver, AccessCodePurchaseResolver],
  provides: {
    smsProducts: [accessCodeProduct],
    smsReplySecrets: [accessCodeReplySecret],
    // Codes bought by card are mailed with the code rendered at sending, never stored in the outbox in clear.
    mailSecrets: [accessCodeMailSecret],
    // The code an SMS bought: what it admits and how much is left (never the code itself).
    paymentProducts: [
      {
        kind: PaymentKind.ACCESS_CODE,
        type: AccessCode,
        load: (em, payment) => em.findOne(AccessCode, { paymentId: payment.id }),
        // Card purchases only (startAccessCodePurchase), of services that sell by card; SMS purchases are paid whole.
        acceptsCard: accessCodeAcceptsCard,
        onFunded: onAccessCodeFunded,
      },
    ],
  },
  seed: seedAccessCodes,
  /** `GET|POST /check/<service>`. */
  mountRoutes: mountAccessCodeRoutes,
  /** Nothing runs in the background but the attempt recorder; stopping writes what it still holds. */
  startWorkers(platform) {
    const checker = checkerFor(platform.orm.em, platform.config, platform.limits);
    return { stop: () => checker.recorder.flush() };
  },
};

/**
 * The names of this merchant's access-code services among `ids` (others are left out), for the reporting home. A
 * deleted service keeps its name for the payments it took, and is `removed`: it has no page any more.
 */
export async function accessCodeServiceNames(
  em: EntityManager,
  merchantId: string,
  ids: readonly string[],
): Promise<Map<string, { name: string; removed: boolean }>> {
  if (!ids.length) return new Map();
  const services = await em.find(AccessCodeService, { id: { $in: [...ids] }, merchantId });
  return new Map(services.map((service) => [service.id, { name: service.name, removed: service.deletedAt !== null }]));
}
