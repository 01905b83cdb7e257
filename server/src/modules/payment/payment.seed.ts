import type { EntityManager } from '@mikro-orm/core';
import type { DemoAccounts } from '../../common/module';
import { Payment, PaymentKind } from './payment.entity';
import { createPayment, receiveFunds } from './payment.service';

/** A few demo payments for the demo merchant, once: one waiting for money, one half paid, one paid. */
export async function seedPayments(em: EntityManager, demo: DemoAccounts): Promise<void> {
  if ((await em.count(Payment, { merchantId: demo.merchantId })) > 0) return;
  await em.transactional(async (tx) => {
    const base = { merchantId: demo.merchantId, kind: PaymentKind.TOP_UP, currency: 'USD' };
    await createPayment(tx, null, { ...base, amount: 500n, description: 'Account top-up', externalId: 'demo-1001' });
    const half = await createPayment(tx, null, {
      ...base,
      amount: 300n,
      description: 'Three-SMS top-up',
      externalId: 'demo-1002',
    });
    await receiveFunds(tx, null, half, 100n);
    const paid = await createPayment(tx, null, {
      ...base,
      amount: 1250n,
      description: 'Premium month',
      externalId: 'demo-1003',
    });
    await receiveFunds(tx, null, paid, 1250n);
  });
}
