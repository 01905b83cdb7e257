import express, { type Request, type Response, type Router } from 'express';
import { RateLimited } from '../../common/rate-limit';
import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../common/context';
import type { Platform } from '../../common/module';
import { viewerOfRequest } from '../api-key';
import { build } from '../../common/orm';
import { Payment, PaymentStatus } from '../payment';
import { CardToken } from './card.entity';
import { cardDigits, luhnValid } from './card.numbers';
import type { CardDetails } from './card.processor';
import { acceptsCard, processorOf } from './card.service';

export const CARD_TOKENS_PATH = '/card/tokens';
export const CARD_PAYOUT_TOKENS_PATH = '/card/payout-tokens';

const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
/** Cards are valid to the end of their expiry month; no card is issued for more than 20 years. */
const MAX_YEARS_AHEAD = 20;

/** A refusal naming the field; it never repeats what was sent. */
class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly code = 'INVALID_FIELD',
    readonly status = 400,
  ) {
    super(message);
  }
}

interface CardInput extends CardDetails {
  pageToken: string;
}

function integerOf(value: unknown, field: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,4}$/.test(text)) throw new FieldError(field, `${field}: a whole number is expected`);
  return Number(text);
}

/** Checks every field at the boundary: types, lengths, Luhn, an expiry in the future. */
export function readCardInput(body: unknown, now = new Date()): CardInput {
  const fields = objectOf(body, '{pageToken, number, expMonth, expYear, cvc, holderName}');
  if (typeof fields.pageToken !== 'string' || !PAGE_TOKEN.test(fields.pageToken)) {
    throw new FieldError('pageToken', 'pageToken: the token of the payer page (from its URL) is expected');
  }
  return { pageToken: fields.pageToken, ...readCard(fields, now) };
}

function objectOf(body: unknown, shape: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new FieldError('body', `send a JSON object: ${shape}`);
  }
  return body as Record<string, unknown>;
}

/** The card's own fields, checked: number (Luhn), expiry (in the future), CVC, holder name. */
function readCard(fields: Record<string, unknown>, now: Date): CardDetails {
  if (typeof fields.number !== 'string') throw new FieldError('number', 'number: the card number, as a string');
  const number = fields.number.length <= 40 ? cardDigits(fields.number) : null;
  if (number === null) throw new FieldError('number', 'number: only digits (spaces and dashes allowed)');
  if (number.length < 12 || number.length > 19) throw new FieldError('number', 'number: 12 to 19 digits');
  if (!luhnValid(number)) throw new FieldError('number', 'number: this is not a valid card number; check it');
  const expMonth = integerOf(fields.expMonth, 'expMonth');
  if (expMonth < 1 || expMonth > 12) throw new FieldError('expMonth', 'expMonth: a month from 1 to 12');
  let expYear = integerOf(fields.expYear, 'expYear');
  if (expYear < 100) expYear += 2000;
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (expYear < year || (expYear === year && expMonth < month)) {
    throw new FieldError('expYear', 'expYear: this card has expired');
  }
  if (expYear > year + MAX_YEARS_AHEAD) throw new FieldError('expYear', 'expYear: too far in the future');
  if (typeof fields.cvc !== 'string' || !/^\d{3,4}$/.test(fields.cvc.trim())) {
    throw new FieldError('cvc', 'cvc: the 3 or 4 digits on the card');
  }
  let holderName: string | null = null;
  if (fields.holderName !== undefined && fields.holderName !== null) {
    if (typeof fields.holderName !== 'string') throw new FieldError('holderName', 'holderName: a string');
    holderName = fields.holderName.trim() || null;
    // eslint-disable-next-line no-control-regex
    if (holderName && (holderName.length > 100 || /[\u0000-\u001f\u007f]/.test(holderName))) {
      throw new FieldError('holderName', 'holderName: at most 100 printable characters');
    }
    // A name made of a card number's digits would put the number where names are kept.
    if (holderName && /\d{6}/.test(holderName.replace(/[\s-]/g, ''))) {
      throw new FieldError('holderName', 'holderName: a name, not digits');
    }
  }
  return { number, expMonth, expYear, cvc: fields.cvc.trim(), holderName };
}

