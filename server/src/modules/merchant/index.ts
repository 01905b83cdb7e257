import type { DomainModule } from '../../common/module';
import { Merchant } from './merchant.entity';
import { MerchantResolver } from './merchant.resolver';

export const merchantModule: DomainModule = { name: 'merchant', entities: [Merchant], resolvers: [MerchantResolver] };

// The public face: what other modules use.
export { Merchant, MIN_PAYER_CREDIT_DAYS, payerCreditDaysOf } from './merchant.entity';
export { isMerchantSuspended } from './merchant.service';
