import type { EntityManager } from '@mikro-orm/core';
import type { PubSubLike } from '../../common/context';
import { formatAmount } from '../../common/money';
import { build } from '../../common/orm';
import { LedgerAccountPurpose } from '../ledger/ledger.entity';
import { ledgerAccount, transfer, type EntryInput } from '../ledger/ledger.service';
import { afterCommit } from '../payment/after-commit';
import { Payment, PaymentKind, PaymentStatus } from '../payment/payment.entity';
import { merchantPaymentsTopic, paymentEvent, paymentTopic } from '../payment/payment.events';
import { SmsFlag, SmsStatus, type SmsMessage } from '../sms/sms.entity';
import {
  referenceCandidates,
  registerSmsProduct,
  TAKING_MONEY,
  type SmsProduct,
  type SmsReceived,
} from '../sms/sms.products';
import { sendSmsReply } from '../sms/sms.replies';
import { emitWebhookEvent } from '../webhook/webhook.service';
import { enqueueCallback } from './purse.callback';
import { Purse, PurseLanguage, PurseOperation, PursePayment } from './purse.entity';
import { protocolPhone } from './purse.protocol';
import { countModeOf, countryChoice, nextNumber, OPERATION_NUMBERS, PURSE_CURRENCY } from './purse.service';

/*
 * Purses on the SMS rails. The rails count the SMS that pays a purse payment (OPEN → PAID) and book it
 * (`sms:<smsId>`, then `payment-paid:<paymentId>`); this product then records the operation (`s_inv`) and queues its
 * Result URL callback. A further SMS with the same text reaches a PAID payment, which the rails flag PAYMENT_CLOSED
 * and book nothing for; for a purse it is a top-up (seed B8), so this product counts and books it itself, under the
 * same `sms:<smsId>` key the rails would use (so it can never be booked twice) plus a release keyed by the SMS.
 */

export const PURSE_PRODUCT = 'purse';
export const PAYMENT_RECEIVED_EVENT = 'purse.payment.received';
export const PAYMENT_PAID_EVENT = 'purse.payment.paid';

/** The text a payer sends: the payment's reference (the rails also find it inside longer texts). */
export function smsText(payment: Payment): string {
  return payment.reference;
}

/**
 * A purse payment whose reference the text carries, in ANY status: PAID ones take top-ups, and closed ones (cancelled,
 * expired) are recognised so the rails flag the SMS and the payer is told why, instead of "no such payment".
 */
async function recognise(em: EntityManager, sms: SmsMessage) {
  const candidates = referenceCandidates(sms.text);
  if (!candidates.length) return null;
  const payments = await em.find(Payment, { reference: { $in: candidates }, kind: PaymentKind.PURSE });
  for (const candidate of candidates) {
    const payment = payments.find((p) => p.reference === candidate);
    if (!payment) continue;
    const pursePayment = await em.findOne(PursePayment, { paymentId: payment.id });
    // B1: `s_clear_amount=0` makes the amount the payer's price, so the SMS counts its price; `=1` its yield.
    if (pursePayment) return { paymentId: payment.id, count: countModeOf(pursePayment.clearAmount) };
  }
  return null;
}

async function onReceived(em: EntityManager, event: SmsReceived): Promise<void> {
  const { sms, payment } = event;
  const pursePayment = await em.findOneOrFail(PursePayment, { paymentId: payment.id });
  const purse = await em.findOneOrFail(Purse, pursePayment.purseId);
  const language = pursePayment.language;
  let operation: PurseOperation | null = null;

  if (event.counted) {
    pursePayment.country = sms.country;
    if (event.paidNow) operation = await recordOperation(em, purse, pursePayment, payment, sms);
  } else if (isTopUp(sms, payment)) {
    if (!sms.tariffId) {
      // The rails stop at "closed" for a PAID payment; for a top-up the real reason is the missing tariff.
      sms.flagReason = SmsFlag.NO_TARIFF;
    } else if (creditOf(sms, pursePayment) >= payment.amount) {
      await bookTopUp(em, event.pubsub, sms, payment, pursePayment);
      operation = await recordOperation(em, purse, pursePayment, payment, sms);
    }
    // Below the amount (a cheaper short code than the page asked for) it stays flagged: a callback would tell the
    // shop the amount was paid.
  }

  const counted = sms.status === SmsStatus.COUNTED;
  if (counted) {
    const data = eventData(purse, pursePayment, payment, sms, operation);
    await emitWebhookEvent(em, { merchantId: payment.merchantId, type: PAYMENT_RECEIVED_EVENT, data });
    if (event.paidNow) await emitWebhookEvent(em, { merchantId: payment.merchantId, type: PAYMENT_PAID_EVENT, data });
  }
  await sendSmsReply(em, { inboundSmsId: sms.id, text: replyText(language, sms, payment, operation) });
}

