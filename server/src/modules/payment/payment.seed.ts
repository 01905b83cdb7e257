import type { EntityManager } from '@mikro-orm/core';
import type { DemoAccounts } from '../../common/module';
import { Payment, PaymentKind } from './payment.entity';
import { bookCardCapture } from './card.settlement';
import { createPayment } from './payment.service';

/**
 * A few demo payments for the demo merchant, once: one waiting for money, one partly paid, one paid. The money of
 * the paid ones arrives as money does, through settlement (a card capture, the rail a seed can take without a
 * phone): crediting a payment alone would show it paid while no money moved, beside empty balances.
 */
export async function seedPayments(em: EntityManager, demo: DemoAccounts): Promise<void> {
  if ((await em.count(Payment, { merchantId: demo.merchantId })) > 0) return;
  await em.transactional(async (tx) => {
    const base = { merchantId: demo.merchantId, kind: PaymentKind.TOP_UP, currency: 'USD' };
    await createPayment(tx, null, { ...base, amount: 500n, description: 'Account top-up', externalId: 'demo-1001' });
    const half = await createPayment(tx, null, {
      ...base,
      amount: 300n,
      description: 'Top-up paid in parts',
      externalId: 'demo-1002',
    });
    await bookCardCapture(tx, null, half, { captureId: `demo-${half.id}`, amountMinor: 100n, method: 'CARD_ONLINE' });
    const paid = await createPayment(tx, null, {
      ...base,
      amount: 1250n,
      description: 'Premium month',
      externalId: 'demo-1003',
    });
    await bookCardCapture(tx, null, paid, { captureId: `demo-${paid.id}`, amountMinor: 1250n, method: 'CARD_ONLINE' });
  });
}
