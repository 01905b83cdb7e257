import { Merchant } from './merchant.entity';
import { MerchantResolver } from './merchant.resolver';

export const entities = [Merchant];
export const resolvers = [MerchantResolver] as const;
