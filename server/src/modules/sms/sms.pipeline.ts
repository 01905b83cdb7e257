import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { PubSubLike } from '../../common/context';
import { log } from '../../common/log';
import { smsCounted, smsFlagged, smsReceived } from '../../common/metrics';
import type { Platform } from '../../common/module';
import { formatAmount } from '../../common/money';
import { parsePhone } from '../../common/phone';
import { build } from '../../common/orm';
import { nextState } from '../../common/state-machine';
import { enqueue, outboxHandler, type OutboxHandler } from '../outbox';
import { PaymentStatus, type Payment } from '../payment';
import { createPayment, lockPayment } from '../payment';
import { bookLateSms, bookSmsCredit, creditPayer, spendPayerCredit, suspendSms, type SmsCharge } from '../payment';
import { SuspenseReason, type PayerCredit } from '../payment';
import { emitEvent } from '../webhook';
import type { InboundSms } from './sms.channel';
import { SMS_TRANSITIONS, SmsDirection, SmsFlag, SmsMessage, SmsStatus, type SmsTransition } from './sms.entity';
import { announceSms } from './sms.events';
import {
  smsProductsOf,
  TAKING_MONEY,
  type SmsMatch,
  type SmsOutcome,
  type SmsProduct,
  type SmsReceived,
} from './sms.products';
import { sendSmsReply } from './sms.replies';
import { tariffForSms } from './sms.tariff';

/** What a channel hands SMS over with: the platform (its extensions hold the SMS products). */
export type SmsPipelineDeps = Pick<Platform, 'orm' | 'pubsub' | 'config' | 'extensions'>;

/** An inbound SMS a channel handed over is malformed; nothing was stored. `field` names the offending field. */
export class SmsInputError extends Error {
  constructor(
    readonly field: keyof InboundSms,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'SmsInputError';
  }
}

/** What processing needs: any entity manager of the database (it forks its own), where to announce, the products. */
export interface ProcessDeps {
  em: EntityManager;
  pubsub: PubSubLike | null;
  config: Config;
  products: readonly SmsProduct[];
}

export const SMS_PROCESS_KIND = 'sms.process';
/** SMS money is booked in US dollars: tariffs' yields and shares are US cents. */
export const SMS_CURRENCY = 'USD';
/**
 * The outbox copy of the processing waits this long: processing normally runs at once, right after storing, and the
 * outbox row only matters if that failed (a crash, a lost race), so it should not compete with it.
 */
const PROCESS_BACKSTOP_MS = 30_000;
/** The longest inbound text stored, in characters. */
export const MAX_SMS_TEXT_LENGTH = 1600;

/**
 * The one way an inbound SMS enters Tollgate, whatever link delivered it (HTTP webhook, SMPP, simulator).
 *
 * 1. Store: the SMS and an outbox row that processes it, in one transaction. Once this resolves the SMS is durable
 *    and the channel may acknowledge it. The same (provider, messageId) again finds the first copy
 *    (`duplicate: true`), by the unique index, not by a pre-check alone.
 * 2. Process, at once: match, attach, count, book, publish and the product's next step, in one transaction
 *    (processSms). If that fails the SMS stays stored and the outbox retries it.
 *
 * Throws SmsInputError (nothing stored) for a malformed SMS, and database errors when it could not be stored (the
 * channel must not acknowledge then, so the provider delivers it again).
 */
export function receiveInboundSms(
  deps: SmsPipelineDeps,
  sms: InboundSms,
): Promise<{ smsId: string; duplicate: boolean }> {
  return receiveInbound(
    { em: deps.orm.em, pubsub: deps.pubsub, config: deps.config, products: smsProductsOf(deps.extensions) },
    sms,
  );
}

