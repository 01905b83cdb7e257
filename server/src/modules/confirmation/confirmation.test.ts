import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testDialect, type TestApp } from '../../../test/harness';
import { startSmtpListener } from '../../../test/smtp-listener';
import type { Viewer } from '../../common/context';
import { UserFacingError } from '../../common/errors';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { drainOutbox } from '../outbox/outbox.service';
import { ConfirmationCode, ConfirmationStatus } from './confirmation.entity';
import {
  CODE_TTL_MS,
  consumeConfirmation,
  issueConfirmation,
  MAX_ATTEMPTS,
  verifyConfirmation,
} from './confirmation.service';

describe('confirmation codes', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let owner: Viewer;
  const deps = () => ({ config: t.app.config, limits: t.app.platform.limits });
  const drain = () => drainOutbox(t.app.platform);

  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await startTestApp({ SMTP_URL: smtp.url });
    owner = {
      kind: 'user',
      userId: t.demo.ownerUserId,
      apiKeyId: null,
      role: 'OWNER',
      merchantId: t.demo.merchantId,
      merchantIds: [t.demo.merchantId],
      scopes: ['read', 'write'],
    };
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  async function issue(targetId: string, now?: Date) {
    const em = t.orm.em.fork();
    const row = await issueConfirmation(em, deps(), {
      merchantId: t.demo.merchantId,
      purpose: 'test',
      targetId,
      viewer: owner,
      subject: 'Confirm the test',
      summary: `You asked to test ${targetId}.`,
      now,
    });
    await em.flush();
    return row;
  }

  async function confirm(targetId: string, code: string, actorKey = 'actor-1') {
    const verified = await verifyConfirmation(t.orm.em.fork(), deps(), {
      purpose: 'test',
      targetId,
      code,
      actorKey,
    });
    await t.orm.em.fork().transactional((tx) => consumeConfirmation(tx, verified));
  }

  const errorOf = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => null,
      (caught: unknown) => caught,
    );
    return error instanceof UserFacingError ? error.code : error;
  };

  it('emails the owner an 8-digit code; the outbox holds only the mask; the row only a hash and a seal', async () => {
    const row = await issue('tgt_mail');
    const messages = await t.orm.em.fork().find(OutboxMessage, {});
    const payloads = JSON.stringify(messages.map((message) => message.payload));
    await drain();
    const code = smtp.lastCode('tgt_mail');
    expect(code).toMatch(/^\d{8}$/);
    expect(payloads).not.toContain(code);
    expect(smtp.received.at(-1)!.to).toEqual(['owner@demo.tollgate.test']);
    const stored = await t.orm.em.fork().findOneOrFail(ConfirmationCode, row.id);
    expect(stored.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(code);
    await confirm('tgt_mail', code!);
    const used = await t.orm.em.fork().findOneOrFail(ConfirmationCode, row.id);
    expect(used.status).toBe(ConfirmationStatus.USED);
    expect(used.seal).toBeNull();
    // Single use.
    expect(await errorOf(confirm('tgt_mail', code!))).toBe('INVALID_CODE');
  });

  it('is tied to its request: the code of one target does not confirm another', async () => {
    await issue('tgt_a');
    await issue('tgt_b');
    await drain();
    const codeA = smtp.lastCode('tgt_a')!;
    const codeB = smtp.lastCode('tgt_b')!;
    if (codeA !== codeB) expect(await errorOf(confirm('tgt_b', codeA))).toBe('INVALID_CODE');
    await confirm('tgt_b', codeB);
    await confirm('tgt_a', codeA);
  });

  it('expires after ten minutes, and a mail not yet sent by then is not sent', async () => {
    const past = new Date(Date.now() - CODE_TTL_MS - 1000);
    const row = await issue('tgt_old', past);
    expect(row.expiresAt.getTime()).toBe(past.getTime() + CODE_TTL_MS);
    const before = smtp.received.length;
    await drain();
    expect(smtp.received.length).toBe(before); // the secret could not be rendered: DEAD, not sent
    expect(await errorOf(confirm('tgt_old', '12345678'))).toBe('CODE_EXPIRED');
  });

  it('a newer code replaces the pending one', async () => {
    await issue('tgt_re');
    await drain();
    const first = smtp.lastCode('tgt_re')!;
    await issue('tgt_re');
    await drain();
    const second = smtp.lastCode('tgt_re')!;
    const old = await errorOf(confirm('tgt_re', first));
    if (first !== second) expect(old).toBe('INVALID_CODE');
    await confirm('tgt_re', second);
  });

  it(`locks after ${MAX_ATTEMPTS} wrong guesses, counted even though each request fails`, async () => {
    const row = await issue('tgt_guess');
    await drain();
    const code = smtp.lastCode('tgt_guess')!;
    const wrong = code === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < MAX_ATTEMPTS - 1; i++) {
      expect(await errorOf(confirm('tgt_guess', wrong, 'actor-guess'))).toBe('INVALID_CODE');
    }
    expect(await errorOf(confirm('tgt_guess', wrong, 'actor-guess'))).toBe('CODE_EXPIRED');
    expect((await t.orm.em.fork().findOneOrFail(ConfirmationCode, row.id)).status).toBe(ConfirmationStatus.LOCKED);
    // The right code no longer works either.
    expect(await errorOf(confirm('tgt_guess', code, 'actor-guess'))).toBe('CODE_EXPIRED');
  });

  it('refuses a caller who keeps guessing wrong across codes (shared limiter)', async () => {
    let last: unknown = null;
    for (let round = 0; round < 6 && !(last instanceof Error && last.name === 'RateLimited'); round++) {
      await issue(`tgt_flood_${round}`);
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        last = await errorOf(confirm(`tgt_flood_${round}`, 'abcdefgh', 'actor-flood'));
        if (last instanceof Error && last.name === 'RateLimited') break;
      }
    }
    expect((last as Error).name).toBe('RateLimited');
  });

  it('confirms once when 20 requests use the same code in parallel', async () => {
    await issue('tgt_race');
    await drain();
    const code = smtp.lastCode('tgt_race')!;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => errorOf(confirm('tgt_race', code, `actor-race-${i}`))),
    );
    expect(results.filter((result) => result === null)).toHaveLength(1);
    expect(
      results.filter((result) => result !== null).every((r) => r === 'ALREADY_RESOLVED' || r === 'INVALID_CODE'),
    ).toBe(true);
    if (testDialect() === 'postgres') expect(results.some((r) => r === 'ALREADY_RESOLVED')).toBe(true);
  });
});
