import type { EntityManager } from '@mikro-orm/core';
import type { DomainModule } from '../../common/module';
import { recognisePaymentReference } from '../sms';
import type { SmsProduct } from '../sms';
import { PaymentKind } from '../payment';
import {
  Voucher,
  VoucherFeedback,
  VoucherOrder,
  VoucherPrepaidBlock,
  VoucherPricing,
  VoucherProject,
} from './voucher.entity';
import {
  VoucherFeedbackResolver,
  VoucherOrderResolver,
  VoucherProjectResolver,
  VoucherPurchaseResolver,
  VoucherResolver,
  VoucherShopResolver,
} from './voucher.resolver';
import {
  onVoucherFunded,
  onVoucherPaymentExpired,
  onVoucherSms,
  startReservationSweeper,
  voucherAcceptsCard,
  voucherInstruction,
} from './voucher.sales';
import { seedVouchers } from './voucher.seed';
import { stockCounts } from './voucher.stock';

/**
 * Voucher payments on the SMS rails: an SMS carrying a voucher payment's reference is this product's. It counts the
 * payer's price (PRICE projects) or the seller's yield (NET projects), as the order was made; one that reaches a
 * closed payment becomes the payer's credit (the rails' default).
 */
const voucherSmsProduct: SmsProduct = {
  name: 'voucher',
  kinds: [PaymentKind.VOUCHER],
  async recognise(em, sms) {
    const payment = await recognisePaymentReference(em, sms.text, { kinds: [PaymentKind.VOUCHER], anyStatus: true });
    const order = payment && (await em.findOne(VoucherOrder, { paymentId: payment.id }));
    if (!payment || !order) return null;
    return { paymentId: payment.id, count: order.pricing === VoucherPricing.PRICE ? 'PRICE' : 'YIELD' };
  },
  onReceived: onVoucherSms,
  instruction: voucherInstruction,
};

export const voucherModule: DomainModule = {
  name: 'voucher',
  entities: [VoucherProject, Voucher, VoucherOrder, VoucherFeedback, VoucherPrepaidBlock],
  resolvers: [
    VoucherProjectResolver,
    VoucherResolver,
    VoucherOrderResolver,
    VoucherFeedbackResolver,
    VoucherShopResolver,
    VoucherPurchaseResolver,
  ],
  provides: {
    smsProducts: [voucherSmsProduct],
    paymentProducts: [
      {
        kind: PaymentKind.VOUCHER,
        type: VoucherOrder,
        load: (em, payment) => em.findOne(VoucherOrder, { paymentId: payment.id }),
        onExpired: onVoucherPaymentExpired,
        // Card on per project (VoucherProject.acceptsCard); card money sells the voucher as the last SMS would.
        acceptsCard: voucherAcceptsCard,
        onFunded: onVoucherFunded,
      },
    ],
  },
  seed: seedVouchers,
  /** Releases lapsed reservations once a minute; tests call releaseLapsedReservations with their own clock. */
  startWorkers: (platform) => startReservationSweeper(platform.orm.em, { quiet: platform.config.mode === 'test' }),
};

/** A project's name, owner and vouchers left to sell, or null when there is no such project (merchant alerts). */
export async function voucherStockOf(
  em: EntityManager,
  projectId: string,
): Promise<{ name: string; merchantId: string; available: number } | null> {
  const project = await em.findOne(VoucherProject, projectId);
  if (!project) return null;
  const counts = await stockCounts(em, projectId);
  return { name: project.name, merchantId: project.merchantId, available: counts.available };
}

/** The names of this merchant's voucher projects among `ids` (others are left out), for the reporting home. */
export async function voucherProjectNames(
  em: EntityManager,
  merchantId: string,
  ids: readonly string[],
): Promise<Map<string, { name: string; removed: boolean }>> {
  if (!ids.length) return new Map();
  const projects = await em.find(VoucherProject, { id: { $in: [...ids] }, merchantId });
  return new Map(projects.map((project) => [project.id, { name: project.name, removed: false }]));
}