/** receiveInboundSms for callers that hold an entity manager rather than the ORM (resolvers). */
export async function receiveInbound(
  deps: ProcessDeps,
  sms: InboundSms,
): Promise<{ smsId: string; duplicate: boolean }> {
  const input = validateInbound(sms);
  let messageId = input.messageId;
  if (input.redeliveryWindowMs === null) {
    const existing = await deps.em.fork().findOne(SmsMessage, inboundWhere(input, messageId));
    if (existing) return { smsId: existing.id, duplicate: true };
  } else {
    const copy = await copyWithinWindow(deps.em, input);
    if (copy.duplicateOf) return { smsId: copy.duplicateOf, duplicate: true };
    messageId = copy.messageId;
  }

  let smsId: string;
  try {
    smsId = await deps.em.fork().transactional(async (em) => {
      const row = build(SmsMessage, {
        direction: SmsDirection.IN,
        provider: input.provider,
        providerMessageId: messageId,
        fromNumber: input.from,
        toNumber: input.to,
        text: input.text,
        country: input.country,
        operator: input.operator,
        status: SmsStatus.RECEIVED,
        receivedAt: input.receivedAt,
      });
      em.persist(row);
      enqueue(em, {
        kind: SMS_PROCESS_KIND,
        payload: { smsId: row.id },
        runAt: new Date(Date.now() + PROCESS_BACKSTOP_MS),
      });
      return row.id;
    });
  } catch (error) {
    // A concurrent delivery of the same message stored it first.
    if (error instanceof UniqueConstraintViolationException) {
      const first = await deps.em.fork().findOne(SmsMessage, inboundWhere(input, messageId));
      if (first) return { smsId: first.id, duplicate: true };
    }
    throw error;
  }

  smsReceived.inc({ provider: input.provider });
  try {
    await processSms(deps, smsId);
  } catch (error) {
    // Stored is what the channel needs to know; the outbox row processes it later.
    log.error({ err: error, smsId }, 'sms: processing failed, the outbox will retry');
  }
  return { smsId, duplicate: false };
}

/** The stored copy of an inbound message id. */
function inboundWhere(input: ValidInbound, messageId: string) {
  return { direction: SmsDirection.IN, provider: input.provider, providerMessageId: messageId };
}

/**
 * For a message id derived from the content (no provider id): the copy stored within the redelivery window is the
 * same SMS delivered again; a copy older than that was an earlier SMS with the same text, so this one is new and is
 * stored as `<id>#2`, `<id>#3`… Concurrent deliveries of that new one pick the same suffix, so the unique index still
 * keeps one.
 */
