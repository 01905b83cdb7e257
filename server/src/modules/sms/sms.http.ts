import net from 'node:net';
import express, { type Request, type Response, type Router } from 'express';
import type { Platform } from '../../common/module';
import { SIGNATURE_HEADER, verifySignature } from '../../common/signature';
import { receiveInboundSms, SmsInputError } from './sms.pipeline';

export const INBOUND_PATH = '/sms/inbound';
/** A JSON SMS is well under 8 KB; the cap keeps unauthenticated requests cheap. */
const MAX_BODY = '64kb';

type ErrorCode = 'FORBIDDEN' | 'INVALID_SIGNATURE' | 'INVALID_JSON' | 'INVALID_FIELD' | 'INTERNAL';

function fail(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The allow-list as a BlockList (IPv4-mapped IPv6 addresses are checked as IPv4); null: everyone may call. */
function allowList(entries: readonly string[]): net.BlockList | null {
  if (!entries.length) return null;
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function allowed(list: net.BlockList | null, ip: string): boolean {
  if (!list) return true;
  const family = net.isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

interface WebhookSms {
  messageId: string;
  from: string;
  to: string;
  text: string;
  country: string;
  operator?: string | null;
  receivedAt?: string;
}

/** Reads the JSON body's fields; returns an error message for the first bad one. */
function readBody(raw: string): { sms: WebhookSms } | { error: string; code: ErrorCode } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { code: 'INVALID_JSON', error: 'the body is not JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { code: 'INVALID_JSON', error: 'the body must be a JSON object' };
  }
  const fields = body as Record<string, unknown>;
  for (const name of ['messageId', 'from', 'to', 'text', 'country'] as const) {
    if (typeof fields[name] !== 'string') return { code: 'INVALID_FIELD', error: `${name}: must be a string` };
  }
  for (const name of ['operator', 'receivedAt'] as const) {
    if (fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== 'string') {
      return { code: 'INVALID_FIELD', error: `${name}: must be a string` };
    }
  }
  return { sms: fields as unknown as WebhookSms };
}

/**
 * `POST /sms/inbound`: the HTTP aggregator delivers one SMS as JSON, signed (`X-Tollgate-Signature`, HMAC-SHA256 of
 * "<t>.<raw body>" under SMS_WEBHOOK_SECRET, 300 s tolerance). Checks run cheapest first and nothing is stored
 * unless all pass: source IP (403), signature (401), JSON and fields (400). 200 `{ id, duplicate }` means stored;
 * a redelivery answers 200 with the same id. A 500 means not stored: the aggregator should deliver it again.
 */
export function mountSmsRoutes(router: Router, deps: Platform): void {
  const list = allowList(deps.config.smsWebhookAllowedIps);
  router.post(
    INBOUND_PATH,
    // The raw bytes, whatever the content type: the signature covers exactly what travelled.
    express.raw({ type: () => true, limit: MAX_BODY }),
    async (req: Request, res: Response) => {
      const ip = req.ip ?? req.socket.remoteAddress ?? '';
      if (!allowed(list, ip)) return fail(res, 403, 'FORBIDDEN', 'this address may not deliver SMS');
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifySignature(deps.config.smsWebhookSecret, raw, req.get(SIGNATURE_HEADER))) {
        return fail(res, 401, 'INVALID_SIGNATURE', `missing, wrong or stale ${SIGNATURE_HEADER} header`);
      }
      const read = readBody(raw.toString('utf8'));
      if ('error' in read) return fail(res, 400, read.code, read.error);
      let receivedAt: Date | undefined;
      if (read.sms.receivedAt) {
        receivedAt = new Date(read.sms.receivedAt);
        if (Number.isNaN(receivedAt.getTime()))
          return fail(res, 400, 'INVALID_FIELD', 'receivedAt: must be an ISO date');
      }
      try {
        const result = await receiveInboundSms(deps, {
          provider: deps.config.smsWebhookProvider,
          messageId: read.sms.messageId,
          from: read.sms.from,
          to: read.sms.to,
          text: read.sms.text,
          country: read.sms.country,
          operator: read.sms.operator ?? null,
          receivedAt,
        });
        res.status(200).json({ id: result.smsId, duplicate: result.duplicate });
      } catch (error) {
        if (error instanceof SmsInputError) return fail(res, 400, 'INVALID_FIELD', error.message);
        req.log.error({ err: error }, 'sms webhook: could not store the SMS');
        fail(res, 500, 'INTERNAL', 'the SMS was not stored; deliver it again');
      }
    },
  );
}
