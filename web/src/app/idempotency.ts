/**
 * A fresh idempotency key for one intended change: resubmitting the same form (double click, retry after a
 * timeout) sends the same key, so the server makes the change once. getRandomValues, unlike randomUUID, also
 * works outside secure contexts (plain http on a LAN address).
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'web_' + Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
