import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature';

describe('signed bodies', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"evt_1","type":"payment.succeeded"}';
  const signedAt = new Date('2030-01-01T00:00:00Z');
  const header = signPayload(secret, body, signedAt);
  const at = (seconds: number) => ({ now: new Date(signedAt.getTime() + seconds * 1000) });

  it('signs "<t>.<raw body>" with HMAC-SHA256, as documented for receivers', () => {
    const t = signedAt.getTime() / 1000;
    const hex = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${hex}`);
    expect(verifySignature(secret, Buffer.from(body), header, at(0))).toBe(true);
  });

  it('accepts only the same body, secret and a timestamp within the tolerance', () => {
    expect(verifySignature(secret, body, header, at(300))).toBe(true);
    expect(verifySignature(secret, body, header, at(-300))).toBe(true);
    expect(verifySignature(secret, body, header, at(301))).toBe(false);
    expect(verifySignature(secret, body, header, at(-301))).toBe(false);
    expect(verifySignature(secret, body, header, { ...at(3600), toleranceSeconds: 3600 })).toBe(true);
    expect(verifySignature(secret, `${body} `, header, at(0))).toBe(false);
    expect(verifySignature('whsec_other', body, header, at(0))).toBe(false);
    // A replayed signature with a fresh timestamp does not match: the timestamp is inside the MAC.
    const forged = header.replace(/^t=\d+/, `t=${signedAt.getTime() / 1000 + 1000}`);
    expect(verifySignature(secret, body, forged, at(1000))).toBe(false);
  });

  it('refuses malformed headers without throwing', () => {
    for (const bad of [
      null,
      undefined,
      '',
      'garbage',
      't=abc,v1=00',
      `v1=${'a'.repeat(64)}`,
      't=1893456000',
      `t=1893456000,v1=${'a'.repeat(63)}`,
    ]) {
      expect(verifySignature(secret, body, bad, at(0))).toBe(false);
    }
  });

  it('accepts one valid signature among several (secret rotation)', () => {
    expect(verifySignature(secret, body, `${header},v1=${'0'.repeat(64)}`, at(0))).toBe(true);
    expect(verifySignature(secret, body, `t=${signedAt.getTime() / 1000},v1=${'0'.repeat(64)}`, at(0))).toBe(false);
  });
});
