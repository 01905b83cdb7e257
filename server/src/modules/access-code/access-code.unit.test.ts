import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimits } from '../../common/rate-limit';
import { toDate } from './access-code.checker';
import { codeLookup, openCode, proofSignature, sealCode } from './access-code.crypto';
import { AccessCodeAlphabet, AccessCodeKind } from './access-code.entity';
import {
  codeCharacters,
  formatDuration,
  ipMatcher,
  normaliseCode,
  randomCode,
  smsSize,
  templateProblem,
  validIpEntry,
} from './access-code.rules';
import { sourceKey, Throttle } from './access-code.throttle';
import { smsKeyword } from './access-code.product';

const LOOK_ALIKES = /[0OQ1I]/;

describe('access codes: pure rules', () => {
  it('never draws a look-alike in 100,000 codes, nor a character the merchant excluded', () => {
    for (const alphabet of Object.values(AccessCodeAlphabet)) {
      const characters = codeCharacters(alphabet, '8b5s');
      expect(characters).not.toMatch(LOOK_ALIKES);
      expect(characters).not.toMatch(/[8B5S]/);
    }
    const characters = codeCharacters(AccessCodeAlphabet.LETTERS_AND_DIGITS, 'Z');
    expect(characters).toBe('23456789ABCDEFGHJKLMNPRSTUVWXY');
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const code = randomCode(characters, 8);
      if (code.length !== 8 || LOOK_ALIKES.test(code) || code.includes('Z')) throw new Error(`bad code ${code}`);
      for (const char of code) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    // Uniform: with 800,000 draws over 30 symbols each expects 26,667 (σ ≈ 161); 5σ either way is generous.
    expect([...counts.keys()].sort().join('')).toBe(characters);
    const expected = 800_000 / characters.length;
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(5 * Math.sqrt(expected));
  });

  it('rejects the bytes that would bias a modulo (rejection sampling)', () => {
    // 31 symbols: bytes 248..255 would favour the first 8; they must be skipped, not folded.
    const characters = codeCharacters(AccessCodeAlphabet.LETTERS_AND_DIGITS);
    expect(characters).toHaveLength(31);
    const bytes = [248, 255, 250, 0, 30, 31, 247];
    const source = (size: number) => Buffer.from(bytes.splice(0, size).concat(Array(size).fill(0)).slice(0, size));
    expect(randomCode(characters, 4, source)).toBe(
      `${characters[0]}${characters[30]}${characters[0]}${characters[30]}`,
    );
  });

  it('reads what payers type and the SMS keyword', () => {
    expect(normaliseCode(' k7m2-xr9d ')).toBe('K7M2XR9D');
    expect(smsKeyword('news please')).toBe('NEWS');
    expect(smsKeyword('  #News!')).toBe('NEWS');
    expect(smsKeyword('')).toBeNull();
  });

  it('counts SMS in GSM-7 septets, or UCS-2 units when any character needs it', () => {
    expect(smsSize('Hello')).toEqual({ encoding: 'GSM-7', length: 5, limit: 160 });
    expect(smsSize('a€[]')).toEqual({ encoding: 'GSM-7', length: 7, limit: 160 });
    expect(smsSize('Код')).toEqual({ encoding: 'UCS-2', length: 3, limit: 70 });
    expect(smsSize('ok 😀')).toEqual({ encoding: 'UCS-2', length: 5, limit: 70 });
  });

  it('refuses a template that would not fit one SMS with each placeholder at its longest', () => {
    const rules = { kind: AccessCodeKind.USES_AND_PERIOD, validitySeconds: 3600, maxUses: 100, codeLength: 32 };
    // {code} 32, {expires} 20 ("9999-12-31 23:59 UTC"), {uses} 3: 55 characters; the rest may take 105.
    const fits = `${'x'.repeat(105)}{code}{expires}{uses}`;
    expect(templateProblem(fits, rules)).toBeNull();
    expect(templateProblem(`y${fits}`, rules)?.message).toMatch(/161 characters.*holds 160/);
    // One extension character counts two septets.
    expect(templateProblem(`€${fits.slice(1)}`, rules)?.message).toMatch(/161/);
    // Cyrillic: UCS-2, 70 in all.
    const cyrillic = `${'К'.repeat(15)}{code}{expires}{uses}`;
    expect(templateProblem(cyrillic, rules)).toBeNull();
    expect(templateProblem(`К${cyrillic}`, rules)?.message).toMatch(/71 characters \(UCS-2.*holds 70/);
    expect(templateProblem('no code here', rules)?.message).toMatch(/must contain \{code\}/);
    expect(templateProblem('{code} {price}', rules)?.message).toMatch(/\{price\} is not a placeholder/);
    // A period from first use is told as a duration.
    const firstUse = {
      kind: AccessCodeKind.PERIOD_FROM_FIRST_USE,
      validitySeconds: 7200,
      maxUses: null,
      codeLength: 6,
    };
    const text = `${'x'.repeat(160 - 6 - '2 hours after first use'.length)}{code}{expires}`;
    expect(templateProblem(text, firstUse)).toBeNull();
    expect(templateProblem(`x${text}`, firstUse)).not.toBeNull();
    expect(formatDuration(5400)).toBe('90 minutes');
    expect(formatDuration(86_400)).toBe('1 day');
  });

  it('reads datetimes as either driver returns them, and refuses what it cannot read', () => {
    expect(toDate('2026-11-23 20:37:23.068181+00')).toEqual(new Date('2026-11-23T20:37:23.068Z'));
    expect(toDate('2026-11-23 20:37:23+05:30')).toEqual(new Date('2026-11-23T15:07:23Z'));
    expect(toDate(1795462664845)).toEqual(new Date(1795462664845));
    expect(toDate(null)).toBeNull();
    expect(() => toDate('soon')).toThrow(/unreadable time/);
  });

  it('checks allow-list entries and addresses', () => {
    expect(validIpEntry('10.0.0.1')).toBe(true);
    expect(validIpEntry('10.0.0.0/8')).toBe(true);
    expect(validIpEntry('2001:db8::/32')).toBe(true);
    expect(validIpEntry('10.0.0.0/33')).toBe(false);
    expect(validIpEntry('example.com')).toBe(false);
    const allowed = ipMatcher(['10.0.0.0/8', '2001:db8::1']);
    expect(allowed('10.1.2.3')).toBe(true);
    expect(allowed('::ffff:10.1.2.3')).toBe(true);
    expect(allowed('2001:db8::1')).toBe(true);
    expect(allowed('11.0.0.1')).toBe(false);
    expect(ipMatcher([])('10.0.0.1')).toBe(false);
  });

  it('seals codes so the database alone reveals nothing, and signs the proof as documented', () => {
    const secret = 'a-server-secret-of-at-least-32-characters';
    const sealed = sealCode(secret, 'acs_1', 'K7M2XR9D');
    expect(sealed).not.toContain('K7M2XR9D');
    expect(openCode(secret, 'acs_1', sealed)).toBe('K7M2XR9D');
    expect(openCode(secret, 'acs_2', sealed)).toBeNull();
    expect(openCode(`${secret}!`, 'acs_1', sealed)).toBeNull();
    expect(codeLookup(secret, 'acs_1', 'K7M2XR9D')).toMatch(/^[0-9a-f]{64}$/);
    expect(codeLookup(secret, 'acs_1', 'K7M2XR9D')).not.toBe(codeLookup(secret, 'acs_2', 'K7M2XR9D'));
    // sig = hex(HMAC-SHA256(secret, code + "." + t)); the reference value is from `openssl dgst -sha256 -hmac`.
    expect(proofSignature('acsec_test', 'K7M2', 1700000000)).toBe(
      'f50baa983567444b4892c6d16d405f03f00155d16b333c785e30006f268a94ac',
    );
  });
});

describe('access codes: throttle', () => {
  const options = {
    pairSlowAfter: 2,
    pairBlockAt: 4,
    ipSlowAfter: 5,
    ipBlockAt: 8,
    slowStepMs: 100,
    floodThreshold: 6,
  };
  // The in-memory store reads the time from Date: the clock moves without waiting.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());
  const throttle = () => new Throttle(createRateLimits({ redis: null, prefix: 'test' }), options);
  const state = async (t: Throttle, ip: string, serviceId: string) => t.forService(await t.source(ip), serviceId);

  it('slows a source after a few invalid checks, then blocks it for a while', async () => {
    const t = throttle();
    expect(await state(t, '203.0.113.1', 'acs_a')).toEqual({ blockedMs: 0, delayMs: 0 });
    await t.fail('203.0.113.1', 'acs_a');
    expect((await state(t, '203.0.113.1', 'acs_a')).delayMs).toBe(0);
    await t.fail('203.0.113.1', 'acs_a');
    expect((await state(t, '203.0.113.1', 'acs_a')).delayMs).toBe(100);
    await t.fail('203.0.113.1', 'acs_a');
    expect(await state(t, '203.0.113.1', 'acs_a')).toEqual({ blockedMs: 0, delayMs: 200 });
    await t.fail('203.0.113.1', 'acs_a');
    expect((await state(t, '203.0.113.1', 'acs_a')).blockedMs).toBe(30 * 60_000);
    // Blocked for this service, not (yet) for others; other sources are untouched.
    expect((await state(t, '203.0.113.1', 'acs_b')).blockedMs).toBe(0);
    expect((await state(t, '203.0.113.2', 'acs_a')).blockedMs).toBe(0);
    expect(await t.throttledSources('acs_a', ['203.0.113.1', '203.0.113.2', '::ffff:203.0.113.1'])).toEqual([
      { ip: '203.0.113.1', failures: 4, blockedUntil: new Date(Date.now() + 30 * 60_000) },
    ]);
    vi.setSystemTime(Date.now() + 30 * 60_000 + 1);
    expect(await state(t, '203.0.113.1', 'acs_a')).toEqual({ blockedMs: 0, delayMs: 0 });
  });

  it('blocks a source across services, and counts IPv6 per /64', async () => {
    const t = throttle();
    for (let i = 0; i < 8; i++) await t.fail('2001:db8:1:2::a', `acs_${i}`);
    expect((await t.source('2001:db8:1:2:ffff::1')).blockedMs).toBeGreaterThan(0);
    expect((await t.source('2001:db8:1:3::1')).blockedMs).toBe(0);
    expect(sourceKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(sourceKey('2001:DB8::1')).toBe('2001:0db8:0000:0000::/64');
  });

  it('raises a flood once per window without blocking anyone', async () => {
    const t = throttle();
    const floods: (number | null)[] = [];
    for (let i = 0; i < 10; i++) floods.push(await t.fail(`198.51.100.${i}`, 'acs_a'));
    expect(floods.filter((flood) => flood !== null)).toEqual([6]);
    expect(floods[5]).toBe(6);
    expect(await t.recentInvalid('acs_a')).toBe(10);
    expect((await state(t, '198.51.100.200', 'acs_a')).blockedMs).toBe(0);
    vi.setSystemTime(Date.now() + 60_000);
    expect(await t.recentInvalid('acs_a')).toBe(0);
    // A new window, a new alert.
    for (let i = 0; i < 6; i++) floods.push(await t.fail(`198.51.100.${i}`, 'acs_a'));
    expect(floods.filter((flood) => flood !== null)).toEqual([6, 6]);
  });
});
