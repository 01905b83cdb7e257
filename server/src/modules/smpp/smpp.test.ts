import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import smpp from 'smpp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness';
import { ConfigError, loadConfig } from '../../common/config';
import { DeliveryError, drainOutbox } from '../outbox/outbox.service';
import { registeredChannelFor } from '../sms/sms.channels';
import { SmsDirection, SmsMessage, SmsStatus } from '../sms/sms.entity';
import { receiveInboundSms } from '../sms/sms.pipeline';
import { smppModule } from './index';
import { startSmppClient, type SmppClient, type SmppClientOptions } from './smpp.client';

const SYSTEM_ID = 'tollgate';
const PASSWORD = 'secret12';
const PROVIDER = 'smpp:127.0.0.1:tollgate';
const SHORT_CODE = '4449'; // a seeded Russian tariff: $1.00

/**
 * A real SMSC on a free port, built with the `smpp` package's server: accepts bind_transceiver for SYSTEM_ID and
 * its current password, answers submit_sm with ids M1, M2…, answers enquire_link (unless muted) and unbind.
 */
async function startSmsc() {
  const bound = new Set<smpp.Session>();
  let nextId = 1;
  const state = {
    password: PASSWORD,
    binds: [] as { systemId: string; password: string; accepted: boolean }[],
    submits: [] as smpp.PDU[],
    /** A command_status to answer submit_sm with instead of accepting it. */
    submitStatus: 0,
    enquireLinks: 0,
    unbinds: 0,
    /** Stop answering enquire_link, as a hung SMSC would. */
    mute: false,
  };
  const server = smpp.createServer((session) => {
    session.on('error', () => {}); // a client that vanishes mid-write
    session.on('close', () => bound.delete(session));
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      const accepted = pdu.system_id === SYSTEM_ID && pdu.password === state.password;
      state.binds.push({ systemId: String(pdu.system_id), password: String(pdu.password), accepted });
      if (!accepted) return void session.send(pdu.response({ command_status: smpp.errors.ESME_RINVPASWD }));
      bound.add(session);
      session.send(pdu.response({ system_id: 'TESTSMSC' }));
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      state.submits.push(pdu);
      session.send(
        pdu.response(state.submitStatus ? { command_status: state.submitStatus } : { message_id: `M${nextId++}` }),
      );
    });
    session.on('enquire_link', (pdu: smpp.PDU) => {
      state.enquireLinks++;
      if (!state.mute) session.send(pdu.response());
    });
    session.on('unbind', (pdu: smpp.PDU) => {
      state.unbinds++;
      bound.delete(session);
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const current = () => {
    const session = [...bound].at(-1);
    if (!session) throw new Error('no client is bound');
    return session;
  };
  /** Sends a request to the bound client; resolves with its response. */
  const request = (command: 'deliver_sm' | 'unbind' | 'enquire_link', params: Record<string, unknown> = {}) =>
    new Promise<smpp.PDU>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${command}_resp`)), 5_000);
      current()[command](params, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  return Object.assign(state, {
    url: (password = PASSWORD) => `smpp://${SYSTEM_ID}:${password}@127.0.0.1:${port}`,
    openSessions: () => server.sessions.length,
    deliver: (params: Record<string, unknown>) => request('deliver_sm', params),
    request,
    /** The SMSC loses the connection: every socket is closed without a word. */
    drop: () => server.sessions.forEach((session) => session.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        server.sessions.forEach((session) => session.destroy());
        server.close(() => resolve());
      }),
  });
}

/** An SMS from a Russian phone (international TON) to the short code. */
function mo(text: string, phone: string, extra: Record<string, unknown> = {}) {
  return {
    source_addr_ton: 1,
    source_addr_npi: 1,
    source_addr: phone,
    destination_addr: SHORT_CODE,
    short_message: text,
    ...extra,
  };
}

const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 10 });

