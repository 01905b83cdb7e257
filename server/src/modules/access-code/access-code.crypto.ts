import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { newToken } from '../../common/ids';

/*
 * Codes at rest. Codes are short (20–40 bits), so a plain hash of one is reversed by trying them all: the lookup is
 * an HMAC under a server key instead, and the value the dashboard shows is sealed with AES-256-GCM. Both keys are
 * derived (HKDF) from SESSION_SECRET, so a copy of the database alone reveals no code. Changing SESSION_SECRET makes
 * issued codes unreadable and uncheckable: rotate it only between sales, or accept that live codes stop working.
 */

interface Keys {
  lookup: Buffer;
  seal: Buffer;
}
const derived = new Map<string, Keys>();

function keys(serverSecret: string): Keys {
  let found = derived.get(serverSecret);
  if (!found) {
    const key = (info: string) => Buffer.from(hkdfSync('sha256', serverSecret, 'tollgate', info, 32));
    found = { lookup: key('access-code/lookup/v1'), seal: key('access-code/seal/v1') };
    derived.set(serverSecret, found);
  }
  return found;
}

/** The indexed lookup of a code within its service: hex HMAC-SHA256 of "<serviceId>:<code>" (64 chars). */
export function codeLookup(serverSecret: string, serviceId: string, code: string): string {
  return createHmac('sha256', keys(serverSecret).lookup).update(`${serviceId}:${code}`).digest('hex');
}

/** Whether two lookups are equal, in constant time (both are 64 hex characters, or the answer is false). */
export function sameLookup(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** "v1.<iv>.<tag>.<ciphertext>" (base64url); the code's service is bound in as associated data. */
export function sealCode(serverSecret: string, serviceId: string, code: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys(serverSecret).seal, iv);
  cipher.setAAD(Buffer.from(serviceId, 'utf8'));
  const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The code a seal holds; null when it cannot be opened (another server secret, or tampered with). */
export function openCode(serverSecret: string, serviceId: string, sealed: string): string | null {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys(serverSecret).seal, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(serviceId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** A service's signing secret for the paid redirect's proof. */
export function newServiceSecret(): string {
  return `acsec_${newToken(24)}`;
}

/**
 * The proof on the paid redirect: `sig` = lower-case hex HMAC-SHA256, keyed with the service's secret, of
 * "<code>.<t>", where `t` is the Unix time in seconds of the check. The merchant recomputes it, compares in
 * constant time, and accepts it only for a few minutes after `t`.
 */
export function proofSignature(serviceSecret: string, code: string, timestamp: number): string {
  return createHmac('sha256', serviceSecret).update(`${code}.${timestamp}`).digest('hex');
}

export const PROOF_FORMULA = 'sig = hex(HMAC-SHA256(key = service secret, message = code + "." + t))';
