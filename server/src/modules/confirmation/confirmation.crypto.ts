import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from 'node:crypto';

/*
 * Confirmation codes at rest. A code has 8 digits (≈ 26.6 bits): a plain hash of one is reversed by trying them all,
 * so the check is an HMAC under a key derived (HKDF) from SESSION_SECRET, and the copy the mail renders at sending is
 * sealed with AES-256-GCM under another. A copy of the database alone reveals no code.
 */

export const CODE_DIGITS = 8;

interface Keys {
  check: Buffer;
  seal: Buffer;
}
const derived = new Map<string, Keys>();

function keys(serverSecret: string): Keys {
  let found = derived.get(serverSecret);
  if (!found) {
    const key = (info: string) => Buffer.from(hkdfSync('sha256', serverSecret, 'tollgate', info, 32));
    found = { check: key('confirmation/check/v1'), seal: key('confirmation/seal/v1') };
    derived.set(serverSecret, found);
  }
  return found;
}

/** A fresh code: CODE_DIGITS decimal digits from the CSPRNG, leading zeros kept. */
export function newCode(): string {
  return String(randomInt(10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

/** The stored check of a code, bound to its row and the request it confirms. */
export function codeHash(serverSecret: string, binding: string, code: string): string {
  return createHmac('sha256', keys(serverSecret).check).update(`${binding}:${code}`).digest('hex');
}

/** Whether two hex hashes are equal, in constant time. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** "v1.<iv>.<tag>.<ciphertext>" (base64url), the binding as associated data. */
export function sealCode(serverSecret: string, binding: string, code: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys(serverSecret).seal, iv);
  cipher.setAAD(Buffer.from(binding, 'utf8'));
  const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(
    '.',
  );
}

/** The code a seal holds; null when it cannot be opened (another server secret, or tampered with). */
export function openCode(serverSecret: string, binding: string, sealed: string): string | null {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys(serverSecret).seal, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(binding, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
