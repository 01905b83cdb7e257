import type { DomainModule } from '../../common/module';
import { AccessCode, AccessCodeCheck, AccessCodeRoute, AccessCodeService } from './access-code.entity';
import { checkerFor } from './access-code.checker';
import { mountAccessCodeRoutes } from './access-code.http';
import { accessCodeProduct } from './access-code.product';
import { AccessCodeResolver, AccessCodeServiceResolver, SmsAccessCodeResolver } from './access-code.resolver';
import { seedAccessCodes } from './access-code.seed';

export const accessCodeModule: DomainModule = {
  name: 'access-code',
  entities: [AccessCodeService, AccessCodeRoute, AccessCode, AccessCodeCheck],
  resolvers: [AccessCodeServiceResolver, AccessCodeResolver, SmsAccessCodeResolver],
  provides: { smsProducts: [accessCodeProduct] },
  seed: seedAccessCodes,
  /** `GET|POST /check/<service>`. */
  mountRoutes: mountAccessCodeRoutes,
  /** Nothing runs in the background but the attempt recorder; stopping writes what it still holds. */
  startWorkers(platform) {
    const checker = checkerFor(platform.orm.em, platform.config);
    return { stop: () => checker.recorder.flush() };
  },
};
