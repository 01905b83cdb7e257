/**
 * The catalogue of events a merchant's webhook endpoints can receive (docs/events.md documents each one). Every event
 * is emitted by the named transition that causes it, written to the outbox in the same transaction, and delivered
 * signed. An emitted payload must carry exactly the fields listed here: a test keeps the two in step.
 */

/** What a payment's event carries (amounts are decimal strings in the payment's currency). */
const PAYMENT_FIELDS = {
  id: 'the payment id ("pay_…")',
  merchantId: 'the merchant it belongs to',
  kind: 'PURSE, VOUCHER, ACCESS_CODE, STORE_ORDER, TOP_UP or CARD',
  status: 'the status after the transition',
  reference: 'the short public reference payers quote in SMS',
  externalId: "the merchant's own order id, or null",
  description: 'what is paid for',
  amount: 'the price, e.g. "5.00"',
  amountReceived: 'what has arrived so far, e.g. "2.50"',
  currency: 'ISO 4217 code',
  net: "the merchant's part booked so far",
  refunded: 'what was refunded to the payer so far, e.g. "0.00"',
  metadata: 'the JSON object the merchant attached',
  createdAt: 'ISO 8601 time',
  paidAt: 'ISO 8601 time, or null',
} as const;

const SMS_FIELDS = {
  smsId: 'the SMS id ("sms_…")',
  paymentId: 'the payment it named, or null',
  shortCode: 'the short code it was sent to',
  country: "the payer's country (ISO 3166-1 alpha-2)",
  status: 'COUNTED, CREDITED or FLAGGED',
  flagReason: 'why it was not counted, or null',
  credited: 'what it added to the payment, e.g. "2.50", or null',
} as const;

const CREDIT_FIELDS = {
  creditId: 'the credit id ("pcr_…")',
  status: 'AVAILABLE, SPENT, RELEASED or REFUNDED',
  amount: 'the money held, e.g. "2.50"',
  currency: 'ISO 4217 code',
  sourcePaymentId: 'the closed payment whose SMS brought it',
  spentPaymentId: 'the payment it was spent on, or null',
  releaseAt: 'ISO 8601 time after which it goes to the merchant unused',
} as const;

const PURSE_FIELDS = {
  purseId: 'the purse',
  purseNumber: 'the purse number (s_purse)',
  paymentId: 'the payment',
  reference: 'its reference',
  status: 'the payment status',
  orderId: 'the shop’s order id (s_order_id)',
  amount: 'the amount field as the shop sent it',
  clearAmount: 's_clear_amount as sent',
  extraFields: 'the shop’s extra fields',
  smsId: 'the SMS',
  country: "the payer's country",
  credited: 'what the SMS added',
  operationNumber: 'the operation number (s_inv), or null',
} as const;

/** What a card charge's event carries (never the card number: brand and last four digits only). */
const CARD_CHARGE_FIELDS = {
  chargeId: 'the card charge ("cch_…")',
  paymentId: 'the payment it pays',
  status: 'PENDING, REQUIRES_ACTION, AUTHORISED, CAPTURED, DECLINED, VOIDED or UNKNOWN, after the transition',
  amount: 'what the charge is for, e.g. "10.00"',
  captured: 'what was taken from the card, e.g. "10.00"',
  currency: 'ISO 4217 code',
  brand: 'VISA, MASTERCARD, …',
  last4: 'the last four digits of the card',
  declineCode: 'why the processor declined, or null',
  processorReference: "the processor's reference, or null",
} as const;

const CARD_REFUND_FIELDS = {
  refundId: 'the refund ("crf_…")',
  paymentId: 'the payment refunded',
  chargeId: 'the card charge refunded',
  status: 'SUCCEEDED or FAILED',
  amount: 'the amount refunded, e.g. "2.50"',
  currency: 'ISO 4217 code',
  declineCode: 'why the processor refused it, or null',
} as const;

const CHARGEBACK_FIELDS = {
  chargebackId: 'the chargeback ("chb_…")',
  paymentId: 'the payment disputed',
  chargeId: 'the card charge disputed',
  status: 'OPENED, WON or LOST',
  amount: 'the amount disputed, e.g. "10.00"',
  currency: 'ISO 4217 code',
  reason: 'why the payer disputed it',
} as const;

/** What a withdrawal's event carries (amounts are decimal strings in its currency). */
const WITHDRAWAL_FIELDS = {
  id: 'the withdrawal ("wdr_…")',
  merchantId: 'the merchant it belongs to',
  status: 'REQUESTED, CONFIRMED, APPROVED, IN_BATCH, PAID, REJECTED, CANCELLED or RETURNED, after the transition',
  amount: 'what leaves the balance, e.g. "100.00"',
  fee: 'the payout fee taken from it, e.g. "2.00"',
  currency: 'ISO 4217 code',
  destinationId: 'the payout destination ("pds_…")',
  rail: 'SEPA, BANK, CARD or EWALLET',
  batchId: 'the payout batch, or null',
  reason: 'why it was rejected or returned, or null',
  createdAt: 'ISO 8601 time',
} as const;

