import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A public id: a kind prefix and 26 characters (48-bit millisecond time + 80 random bits, Crockford base32),
 * so ids sort by creation and cursors can page by id alone.
 */
export function newId(prefix: string): string {
  let time = Date.now();
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32] + out;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(10);
  let bits = 0;
  let value = 0;
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `${prefix}_${out}`;
}

/** An unguessable token (default 160 bits) in URL-safe base64, for payer pages and one-time links. */
export function newToken(bytes = 20): string {
  return randomBytes(bytes).toString('base64url');
}
