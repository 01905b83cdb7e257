import type { EntityManager } from '@mikro-orm/core';
import { PaymentKind, PaymentStatus } from '../payment';
import { applyTransition } from '../payment';
import type { SmsMessage } from '../sms';
import { SMS_CURRENCY } from '../sms';
import { TAKING_MONEY, type SmsProduct } from '../sms';
import { sendSmsReply } from '../sms';
import { recognisePaymentReference } from '../sms';
import type { Config } from '../../common/config';
import { formatAmount } from '../../common/money';
import type { Payment } from '../payment';
import { AccessCodePurchase, AccessCodeRoute, AccessCodeService } from './access-code.entity';
import { deliverPurchasedCode } from './access-code.card';
import { codeReply, issueCode } from './access-code.service';

export const ACCESS_CODE_PRODUCT = 'access-code';

/** The SMS's keyword: its first word, upper case ("news please" → "NEWS"). */
export function smsKeyword(text: string): string | null {
  return /^[^A-Za-z0-9]*([A-Za-z0-9]+)/.exec(text)?.[1]?.toUpperCase() ?? null;
}

/** The service an SMS is for, by its keyword and the short code it was sent to; null when it is not ours. */
async function serviceFor(em: EntityManager, sms: SmsMessage): Promise<AccessCodeService | null> {
  const keyword = smsKeyword(sms.text);
  if (!keyword || keyword.length > 20) return null;
  const route = await em.findOne(AccessCodeRoute, { keyword, shortCode: sms.toNumber });
  return route && em.findOne(AccessCodeService, { id: route.serviceId, deletedAt: null });
}

/**
 * Access codes on the SMS rails (seed A1). Each SMS with a service's keyword to one of its short codes is one
 * purchase: recognising it asks the rails for a new ACCESS_CODE payment priced at what that SMS yields (its tariff),
 * so counting it makes it PAID; then onReceived issues the code and replies with it, in the same transaction.
 */
export const accessCodeProduct: SmsProduct = {
  name: ACCESS_CODE_PRODUCT,
  kinds: [PaymentKind.ACCESS_CODE],

  async recognise(em, sms) {
    const service = await serviceFor(em, sms);
    if (!service) {
      // An SMS quoting the number of a card purchase (shown on its payer page) pays towards it at its price; the
      // code then comes as for card money (page and email), so a paid purchase never lacks its code.
      const payment = await recognisePaymentReference(em, sms.text, {
        kinds: [PaymentKind.ACCESS_CODE],
        anyStatus: true,
      });
      if (!payment || !(await em.count(AccessCodePurchase, { paymentId: payment.id }))) return null;
      return { paymentId: payment.id, count: 'PRICE', spendsCredit: false };
    }
    return {
      purchase: {
        merchantId: service.merchantId,
        kind: PaymentKind.ACCESS_CODE,
        // No tariff: the rails flag the SMS (NO_TARIFF, in suspense) and count nothing; a cent keeps the payment
        // valid until onReceived cancels it.
        amount: sms.yieldUsdMinor ?? 1n,
        currency: SMS_CURRENCY,
        description: `Access code: ${service.name}`.slice(0, 255),
        metadata: { accessCodeServiceId: service.id },
      },
      // The payment is paid by its own SMS: there is nothing left for credit to pay.
      spendsCredit: false,
    };
  },

  async onReceived(em, { sms, payment, counted, pubsub, config, credit }) {
    const service = await em.findOneOrFail(AccessCodeService, String(payment.metadata.accessCodeServiceId));
    if (await em.count(AccessCodePurchase, { paymentId: payment.id })) {
      await onPurchaseSms(em, config, { sms, payment, counted, credit: credit !== null });
      return;
    }
    if (!counted || payment.status !== PaymentStatus.PAID) {
      // Nothing was earned, so nothing is sold: close the payment and tell the payer (their one reply).
      if (TAKING_MONEY.includes(payment.status)) await applyTransition(em, pubsub, payment, 'cancel');
      await sendSmsReply(em, {
        inboundSmsId: sms.id,
        text: `${service.name}: your SMS could not be accepted, so no code was issued. Please contact the seller.`,
      });
      return;
    }
    const { code } = await issueCode(em, config, service, { paymentId: payment.id, smsId: sms.id });
    // The code is not written into the reply: the rails render it from its seal when they send (codeReply).
    await sendSmsReply(em, codeReply(service, code));
  },
};

/**
 * An SMS on a card purchase (it quoted the purchase's number): counted, it is money like card money, and the code
 * that a paid purchase gets goes to the page and the email given, never into the reply.
 */
async function onPurchaseSms(
  em: EntityManager,
  config: Config,
  input: { sms: SmsMessage; payment: Payment; counted: boolean; credit: boolean },
): Promise<void> {
  const { sms, payment } = input;
  let text: string;
  if (input.counted && payment.status === PaymentStatus.PAID) {
    await deliverPurchasedCode(em, config, payment, { at: new Date() });
    text = `Payment ${payment.reference} is complete: your code is on the payment page and in your email.`;
  } else if (input.counted) {
    const money = (minor: bigint) => formatAmount(minor, payment.currency);
    text =
      `Received ${money(payment.amountReceived)} of ${money(payment.amount)} ${payment.currency} for ` +
      `${payment.reference}. Pay the rest on the payment page.`;
  } else if (input.credit) {
    text = `Payment ${payment.reference} was already closed, so your SMS was kept as credit with this seller.`;
  } else {
    text = `Your SMS for ${payment.reference} could not be counted; pay on the payment page instead.`;
  }
  await sendSmsReply(em, { inboundSmsId: sms.id, text });
}
