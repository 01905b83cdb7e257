import { Payment } from './payment.entity';
import { PaymentResolver, PublicPaymentResolver } from './payment.resolver';
import { seedPayments } from './payment.seed';
import { PayerCredit, SuspenseItem } from './settlement.entity';

export const entities = [Payment, PayerCredit, SuspenseItem];
export const resolvers = [PaymentResolver, PublicPaymentResolver] as const;
export const seed = seedPayments;
