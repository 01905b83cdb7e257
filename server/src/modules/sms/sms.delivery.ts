import type { EntityManager } from '@mikro-orm/core';
import { SmsDirection, SmsMessage, SmsStatus, SMS_TRANSITIONS } from './sms.entity';

/**
 * Records a delivery receipt for a reply, found by the id its provider gave it. Written at once by one conditional
 * update (no flush needed), and order-tolerant: a final state (DELIVERED, FAILED) is never changed again, so a late
 * or repeated receipt changes nothing. Returns the reply, or null when no reply has that provider id yet (a receipt
 * that overtook its own send confirmation: the caller may retry it shortly).
 */
export async function markSmsDelivery(
  em: EntityManager,
  input: { provider: string; providerMessageId: string; status: 'DELIVERED' | 'FAILED'; error?: string | null },
): Promise<SmsMessage | null> {
  const where = { direction: SmsDirection.OUT, provider: input.provider, providerMessageId: input.providerMessageId };
  const now = new Date();
  await em.nativeUpdate(
    SmsMessage,
    { ...where, status: { $in: [...SMS_TRANSITIONS[input.status === 'DELIVERED' ? 'deliver' : 'fail'].from] } },
    input.status === 'DELIVERED'
      ? { status: SmsStatus.DELIVERED, deliveredAt: now, updatedAt: now }
      : {
          status: SmsStatus.FAILED,
          lastError: input.error?.slice(0, 1000) ?? 'the provider reported a failure',
          updatedAt: now,
        },
  );
  return em.findOne(SmsMessage, where, { refresh: true });
}
