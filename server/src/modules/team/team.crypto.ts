import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/*
 * The invitation link's token at rest: only its hash is looked up; the mail renders the link from this seal
 * (AES-256-GCM under a key derived from SESSION_SECRET, the invitation's id as associated data), wiped once the
 * invitation is used or revoked. A copy of the database alone holds no working link.
 */

const keys = new Map<string, Buffer>();
function key(serverSecret: string): Buffer {
  let found = keys.get(serverSecret);
  if (!found) {
    found = Buffer.from(hkdfSync('sha256', serverSecret, 'tollgate', 'team-invite/seal/v1', 32));
    keys.set(serverSecret, found);
  }
  return found;
}

export function sealToken(serverSecret: string, inviteId: string, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(serverSecret), iv);
  cipher.setAAD(Buffer.from(inviteId, 'utf8'));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The token a seal holds; null when it cannot be opened (another server secret, or tampered with). */
export function openToken(serverSecret: string, inviteId: string, sealed: string): string | null {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(serverSecret), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(inviteId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
