import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness';
import { OutboxMessage, OutboxStatus } from '../outbox/outbox-message.entity';
import { drainOutbox } from '../outbox/outbox.service';
import { MailMessage } from './mail-message.entity';
import { MAIL_SECRET_MASK, sendMail } from './mail.service';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP listener on a free port; recipients at bounce.test are refused the way a real server would. */
async function startSmtp() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'], // plain SMTP on localhost, as a local relay would offer
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@bounce.test')) {
        return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

const MAIL_QUERY = '{ mailMessages { totalCount edges { node { to from subject text html sent } } } }';

describe('mail', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  const drain = (app: TestApp, config = app.app.config) => drainOutbox({ ...app.app.platform, config });
  const send = async (app: TestApp, mail: Parameters<typeof sendMail>[1]) => {
    const em = app.orm.em.fork();
    const message = sendMail(em, mail);
    await em.flush();
    return message;
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Tollgate <no-reply@tollgate.test>' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('delivers through SMTP to the right recipient with the right subject, and keeps a copy in test mode', async () => {
    const message = await send(t, {
      to: 'dana@example.com',
      subject: 'Your confirmation code',
      text: 'Your code is 123456.',
      html: '<p>Your code is <b>123456</b>.</p>',
    });
    expect(smtp.received).toHaveLength(0); // nothing is sent before the outbox runs
    expect((await drain(t)).delivered).toBe(1);

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.from).toBe('no-reply@tollgate.test');
    expect(mail.to).toEqual(['dana@example.com']);
    expect(mail.raw).toMatch(/^Subject: Your confirmation code\r?$/m);
    expect(mail.raw).toMatch(/^To: dana@example\.com\r?$/m);
    expect(mail.raw).toContain('Your code is 123456.');

    const admin = await t.adminAuth();
    const kept = await t.gql(MAIL_QUERY, {}, admin);
    expect(kept.data?.mailMessages).toEqual({
      totalCount: 1,
      edges: [
        {
          node: {
            to: 'dana@example.com',
            from: 'Tollgate <no-reply@tollgate.test>',
            subject: 'Your confirmation code',
            text: 'Your code is 123456.',
            html: '<p>Your code is <b>123456</b>.</p>',
            sent: true,
          },
        },
      ],
    });
    // The outbox forgets a sent mail's body; the SMTP reply is in the attempt history.
    const row = await t.orm.em.fork().findOneOrFail(OutboxMessage, message.id);
    expect(row).toMatchObject({ status: OutboxStatus.DELIVERED, payload: {} });
    const history = await t.gql(
      'query($id: ID!) { outboxMessage(id: $id) { attempts { outcome detail } } }',
      { id: message.id },
      admin,
    );
    expect(history.data?.outboxMessage.attempts).toMatchObject([
      { outcome: 'SUCCEEDED', detail: expect.stringMatching(/^250/) },
    ]);

    const owner = await t.ownerAuth();
    expect((await t.gql(MAIL_QUERY, {}, owner)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('retries a mail the SMTP server refused, recording its answer', async () => {
    const message = await send(t, { to: 'nobody@bounce.test', subject: 'Receipt', text: 'Thanks.' });
    expect((await drain(t)).failed).toBe(1);
    const row = await t.orm.em.fork().findOneOrFail(OutboxMessage, message.id);
    expect(row.status).toBe(OutboxStatus.PENDING);
    expect(row.lastError).toMatch(/550/);
    expect(row.payload).toMatchObject({ to: 'nobody@bounce.test' }); // kept for the retry
  });

  it('queues a secret by reference only, and gives up at once on a secret that can no longer be read', async () => {
    const em = t.orm.em.fork();
    expect(() =>
      sendMail(em, {
        to: 'a@example.com',
        subject: 'x',
        text: 'no mask',
        secret: { kind: 'access-code', id: 'acc_1' },
      }),
    ).toThrow(/no place for the secret/);
    const message = await send(t, {
      to: 'secret@example.com',
      subject: 'Your code',
      text: `Code: ${MAIL_SECRET_MASK}`,
      secret: { kind: 'access-code', id: 'acc_gone' },
    });
    const queued = await t.orm.em.fork().findOneOrFail(OutboxMessage, message.id);
    expect(queued.payload).toMatchObject({ text: `Code: ${MAIL_SECRET_MASK}`, secret: { id: 'acc_gone' } });
    const sentBefore = smtp.received.length;
    await drain(t);
    expect(smtp.received).toHaveLength(sentBefore);
    const row = await t.orm.em.fork().findOneOrFail(OutboxMessage, message.id);
    expect(row.status).toBe(OutboxStatus.DEAD);
    expect(row.lastError).toMatch(/can no longer be read/);
  });

  it('refuses malformed recipients and subjects before anything is queued', () => {
    const em = t.orm.em.fork();
    expect(() => sendMail(em, { to: 'not-an-address', subject: 'x', text: 'x' })).toThrow(/not an email address/);
    expect(() => sendMail(em, { to: 'a@example.com, b@example.com', subject: 'x', text: 'x' })).toThrow();
    expect(() => sendMail(em, { to: 'a@example.com', subject: '  ', text: 'x' })).toThrow(/subject/);
  });

  it('without SMTP_URL outside production, only keeps the mail', async () => {
    const sentBefore = smtp.received.length;
    await send(t, { to: 'kept@example.com', subject: 'Kept only', text: 'Never sent.' });
    await drain(t, { ...t.app.config, smtpUrl: null });
    expect(smtp.received).toHaveLength(sentBefore);
    const kept = await t.orm.em.fork().findOneOrFail(MailMessage, { to: 'kept@example.com' });
    expect(kept).toMatchObject({ subject: 'Kept only', sent: false });
  });

  it('in production sends but keeps nothing, and refuses to list mail', async () => {
    const production = await startTestApp({
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-production-session-secret-of-enough-length',
      SMS_WEBHOOK_SECRET: 'a-production-sms-webhook-secret',
      SMTP_URL: smtp.url,
    });
    try {
      const sentBefore = smtp.received.length;
      await send(production, { to: 'prod@example.com', subject: 'Production mail', text: 'Hello.' });
      expect((await drain(production)).delivered).toBe(1);
      expect(smtp.received).toHaveLength(sentBefore + 1);
      expect(smtp.received.at(-1)?.to).toEqual(['prod@example.com']);
      expect(await production.orm.em.fork().count(MailMessage, {})).toBe(0);

      const result = await production.gql(MAIL_QUERY, {}, await production.adminAuth());
      expect(result.data?.mailMessages ?? null).toBeNull();
      expect(result.errors?.[0].extensions?.code).toBe('NOT_AVAILABLE');
    } finally {
      await production.close();
    }
  });
});
