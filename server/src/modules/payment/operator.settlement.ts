import type { EntityManager } from '@mikro-orm/core';
import { formatAmount } from '../../common/money';
import { LedgerAccountPurpose, transferByKey, type KeyedTransfer } from '../ledger';
import { Payment, PaymentStatus } from './payment.entity';
import { fromMerchant, lockMerchantMoney, postOnce, type Leg } from './payment.settlement';

/*
 * Settlement of what mobile operators did not pay. Each counted SMS was booked when it arrived (`sms:<smsId>`: WORLD
 * −price → the merchant's part, OPERATOR_SHARE, PLATFORM_FEES), trusting the operator to bill the payer and pay us.
 * When the operator's settlement report says a message was not billed, that booking is reversed as one named
 * operation, `sms-unbilled:<smsId>`: WORLD gets the price back (it never came), the operator's share and our fee are
 * taken back, and the merchant's part comes out of wherever it went — its available balance first and the rest owed
 * (MERCHANT_RECEIVABLE negative), exactly as a card refund does, when the money reached the merchant; its pending
 * balance when the payment that held it closed without paying it out. Once per SMS (I4).
 */

export type UnbilledSmsOutcome =
  /** Reversed now. */
  | 'REVERSED'
  /** Reversed before (the same key posted): nothing new. */
  | 'ALREADY_REVERSED'
  /** No `sms:<id>` posting: the SMS was never credited, nothing to take back. */
  | 'NOT_CREDITED'
  /** Its money waits in suspense (no merchant yet): resolve the suspense item instead. */
  | 'IN_SUSPENSE'
  /** Its payment still takes money; the SMS's part may yet be paid out with it: reverse once the payment closes. */
  | 'PAYMENT_OPEN';

export interface UnbilledSms {
  smsId: string;
  merchantId: string;
  /** The payment it was counted on, if any. */
  paymentId: string | null;
}

export interface UnbilledSmsReversal {
  outcome: UnbilledSmsOutcome;
  transferId: string | null;
  /** What the merchant lost (its part of the SMS), minor units of `currency`. */
  merchantMinor: bigint;
  /** What of it the merchant was left owing (its receivable). */
  receivableMinor: bigint;
  currency: string | null;
}

function legOf(transfer: KeyedTransfer, ...purposes: LedgerAccountPurpose[]): bigint {
  return transfer.entries
    .filter((entry) => purposes.includes(entry.purpose))
    .reduce((sum, entry) => sum + entry.amount, 0n);
}

const MERCHANT_PARTS = [
  LedgerAccountPurpose.MERCHANT_PENDING,
  LedgerAccountPurpose.PAYER_CREDIT,
  LedgerAccountPurpose.SUSPENSE,
];

/**
 * An SMS the operator did not bill: its `sms:<smsId>` posting is reversed under `sms-unbilled:<smsId>` (see above).
 * Call it in a transaction; the payment, if any, is read locked-free but the merchant's balances are locked first.
 */
export async function reverseUnbilledSms(em: EntityManager, sms: UnbilledSms): Promise<UnbilledSmsReversal> {
  const none = (outcome: UnbilledSmsOutcome, currency: string | null = null): UnbilledSmsReversal => ({
    outcome,
    transferId: null,
    merchantMinor: 0n,
    receivableMinor: 0n,
    currency,
  });
  const key = `sms-unbilled:${sms.smsId}`;
  const earlier = await transferByKey(em, sms.merchantId, key);
  if (earlier) {
    return {
      outcome: 'ALREADY_REVERSED',
      transferId: earlier.id,
      merchantMinor: -legOf(
        earlier,
        LedgerAccountPurpose.MERCHANT_AVAILABLE,
        LedgerAccountPurpose.MERCHANT_RECEIVABLE,
        LedgerAccountPurpose.MERCHANT_PENDING,
      ),
      receivableMinor: -legOf(earlier, LedgerAccountPurpose.MERCHANT_RECEIVABLE),
      currency: earlier.currency,
    };
  }
  const booked = await transferByKey(em, sms.merchantId, `sms:${sms.smsId}`);
  if (!booked) return none('NOT_CREDITED');
  const currency = booked.currency;
  if (legOf(booked, LedgerAccountPurpose.SUSPENSE)) return none('IN_SUSPENSE', currency);

  const price = -legOf(booked, LedgerAccountPurpose.WORLD);
  const share = legOf(booked, LedgerAccountPurpose.OPERATOR_SHARE);
  const fee = legOf(booked, LedgerAccountPurpose.PLATFORM_FEES);
  const part = legOf(booked, ...MERCHANT_PARTS);

  // Where the merchant's part is now: still pending on a payment that closed unpaid, or with the merchant (released
  // when the payment was paid, at once for a late SMS, or kept as payer credit the merchant gets when spent).
  let merchantLegs: Leg[];
  await lockMerchantMoney(em, sms.merchantId, currency);
  const pendingPart = legOf(booked, LedgerAccountPurpose.MERCHANT_PENDING);
  const released =
    pendingPart === 0n ||
    !!(await transferByKey(em, sms.merchantId, `top-up:${sms.smsId}`)) ||
    (sms.paymentId ? !!(await transferByKey(em, sms.merchantId, `payment-paid:${sms.paymentId}`)) : false);
  if (released) {
    merchantLegs = await fromMerchant(em, sms.merchantId, currency, part);
  } else {
    const payment = sms.paymentId ? await em.findOne(Payment, sms.paymentId) : null;
    if (payment && [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID, PaymentStatus.PAID].includes(payment.status)) {
      return none('PAYMENT_OPEN', currency);
    }
    merchantLegs = [{ purpose: LedgerAccountPurpose.MERCHANT_PENDING, merchantId: sms.merchantId, amount: -part }];
  }
  const { transferId } = await postOnce(em, {
    key,
    ownerId: sms.merchantId,
    currency,
    legs: [
      { purpose: LedgerAccountPurpose.WORLD, amount: price },
      { purpose: LedgerAccountPurpose.OPERATOR_SHARE, amount: -share },
      { purpose: LedgerAccountPurpose.PLATFORM_FEES, amount: -fee },
      ...merchantLegs,
    ],
    paymentId: null,
    description:
      `SMS ${sms.smsId} not billed by the operator: ${formatAmount(part, currency)} ${currency} credited for it ` +
      'taken back',
  });
  const receivable = merchantLegs.find((leg) => leg.purpose === LedgerAccountPurpose.MERCHANT_RECEIVABLE);
  return {
    outcome: 'REVERSED',
    transferId,
    merchantMinor: part,
    receivableMinor: receivable ? -receivable.amount : 0n,
    currency,
  };
}