const MERCHANT_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** The payout-token body: the card, and the merchant when a partner acts for one of its merchants. */
export function readPayoutCardInput(body: unknown, now = new Date()): CardDetails & { merchantId: string | null } {
  const fields = objectOf(body, '{number, expMonth, expYear, cvc, holderName, merchantId?}');
  let merchantId: string | null = null;
  if (fields.merchantId !== undefined && fields.merchantId !== null) {
    if (typeof fields.merchantId !== 'string' || !MERCHANT_ID.test(fields.merchantId)) {
      throw new FieldError('merchantId', 'merchantId: a merchant id, as the API gives it');
    }
    merchantId = fields.merchantId;
  }
  return { ...readCard(fields, now), merchantId };
}

function ipOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '';
}

function refuse(res: Response, error: FieldError): void {
  res.status(error.status).json({ error: { code: error.code, field: error.field, message: error.message } });
}

/** The raw body, parsed here and nowhere else (no body parser logs it or shows it in an error page). */
const rawBody = express.raw({ limit: '4kb', type: () => true });

/** A body the parser refused (too large, bad encoding): answered here, so no error page or log sees it. */
function refuseUnreadableBody(error: unknown, _req: Request, res: Response, next: (error?: unknown) => void): void {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return next(error);
  res.setHeader('Cache-Control', 'no-store');
  refuse(
    res,
    new FieldError(
      'body',
      status === 413 ? 'the body is too large' : 'the body cannot be read',
      'INVALID_JSON',
      status === 413 ? 413 : 400,
    ),
  );
}

/** The JSON body, taken off the request at once: nothing after this may find the card on the request. */
function takeJson(req: Request): unknown {
  try {
    return JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
  } catch {
    throw new FieldError('body', 'the body is not JSON', 'INVALID_JSON');
  } finally {
    req.body = undefined;
  }
}

/** Hands the card to the processor at once; stores only what Tollgate keeps (never the number or the CVC). */
async function tokeniseAndStore(
  platform: Platform,
  em: EntityManager,
  card: CardDetails,
  owner: { paymentId: string } | { merchantId: string },
): Promise<CardToken> {
  const processor = processorOf({ em, config: platform.config, extensions: platform.extensions });
  const answer = await processor.tokenise({
    number: card.number,
    expMonth: card.expMonth,
    expYear: card.expYear,
    cvc: card.cvc,
    holderName: card.holderName,
  });
  if (!answer.ok) throw new FieldError('number', `number: ${answer.message}`, answer.declineCode);
  const token = build(CardToken, {
    processor: processor.name,
    processorToken: answer.processorToken,
    fingerprint: answer.fingerprint,
    brand: answer.brand,
    last4: answer.last4,
    expMonth: card.expMonth,
    expYear: card.expYear,
    holderName: card.holderName,
    ...owner,
  });
  await em.persistAndFlush(token);
  return token;
}

function tokenBody(token: CardToken) {
  return {
    token: token.id,
    brand: token.brand,
    last4: token.last4,
    expMonth: token.expMonth,
    expYear: token.expYear,
    holderName: token.holderName,
  };
}

/** Answers a failure: a refusal naming the field, a rate limit, or — by its error's name alone — the unexpected. */
function answerFailure(req: Request, res: Response, error: unknown, what: string): void {
  if (error instanceof FieldError) return refuse(res, error);
  if (error instanceof RateLimited) {
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(429).json({
      error: { code: 'RATE_LIMITED', message: error.message, retryAfterSeconds: error.retryAfterSeconds },
    });
    return;
  }
  // Only the error's name: a message or a stack could carry what was being handled.
  req.log.error({ errorName: (error as Error)?.name ?? 'unknown' }, `${what}: unexpected failure`);
  res.status(500).json({ error: { code: 'INTERNAL', message: 'the card could not be taken; try again' } });
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * The merchant a payout card is tokenised for: the caller's own (or, for a partner's key, one of its merchants),
 * by its owner or an API key allowed to write; staff and platform admins may not say where a merchant's money goes.
 */
