import type { EntityManager } from '@mikro-orm/core';
import { build } from '../../common/orm';
import { FeeMethod, FeePlan } from './fee-plan.entity';

export const HIGH_RISK_PLAN_NAME = 'High risk';

/**
 * The demo's plans, once each: the default plan (created by migration 0006: card online 1.9% + 0.25, card present
 * 2.7%, payout 1.00, chargeback 15.00, no reserve) and a "High risk" plan holding 10% of card money for 90 days.
 */
export async function seedFeePlans(em: EntityManager): Promise<void> {
  if (await em.findOne(FeePlan, { name: HIGH_RISK_PLAN_NAME })) return;
  const perCurrency = (minor: number) => ({ EUR: minor, USD: minor, GBP: minor });
  em.persist(
    build(FeePlan, {
      name: HIGH_RISK_PLAN_NAME,
      description: 'For merchants with many disputes: dearer cards and a 10% rolling reserve held for 90 days.',
      rules: {
        [FeeMethod.CARD_ONLINE]: { percentBps: 390, fixed: perCurrency(35) },
        [FeeMethod.CARD_PRESENT]: { percentBps: 350, fixed: {} },
        [FeeMethod.SMS]: { percentBps: 0, fixed: {} },
        [FeeMethod.PAYOUT]: { percentBps: 0, fixed: perCurrency(200) },
      },
      chargebackFee: perCurrency(2500),
      reserveBps: 1000,
      reserveDays: 90,
    }),
  );
  await em.flush();
}
