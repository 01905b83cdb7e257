import type { Request, Response, Router } from 'express';
import { log } from '../../common/log';
import { canAccessMerchant } from '../../common/context';
import type { Platform } from '../../common/module';
import { viewerOfRequest } from '../api-key';
import { statementCsv, statementPdf } from './statement.render';
import {
  buildStatement,
  parseCurrency,
  parsePeriod,
  StatementInputError,
  verifyStatementLink,
  type StatementFormat,
} from './statement.service';

export const STATEMENTS_PATH = '/statements/:merchantId/:file';

const MERCHANT_ID = /^[A-Za-z0-9_-]{1,40}$/;
const FILE = /^([A-Za-z]{3})\.(csv|pdf)$/;

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 100) throw new StatementInputError(field, `${field} is required`);
  return value;
}

/**
 * GET /statements/<merchantId>/<currency>.csv|pdf?from=YYYY-MM-DD&to=YYYY-MM-DD: the statement as a download. Either
 * the query carries a short-lived link's `expires` and `signature` (Statement.csvUrl / pdfUrl, which the GraphQL API
 * gives whoever may read the statement), or the caller is signed in as the GraphQL context decides it (session
 * cookie, or a bearer API key with read scope) and may see the merchant. Bad input is a 400 naming the field, an
 * altered or expired link a 403, no login a 401, another merchant a 404 (ids cannot be probed).
 */
export function mountStatementRoutes(router: Router, platform: Platform): void {
  router.get(STATEMENTS_PATH, async (req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-store');
    try {
      const merchantId = String(req.params.merchantId);
      const file = FILE.exec(String(req.params.file));
      if (!MERCHANT_ID.test(merchantId)) throw new StatementInputError('merchantId', 'no such merchant');
      if (!file) throw new StatementInputError('file', 'ask for <currency>.csv or <currency>.pdf');
      const currency = parseCurrency(file[1]);
      const format = file[2] as StatementFormat;
      const period = parsePeriod(text(req.query.from, 'from'), text(req.query.to, 'to'));
      const em = platform.orm.em.fork();
      if (req.query.signature !== undefined || req.query.expires !== undefined) {
        const expires = Number(text(req.query.expires, 'expires'));
        const link = { merchantId, currency, from: period.from, to: period.to, format, expires };
        if (!verifyStatementLink(platform.config.sessionSecret, link, text(req.query.signature, 'signature'))) {
          res.status(403).json({ error: { code: 'FORBIDDEN', message: 'this link is not valid or has expired' } });
          return;
        }
      } else {
        const viewer = await viewerOfRequest(em, req.headers);
        if (!viewer) {
          res.status(401).json({
            error: { code: 'UNAUTHENTICATED', message: 'log in, send an API key, or use Statement.csvUrl / pdfUrl' },
          });
          return;
        }
        if (!viewer.scopes.includes('read') || !canAccessMerchant(viewer, merchantId)) {
          res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such merchant' } });
          return;
        }
      }
      const statement = await buildStatement(em, { merchantId, currency, period });
      const name = `statement-${merchantId}-${currency}-${period.from}-${period.to}.${format}`;
      res.setHeader('content-disposition', `attachment; filename="${name}"`);
      if (format === 'csv') {
        res.type('text/csv; charset=utf-8').send(statementCsv(statement));
      } else {
        res.type('application/pdf').send(await statementPdf(statement));
      }
    } catch (error) {
      if (error instanceof StatementInputError) {
        const status = error.field === 'merchantId' ? 404 : 400;
        res.status(status).json({
          error: { code: status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT', field: error.field, message: error.message },
        });
        return;
      }
      log.error({ err: error }, 'statement download failed');
      res.status(500).json({ error: { code: 'INTERNAL', message: 'the statement could not be made; try again' } });
    }
  });
}
