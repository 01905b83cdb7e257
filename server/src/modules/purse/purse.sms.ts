import type { EntityManager } from '@mikro-orm/core';
import { formatAmount } from '../../common/money';
import { build } from '../../common/orm';
import { Payment, PaymentKind, PaymentStatus } from '../payment';
import type { SmsMessage } from '../sms';
import { SmsFlag } from '../sms';
import { referenceCandidates, TAKING_MONEY, type SmsMatch, type SmsProduct, type SmsReceived } from '../sms';
import { sendSmsReply } from '../sms';
import { emitEvent } from '../webhook';
import { enqueueCallback } from './purse.callback';
import { Purse, PurseLanguage, PurseOperation, PursePayment } from './purse.entity';
import { protocolPhone } from './purse.protocol';
import { countModeOf, countryChoice, nextNumber, OPERATION_NUMBERS, PURSE_CURRENCY } from './purse.service';

/*
 * Purses on the SMS rails. The rails count the SMS that pays a purse payment (OPEN → PAID) and settlement books it;
 * this product then records the operation (`s_inv`) and queues its Result URL callback. A purse declares that an SMS
 * reaching its payment after it closed still counts (whenClosed COUNT): on a PAID payment it is a top-up (seed B8),
 * on a cancelled or expired one the payer paid all the same; either way it gets its own operation and callback.
 */

export const PURSE_PRODUCT = 'purse';
export const PAYMENT_RECEIVED_EVENT = 'purse.payment.received' as const;
export const PAYMENT_PAID_EVENT = 'purse.payment.paid' as const;

/** The text a payer sends: the payment's reference (the rails also find it inside longer texts). */
export function smsText(payment: Payment): string {
  return payment.reference;
}

/**
 * A purse payment whose reference the text carries, in ANY status: an SMS after the payment closed still counts (a
 * top-up, or after cancel), unless it is worth less than the amount (a cheaper short code than the page asked for):
 * a callback would tell the shop the amount was paid, so that one waits in suspense.
 */
async function recognise(em: EntityManager, sms: SmsMessage): Promise<SmsMatch | null> {
  const candidates = referenceCandidates(sms.text);
  if (!candidates.length) return null;
  const payments = await em.find(Payment, { reference: { $in: candidates }, kind: PaymentKind.PURSE });
  for (const candidate of candidates) {
    const payment = payments.find((p) => p.reference === candidate);
    if (!payment) continue;
    const pursePayment = await em.findOne(PursePayment, { paymentId: payment.id });
    // B1: `s_clear_amount=0` makes the amount the payer's price, so the SMS counts its price; `=1` its yield.
    if (pursePayment) {
      return {
        paymentId: payment.id,
        count: countModeOf(pursePayment.clearAmount),
        whenClosed: 'COUNT',
        lateMinimum: payment.amount,
        spendsCredit: false,
      };
    }
  }
  return null;
}

async function onReceived(em: EntityManager, event: SmsReceived): Promise<void> {
  const { sms, payment } = event;
  const pursePayment = await em.findOneOrFail(PursePayment, { paymentId: payment.id });
  const purse = await em.findOneOrFail(Purse, pursePayment.purseId);
  let operation: PurseOperation | null = null;

  if (event.counted) {
    pursePayment.country = sms.country;
    if (event.paidNow || event.outcome === 'LATE') {
      operation = await recordOperation(em, purse, pursePayment, payment, sms);
    }
    const data = eventData(purse, pursePayment, payment, sms, operation);
    await emitEvent(em, PAYMENT_RECEIVED_EVENT, payment.merchantId, data);
    if (event.paidNow) await emitEvent(em, PAYMENT_PAID_EVENT, payment.merchantId, data);
  }
  await sendSmsReply(em, { inboundSmsId: sms.id, text: replyText(pursePayment.language, sms, payment, operation) });
}

