import type { EntityManager } from '@mikro-orm/core';
import { PaymentKind, PaymentStatus } from '../payment';
import { applyTransition } from '../payment';
import type { SmsMessage } from '../sms';
import { SMS_CURRENCY } from '../sms';
import { TAKING_MONEY, type SmsProduct } from '../sms';
import { sendSmsReply } from '../sms';
import { AccessCodeRoute, AccessCodeService } from './access-code.entity';
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
    if (!service) return null;
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

  async onReceived(em, { sms, payment, counted, pubsub, config }) {
    const service = await em.findOneOrFail(AccessCodeService, String(payment.metadata.accessCodeServiceId));
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
