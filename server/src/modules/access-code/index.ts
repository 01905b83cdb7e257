import type { DomainModule } from '../../common/module';
import { PaymentKind } from '../payment';
import { AccessCode, AccessCodeCheck, AccessCodeRoute, AccessCodeService } from './access-code.entity';
import { checkerFor } from './access-code.checker';
import { mountAccessCodeRoutes } from './access-code.http';
import { accessCodeProduct } from './access-code.product';
import { accessCodeReplySecret } from './access-code.service';
import { AccessCodeResolver, AccessCodeServiceResolver, SmsAccessCodeResolver } from './access-code.resolver';
import { seedAccessCodes } from './access-code.seed';

export const accessCodeModule: DomainModule = {
  name: 'access-code',
  entities: [AccessCodeService, AccessCodeRoute, AccessCode, AccessCodeCheck],
  resolvers: [AccessCodeServiceResolver, AccessCodeResolver, SmsAccessCodeResolver],
  provides: {
    smsProducts: [accessCodeProduct],
    smsReplySecrets: [accessCodeReplySecret],
    // The code an SMS bought: what it admits and how much is left (never the code itself).
    paymentProducts: [
      {
        kind: PaymentKind.ACCESS_CODE,
        type: AccessCode,
        load: (em, payment) => em.findOne(AccessCode, { paymentId: payment.id }),
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
