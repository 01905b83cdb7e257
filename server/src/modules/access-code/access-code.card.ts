import type { EntityManager } from '@mikro-orm/core';
import { isEmail } from 'class-validator';
import type { Config } from '../../common/config';
import type { PubSubLike } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { log } from '../../common/log';
import { isCurrency, MoneyError, parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { MAIL_SECRET_MASK, sendMail, type MailSecret } from '../mail';
import { createPayment, PaymentKind, PaymentStatus, type FundedEvent, type Payment } from '../payment';
import { AccessCode, AccessCodePurchase, AccessCodeService } from './access-code.entity';
import { openCode } from './access-code.crypto';
import { placeholderValues } from './access-code.rules';
import { issueCode } from './access-code.service';

/*
 * Access codes by card (issue #11). The merchant turns card on per service with a price (SMS purchases pay their
 * tariff instead). A buyer starts a purchase on the service's public page with their email: one ACCESS_CODE payment
 * at that price, paid on the payer page by card. When the card money makes it PAID (onFunded, in the capture's
 * transaction), the code is issued as for an SMS, shown on the payer page to the holder of its token, and mailed —
 * never sent by SMS. The mail is queued with a mask where the code goes and the code's id (mailSecrets), as SMS
 * replies are (smsReplySecrets): the outbox never holds the code in clear.
 */

/** The currencies a code's card price may be in: the card rail's (EUR and USD). */
export const CARD_CURRENCIES: readonly string[] = ['USD', 'EUR'];
/** A code by card costs at most this, in major units: access codes are small purchases. */
const MAX_CARD_PRICE_MAJOR = 10_000n;
/** How long a purchase waits for its card payment before it expires. */
const PURCHASE_HOURS = 24;

function invalid(code: UserErrorCode, message: string, field: string): UserFacingError {
  return new UserFacingError(code, message, ['input', field]);
}

/** The card settings a merchant gives; what is left out stays as it is. */
export interface CardSettings {
  acceptsCard?: boolean | null;
  /** A decimal string, e.g. "2.50"; an empty string clears it (only while card is off). */
  cardPrice?: string | null;
  cardCurrency?: string | null;
}

/** Checks the card settings merged with the service's current ones; throws naming the field. */
export function validateCardSettings(
  current: Pick<AccessCodeService, 'acceptsCard' | 'cardPriceMinor' | 'cardCurrency'>,
  input: CardSettings,
): { acceptsCard: boolean; cardPriceMinor: bigint | null; cardCurrency: string | null } {
  if (input.acceptsCard != null && typeof input.acceptsCard !== 'boolean') {
    throw invalid(UserErrorCode.INVALID, 'acceptsCard is true or false', 'acceptsCard');
  }
  const acceptsCard = input.acceptsCard ?? current.acceptsCard;
  let cardCurrency = current.cardCurrency;
  if (input.cardCurrency != null) {
    const currency = input.cardCurrency.trim().toUpperCase();
    if (!isCurrency(currency) || !CARD_CURRENCIES.includes(currency)) {
      throw invalid(
        UserErrorCode.INVALID_CURRENCY,
        `cards are taken in ${CARD_CURRENCIES.join(' or ')}`,
        'cardCurrency',
      );
    }
    cardCurrency = currency;
  }
  let cardPriceMinor = current.cardPriceMinor;
  if (input.cardPrice != null) {
    const text = input.cardPrice.trim();
    if (!text) cardPriceMinor = null;
    else {
      const currency = cardCurrency ?? 'USD';
      cardCurrency = currency;
      try {
        cardPriceMinor = parseAmount(text, currency);
      } catch (error) {
        if (!(error instanceof MoneyError)) throw error;
        throw invalid(UserErrorCode.INVALID_AMOUNT, `enter an amount like "2.50" (${error.message})`, 'cardPrice');
      }
      if (cardPriceMinor <= 0n || cardPriceMinor > MAX_CARD_PRICE_MAJOR * 100n) {
        throw invalid(
          UserErrorCode.INVALID_AMOUNT,
          `the price must be above zero and at most ${MAX_CARD_PRICE_MAJOR}.00`,
          'cardPrice',
        );
      }
    }
  }
  if (acceptsCard && cardPriceMinor === null) {
    throw invalid(UserErrorCode.REQUIRED, 'set the price of a code bought by card before turning card on', 'cardPrice');
  }
  return { acceptsCard, cardPriceMinor, cardCurrency: cardPriceMinor === null ? null : cardCurrency };
}

/**
 * A payer's email, checked as mail will be sent to it: one bare address (no display name, no quotes, no IP
 * literal), a real top-level domain, at most 254 characters. Lower-cased domain; the local part is kept as typed.
 */
export function checkPayerEmail(value: string, field: string[] = ['input', 'email']): string {
  const email = value.trim();
  if (!email) throw new UserFacingError(UserErrorCode.REQUIRED, 'enter the email the code should go to', field);
  const at = email.lastIndexOf('@');
  const normalised = at > 0 ? `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}` : email;
  if (
    normalised.length > 254 ||
    /["\s<>,;]/.test(normalised) ||
    !isEmail(normalised, {
      allow_display_name: false,
      require_tld: true,
      allow_ip_domain: false,
      allow_utf8_local_part: false,
    })
  ) {
    throw new UserFacingError(UserErrorCode.INVALID, 'enter a valid email address, like dana@example.com', field);
  }
  return normalised;
}

/** The service a public page names, if it sells codes by card at all (deleted ones are unknown). */
export async function publicService(em: EntityManager, serviceId: string): Promise<AccessCodeService | null> {
  const id = serviceId.trim();
  if (!/^acs_[A-Za-z0-9_-]{1,36}$/.test(id)) return null;
  return em.findOne(AccessCodeService, { id, deletedAt: null });
}

/**
 * Starts a purchase of one of the service's codes by card: an ACCESS_CODE payment at the service's card price, and
 * the buyer's email beside it. Refused unless the service sells by card. The payer page (the payment's token) then
 * takes the card; the code follows once it is paid.
 */
export async function startAccessCodePurchase(
  em: EntityManager,
  pubsub: PubSubLike | null,
  input: { serviceId: string; email: string },
  now = new Date(),
): Promise<{ purchase: AccessCodePurchase; payment: Payment }> {
  const email = checkPayerEmail(input.email);
  return em.transactional(async (tx) => {
    const service = await publicService(tx, input.serviceId);
    if (!service) throw invalid(UserErrorCode.NOT_FOUND, 'no such access-code service', 'serviceId');
    if (!service.acceptsCard || service.cardPriceMinor === null || !service.cardCurrency) {
      throw invalid(UserErrorCode.INVALID, 'this service does not sell codes by card', 'serviceId');
    }
    const payment = await createPayment(tx, pubsub, {
      merchantId: service.merchantId,
      kind: PaymentKind.ACCESS_CODE,
      amount: service.cardPriceMinor,
      currency: service.cardCurrency,
      description: `Access code: ${service.name}`.slice(0, 255),
      metadata: { accessCodeServiceId: service.id },
      expiresAt: new Date(now.getTime() + PURCHASE_HOURS * 3_600_000),
    });
    const purchase = build(AccessCodePurchase, {
      paymentId: payment.id,
      serviceId: service.id,
      merchantId: service.merchantId,
      email,
      createdAt: now,
    });
    tx.persist(purchase);
    return { purchase, payment };
  });
}

/** Whether an access-code payment may be paid by card: it is a card purchase of a service that sells by card. */
export async function accessCodeAcceptsCard(em: EntityManager, payment: Payment): Promise<boolean> {
  if (payment.kind !== PaymentKind.ACCESS_CODE) return false;
  const purchase = await em.findOne(AccessCodePurchase, { paymentId: payment.id });
  if (!purchase) return false; // bought by SMS: one SMS pays it whole
  const service = await em.findOne(AccessCodeService, { id: purchase.serviceId, deletedAt: null });
  return !!service?.acceptsCard;
}

/**
 * Card money reached an access-code purchase (the card rail, in the capture's transaction, on the locked and credited
 * payment). Once it is PAID the code is issued, as an SMS would have it (`access_code.issued`, sealed, listed for the
 * merchant), and mailed to the buyer; it shows on the payer page from the commit on. Exactly once: a purchase that
 * has its code is left alone.
 */
export async function onAccessCodeFunded(em: EntityManager, event: FundedEvent): Promise<void> {
  const { payment } = event;
  if (payment.status !== PaymentStatus.PAID) return;
  await deliverPurchasedCode(em, event.config, payment, { email: event.payerEmail, at: event.at });
}

/** Issues and mails the code of a paid card purchase, once; returns it (null when the payment is no purchase). */
export async function deliverPurchasedCode(
  em: EntityManager,
  config: Config,
  payment: Payment,
  options: { email?: string | null; at: Date },
): Promise<AccessCode | null> {
  const purchase = await em.findOne(AccessCodePurchase, { paymentId: payment.id }, { refresh: true });
  if (!purchase) return null;
  if (purchase.codeId) return em.findOneOrFail(AccessCode, purchase.codeId);
  const service = await em.findOneOrFail(AccessCodeService, purchase.serviceId);
  // The hosted card page may have asked for the email again: the latest one the buyer typed wins.
  if (options.email?.trim()) {
    try {
      purchase.email = checkPayerEmail(options.email);
    } catch {
      // A bad address there does not lose the code: the one checked at the start stays.
    }
  }
  const { code } = await issueCode(em, config, service, { paymentId: payment.id, smsId: null }, options.at);
  purchase.codeId = code.id;
  sendMail(em, codeMail(service, code, payment, purchase.email));
  log.info(
    { paymentId: payment.id, serviceId: service.id, accessCodeId: code.id, merchantId: service.merchantId },
    'access code issued for a card purchase',
  );
  return code;
}

/** The mail with the code: MAIL_SECRET_MASK where the code goes, rendered from its seal when the outbox sends it. */
function codeMail(service: AccessCodeService, code: AccessCode, payment: Payment, to: string) {
  const values = placeholderValues(code, MAIL_SECRET_MASK, code.expiresAt);
  const text = [
    `Your access code for ${service.name}: ${MAIL_SECRET_MASK}`,
    '',
    `Valid: ${values.expires}. Uses: ${values.uses}.`,
    `Payment ${payment.reference}.`,
    '',
    'Keep this code to yourself: whoever has it gets in.',
  ].join('\n');
  return {
    to,
    subject: `Your access code for ${service.name}`,
    text,
    merchantId: service.merchantId,
    secret: { kind: ACCESS_CODE_MAIL_SECRET, id: code.id },
  };
}

export const ACCESS_CODE_MAIL_SECRET = 'access-code';

/** The mail module's way to the code of a queued mail (see codeMail). */
export const accessCodeMailSecret: MailSecret = {
  kind: ACCESS_CODE_MAIL_SECRET,
  async reveal(em, config, id) {
    const code = await em.findOne(AccessCode, id);
    return code && openCode(config.sessionSecret, code.serviceId, code.sealed);
  },
};
