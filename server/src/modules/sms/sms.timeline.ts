import type { EntityManager } from '@mikro-orm/core';
import { formatAmount } from '../../common/money';
import { maskPhone } from '../../common/phone';
import { transferByKey } from '../ledger';
import { PaymentTimelineKind, timelineEntry, type Payment, type PaymentTimelineEntry } from '../payment';
import { SmsDirection, SmsMessage, SmsStatus } from './sms.entity';

/**
 * A payment's SMS for its timeline: each inbound one, counted or not (and why), with the transfer that booked it, and
 * each reply sent. Phones are masked: merchants read the timeline.
 */
export async function smsTimeline(em: EntityManager, payment: Payment): Promise<PaymentTimelineEntry[]> {
  const messages = await em.find(SmsMessage, { paymentId: payment.id }, { orderBy: { id: 'asc' } });
  const entries: PaymentTimelineEntry[] = [];
  for (const sms of messages) entries.push(await smsEntry(em, payment, sms));
  return entries;
}

async function smsEntry(em: EntityManager, payment: Payment, sms: SmsMessage): Promise<PaymentTimelineEntry> {
  if (sms.direction === SmsDirection.OUT)
    return timelineEntry({
      at: sms.receivedAt,
      kind: PaymentTimelineKind.SMS_REPLY,
      title: `Reply SMS to ${maskPhone(sms.toNumber)}: ${sms.status.toLowerCase()}`,
      detail: sms.lastError,
    });
  const from = `SMS from ${maskPhone(sms.fromNumber)} to ${sms.toNumber}${sms.country ? ` (${sms.country})` : ''}`;
  if (sms.status === SmsStatus.COUNTED) {
    const credited = sms.creditedMinor === null ? '' : `: ${formatAmount(sms.creditedMinor, payment.currency)}`;
    return timelineEntry({
      at: sms.receivedAt,
      kind: PaymentTimelineKind.SMS_COUNTED,
      title: `${from} counted${credited}`,
      transferId: sms.ledgerTransferId,
    });
  }
  return timelineEntry({
    at: sms.receivedAt,
    kind: PaymentTimelineKind.SMS_NOT_COUNTED,
    title: `${from} not counted`,
    detail:
      sms.status === SmsStatus.CREDITED
        ? 'The payment had closed: kept as the payer’s credit with you'
        : sms.flagReason
          ? `Reason: ${sms.flagReason.toLowerCase().replace(/_/g, ' ')}`
          : sms.status.toLowerCase(),
    // Money an uncounted SMS brought (the payer's credit, suspense) is not the payment's: found by its key.
    transferId:
      sms.ledgerTransferId ??
      (sms.merchantId ? ((await transferByKey(em, sms.merchantId, `sms:${sms.id}`))?.id ?? null) : null),
  });
}