async function copyWithinWindow(
  em: EntityManager,
  input: ValidInbound,
): Promise<{ duplicateOf: string | null; messageId: string }> {
  const copies = await em.fork().find(
    SmsMessage,
    {
      direction: SmsDirection.IN,
      provider: input.provider,
      fromNumber: input.from,
      $or: [{ providerMessageId: input.messageId }, { providerMessageId: { $like: `${input.messageId}#%` } }],
    },
    { orderBy: { createdAt: 'desc', id: 'desc' } },
  );
  const latest = copies[0];
  if (latest && Date.now() - latest.createdAt.getTime() < input.redeliveryWindowMs!) {
    return { duplicateOf: latest.id, messageId: latest.providerMessageId! };
  }
  if (!latest) return { duplicateOf: null, messageId: input.messageId };
  const highest = Math.max(...copies.map((copy) => Number(/#(\d+)$/.exec(copy.providerMessageId ?? '')?.[1] ?? 1)));
  return { duplicateOf: null, messageId: `${input.messageId}#${highest + 1}` };
}

interface ValidInbound {
  provider: string;
  messageId: string;
  redeliveryWindowMs: number | null;
  from: string;
  to: string;
  text: string;
  country: string;
  operator: string | null;
  receivedAt: Date;
}

/** Checks and normalises what a channel handed over; throws SmsInputError naming the field. */
export function validateInbound(sms: InboundSms): ValidInbound {
  const str = (field: keyof InboundSms): string => {
    const value = sms[field];
    if (typeof value !== 'string') throw new SmsInputError(field, 'must be a string');
    // No database column takes a NUL byte: refused here, named, rather than failing the insert (a 500 that makes
    // the aggregator deliver it again for ever).
    if (value.includes('\u0000')) throw new SmsInputError(field, 'must not contain a NUL byte');
    return value;
  };
  const provider = str('provider').trim();
  if (!/^[a-z0-9][a-z0-9:._-]{0,59}$/i.test(provider)) throw new SmsInputError('provider', 'is not a provider name');
  const messageId = str('messageId').trim();
  if (!messageId || messageId.length > 100) throw new SmsInputError('messageId', 'must have 1 to 100 characters');
  let redeliveryWindowMs: number | null = null;
  if (sms.redeliveryWindowMs !== undefined && sms.redeliveryWindowMs !== null) {
    if (!Number.isInteger(sms.redeliveryWindowMs) || sms.redeliveryWindowMs < 0) {
      throw new SmsInputError('redeliveryWindowMs', 'must be a whole number of milliseconds');
    }
    // Copies are found by prefix (LIKE), so the id must hold no wildcard and room for a "#n" suffix.
    if (!/^[A-Za-z0-9:.-]{1,90}$/.test(messageId)) {
      throw new SmsInputError('messageId', 'a derived message id has at most 90 letters, digits and ":.-"');
    }
    redeliveryWindowMs = sms.redeliveryWindowMs;
  }
  const country = str('country').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new SmsInputError('country', 'must be a two-letter ISO country code');
  const given = str('from').trim();
  // Kept as given when the link could not read it (the operator billed it): processing sends it to suspense.
  // Still a printable, bounded string.
  const from = sms.senderUnreadable
    ? given && given.length <= 32 && !/\p{Cc}/u.test(given)
      ? given
      : null
    : parsePhone(given, country);
  if (!from) throw new SmsInputError('from', 'must be a phone number in international form, e.g. +359888123456');
  const to = str('to').trim().replace(/^\+/, '');
  if (!/^[0-9]{3,15}$/.test(to)) throw new SmsInputError('to', 'must be a short code (3 to 15 digits)');
  const text = str('text');
  if (text.length > MAX_SMS_TEXT_LENGTH)
    throw new SmsInputError('text', `must have at most ${MAX_SMS_TEXT_LENGTH} characters`);
  let operator: string | null = null;
  if (sms.operator !== undefined && sms.operator !== null) {
    operator = str('operator').trim() || null;
    if (operator && operator.length > 60) throw new SmsInputError('operator', 'must have at most 60 characters');
  }
  let receivedAt = new Date();
  if (sms.receivedAt !== undefined) {
    if (!(sms.receivedAt instanceof Date) || Number.isNaN(sms.receivedAt.getTime())) {
      throw new SmsInputError('receivedAt', 'must be a valid date');
    }
    receivedAt = sms.receivedAt;
  }
  return { provider, messageId, redeliveryWindowMs, from, to, text, country, operator, receivedAt };
}

/**
 * Processes a stored inbound SMS exactly once, in one transaction: recognise what it pays for, attach it, check the
 * tariff and the anti-fraud rules, let settlement count and book it (or keep it as payer credit, or in suspense),
 * let the product take its next step, and announce it after the commit. Every billed SMS ends on an account. Safe to
 * call any number of times, concurrently too: the first statement claims the SMS (a conditional update of
 * `processedAt`), so every other call finds it claimed and does nothing; and the ledger keys (`sms:<id>`,
 * `payment-paid:<paymentId>`) would refuse a second posting anyway.
 */
export async function processSms(deps: ProcessDeps, smsId: string): Promise<void> {
  let processed = null as SmsMessage | null;
  await deps.em.fork().transactional(async (em) => {
    const now = new Date();
    // First statement is a write, so SQLite takes its write lock at once rather than upgrading a read later.
    const claimed = await em.nativeUpdate(
      SmsMessage,
      { id: smsId, direction: SmsDirection.IN, processedAt: null },
      { processedAt: now, updatedAt: now },
    );
    if (!claimed) return;
    const sms = await em.findOneOrFail(SmsMessage, smsId, { refresh: true });
    processed = sms;
    const tariff = await tariffForSms(em, { country: sms.country!, shortCode: sms.toNumber, operator: sms.operator });
    if (tariff) {
      sms.tariffId = tariff.id;
      sms.priceUsdMinor = tariff.priceUsdMinor;
      sms.yieldUsdMinor = tariff.yieldUsdMinor;
      sms.operatorShareUsdMinor = tariff.operatorShareUsdMinor;
      sms.platformFeeUsdMinor = tariff.platformFeeUsdMinor;
    }

    if (!isReadablePhone(sms.fromNumber)) {
      // A sender the link could not read: no phone to check a payment's payer against, none to answer. Billed
      // all the same, so an admin decides (suspense), and no reply goes to an address we cannot read.
      moveSms(sms, 'unmatch', now);
      await suspendSms(em, {
        smsId: sms.id,
        phone: sms.fromNumber,
        reason: SuspenseReason.UNREADABLE_PHONE,
        currency: SMS_CURRENCY,
        charge: chargeOf(sms),
        merchantId: null,
        paymentId: null,
      });
      announceSms(em, deps.pubsub, sms, null);
      return;
    }

    let product: SmsProduct | null = null;
    let match: SmsMatch | null = null;
    for (const candidate of deps.products) {
      match = await candidate.recognise(em, sms);
      if (match) {
        product = candidate;
        break;
      }
    }
    const payment = match ? await paymentFor(em, deps.pubsub, match, sms) : null;
    if (!product || !match || !payment) {
      moveSms(sms, 'unmatch', now);
      await suspendSms(em, {
        smsId: sms.id,
        phone: sms.fromNumber,
        reason: SuspenseReason.UNMATCHED,
        currency: SMS_CURRENCY,
        charge: chargeOf(sms),
        merchantId: null,
        paymentId: null,
      });
      await defaultReply(em, sms, null);
      announceSms(em, deps.pubsub, sms, null);
      return;
    }

    sms.merchantId = payment.merchantId;
    sms.paymentId = payment.id;
    sms.product = product.name;
    const mode = match.count ?? 'YIELD';
    const charge = chargeOf(sms);
    const takingMoney = TAKING_MONEY.includes(payment.status);
    sms.flagReason = flagFor(sms, payment, charge !== null);
    let outcome: SmsOutcome = 'FLAGGED';
    let paidNow = false;
    let credit: PayerCredit | null = null;
    let creditSpent = 0n;

    if (!sms.flagReason && charge && takingMoney) {
      moveSms(sms, 'count', now);
      outcome = 'COUNTED';
      // The first counted SMS fixes the payer's phone and country for every later one (seed V6).
      payment.payerPhone ??= sms.fromNumber;
      payment.payerCountry ??= sms.country;
      const booked = await bookSmsCredit(em, deps.pubsub, payment, charge, mode, now);
      sms.creditedMinor = booked.credited;
      sms.ledgerTransferId = booked.transferId;
      paidNow = booked.paidNow;
      // Only now, with an SMS from this phone counted on it, may the phone's credit be spent here.
      if (!paidNow && match.spendsCredit !== false) {
        const spent = await spendPayerCredit(em, deps.pubsub, payment, sms.fromNumber, mode, now);
        creditSpent = spent.applied;
        paidNow = spent.paidNow;
      }
    } else if (!takingMoney && charge && sms.flagReason === SmsFlag.PAYMENT_CLOSED) {
      const closed = match.whenClosed ?? 'CREDIT';
      const worth = mode === 'PRICE' ? charge.priceMinor : charge.yieldMinor;
      if (closed === 'COUNT' && worth >= (match.lateMinimum ?? 0n)) {
        sms.flagReason = null;
        moveSms(sms, 'count', now);
        outcome = 'LATE';
        const booked = await bookLateSms(em, deps.pubsub, payment, charge, mode, now);
        sms.creditedMinor = booked.credited;
        sms.ledgerTransferId = booked.transferId;
      } else if (closed === 'CREDIT') {
        sms.flagReason = null;
        moveSms(sms, 'credit', now);
        outcome = 'CREDITED';
        credit = await creditPayer(em, payment, charge, sms.fromNumber, now);
      }
    }
    if (outcome === 'FLAGGED') {
      moveSms(sms, 'flag', now);
      await suspendSms(em, {
        smsId: sms.id,
        phone: sms.fromNumber,
        reason: sms.flagReason ? SuspenseReason[sms.flagReason] : SuspenseReason.PAYMENT_CLOSED,
        currency: SMS_CURRENCY,
        charge,
        merchantId: payment.merchantId,
        paymentId: payment.id,
      });
    }
    sms.updatedAt = now;
    await emitSmsEvent(em, sms);

    const counted = outcome === 'COUNTED' || outcome === 'LATE';
    const event: SmsReceived = {
      sms,
      payment,
      outcome,
      counted,
      paidNow,
      credit,
      creditSpent,
      pubsub: deps.pubsub,
      config: deps.config,
    };
    if (product.onReceived) await product.onReceived(em, event);
    else await defaultReply(em, sms, payment, credit);
    announceSms(em, deps.pubsub, sms, payment);
  });
  if (processed) countProcessed(processed);
}

/** The SMS counters, once processing committed (a rolled-back attempt is retried and counted then). */
function countProcessed(sms: SmsMessage): void {
  if (sms.status === SmsStatus.COUNTED) smsCounted.inc({ provider: sms.provider });
  if (sms.status === SmsStatus.FLAGGED || sms.status === SmsStatus.UNMATCHED) {
    smsFlagged.inc({ provider: sms.provider, reason: sms.flagReason ?? sms.status });
  }
}

/** Whether a stored sender is a phone number (E.164), rather than an address kept as the link gave it. */
function isReadablePhone(fromNumber: string): boolean {
  return parsePhone(fromNumber) === fromNumber;
}

/** The payment a match names, locked; a purchase's new payment is created first (for the SMS's phone and country). */
async function paymentFor(
  em: EntityManager,
  pubsub: PubSubLike | null,
  match: SmsMatch,
  sms: SmsMessage,
): Promise<Payment | null> {
  if ('paymentId' in match) return lockPayment(em, match.paymentId);
  const created = await createPayment(em, pubsub, {
    ...match.purchase,
    payerPhone: sms.fromNumber,
    payerCountry: sms.country,
  });
  // The payment is read back with a lock, from the database, like any other.
  await em.flush();
  return lockPayment(em, created.id);
}

/** What the SMS is worth by its tariff, or null when no tariff is known for it. */
function chargeOf(sms: SmsMessage): SmsCharge | null {
  if (!sms.tariffId) return null;
  return {
    smsId: sms.id,
    from: sms.fromNumber,
    shortCode: sms.toNumber,
    country: sms.country ?? '',
    currency: SMS_CURRENCY,
    priceMinor: sms.priceUsdMinor!,
    yieldMinor: sms.yieldUsdMinor!,
    operatorShareMinor: sms.operatorShareUsdMinor!,
    platformFeeMinor: sms.platformFeeUsdMinor!,
  };
}

function moveSms(sms: SmsMessage, transition: SmsTransition, at: Date): void {
  sms.status = nextState(SMS_TRANSITIONS, sms.status, transition);
  sms.updatedAt = at;
}

/** `sms.received` for a counted or credited SMS, `sms.flagged` for one kept in suspense (catalogued events). */
function emitSmsEvent(em: EntityManager, sms: SmsMessage) {
  return emitEvent(em, sms.status === SmsStatus.FLAGGED ? 'sms.flagged' : 'sms.received', sms.merchantId!, {
    smsId: sms.id,
    paymentId: sms.paymentId,
    shortCode: sms.toNumber,
    country: sms.country,
    status: sms.status,
    flagReason: sms.flagReason,
    credited: sms.creditedMinor === null ? null : formatAmount(sms.creditedMinor, SMS_CURRENCY),
  });
}

/** Why an attached SMS must not be counted, or null when it may be. */
function flagFor(sms: SmsMessage, payment: Payment, hasTariff: boolean): SmsFlag | null {
  if (payment.currency !== SMS_CURRENCY) return SmsFlag.CURRENCY_NOT_SUPPORTED;
  if (!hasTariff) return SmsFlag.NO_TARIFF;
  if (!TAKING_MONEY.includes(payment.status)) return SmsFlag.PAYMENT_CLOSED;
  // Anti-fraud (seed V6): one phone and one country per payment; the payment's own values if it has them.
  if (payment.payerPhone && payment.payerPhone !== sms.fromNumber) return SmsFlag.PHONE_MISMATCH;
  if (payment.payerCountry && payment.payerCountry !== sms.country) return SmsFlag.COUNTRY_MISMATCH;
  return null;
}

const FLAG_TEXT: Record<SmsFlag, string> = {
  PHONE_MISMATCH: 'all SMS of a payment must come from the same phone number',
  COUNTRY_MISMATCH: 'all SMS of a payment must come from the same country',
  NO_TARIFF: 'this short code is not served in your country',
  PAYMENT_CLOSED: 'the payment no longer takes SMS',
  CURRENCY_NOT_SUPPORTED: 'this payment cannot be paid by SMS',
};

/**
 * The rails' own reply, for products that do not take charge of replies (no onReceived): tells the payer what
 * became of their SMS, on the link it came in on.
 */
async function defaultReply(
  em: EntityManager,
  sms: SmsMessage,
  payment: Payment | null,
  credit: PayerCredit | null = null,
): Promise<void> {
  let text: string;
  if (!payment) {
    text = 'Tollgate: no open payment matches your message. Check the code and send it again.';
  } else if (credit) {
    text =
      `Tollgate: payment ${payment.reference} was already closed, so your SMS was kept as credit of ` +
      `${formatAmount(credit.amountMinor, credit.currency)} ${credit.currency} for your next payment from this phone.`;
  } else if (sms.flagReason) {
    text = `Tollgate: your SMS for ${payment.reference} was not counted: ${FLAG_TEXT[sms.flagReason]}.`;
  } else if (payment.status === PaymentStatus.PAID) {
    text = `Tollgate: payment ${payment.reference} is complete. Thank you!`;
  } else {
    const money = (minor: bigint) => formatAmount(minor, payment.currency);
    text =
      `Tollgate: received ${money(payment.amountReceived)} of ${money(payment.amount)} ${payment.currency} ` +
      `for ${payment.reference}. Send the next SMS to complete it.`;
  }
  await sendSmsReply(em, { inboundSmsId: sms.id, text });
}

/** The backstop: processes an SMS whose immediate processing did not happen or failed; a no-op otherwise. */
const processLater: OutboxHandler<{ smsId: string }> = async ({ smsId }, { em, config, pubsub, extensions }) => {
  await processSms({ em, pubsub, config, products: smsProductsOf(extensions) }, smsId);
  return { detail: 'processed' };
};

export const smsProcessHandler = outboxHandler(SMS_PROCESS_KIND, processLater, { maxAttempts: 20 });