function payoutMerchantOf(viewer: Viewer | null, requested: string | null): string {
  if (!viewer) throw new FieldError('authorization', 'log in or send an API key', 'UNAUTHENTICATED', 401);
  const forbidden = () =>
    new FieldError('authorization', "only the merchant's owner or its API key can add a payout card", 'FORBIDDEN', 403);
  if (viewer.role === 'ADMIN' || !viewer.scopes.includes('write')) throw forbidden();
  if (viewer.kind === 'user' && viewer.role !== 'OWNER') throw forbidden();
  const merchantId = requested ?? viewer.merchantId;
  if (!merchantId || !viewer.merchantIds.includes(merchantId)) {
    throw new FieldError('merchantId', 'merchantId: no such merchant', 'NOT_FOUND', 404);
  }
  return merchantId;
}

/**
 * `POST /card/tokens`: the hosted page sends the card here, and only here. It is checked, tokenised at once by the
 * processor, and what Tollgate keeps (token, fingerprint, brand, last four, expiry, holder) is stored for that
 * page's payment. The number and the CVC are never stored, logged or echoed: refusals name the field, never its
 * value, and unexpected failures are logged by their error's name alone.
 *
 * `POST /card/payout-tokens`: the same for a merchant's own payout card, by its owner's session or its API key; the
 * token belongs to that merchant and may only become one of its payout destinations (never pay a payment).
 */
export function mountCardRoutes(router: Router, platform: Platform): void {
  router.post(CARD_TOKENS_PATH, rawBody, refuseUnreadableBody, async (req: Request, res: Response) => {
    noStore(res);
    try {
      await platform.limits.consume(['card-token:ip', ipOf(req)]);
      const card = readCardInput(takeJson(req));
      const em = platform.orm.em.fork();
      const payment = await em.findOne(Payment, { pageToken: card.pageToken });
      if (!payment) throw new FieldError('pageToken', 'pageToken: no such payment', 'NOT_FOUND', 404);
      if (payment.status !== PaymentStatus.OPEN && payment.status !== PaymentStatus.PARTIALLY_PAID) {
        throw new FieldError('pageToken', 'this payment no longer takes money', 'INVALID_TRANSITION', 409);
      }
      if (!(await acceptsCard(em, platform.extensions, payment))) {
        throw new FieldError('pageToken', 'this payment cannot be paid by card', 'CARD_NOT_ACCEPTED', 409);
      }
      const token = await tokeniseAndStore(platform, em, card, { paymentId: payment.id });
      res.status(201).json(tokenBody(token));
    } catch (error) {
      answerFailure(req, res, error, 'card tokens');
    }
  });

  router.post(CARD_PAYOUT_TOKENS_PATH, rawBody, refuseUnreadableBody, async (req: Request, res: Response) => {
    noStore(res);
    try {
      await platform.limits.consume(['card-token:ip', ipOf(req)]);
      // JSON only: a cross-site form cannot send it without a preflight, which this route never grants (and the
      // session cookie is SameSite=Lax besides).
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        req.body = undefined;
        throw new FieldError('body', 'send the card as application/json', 'INVALID_JSON', 415);
      }
      const body = takeJson(req);
      const em = platform.orm.em.fork();
      const viewer = await viewerOfRequest(em, req.headers);
      if (!viewer) payoutMerchantOf(viewer, null); // refused before the card is even read
      const card = readPayoutCardInput(body);
      const merchantId = payoutMerchantOf(viewer, card.merchantId);
      const token = await tokeniseAndStore(platform, em, card, { merchantId });
      res.status(201).json(tokenBody(token));
    } catch (error) {
      answerFailure(req, res, error, 'card payout tokens');
    }
  });
}