/** An SMS for a purse payment that is already PAID: the rails flagged it closed; the purse takes it as a top-up. */
function isTopUp(sms: SmsMessage, payment: Payment): boolean {
  return sms.flagReason === SmsFlag.PAYMENT_CLOSED && payment.status === PaymentStatus.PAID;
}

function creditOf(sms: SmsMessage, pursePayment: PursePayment): bigint {
  return (countModeOf(pursePayment.clearAmount) === 'PRICE' ? sms.priceUsdMinor : sms.yieldUsdMinor) ?? 0n;
}

/**
 * Counts and books a top-up SMS, once: the same transfer the rails book for a counted SMS, under the same key
 * `sms:<smsId>` (WORLD −price; merchant pending +yield; operator share; platform fee), then its yield released to
 * the merchant's available balance under `purse-top-up:<smsId>`, since the payment it tops up is already PAID.
 * Both keys are unique per SMS, so no retry can post either twice.
 */
async function bookTopUp(
  em: EntityManager,
  pubsub: PubSubLike | null,
  sms: SmsMessage,
  payment: Payment,
  pursePayment: PursePayment,
): Promise<void> {
  const merchantId = payment.merchantId;
  const account = async (purpose: LedgerAccountPurpose, owner: string | null) =>
    (await ledgerAccount(em, { merchantId: owner, currency: PURSE_CURRENCY, purpose })).id;
  const entries: EntryInput[] = [
    { accountId: await account(LedgerAccountPurpose.WORLD, null), amount: -sms.priceUsdMinor! },
    { accountId: await account(LedgerAccountPurpose.MERCHANT_PENDING, merchantId), amount: sms.yieldUsdMinor! },
  ];
  if (sms.operatorShareUsdMinor! > 0n) {
    entries.push({
      accountId: await account(LedgerAccountPurpose.OPERATOR_SHARE, null),
      amount: sms.operatorShareUsdMinor!,
    });
  }
  if (sms.platformFeeUsdMinor! > 0n) {
    entries.push({
      accountId: await account(LedgerAccountPurpose.PLATFORM_FEES, null),
      amount: sms.platformFeeUsdMinor!,
    });
  }
  const { transfer: booked } = await transfer(em, {
    ownerId: merchantId,
    idempotencyKey: `sms:${sms.id}`,
    currency: PURSE_CURRENCY,
    entries,
    paymentId: payment.id,
    description: `SMS ${sms.id} to ${sms.toNumber} (${sms.country})`,
  });
  await transfer(em, {
    ownerId: merchantId,
    idempotencyKey: `purse-top-up:${sms.id}`,
    currency: PURSE_CURRENCY,
    entries: [
      { accountId: await account(LedgerAccountPurpose.MERCHANT_PENDING, merchantId), amount: -sms.yieldUsdMinor! },
      { accountId: await account(LedgerAccountPurpose.MERCHANT_AVAILABLE, merchantId), amount: sms.yieldUsdMinor! },
    ],
    paymentId: payment.id,
    description: `Top-up of payment ${payment.reference} by SMS ${sms.id}`,
  });

  const credited = creditOf(sms, pursePayment);
  sms.status = SmsStatus.COUNTED;
  sms.flagReason = null;
  sms.creditedMinor = credited;
  sms.ledgerTransferId = booked.id;
  pursePayment.country = sms.country;
  // What has arrived grows past the price with every top-up (amountReceived may exceed the amount); the status stays
  // PAID, so there is no transition, and the change is announced here as a transition would be.
  payment.amountReceived += credited;
  payment.updatedAt = new Date();
  if (pubsub) {
    afterCommit(
      em,
      () => {
        const event = paymentEvent(payment);
        pubsub.publish(paymentTopic(payment.pageToken), event);
        pubsub.publish(merchantPaymentsTopic(payment.merchantId), event);
      },
      payment,
    );
  }
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
  if (sms.status === SmsStatus.COUNTED) {
    const money = (minor: bigint) => formatAmount(minor, PURSE_CURRENCY);
    return ru
      ? `Получено ${money(payment.amountReceived)} из ${money(payment.amount)} USD по ${payment.reference}. Отправьте SMS ещё раз.`
      : `Received ${money(payment.amountReceived)} of ${money(payment.amount)} USD for ${payment.reference}. Send the SMS again.`;
  }
  if (payment.status === PaymentStatus.PAID) {
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

export const purseSmsProduct: SmsProduct = { name: PURSE_PRODUCT, recognise, onReceived, instruction };
registerSmsProduct(purseSmsProduct);