/** The operation (`s_inv`) of a paid SMS and its Result URL callback, in the SMS's transaction. */
async function recordOperation(
  em: EntityManager,
  purse: Purse,
  pursePayment: PursePayment,
  payment: Payment,
  sms: SmsMessage,
): Promise<PurseOperation> {
  const operation = build(PurseOperation, {
    number: await nextNumber(em, OPERATION_NUMBERS),
    purseId: purse.id,
    merchantId: payment.merchantId,
    pursePaymentId: pursePayment.id,
    paymentId: payment.id,
    smsId: sms.id,
    phone: protocolPhone(sms.fromNumber),
    creditedMinor: sms.creditedMinor ?? 0n,
  });
  operation.callbackMessageId = enqueueCallback(em, operation);
  em.persist(operation);
  return operation;
}

function eventData(
  purse: Purse,
  pursePayment: PursePayment,
  payment: Payment,
  sms: SmsMessage,
  operation: PurseOperation | null,
): Record<string, unknown> {
  return {
    purseId: purse.id,
    purseNumber: purse.number,
    paymentId: payment.id,
    reference: payment.reference,
    status: payment.status,
    orderId: pursePayment.orderId,
    amount: pursePayment.amountField,
    clearAmount: pursePayment.clearAmount,
    extraFields: pursePayment.extraFields,
    smsId: sms.id,
    country: sms.country,
    credited: formatAmount(sms.creditedMinor ?? 0n, PURSE_CURRENCY),
    operationNumber: operation?.number ?? null,
  };
}

function replyText(
  language: PurseLanguage,
  sms: SmsMessage,
  payment: Payment,
  operation: PurseOperation | null,
): string {
  const ru = language === PurseLanguage.RU;
  if (operation) {
    return ru
      ? `Оплата ${payment.reference} получена (операция ${operation.number}). Спасибо! Вернитесь на страницу оплаты.`
      : `Payment ${payment.reference} received (operation ${operation.number}). Thank you! Return to the payment page.`;
  }
  if (!sms.flagReason) {
    const money = (minor: bigint) => formatAmount(minor, PURSE_CURRENCY);
    return ru
      ? `Получено ${money(payment.amountReceived)} из ${money(payment.amount)} USD по ${payment.reference}. Отправьте SMS ещё раз.`
      : `Received ${money(payment.amountReceived)} of ${money(payment.amount)} USD for ${payment.reference}. Send the SMS again.`;
  }
  if (payment.status === PaymentStatus.PAID && sms.flagReason === SmsFlag.PAYMENT_CLOSED) {
    return ru
      ? `SMS по ${payment.reference} не зачтено: номер или страна не подходят для этой суммы.`
      : `Your SMS for ${payment.reference} was not counted: the number or country does not fit this amount.`;
  }
  switch (sms.flagReason) {
    case SmsFlag.PHONE_MISMATCH:
    case SmsFlag.COUNTRY_MISMATCH:
      return ru
        ? `SMS по ${payment.reference} не зачтено: отправляйте с того же телефона и из той же страны.`
        : `Your SMS for ${payment.reference} was not counted: send it from the same phone and country.`;
    case SmsFlag.NO_TARIFF:
      return ru
        ? `SMS по ${payment.reference} не зачтено: этот номер не обслуживается в вашей стране.`
        : `Your SMS for ${payment.reference} was not counted: this number is not served in your country.`;
    default:
      return ru
        ? `Платёж ${payment.reference} закрыт и не принимает SMS.`
        : `Payment ${payment.reference} is closed and takes no SMS.`;
  }
}

/** The SMS a purse payment expects: while it takes money and the payer chose a country, that country's one SMS. */
async function instruction(em: EntityManager, payment: Payment) {
  if (payment.kind !== PaymentKind.PURSE) return null;
  const pursePayment = await em.findOne(PursePayment, { paymentId: payment.id });
  if (!pursePayment) return null;
  if (!TAKING_MONEY.includes(payment.status) || !pursePayment.country) return [];
  const purse = await em.findOneOrFail(Purse, pursePayment.purseId);
  const { options } = await countryChoice(em, {
    amountMinor: payment.amount,
    mode: countModeOf(pursePayment.clearAmount),
    countries: purse.countries,
    only: pursePayment.country,
  });
  return options.map((option) => ({ shortCode: option.shortCode, text: smsText(payment), country: option.code }));
}

export const purseSmsProduct: SmsProduct = {
  name: PURSE_PRODUCT,
  kinds: [PaymentKind.PURSE],
  recognise,
  onReceived,
  instruction,
};