describe('SMPP link', () => {
  let t: TestApp;
  let smsc: Awaited<ReturnType<typeof startSmsc>>;
  let logs: string[];
  const clients: SmppClient[] = [];
  const deps = () => t.app.platform;

  function start(options: Partial<SmppClientOptions> = {}): SmppClient {
    const client = startSmppClient(deps(), {
      url: smsc.url(),
      country: 'RU',
      operator: 'Beeline',
      initialBackoffMs: 20,
      maxBackoffMs: 200,
      responseTimeoutMs: 2_000,
      log: (level, message) => logs.push(`${level}: ${message}`),
      ...options,
    });
    clients.push(client);
    return client;
  }
  async function startBound(options: Partial<SmppClientOptions> = {}): Promise<SmppClient> {
    const client = start(options);
    await waitFor(() => expect(client.bound).toBe(true));
    return client;
  }
  const inbound = (where: Partial<Pick<SmsMessage, 'fromNumber' | 'text' | 'providerMessageId'>>) =>
    t.orm.em
      .fork()
      .find(SmsMessage, { direction: SmsDirection.IN, provider: PROVIDER, ...where }, { orderBy: { id: 1 } });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());
  beforeEach(async () => {
    logs = [];
    smsc = await startSmsc();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.stop()));
    await smsc.close();
  });

  it('binds as a transceiver and stores each deliver_sm through the pipeline before acknowledging it', async () => {
    const owner = await t.ownerAuth();
    const created = await t.gql(
      `mutation($input: CreatePaymentInput!) {
        createPayment(input: $input) { payment { id reference } userErrors { code } }
      }`,
      { input: { amount: '5.00', currency: 'USD', description: 'Five SMS' } },
      owner,
    );
    const { id: paymentId, reference } = created.data!.createPayment.payment;

    let storedAt = 0;
    const client = await startBound({
      // Storing takes a while here: the answer must wait for it.
      receive: async (pipelineDeps, sms) => {
        await sleep(150);
        const result = await receiveInboundSms(pipelineDeps, sms);
        storedAt = performance.now();
        return result;
      },
    });
    expect(smsc.binds).toEqual([{ systemId: SYSTEM_ID, password: PASSWORD, accepted: true }]);
    expect(client.provider).toBe(PROVIDER);
    expect(registeredChannelFor(PROVIDER)).toBe(client.channel);

    const response = await smsc.deliver(mo(`pay ${reference}`, '79161234567'));
    const answeredAt = performance.now();
    const [row] = await inbound({ fromNumber: '+79161234567' }); // read right after the answer arrived
    expect(response).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    expect(storedAt).toBeGreaterThan(0);
    expect(answeredAt).toBeGreaterThanOrEqual(storedAt);
    expect(row).toMatchObject({
      provider: PROVIDER,
      providerMessageId: expect.stringMatching(/^sha256:[0-9a-f]{40}$/),
      fromNumber: '+79161234567',
      toNumber: SHORT_CODE,
      text: `pay ${reference}`,
      country: 'RU',
      operator: 'Beeline',
      status: SmsStatus.COUNTED,
      paymentId,
    });

    // Through the API: the merchant sees the SMS on its payment, and the payment got its money.
    const seen = await t.gql(
      `query($id: ID!) {
        payment(id: $id) { amountReceived { amount currency } }
        smsMessages(paymentId: $id, direction: IN) { edges { node { direction provider status country operator text } } }
      }`,
      { id: paymentId },
      owner,
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.payment.amountReceived).toEqual({ amount: '0.45', currency: 'USD' }); // 45% of the $1 tariff
    expect(seen.data!.smsMessages.edges.map((edge: any) => edge.node)).toEqual([
      {
        direction: 'IN',
        provider: PROVIDER,
        status: 'COUNTED',
        country: 'RU',
        operator: 'Beeline',
        text: `pay ${reference}`,
      },
    ]);
  });

  it('counts the same message once, however often the SMSC delivers it', async () => {
    await startBound();
    const pdu = mo('HELLO TWICE', '79160000002');
    expect((await smsc.deliver(pdu)).command_status).toBe(0);
    expect((await smsc.deliver(pdu)).command_status).toBe(0);
    expect(await inbound({ fromNumber: '+79160000002' })).toHaveLength(1);

    // An id from the SMSC wins over the derived one.
    const withId = mo('HELLO WITH ID', '79160000003', { receipted_message_id: 'MO-77' });
    expect((await smsc.deliver(withId)).command_status).toBe(0);
    expect((await smsc.deliver(withId)).command_status).toBe(0);
    expect(await inbound({ fromNumber: '+79160000003' })).toMatchObject([{ providerMessageId: 'MO-77' }]);

    // The phone's own message reference tells two SMS with the same text apart.
    for (const reference of [1, 2, 2]) {
      const answer = await smsc.deliver(mo('SAME TEXT', '79160000004', { user_message_reference: reference }));
      expect(answer.command_status).toBe(0);
    }
    expect(await inbound({ fromNumber: '+79160000004' })).toHaveLength(2);
  });

  it('answers with an error when storing fails, so the SMSC delivers again; refuses malformed SMS for good', async () => {
    let failures = 1;
    await startBound({
      receive: async (pipelineDeps, sms) => {
        if (failures-- > 0) throw new Error('database unavailable');
        return receiveInboundSms(pipelineDeps, sms);
      },
    });
    const pdu = mo('RETRY ME', '79160000005');
    const first = await smsc.deliver(pdu);
    expect(first.command_status).toBe(smpp.errors.ESME_RX_T_APPN);
    expect(await inbound({ fromNumber: '+79160000005' })).toHaveLength(0);
    expect(logs.some((line) => line.startsWith('error:') && line.includes('database unavailable'))).toBe(true);

    const again = await smsc.deliver(pdu);
    expect(again.command_status).toBe(0);
    expect(await inbound({ fromNumber: '+79160000005' })).toHaveLength(1);

    // No sender, or a short code the pipeline refuses: retrying cannot help.
    expect((await smsc.deliver(mo('NO SENDER', ''))).command_status).toBe(smpp.errors.ESME_RX_P_APPN);
    const badShortCode = await smsc.deliver({ ...mo('BAD CODE', '79160000006'), destination_addr: 'SHOP' });
    expect(badShortCode.command_status).toBe(smpp.errors.ESME_RX_P_APPN);
  });

  it('sends replies as submit_sm and records delivery receipts for them', async () => {
    await startBound();
    await smsc.deliver(mo('NO SUCH CODE', '79160000007'));
    await smsc.deliver(mo('NO SUCH CODE EITHER', '79160000008'));
    // Each unmatched SMS gets the rails' reply, which the outbox sends on the link the SMS came in on.
    await drainOutbox(t.app.platform);

    const sent = (phone: string) => smsc.submits.find((pdu) => pdu.destination_addr === phone)!;
    expect(sent('79160000007')).toMatchObject({
      source_addr: SHORT_CODE,
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: '79160000007',
      registered_delivery: 1,
      data_coding: 1,
      short_message: { message: 'Tollgate: no open payment matches your message. Check the code and send it again.' },
    });
    const replies = async () =>
      t.orm.em
        .fork()
        .find(SmsMessage, { direction: SmsDirection.OUT, provider: PROVIDER, toNumber: { $like: '+7916000000%' } });
    const reply = async (phone: string) => (await replies()).find((sms) => sms.toNumber === phone)!;
    const firstId = (await reply('+79160000007')).providerMessageId!;
    const secondId = (await reply('+79160000008')).providerMessageId!;
    expect(await reply('+79160000007')).toMatchObject({
      status: SmsStatus.SENT,
      providerMessageId: expect.any(String),
    });
    expect(smsc.submits.filter((pdu) => /^7916000000[78]$/.test(String(pdu.destination_addr)))).toHaveLength(2);

    const receipt = (phone: string, fields: Record<string, unknown>) => ({
      source_addr_ton: 1,
      source_addr: phone,
      destination_addr: SHORT_CODE,
      esm_class: 0x04,
      ...fields,
    });
    // Not final yet: acknowledged, nothing changes.
    const enroute = await smsc.deliver(
      receipt('79160000007', { receipted_message_id: firstId, message_state: 1, short_message: `id:${firstId}` }),
    );
    expect(enroute.command_status).toBe(0);
    expect((await reply('+79160000007')).status).toBe(SmsStatus.SENT);

    // SMPP 3.4 style: TLVs.
    const delivered = await smsc.deliver(
      receipt('79160000007', {
        receipted_message_id: firstId,
        message_state: 2,
        short_message: `id:${firstId} sub:001 dlvrd:001 submit date:2611231200 done date:2611231201 stat:DELIVRD err:000 text:Tollgate`,
      }),
    );
    expect(delivered.command_status).toBe(0);
    expect(await reply('+79160000007')).toMatchObject({ status: SmsStatus.DELIVERED, deliveredAt: expect.any(Date) });

    // Older SMSCs: only the text says which message and what happened.
    const failed = await smsc.deliver(
      receipt('79160000008', {
        short_message: `id:${secondId} sub:001 dlvrd:000 submit date:2611231200 done date:2611231201 stat:UNDELIV err:001 text:Tollgate`,
      }),
    );
    expect(failed.command_status).toBe(0);
    expect(await reply('+79160000008')).toMatchObject({ status: SmsStatus.FAILED, lastError: 'UNDELIV err:001' });

    // A receipt that overtook the record of its send: the SMSC is asked to deliver it again later.
    const early = await smsc.deliver(receipt('79160000009', { receipted_message_id: 'M999', message_state: 2 }));
    expect(early.command_status).toBe(smpp.errors.ESME_RX_T_APPN);

    // None of them became an inbound SMS.
    expect(await inbound({ fromNumber: '+79160000007' })).toHaveLength(1);
    expect(await inbound({ fromNumber: '+79160000009' })).toHaveLength(0);
  });

  it('encodes replies the SMSC reads unambiguously, and rejects sends it refuses or cannot take', async () => {
    const client = await startBound();
    const send = (text: string, to = '+79160000010') =>
      client.channel.send({ id: 'sms_test', provider: PROVIDER, from: SHORT_CODE, to, text });

    await expect(send('Paid, thank you!')).resolves.toEqual({ providerMessageId: 'M1' });
    await expect(send('Спасибо! $5 @ shop_1')).resolves.toEqual({ providerMessageId: 'M2' });
    const long = 'Tollgate: '.repeat(30);
    await expect(send(long)).resolves.toEqual({ providerMessageId: 'M3' });
    expect(smsc.submits.map((pdu) => [pdu.data_coding, pdu.short_message, pdu.message_payload])).toEqual([
      [1, { message: 'Paid, thank you!' }, undefined],
      [8, { message: 'Спасибо! $5 @ shop_1' }, undefined],
      [1, { message: '' }, { message: long }],
    ]);

    smsc.submitStatus = smpp.errors.ESME_RTHROTTLED;
    const throttled = await send('Again').catch((error: unknown) => error);
    expect(throttled).toBeInstanceOf(DeliveryError);
    expect(throttled).toMatchObject({
      message: expect.stringContaining('ESME_RTHROTTLED'),
      options: { permanent: false },
    });
    smsc.submitStatus = smpp.errors.ESME_RINVDSTADR;
    await expect(send('Again')).rejects.toMatchObject({ options: { permanent: true } });

    await client.stop();
    expect(registeredChannelFor(PROVIDER)).toBeNull();
    await expect(send('Too late')).rejects.toThrow(/not bound/);
  });

  it('reconnects after the SMSC drops the connection or unbinds, and keeps receiving', async () => {
    const client = await startBound({ maxBackoffMs: 5_000 });
    smsc.drop();
    await waitFor(() => expect(client.bound).toBe(false));
    await waitFor(() => expect(client.bound && smsc.binds.length === 2).toBe(true));
    expect((await smsc.deliver(mo('AFTER DROP', '79160000011'))).command_status).toBe(0);

    const unbind = await smsc.request('unbind');
    expect(unbind).toMatchObject({ command: 'unbind_resp', command_status: 0 });
    await waitFor(() => expect(client.bound && smsc.binds.length === 3).toBe(true));
    expect((await smsc.deliver(mo('AFTER UNBIND', '79160000011'))).command_status).toBe(0);

    expect((await inbound({ fromNumber: '+79160000011' })).map((sms) => sms.text)).toEqual([
      'AFTER DROP',
      'AFTER UNBIND',
    ]);
    // Binds that drop soon after they were made don't reset the backoff: an SMSC that takes binds and drops them
    // at once is not hammered.
    expect(logs.filter((line) => line.includes('reconnecting'))).toEqual([
      'warn: link down; reconnecting in 20 ms',
      'warn: link down; reconnecting in 40 ms',
    ]);
    expect(logs).toContain('warn: the SMSC unbound');
  });

  it('reports a refused bind and retries with exponential backoff until the SMSC accepts', async () => {
    const client = start({ url: smsc.url('wrong-pw') });
    await waitFor(() => expect(smsc.binds.length).toBeGreaterThanOrEqual(4));
    expect(client.bound).toBe(false);
    expect(smsc.binds.every((bind) => !bind.accepted && bind.password === 'wrong-pw')).toBe(true);
    expect(logs).toContain('error: bind_transceiver refused by the SMSC: ESME_RINVPASWD (0x0e)');
    const delays = logs.flatMap((line) => /reconnecting in (\d+) ms/.exec(line)?.[1] ?? []).map(Number);
    expect(delays.slice(0, 3)).toEqual([20, 40, 80]);

    smsc.password = 'wrong-pw'; // the SMSC's operator fixes it: no restart needed
    await waitFor(() => expect(client.bound).toBe(true));
    expect((await smsc.deliver(mo('FINALLY', '79160000012'))).command_status).toBe(0);
  });

  it('keeps the link alive with enquire_link and drops a link whose SMSC stops answering', async () => {
    const client = await startBound({ enquireLinkMs: 30, responseTimeoutMs: 300 });
    await waitFor(() => expect(smsc.enquireLinks).toBeGreaterThanOrEqual(2));
    expect(await smsc.request('enquire_link')).toMatchObject({ command: 'enquire_link_resp', command_status: 0 });

    smsc.mute = true;
    await waitFor(() => expect(smsc.binds.length).toBe(2));
    smsc.mute = false;
    await waitFor(() => expect(client.bound).toBe(true));
    expect(logs).toContain('warn: enquire_link: no response from the SMSC in 300 ms; dropping the link');
  });

  it('stops cleanly: SMS already received are stored and acknowledged, then it unbinds and stays away', async () => {
    const client = await startBound({
      receive: async (pipelineDeps, sms) => {
        await sleep(100);
        return receiveInboundSms(pipelineDeps, sms);
      },
    });
    const answer = smsc.deliver(mo('JUST BEFORE STOP', '79160000013'));
    await sleep(20); // the SMS is being stored
    await client.stop();
    expect((await answer).command_status).toBe(0);
    expect(await inbound({ fromNumber: '+79160000013' })).toHaveLength(1);
    expect(smsc.unbinds).toBe(1);
    await waitFor(() => expect(smsc.openSessions()).toBe(0));
    await sleep(100);
    expect(smsc.binds).toHaveLength(1);
    expect(client.bound).toBe(false);
    expect(logs).toContain('info: unbound and closed');
  });

  it('starts from SMPP_URL through the module worker hook, and only then', async () => {
    expect(loadConfig({})).toMatchObject({ smppUrl: null, smppDefaultCountry: null, smppOperator: null });
    const env = { SMPP_URL: smsc.url(), SMPP_DEFAULT_COUNTRY: 'ru', SMPP_OPERATOR: 'MTS' };
    expect(loadConfig(env)).toMatchObject({ smppUrl: smsc.url(), smppDefaultCountry: 'RU', smppOperator: 'MTS' });
    for (const [bad, variable] of [
      [{ SMPP_URL: smsc.url() }, 'SMPP_DEFAULT_COUNTRY'],
      [{ ...env, SMPP_DEFAULT_COUNTRY: 'Russia' }, 'SMPP_DEFAULT_COUNTRY'],
      [{ ...env, SMPP_URL: 'http://smsc:2775' }, 'SMPP_URL'],
      [{ ...env, SMPP_URL: 'smpp://smsc:2775' }, 'SMPP_URL'],
    ] as const) {
      expect(() => loadConfig(bad)).toThrow(ConfigError);
      expect(() => loadConfig(bad)).toThrow(new RegExp(`^${variable}: `));
    }

    const idle = smppModule.startWorkers!(deps());
    await idle.stop();
    expect(smsc.binds).toHaveLength(0);

    const config = { ...t.app.config, smppUrl: smsc.url(), smppDefaultCountry: 'RU', smppOperator: null };
    const worker = smppModule.startWorkers!({ ...deps(), config });
    await waitFor(() => expect(smsc.binds).toEqual([{ systemId: SYSTEM_ID, password: PASSWORD, accepted: true }]));
    await waitFor(() => expect(registeredChannelFor(PROVIDER)).not.toBeNull());
    await worker.stop();
    // The SMSC records the unbind as it reads it: wait for it rather than race the socket.
    await waitFor(() => expect(smsc.unbinds).toBe(1));
    expect(registeredChannelFor(PROVIDER)).toBeNull();
  });
});
