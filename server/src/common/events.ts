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
