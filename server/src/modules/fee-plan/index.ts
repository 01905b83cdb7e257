import type { DomainModule } from '../../common/module';
import { FeePlan, MerchantFeePlan } from './fee-plan.entity';
import { FeePlanResolver, MerchantFeePlanResolver } from './fee-plan.resolver';
import { seedFeePlans } from './fee-plan.seed';

export const feePlanModule: DomainModule = {
  name: 'fee-plan',
  entities: [FeePlan, MerchantFeePlan],
  resolvers: [FeePlanResolver, MerchantFeePlanResolver],
  /** The demo "High risk" plan (the default plan comes with migration 0006). */
  seed: (em) => seedFeePlans(em),
};

// The public face: what other modules use.
export { FEE_METHODS, FeeMethod, FeePlan } from './fee-plan.entity';
export { chargebackFeeFor, feeFor, reserveFor, shareOf } from './fee-plan.maths';
export { defaultFeePlan, feePlanOf } from './fee-plan.service';
