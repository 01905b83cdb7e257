import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGINS, startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { startSmtpListener } from '../../../test/smtp-listener';
import { checkerFor } from '../access-code/access-code.checker';
import { DEFAULT_THROTTLE } from '../access-code/access-code.throttle';
import { OutboxMessage, OutboxStatus } from '../outbox/outbox-message.entity';
import { drainOutbox } from '../outbox/outbox.service';
import { emitEvent } from '../webhook';
import { AlertNotice } from './alert.entity';

const UPDATE = `mutation($input: UpdateAlertSettingInput!) { updateAlertSetting(input: $input) {
  alertSetting { kind enabled threshold recipient } userErrors { code field message } } }`;

describe('email alerts', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let owner: Auth;
  let failing: http.Server;
  let failingUrl: string;

  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await startTestApp({ SMTP_URL: smtp.url });
    owner = await t.ownerAuth();
    // A webhook receiver that is down for good.
    failing = http.createServer((_req, res) => res.writeHead(503).end('down'));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await new Promise<void>((resolve) => (failing ? failing.close(() => resolve()) : resolve()));
  });

  const drain = () => drainOutbox(t.app.platform);
  /** Mails received whose subject (headers unfolded) contains `text`. */
  const mailsAbout = (text: string) =>
    smtp.received.filter((mail) => /^Subject: (.*)$/m.exec(mail.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1].includes(text));
  const setAlert = async (input: Record<string, unknown>) => {
    const result = await t.gql(UPDATE, { input }, owner);
    expect(result.errors).toBeUndefined();
    expect(result.data!.updateAlertSetting.userErrors).toEqual([]);
    return result.data!.updateAlertSetting.alertSetting;
  };
  const emit = async (type: 'voucher.sold' | 'withdrawal.paid', data: Record<string, unknown>) => {
    const em = t.orm.em.fork();
    await emitEvent(em, type, t.demo.merchantId, data);
    await em.flush();
    await drain();
  };
  /** Lets an hour pass for the de-duplication. */
  const anHourLater = () =>
    t.orm.em.fork().nativeUpdate(AlertNotice, {}, { lastSentAt: new Date(Date.now() - 3600_000 - 1000) });

  it('lists every kind, off until switched on, and refuses a bad threshold or recipient naming the field', async () => {
    const list = await t.gql('{ alertSettings { kind enabled threshold recipient } }', {}, owner);
    expect(list.data!.alertSettings).toEqual([
      { kind: 'VOUCHER_STOCK_LOW', enabled: false, threshold: 10, recipient: null },
      { kind: 'WEBHOOK_ENDPOINT_FAILING', enabled: false, threshold: null, recipient: null },
      { kind: 'CODES_GUESSED', enabled: false, threshold: null, recipient: null },
      { kind: 'WITHDRAWAL_PAID', enabled: false, threshold: null, recipient: null },
    ]);
    const bad = await t.gql(UPDATE, { input: { kind: 'VOUCHER_STOCK_LOW', enabled: true, threshold: -1 } }, owner);
    expect(bad.data!.updateAlertSetting.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID', field: ['input', 'threshold'] }),
    ]);
    const badMail = await t.gql(UPDATE, { input: { kind: 'WITHDRAWAL_PAID', enabled: true, recipient: 'a@b' } }, owner);
    expect(badMail.data!.updateAlertSetting.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID', field: ['input', 'recipient'] }),
    ]);
    const after = await t.gql('{ alertSettings { enabled } }', {}, owner);
    expect(after.data!.alertSettings.every((s: { enabled: boolean }) => !s.enabled)).toBe(true);
  });

  it('voucher stock low: mails once when on and stock is at the threshold, never when off, not again within the hour', async () => {
    const projects = await t.gql('{ voucherProjects { edges { node { id name } } } }', {}, owner);
    const project = projects.data!.voucherProjects.edges[0].node as { id: string; name: string };
    const sold = (n: number) => ({
      paymentId: `pay_test${n}`,
      orderId: `vor_test${n}`,
      projectId: project.id,
      voucherId: `vch_test${n}`,
      country: 'BG',
    });
    await emit('voucher.sold', sold(1));
    expect(mailsAbout(`left in ${project.name}`)).toHaveLength(0);

    // On, but the threshold is below the stock: nothing.
    await setAlert({ kind: 'VOUCHER_STOCK_LOW', enabled: true, threshold: 0 });
    await emit('voucher.sold', sold(2));
    expect(mailsAbout(`left in ${project.name}`)).toHaveLength(0);

    await setAlert({ kind: 'VOUCHER_STOCK_LOW', enabled: true, threshold: 100000, recipient: 'stock@example.com' });
    await emit('voucher.sold', sold(3));
    await emit('voucher.sold', sold(4));
    const mails = mailsAbout(`left in ${project.name}`);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(['stock@example.com']);

    await anHourLater();
    await emit('voucher.sold', sold(5));
    expect(mailsAbout(`left in ${project.name}`)).toHaveLength(2);
  });

  it('withdrawal paid: mails the owners once per withdrawal when on, never when off', async () => {
    const paid = (id: string) => ({
      id,
      merchantId: t.demo.merchantId,
      status: 'PAID',
      amount: '100.00',
      fee: '2.00',
      currency: 'EUR',
      destinationId: 'pds_test',
      rail: 'SEPA',
      batchId: null,
      reason: null,
      createdAt: new Date().toISOString(),
    });
    await emit('withdrawal.paid', paid('wdr_off'));
    expect(mailsAbout('wdr_off')).toHaveLength(0);
    await setAlert({ kind: 'WITHDRAWAL_PAID', enabled: true });
    await emit('withdrawal.paid', paid('wdr_on'));
    await emit('withdrawal.paid', paid('wdr_on'));
    const mails = mailsAbout('wdr_on');
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual([DEMO_LOGINS.owner.email]);
    expect(mails[0].raw).toContain('100.00 EUR');
  });

  it('webhook endpoint failing: mails once when a delivery is given up, never while off', async () => {
    const created = await t.gql(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
        webhookEndpoint { id } userErrors { message } } }`,
      { input: { url: failingUrl, eventTypes: ['*'] } },
      owner,
    );
    const endpointId = created.data!.createWebhookEndpoint.webhookEndpoint.id as string;
    /** Sends a test event and fails every attempt until the outbox gives the delivery up. */
    const giveUp = async () => {
      const sent = await t.gql(
        'mutation($input: SendTestWebhookInput!) { sendTestWebhook(input: $input) { webhookDelivery { id } } }',
        { input: { endpointId } },
        owner,
      );
      expect(sent.errors).toBeUndefined();
      await drain(); // the first attempt fails
      // Thirteen failed attempts later (hours of backoff): the next one is the last.
      const em = t.orm.em.fork();
      await em.nativeUpdate(
        OutboxMessage,
        { kind: 'webhook', status: OutboxStatus.PENDING, merchantId: t.demo.merchantId },
        { attemptCount: 13, nextAttemptAt: new Date(Date.now() - 1000) },
      );
      const result = await drain();
      expect(result.dead).toBeGreaterThan(0);
    };
    await giveUp();
    expect(mailsAbout('is failing')).toHaveLength(0);

    await setAlert({ kind: 'WEBHOOK_ENDPOINT_FAILING', enabled: true });
    await giveUp();
    await giveUp();
    const mails = mailsAbout('is failing');
    expect(mails).toHaveLength(1);
    expect(mails[0].raw).toContain('HTTP 503');
  });

  it('codes being guessed: mails once per flood when on, never when off', async () => {
    const services = await t.gql('{ accessCodeServices { edges { node { id name } } } }', {}, owner);
    const service = services.data!.accessCodeServices.edges[0].node as { id: string; name: string };
    const checker = checkerFor(t.orm.em, t.app.config, t.app.platform.limits);
    let ip = 0;
    const flood = async () => {
      // New thresholds restart the counts, as the next minute would; the module's own hourly mark is cleared too.
      checker.throttle.options = { ...DEFAULT_THROTTLE, floodThreshold: 5 };
      await t.orm.em.fork().getConnection().execute('update access_code_service set flood_alerted_at = null');
      for (let i = 0; i < 6; i++) {
        await fetch(`${t.url}/check/${service.id}?code=WRONG${i}ZZ`, {
          redirect: 'manual',
          headers: { 'x-forwarded-for': `198.18.7.${++ip}` },
        });
      }
      await checker.recorder.flush();
      await drain();
    };
    const subject = `guessing codes of ${service.name}`;
    await flood();
    expect(mailsAbout(subject)).toHaveLength(0);

    await setAlert({ kind: 'CODES_GUESSED', enabled: true, recipient: 'security@example.com' });
    await flood();
    await flood();
    const mails = mailsAbout(subject);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(['security@example.com']);
    checker.throttle.options = { ...DEFAULT_THROTTLE };
  });
});
