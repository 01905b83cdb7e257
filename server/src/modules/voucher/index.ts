import type { RouteDeps } from '../../app/modules';
import { recognisePaymentReference, registerSmsProduct } from '../sms';
import { PaymentKind } from '../payment/payment.entity';
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
import { onVoucherSms, startReservationSweeper, voucherInstruction } from './voucher.sales';
import { seedVouchers } from './voucher.seed';

export const entities = [VoucherProject, Voucher, VoucherOrder, VoucherFeedback, VoucherPrepaidBlock];
export const resolvers = [
  VoucherProjectResolver,
  VoucherResolver,
  VoucherOrderResolver,
  VoucherFeedbackResolver,
  VoucherShopResolver,
  VoucherPurchaseResolver,
] as const;
export const seed = seedVouchers;

/**
 * Voucher payments on the SMS rails: an SMS carrying a voucher payment's reference is this product's. It counts the
 * payer's price (PRICE projects) or the seller's yield (NET projects), as the order was made.
 */
registerSmsProduct({
  name: 'voucher',
  kinds: [PaymentKind.VOUCHER],
  async recognise(em, sms) {
    // Any status: an SMS after the payment closed becomes the payer's credit (the rails' default for closed ones).
    const payment = await recognisePaymentReference(em, sms.text, { kinds: [PaymentKind.VOUCHER], anyStatus: true });
    const order = payment && (await em.findOne(VoucherOrder, { paymentId: payment.id }));
    if (!payment || !order) return null;
    return { paymentId: payment.id, count: order.pricing === VoucherPricing.PRICE ? 'PRICE' : 'YIELD' };
  },
  onReceived: onVoucherSms,
  instruction: voucherInstruction,
});

/** Releases lapsed reservations once a minute; tests call releaseLapsedReservations with their own clock. */
export function startWorkers(deps: RouteDeps): { stop(): Promise<void> } {
  return startReservationSweeper(deps.orm.em, { quiet: deps.config.mode === 'test' });
}
