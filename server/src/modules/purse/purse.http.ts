import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Platform } from '../../common/module';
import { RateLimited } from '../../common/rate-limit';
import { PaymentStatus } from '../payment';
import { Purse, PurseLanguage } from './purse.entity';
import { errorPage, infoPage, notFoundPage, notReadyPage, returnPage } from './purse.pages';
import { FormError, languageNamed, parseForm, purseNumberOf, returnForm, type ParsedForm } from './purse.protocol';
import { findByToken, openPursePayment, payPageUrl } from './purse.service';

/*
 * The protocol's HTTP side (seed B1, B5, B7):
 * - `POST /bank/` and `POST /language/<language>/bank/`: the merchant's form. A valid one opens a payment and sends
 *   the browser (303) to the SPA's payment page, `/bank/pay/<pageToken>?lang=…`; anything wrong gets an error page
 *   in the chosen language, and nothing is created.
 * - `GET /bank/return/<pageToken>?status=success|fail`: the payer's way back, an auto-submitting POST form to the
 *   purse's Success or Fail URL, served only when the payment's state allows it.
 */

/** The form's fields total a few hundred bytes; the cap keeps anonymous requests cheap. */
const MAX_FORM = '16kb';
const FORM_TYPE = 'application/x-www-form-urlencoded';

function sendHtml(
  res: Response,
  status: number,
  html: string,
  csp = "default-src 'none'; style-src 'unsafe-inline'",
): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The page token is in these URLs: the merchant's site must not get it in a Referer.
      'referrer-policy': 'no-referrer',
      'content-security-policy': `${csp}; base-uri 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
    })
    .send(html);
}

/** The shop's page, for the error page's "back" link, when the browser said where it came from. */
function shopPage(req: Request): string | null {
  const referer = req.get('referer');
  if (!referer) return null;
  try {
    const url = new URL(referer);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/** A single string parameter, or null (repeated query parameters arrive as arrays). */
function queryString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** `/language/<name>/bank/` with a language we do not speak: 404, in the protocol's default language, naming ours. */
function unknownLanguage(req: Request, res: Response): boolean {
  const name = queryString(req.params.language);
  if (name === null || languageNamed(name)) return false;
  const problem = { kind: 'UNKNOWN_LANGUAGE', language: name.slice(0, 40) } as const;
  sendHtml(res, 404, errorPage(PurseLanguage.RU, problem, shopPage(req)));
  return true;
}

function asFormError(error: unknown): never {
  if (error instanceof RateLimited)
    throw new FormError({ kind: 'TOO_MANY', retryAfterSeconds: error.retryAfterSeconds });
  throw error;
}

export function mountPurseRoutes(router: Router, deps: Platform): void {
  const bankPaths = ['/bank', '/language/:language/bank'];

  router.post(bankPaths, express.raw({ type: () => true, limit: MAX_FORM }), async (req: Request, res: Response) => {
    // The URL's language wins; otherwise the purse's default; before the purse is known, Russian (the protocol's).
    const urlLanguage = languageNamed(queryString(req.params.language));
    if (unknownLanguage(req, res)) return;
    let form: ParsedForm | null = null;
    try {
      // Per address before anything is read, then per purse: one shop's flood of forms cannot crowd out the others.
      await deps.limits.consume(['purse-form:ip', req.ip ?? '']).catch(asFormError);
      if (!req.is(FORM_TYPE)) throw new FormError({ kind: 'NOT_FORM' });
      form = parseForm(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      const parsed = form;
      await deps.limits.consume(['purse-form:purse', parsed.fields.s_purse.trim()]).catch(asFormError);
      const opened = await deps.orm.em
        .fork()
        .transactional((em) => openPursePayment(em, deps.pubsub, parsed, urlLanguage));
      res.redirect(303, payPageUrl(deps.config.publicUrl, opened.payment, opened.pursePayment.language));
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      let language = urlLanguage;
      const number = form ? purseNumberOf(form.fields.s_purse) : null;
      if (!language && number !== null) {
        language = (await deps.orm.em.fork().findOne(Purse, { number }))?.language ?? null;
      }
      const problem = error.problem;
      const status = problem.kind === 'UNKNOWN_PURSE' ? 404 : problem.kind === 'TOO_MANY' ? 429 : 400;
      if (problem.kind === 'TOO_MANY') res.set('retry-after', String(problem.retryAfterSeconds));
      sendHtml(res, status, errorPage(language ?? PurseLanguage.RU, error.problem, shopPage(req)));
    }
  });

  // The seed's FAQ: people open the form's address in a browser and are puzzled by an error; say what it is for.
  router.get(bankPaths, (req: Request, res: Response) => {
    if (unknownLanguage(req, res)) return;
    sendHtml(res, 200, infoPage(languageNamed(queryString(req.params.language)) ?? PurseLanguage.RU));
  });

  router.get('/bank/return/:token', async (req: Request, res: Response) => {
    const wanted = queryString(req.query.status);
    const found = await findByToken(deps.orm.em.fork(), String(req.params.token));
    const language = languageNamed(queryString(req.query.lang)) ?? found?.pursePayment.language ?? PurseLanguage.RU;
    if (!found || (wanted !== 'success' && wanted !== 'fail')) {
      sendHtml(res, 404, notFoundPage(language));
      return;
    }
    const { payment, pursePayment, purse } = found;
    const paid = payment.status === PaymentStatus.PAID;
    const closed = payment.status === PaymentStatus.CANCELLED || payment.status === PaymentStatus.EXPIRED;
    if (wanted === 'success' ? !paid : !closed) {
      const why = wanted === 'success' ? 'UNPAID' : paid ? 'PAID' : 'OPEN';
      sendHtml(res, 409, notReadyPage(language, why, payPageUrl(deps.config.publicUrl, payment, language)));
      return;
    }
    // B5: the fields as the merchant sent them, s_status, s_sign over them, then the merchant's extra fields.
    const fields = returnForm(
      {
        s_purse: pursePayment.purseField,
        s_order_id: pursePayment.orderId,
        s_amount: pursePayment.amountField,
        s_clear_amount: pursePayment.clearAmount,
        s_status: wanted === 'success' ? '1' : '0',
      },
      purse.secret,
      pursePayment.extraFields,
    );
    const nonce = randomBytes(16).toString('base64');
    const action = wanted === 'success' ? purse.successUrl : purse.failUrl;
    sendHtml(
      res,
      200,
      returnPage(language, action, fields, nonce),
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'`,
    );
  });
}
