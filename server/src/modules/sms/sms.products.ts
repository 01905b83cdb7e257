import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { Extensions } from '../../common/module';
import type { PubSubLike } from '../../common/context';
import { Payment, PaymentStatus, type PaymentKind } from '../payment';
import { REFERENCE_ALPHABET, REFERENCE_LENGTH, type NewPayment } from '../payment';
import type { CountMode } from '../payment';
import type { PayerCredit } from '../payment';
import type { SmsMessage } from './sms.entity';

/**
 * Products (purses, vouchers, access codes…) plug into the SMS rails here, as the `smsProducts` extension of their
 * module. The rails know payments, not products: a product says which payment an SMS pays for, and what happens
 * next.
 */

/** A payment the rails create for an SMS that is itself a purchase (access codes: one SMS buys one code). */
export type SmsPurchase = Omit<NewPayment, 'payerPhone' | 'payerCountry'>;

/**
 * What an SMS pays for, as a product recognised it: an existing payment (`paymentId`), or a new one the rails create
 * for it (`purchase`). Recognising has no side effects: the rails attach and count, settlement posts.
 */
export type SmsMatch = ({ paymentId: string } | { purchase: SmsPurchase }) & {
  /** How the SMS counts towards the payment's amount (settlement's CountMode); default YIELD. */
  count?: CountMode;
  /**
   * An SMS that reaches the payment after it stopped taking money was billed all the same. COUNT (purses): it is
   * counted as a late SMS and its money goes to the merchant (a top-up, seed B8) — unless it is worth less than
   * `lateMinimum`, then it waits in suspense. CREDIT (the default): its money becomes the payer's credit with the
   * merchant, spent on the same phone's next payment.
   */
  whenClosed?: 'COUNT' | 'CREDIT';
  lateMinimum?: bigint;
  /** Whether the phone's credit with the merchant may be spent on this payment once its SMS arrived; default true. */
  spendsCredit?: boolean;
};

/** What became of an SMS attached to a payment. */
export type SmsOutcome = 'COUNTED' | 'LATE' | 'CREDITED' | 'FLAGGED';

/** What a product's onReceived learns about an SMS attached to one of its payments. */
export interface SmsReceived {
  sms: SmsMessage;
  /** Locked and already credited (when counted); announced after the commit. */
  payment: Payment;
  /**
   * COUNTED: credited to the payment. LATE: counted on a payment that no longer took money (whenClosed COUNT).
   * CREDITED: kept as the payer's credit (`credit`). FLAGGED: not counted (sms.flagReason says why), in suspense.
   */
  outcome: SmsOutcome;
  /** COUNTED or LATE. */
  counted: boolean;
  /** True when this SMS (or the payer credit it unlocked) made the payment PAID. */
  paidNow: boolean;
  /** The payer credit this SMS became (outcome CREDITED). */
  credit: PayerCredit | null;
  /** Payer credit from earlier SMS spent on the payment once this SMS arrived (minor units, as counted). */
  creditSpent: bigint;
  /** Null only when the backstop runs in a process without live updates. */
  pubsub: PubSubLike | null;
  config: Config;
}

/** One SMS a payment's instruction asks the payer to send (seed V3/V7: each shown as expected, then received). */
export interface ExpectedSms {
  shortCode: string;
  text: string;
  /** The country the instruction was made for, when it matters. */
  country?: string | null;
}

export interface SmsProduct {
  /** Recorded on each SMS it recognised, e.g. "voucher". Unique. */
  name: string;
  /** The payment kinds it owns: an admin attaching a suspended SMS to such a payment goes through this product. */
  kinds?: readonly PaymentKind[];
  /**
   * What this SMS pays for, or null when it is not this product's. Runs inside the processing transaction and only
   * reads: the rails act on the answer. The SMS already carries its tariff's values (null without a tariff).
   */
  recognise(em: EntityManager, sms: SmsMessage): Promise<SmsMatch | null>;
  /**
   * The product's next step for an attached SMS (counted or flagged), in the same transaction as the counting: issue
   * a code, reply (sendSmsReply), enqueue outbox work. Throwing rolls the whole processing back, to be retried.
   */
  onReceived?(em: EntityManager, event: SmsReceived): Promise<void> | void;
  /** The SMS a payment of this product expects, in order; null when the payment is not this product's. */
  instruction?(em: EntityManager, payment: Payment): Promise<ExpectedSms[] | null>;
}

declare module '../../common/module' {
  interface Extensions {
    /** Products on the SMS rails, tried in module order before the built-in reference recognition. */
    smsProducts: readonly SmsProduct[];
  }
}

/** Every product in the order the pipeline tries them: the modules' ones, then the built-in fallback. */
export function smsProductsOf(extensions: Extensions): readonly SmsProduct[] {
  return [...(extensions.smsProducts ?? []), builtInProduct];
}

// --- Built-in recognition: the payment's public reference somewhere in the text --------------------------------

const REFERENCE_CHAR = new RegExp(`^[${REFERENCE_ALPHABET}]+$`);

/**
 * The references an SMS text may carry, most likely first (pure). Payers type by hand: any case, spaces or dashes
 * inside the code ("k7m2 xr9d"), a keyword before it ("PAY K7M2XR9D", even glued: "PAYK7M2XR9D"), words after it.
 * Every run of consecutive words that joins to exactly the reference length is a candidate, and so are the last
 * characters of a longer word (a glued keyword).
 */
export function referenceCandidates(text: string): string[] {
  const words = text
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const candidates: string[] = [];
  const add = (candidate: string) => {
    if (candidate.length === REFERENCE_LENGTH && REFERENCE_CHAR.test(candidate) && !candidates.includes(candidate)) {
      candidates.push(candidate);
    }
  };
  for (let start = 0; start < words.length; start++) {
    let joined = '';
    for (let end = start; end < words.length && joined.length < REFERENCE_LENGTH; end++) joined += words[end];
    add(joined);
  }
  for (const word of words) if (word.length > REFERENCE_LENGTH) add(word.slice(-REFERENCE_LENGTH));
  return candidates;
}

/** Statuses in which a payment takes money, so an SMS may be attached and counted. */
export const TAKING_MONEY: readonly PaymentStatus[] = [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID];

/**
 * The payment whose reference the text carries, or null: one taking money (OPEN or PARTIALLY_PAID) by default, or in
 * any status with `anyStatus` (an SMS on a closed payment was billed too, and its product decides what it becomes).
 * Products that share this recognition pass the payment kinds they own.
 */
export async function recognisePaymentReference(
  em: EntityManager,
  text: string,
  options: { kinds?: readonly PaymentKind[]; anyStatus?: boolean } = {},
): Promise<Payment | null> {
  const candidates = referenceCandidates(text);
  if (!candidates.length) return null;
  const payments = await em.find(Payment, {
    reference: { $in: candidates },
    ...(options.anyStatus ? {} : { status: { $in: [...TAKING_MONEY] } }),
    ...(options.kinds ? { kind: { $in: [...options.kinds] } } : {}),
  });
  for (const candidate of candidates) {
    const payment = payments.find((p) => p.reference === candidate);
    if (payment) return payment;
  }
  return null;
}

export const BUILT_IN_PRODUCT = 'payment';

/**
 * Any payment, by its reference; an SMS on a closed one becomes its payer's credit. Replies are the pipeline's
 * defaults (see sms.pipeline.ts).
 */
const builtInProduct: SmsProduct = {
  name: BUILT_IN_PRODUCT,
  async recognise(em, sms) {
    const payment = await recognisePaymentReference(em, sms.text, { anyStatus: true });
    return payment && { paymentId: payment.id };
  },
};
