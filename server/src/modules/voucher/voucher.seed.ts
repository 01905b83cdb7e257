import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { DemoAccounts } from '../../common/module';
import { build } from '../../common/orm';
import { Voucher, VoucherKind, VoucherPricing, VoucherProject } from './voucher.entity';
import { hashCode } from './voucher.stock';

export const DEMO_VOUCHER_SLUG = 'demo-game-card';
const DEMO_STOCK = 20;

/** A demo project with some stock for the demo merchant, once (found again by its slug). */
export async function seedVouchers(em: EntityManager, demo: DemoAccounts): Promise<void> {
  if (await em.count(VoucherProject, { slug: DEMO_VOUCHER_SLUG })) return;
  await em.transactional(async (tx) => {
    const project = build(VoucherProject, {
      merchantId: demo.merchantId,
      name: 'Game card, 500 coins',
      slug: DEMO_VOUCHER_SLUG,
      description: 'A PIN code worth 500 coins in the demo game. Pay by SMS; the code appears here once paid.',
      priceMinor: 500n,
      pricing: VoucherPricing.PRICE,
      kind: VoucherKind.PIN,
    });
    tx.persist(project);
    for (let i = 0; i < DEMO_STOCK; i++) {
      // Random, so the demo's codes are as unguessable as real ones would be.
      const code = Array.from({ length: 4 }, () => String(randomInt(10_000)).padStart(4, '0')).join('-');
      tx.persist(
        build(Voucher, { projectId: project.id, merchantId: demo.merchantId, code, codeHash: hashCode(code) }),
      );
    }
  });
}