const AUTO_PAYOUT_FIELDS = {
  id: 'the automatic payout settings ("apo_…")',
  merchantId: 'the merchant they belong to',
  currency: 'ISO 4217 code of the balance paid out',
  status: 'ACTIVE or OFF, after the change',
  schedule: 'DAILY or WEEKLY',
  reserve: 'what stays in the available balance, e.g. "50.00"',
  destinationId: 'the payout destination ("pds_…")',
} as const;

/** What a merchant suspension's event carries. */
const MERCHANT_STATUS_FIELDS = {
  merchantId: 'the merchant ("mch_…")',
  reason: 'why, as the platform admin wrote it',
  at: 'ISO 8601 time of the change',
} as const;

export const EVENT_CATALOGUE = {
  'payment.created': { description: 'A payment was created (any product).', fields: PAYMENT_FIELDS },
  'payment.partially_paid': {
    description: 'Money arrived but the price is not reached yet (e.g. the first SMS of three).',
    fields: PAYMENT_FIELDS,
  },
  'payment.paid': { description: 'The price was reached; the money is the merchant’s.', fields: PAYMENT_FIELDS },
  'payment.cancelled': { description: 'The payment was cancelled before it was paid.', fields: PAYMENT_FIELDS },
  'payment.expired': { description: 'Nothing arrived before the payment’s time ran out.', fields: PAYMENT_FIELDS },
  'payment.refunded': { description: 'A paid payment was refunded.', fields: PAYMENT_FIELDS },
  'payment.partially_refunded': {
    description: 'Part of a payment’s money was refunded (by card); its status stays. `refunded` says how much in all.',
    fields: PAYMENT_FIELDS,
  },
  'sms.received': { description: 'An SMS was counted for one of the merchant’s payments.', fields: SMS_FIELDS },
  'sms.flagged': {
    description: 'An SMS named one of the merchant’s payments but was not counted (anti-fraud, no tariff…).',
    fields: SMS_FIELDS,
  },
  'voucher.sold': {
    description: 'A voucher was sold: its payment is paid and the code is revealed to the buyer.',
    fields: {
      paymentId: 'the payment',
      orderId: 'the voucher order ("vor_…")',
      projectId: 'the voucher project',
      voucherId: 'the voucher sold (never its code)',
      country: "the buyer's country; null for a voucher paid by card alone (no SMS)",
    },
  },
  'access_code.issued': {
    description:
      'An access code was issued for a paid SMS or card purchase (the code itself goes only to the payer: the SMS ' +
      'reply, or the payer page and email).',
    fields: {
      paymentId: 'the payment',
      serviceId: 'the access-code service',
      accessCodeId: 'the code issued (never its value)',
      expiresAt: 'ISO 8601 time, or null',
      usesAllowed: 'how many checks admit it, or null',
    },
  },
  'credit.created': {
    description: 'An SMS arrived after its payment closed: its money became the payer’s credit.',
    fields: CREDIT_FIELDS,
  },
  'credit.spent': { description: 'A payer’s credit was spent on their next payment.', fields: CREDIT_FIELDS },
  'credit.released': {
    description: 'A credit was not used in time: it was released to the merchant (or refunded by an admin).',
    fields: CREDIT_FIELDS,
  },
  'purse.payment.received': {
    description: 'Purses: an SMS was counted for a purse payment (kept from the first release).',
    fields: PURSE_FIELDS,
  },
  'purse.payment.paid': {
    description: 'Purses: a purse payment was paid (kept from the first release).',
    fields: PURSE_FIELDS,
  },
  'card.charge.authorised': {
    description: 'A card was authorised for a payment with MANUAL capture: capture or void it.',
    fields: CARD_CHARGE_FIELDS,
  },
  'card.charge.captured': {
    description: 'A card was charged for a payment (the payment’s own event says whether it is now paid).',
    fields: CARD_CHARGE_FIELDS,
  },
  'card.charge.declined': {
    description: 'The processor declined a card for a payment; the payment stays open for another try.',
    fields: CARD_CHARGE_FIELDS,
  },
  'card.charge.voided': { description: 'An authorised card charge was voided.', fields: CARD_CHARGE_FIELDS },
  'card.charge.unknown': {
    description: 'The processor did not answer for a card charge; reconciliation will resolve it.',
    fields: CARD_CHARGE_FIELDS,
  },
  'card.refund.succeeded': { description: 'Money was refunded to the card.', fields: CARD_REFUND_FIELDS },
  'card.refund.failed': {
    description: 'The processor refused a refund; nothing was booked, the money stays with the merchant.',
    fields: CARD_REFUND_FIELDS,
  },
  'card.chargeback.opened': {
    description: 'A payer disputed a card payment: the amount and the chargeback fee were debited.',
    fields: CHARGEBACK_FIELDS,
  },
  'card.chargeback.won': {
    description: 'A chargeback was decided for the merchant: the amount was given back (the fee stays).',
    fields: CHARGEBACK_FIELDS,
  },
  'card.chargeback.lost': { description: 'A chargeback was decided for the payer.', fields: CHARGEBACK_FIELDS },
  'withdrawal.requested': {
    description: 'A withdrawal was asked for; a code was emailed to the owner to confirm it.',
    fields: WITHDRAWAL_FIELDS,
  },
  'withdrawal.confirmed': {
    description: 'A withdrawal was confirmed by its code: its amount is held and waits for approval.',
    fields: WITHDRAWAL_FIELDS,
  },
  'withdrawal.approved': { description: 'An admin approved a withdrawal.', fields: WITHDRAWAL_FIELDS },
  'withdrawal.in_batch': {
    description: 'A withdrawal went into a payout batch for the bank.',
    fields: WITHDRAWAL_FIELDS,
  },
  'withdrawal.paid': {
    description: 'The bank paid a withdrawal: its amount left the balance, its fee was taken.',
    fields: WITHDRAWAL_FIELDS,
  },
  'withdrawal.rejected': {
    description: 'An admin or the bank refused a withdrawal: its held amount is available again.',
    fields: WITHDRAWAL_FIELDS,
  },
  'withdrawal.cancelled': {
    description: 'The merchant cancelled a withdrawal: its held amount, if any, is available again.',
    fields: WITHDRAWAL_FIELDS,
  },
  'withdrawal.returned': {
    description: 'The bank sent a paid withdrawal back: its amount (fee included) is available again.',
    fields: WITHDRAWAL_FIELDS,
  },
  'auto_payout.confirmed': {
    description:
      'Automatic payouts were switched on or changed, confirmed by the code emailed to the owner; they run from now on.',
    fields: AUTO_PAYOUT_FIELDS,
  },
  'auto_payout.disabled': { description: 'Automatic payouts were switched off.', fields: AUTO_PAYOUT_FIELDS },
  'sms.unbilled': {
    description:
      "The operator's settlement report says an SMS was not billed: what it credited the merchant was taken back " +
      '(from the available balance, the rest owed as a receivable).',
    fields: {
      smsId: 'the SMS id ("sms_…")',
      paymentId: 'the payment it was counted on, or null',
      operator: 'the operator or aggregator whose report said so',
      month: 'the month reported, YYYY-MM',
      amount: 'the merchant\'s part taken back, e.g. "0.66"',
      receivable: 'what of it the merchant now owes (not covered by the available balance), e.g. "0.00"',
      currency: 'ISO 4217 code',
    },
  },
  'webhook_endpoint.failing': {
    description:
      'A webhook delivery was given up after every retry: the endpoint did not answer 2xx for hours. Never sent to ' +
      'the failing endpoint itself.',
    fields: {
      endpointId: 'the endpoint ("whe_…")',
      url: 'where it POSTs',
      eventId: 'the event that could not be delivered',
      eventType: 'its type',
      error: 'the last failure, e.g. "HTTP 500: …"',
      attempts: 'how many attempts were made',
    },
  },
  'access_code.guessing': {
    description:
      'Many invalid codes were checked against an access-code service within a minute: someone may be guessing. ' +
      'At most once per hour per service.',
    fields: {
      serviceId: 'the access-code service',
      serviceName: 'its name',
      invalidChecks: 'invalid checks counted in the minute',
      detectedAt: 'ISO 8601 time',
    },
  },
  'merchant.suspended': {
    description:
      'The platform suspended the merchant: no new payments start and its dashboard is read-only; payments already ' +
      'under way still settle.',
    fields: MERCHANT_STATUS_FIELDS,
  },
  'merchant.resumed': {
    description: 'The platform lifted the suspension: the merchant takes payments and acts again.',
    fields: MERCHANT_STATUS_FIELDS,
  },
} satisfies Record<string, { description: string; fields: Record<string, string> }>;

export type EventType = keyof typeof EVENT_CATALOGUE;

/** Throws when `data` does not carry exactly the catalogued fields of `type`: the docs and the wire never drift. */
export function assertCatalogued(type: EventType, data: Record<string, unknown>): void {
  const expected = Object.keys(EVENT_CATALOGUE[type].fields).sort();
  const actual = Object.keys(data).sort();
  if (expected.join() !== actual.join()) {
    throw new Error(`event ${type}: fields ${actual.join(', ')} differ from the catalogue's ${expected.join(', ')}`);
  }
}

/**
 * Events the platform itself acts on besides webhooks (merchant email alerts): emitting one of these also queues it
 * as an OBSERVED_EVENT_KIND outbox message, handled by the alert module after the emitting transaction commits.
 */
export const OBSERVED_EVENTS: readonly EventType[] = [
  'voucher.sold',
  'withdrawal.paid',
  'webhook_endpoint.failing',
  'access_code.guessing',
];

/** The outbox kind of an observed event; its payload is `{ eventId, type, merchantId, data }`. */
export const OBSERVED_EVENT_KIND = 'event.observed';
