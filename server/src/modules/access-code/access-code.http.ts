import express, { type Request, type Response, type Router } from 'express';
import type { Platform } from '../../common/module';
import { AccessCodeCheckChannel } from './access-code.entity';
import { checkerFor, type CheckOutcome } from './access-code.checker';
import {
  CHECK_PAGES,
  checkLanguageOf,
  chooseCheckLanguage,
  redirectTargets,
  type CheckLanguage,
} from './access-code.landing';

export const CHECK_PATH = '/check';

/** The paid URL with the code and its proof: `code`, `t` (Unix seconds) and `sig` (see PROOF_FORMULA). */
export function paidRedirect(paidUrl: string, code: string, proof: { timestamp: number; signature: string }): string {
  const url = new URL(paidUrl);
  url.searchParams.set('code', code);
  url.searchParams.set('t', String(proof.timestamp));
  url.searchParams.set('sig', proof.signature);
  return url.toString();
}

/** A small HTML answer, written directly (no ETag or content negotiation: these answer floods too). */
function page(res: Response, language: CheckLanguage, status: number, title: string, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // Its own policy: the inline style would break the app's (see app/security.ts); nothing else may load.
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.end(
    `<!doctype html><html lang="${language}"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
      `<title>${title}</title><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;` +
      `padding:0 1rem"><h1>${title}</h1><p>${text}</p></body></html>`,
  );
}

/** Nothing here may be cached or passed on: the URL and the answer carry a code. */
function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

function ipOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '';
}

/** The JSON answer of a server-to-server check. */
function jsonAnswer(res: Response, outcome: CheckOutcome): void {
  switch (outcome.kind) {
    case 'NO_SERVICE':
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such access-code service' } });
      return;
    case 'THROTTLED':
      res
        .status(429)
        .set('Retry-After', String(outcome.retryAfterSeconds))
        .json({ verdict: 'THROTTLED', retryAfterSeconds: outcome.retryAfterSeconds });
      return;
    case 'FORBIDDEN':
      res
        .status(403)
        .json({ error: { code: 'FORBIDDEN', message: 'this address may not check codes of this service' } });
      return;
    case 'VERDICT':
      res.status(200).json({
        verdict: outcome.verdict,
        result: outcome.result,
        code: outcome.code,
        expiresAt: outcome.expiresAt?.toISOString() ?? null,
        usesLeft: outcome.usesLeft,
        t: outcome.proof?.timestamp ?? null,
        sig: outcome.proof?.signature ?? null,
      });
  }
}

/**
 * - `GET /check/<service>?code=…`: the payer's browser, sent by the merchant's site (seed A2). 302 to the paid URL
 *   (with `code`, `t`, `sig`), the expired URL, or the invalid URL; 429 while the source is throttled; 404 for an
 *   unknown service. Any address may call it: it is the payer's.
 * - `POST /check/<service>` with `{"code": "…"}`: the merchant's server. The same verdict as JSON, only from the
 *   service's allowed addresses (403 otherwise).
 */
/** The first of these strings carrying a NUL byte (no database column takes one), or null. */
function nulField(fields: Record<string, string>): string | null {
  return Object.entries(fields).find(([, value]) => value.includes('\u0000'))?.[0] ?? null;
}

export function mountAccessCodeRoutes(router: Router, deps: Platform): void {
  const checker = checkerFor(deps.orm.em, deps.config, deps.limits);

  router.get(`${CHECK_PATH}/:serviceId`, async (req: Request, res: Response) => {
    noStore(res);
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    // The payer's language: the check link's ?lang= (the merchant may pass its page's), else the browser's.
    const language = chooseCheckLanguage(req.query.lang, req.headers['accept-language']);
    const words = CHECK_PAGES[language];
    const bad = nulField({ service: String(req.params.serviceId), code });
    if (bad) return page(res, language, 400, words.badRequestTitle, words.badRequest(bad));
    const outcome = await checker.check({
      serviceId: String(req.params.serviceId),
      code,
      ip: ipOf(req),
      channel: AccessCodeCheckChannel.REDIRECT,
    });
    switch (outcome.kind) {
      case 'NO_SERVICE':
        return page(res, language, 404, words.notFoundTitle, words.notFound);
      case 'THROTTLED':
        res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
        return page(
          res,
          language,
          429,
          words.throttledTitle,
          words.throttled(Math.ceil(outcome.retryAfterSeconds / 60)),
        );
      case 'FORBIDDEN':
        return page(res, language, 403, words.forbiddenTitle, words.forbidden);
      case 'VERDICT': {
        // Empty URLs are Tollgate's landing pages, which get the link's ?lang= (else they follow the browser too).
        const targets = redirectTargets(outcome.service, deps.config.publicUrl, checkLanguageOf(req.query.lang));
        const location =
          outcome.verdict === 'PAID'
            ? paidRedirect(targets.paid, outcome.code, outcome.proof!)
            : outcome.verdict === 'EXPIRED'
              ? targets.expired
              : targets.invalid;
        // By hand: Express's redirect negotiates and renders a body, a large share of a check's cost.
        res.statusCode = 302;
        res.setHeader('Location', location);
        res.end();
        return;
      }
    }
  });

  router.post(
    `${CHECK_PATH}/:serviceId`,
    // Raw, whatever the content type, and parsed here: a malformed body gets this route's JSON error, not a page.
    express.raw({ limit: '4kb', type: () => true }),
    async (req: Request, res: Response) => {
      noStore(res);
      let body: { code?: unknown } | null = null;
      try {
        body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '') as { code?: unknown } | null;
      } catch {
        body = null;
      }
      if (!body || typeof body.code !== 'string') {
        res.status(400).json({ error: { code: 'INVALID_JSON', message: 'send {"code": "<the code>"} as JSON' } });
        return;
      }
      const bad = nulField({ service: String(req.params.serviceId), code: body.code });
      if (bad) {
        res.status(400).json({ error: { code: 'INVALID_FIELD', field: bad, message: `${bad}: contains a NUL byte` } });
        return;
      }
      const outcome = await checker.check({
        serviceId: String(req.params.serviceId),
        code: body.code,
        ip: ipOf(req),
        channel: AccessCodeCheckChannel.API,
      });
      jsonAnswer(res, outcome);
    },
  );
}
