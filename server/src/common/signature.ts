import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed HTTP bodies, one scheme both ways: Tollgate signs the webhooks it sends and verifies the ones it receives
 * (SMS gateways). The header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`: the timestamp is
 * inside the MAC so a captured request cannot be replayed later, and the MAC covers the raw bytes, never re-serialised
 * JSON, so both sides hash exactly what travelled.
 */
export const SIGNATURE_HEADER = 'X-Tollgate-Signature';

/** How far a signature's timestamp may be from the receiver's clock (either way) before it is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The signature header value for a body, at `now` (default: the current time). */
export function signPayload(secret: string, rawBody: string | Buffer, now: Date = new Date()): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

/**
 * Whether `header` is a valid signature of `rawBody` under `secret`, made within the tolerance of `now`.
 * Several `v1=` entries are accepted (a sender may sign with an old and a new secret while rotating); one match is
 * enough. The comparison is constant-time, so response timing does not reveal how much of a guess was right.
 */
export function verifySignature(
  secret: string,
  rawBody: string | Buffer,
  header: string | null | undefined,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (!header) return false;
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === null || candidates.length === 0) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  // Check every candidate (no early exit) so the number of entries tried is not observable either.
  let ok = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) ok = true;
  }
  return ok;
}
