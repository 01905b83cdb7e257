import { Payment } from './payment.entity';
import { PaymentResolver, PublicPaymentResolver } from './payment.resolver';
import { seedPayments } from './payment.seed';

export const entities = [Payment];
export const resolvers = [PaymentResolver, PublicPaymentResolver] as const;
export const seed = seedPayments;
