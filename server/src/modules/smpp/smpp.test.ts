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
import { Payment, PaymentStatus, SuspenseItem, SuspenseReason } from '../payment';
import { smppModule, sweepSmppParts } from './index';
import { startSmppClient, type SmppClient, type SmppClientOptions } from './smpp.client';
import { SmppPart } from './smpp.entity';

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
  /** The latest bind, or the `index`th one still open (0: the oldest). */
  const current = (index = -1) => {
    const session = [...bound].at(index);
    if (!session) throw new Error('no client is bound');
    return session;
  };
  /** Sends a request to the bound client (or the `bind`th bind); resolves with its response. */
  const request = (
    command: 'deliver_sm' | 'data_sm' | 'unbind' | 'enquire_link',
    params: Record<string, unknown> = {},
    bind = -1,
  ) =>
    new Promise<smpp.PDU>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${command}_resp`)), 5_000);
      current(bind)[command](params, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  return Object.assign(state, {
    url: (password = PASSWORD) => `smpp://${SYSTEM_ID}:${password}@127.0.0.1:${port}`,
    openSessions: () => server.sessions.length,
    deliver: (params: Record<string, unknown>, bind = -1) => request('deliver_sm', params, bind),
    openBinds: () => bound.size,
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

/** One part of a concatenated SMS from a Russian phone, its UDH as given (the library sets esm_class 0x40). */
function part(phone: string, text: string, udh: Buffer, extra: Record<string, unknown> = {}) {
  return mo('', phone, { short_message: { udh, message: text }, ...extra });
}
/** Concatenation UDH with an 8-bit reference (IEI 0x00) and with a 16-bit one (IEI 0x08). */
const udh8 = (reference: number, total: number, seq: number) => Buffer.from([0x05, 0x00, 0x03, reference, total, seq]);
const udh16 = (reference: number, total: number, seq: number) =>
  Buffer.from([0x06, 0x08, 0x04, reference >> 8, reference & 0xff, total, seq]);

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

  async function newPayment(amount: string): Promise<{ id: string; reference: string }> {
    const created = await t.gql(
      `mutation($input: CreatePaymentInput!) {
        createPayment(input: $input) { payment { id reference } userErrors { code } }
      }`,
      { input: { amount, currency: 'USD', description: 'Paid over SMPP' } },
      await t.ownerAuth(),
    );
    return created.data!.createPayment.payment;
  }
  const paymentRow = (id: string) => t.orm.em.fork().findOneOrFail(Payment, id);
  const sentTo = (address: string) => smsc.submits.filter((pdu) => pdu.destination_addr === address);

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

  it('answers data_sm with data_sm_resp once the SMS it carries (message_payload) is stored', async () => {
    const payment = await newPayment('5.00');
    await startBound();
    const sms = {
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '79160000020',
      destination_addr: SHORT_CODE,
      message_payload: `pay ${payment.reference}`,
    };
    const response = await smsc.request('data_sm', sms);
    expect(response).toMatchObject({ command: 'data_sm_resp', command_status: 0 });
    expect(await inbound({ fromNumber: '+79160000020' })).toMatchObject([
      { text: `pay ${payment.reference}`, status: SmsStatus.COUNTED, paymentId: payment.id },
    ]);
    expect((await paymentRow(payment.id)).amountReceived).toBe(45n);
    // Delivered again: answered, counted once.
    expect((await smsc.request('data_sm', sms)).command_status).toBe(0);
    expect(await inbound({ fromNumber: '+79160000020' })).toHaveLength(1);
    // One the pipeline refuses is answered with the error, in a data_sm_resp too.
    const refused = await smsc.request('data_sm', { ...sms, destination_addr: 'SHOP' });
    expect(refused).toMatchObject({ command: 'data_sm_resp', command_status: smpp.errors.ESME_RX_P_APPN });
  });

  it('reads national and unknown-TON senders as numbers of SMPP_DEFAULT_COUNTRY, in international form', async () => {
    const payment = await newPayment('5.00');
    await startBound({ country: 'BG', operator: null });
    const bg = (address: string, ton: number, text: string) => ({
      source_addr_ton: ton,
      source_addr_npi: 1,
      source_addr: address,
      destination_addr: '1096',
      short_message: text,
    });
    // TON 2 (national), as the independent SMSC sent it: counted, not refused.
    expect((await smsc.deliver(bg('0888100009', 2, `pay ${payment.reference}`))).command_status).toBe(0);
    expect(await inbound({ fromNumber: '+359888100009' })).toMatchObject([
      { status: SmsStatus.COUNTED, paymentId: payment.id, country: 'BG' },
    ]);
    expect((await paymentRow(payment.id)).payerPhone).toBe('+359888100009');
    // TON 0 (unknown): national when it reads as such, else international digits.
    expect((await smsc.deliver(bg('0888100010', 0, 'HELLO'))).command_status).toBe(0);
    expect((await smsc.deliver(bg('359888100011', 0, 'HELLO'))).command_status).toBe(0);
    expect(await inbound({ fromNumber: '+359888100010' })).toHaveLength(1);
    expect(await inbound({ fromNumber: '+359888100011' })).toHaveLength(1);
  });

  it('keeps an SMS whose sender it cannot read, in suspense with no reply, rather than refusing it', async () => {
    const payment = await newPayment('5.00');
    await startBound();
    const senders: [number, number, string][] = [
      [5, 0, 'PROMO'], // alphanumeric
      [1, 1, '12'], // too short to be a number
      [1, 9, '79160000021'], // a private numbering plan
    ];
    for (const [ton, npi, address] of senders) {
      const pdu = { ...mo(`pay ${payment.reference}`, address), source_addr_ton: ton, source_addr_npi: npi };
      expect((await smsc.deliver(pdu)).command_status).toBe(0);
    }
    const kept = await t.orm.em.fork().find(SmsMessage, {
      direction: SmsDirection.IN,
      provider: PROVIDER,
      fromNumber: { $in: senders.map(([, , address]) => address) },
    });
    expect(kept.map((sms) => [sms.fromNumber, sms.status]).sort()).toEqual([
      ['12', SmsStatus.UNMATCHED],
      ['79160000021', SmsStatus.UNMATCHED],
      ['PROMO', SmsStatus.UNMATCHED],
    ]);
    const items = await t.orm.em.fork().find(SuspenseItem, { smsId: { $in: kept.map((sms) => sms.id) } });
    expect(items.map((item) => item.reason)).toEqual(Array(3).fill(SuspenseReason.UNREADABLE_PHONE));
    expect(items.every((item) => item.amountMinor === 45n)).toBe(true); // billed: its money waits in suspense
    expect((await paymentRow(payment.id)).amountReceived).toBe(0n);
    await drainOutbox(t.app.platform);
    expect(senders.flatMap(([, , address]) => sentTo(address))).toEqual([]);
  });

  it('reassembles a concatenated SMS from parts in any order, each acknowledged once stored', async () => {
    const payment = await newPayment('5.00');
    await startBound();
    const phone = '79160000030';
    const head = `pay ${payment.reference.slice(0, 4)}`;
    const tail = `${payment.reference.slice(4)} thanks`;
    const storedParts = () => t.orm.em.fork().count(SmppPart, { fromNumber: `+${phone}` });

    // Last part first (8-bit reference): stored by the time it is acknowledged, not an SMS yet.
    expect(await smsc.deliver(part(phone, tail, udh8(7, 2, 2)))).toMatchObject({ command_status: 0 });
    expect(await storedParts()).toBe(1);
    expect(await inbound({ fromNumber: `+${phone}` })).toHaveLength(0);
    // Delivered again (our answer was lost): still one part.
    expect((await smsc.deliver(part(phone, tail, udh8(7, 2, 2)))).command_status).toBe(0);
    expect(await storedParts()).toBe(1);

    expect((await smsc.deliver(part(phone, head, udh8(7, 2, 1)))).command_status).toBe(0);
    expect(await inbound({ fromNumber: `+${phone}` })).toMatchObject([
      { text: head + tail, status: SmsStatus.COUNTED, paymentId: payment.id },
    ]);
    // A part delivered again after its message went on: answered, nothing counted twice.
    expect((await smsc.deliver(part(phone, head, udh8(7, 2, 1)))).command_status).toBe(0);
    expect(await inbound({ fromNumber: `+${phone}` })).toHaveLength(1);
    expect((await paymentRow(payment.id)).amountReceived).toBe(45n);

    // 16-bit reference, UCS-2 text, three parts in the order 3, 1, 2.
    const other = await newPayment('5.00');
    const texts = ['Плащане ', other.reference, ' ✓'];
    for (const seq of [3, 1, 2]) {
      const pdu = part('79160000031', texts[seq - 1], udh16(0x1234, 3, seq), { data_coding: 8 });
      expect((await smsc.deliver(pdu)).command_status).toBe(0);
    }
    expect(await inbound({ fromNumber: '+79160000031' })).toMatchObject([
      { text: texts.join(''), status: SmsStatus.COUNTED, paymentId: other.id },
    ]);

    // sar_* TLVs instead of a UDH.
    const third = await newPayment('5.00');
    const sar = (seq: number, text: string) =>
      mo(text, '79160000032', { sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: seq });
    expect((await smsc.deliver(sar(2, third.reference.slice(3)))).command_status).toBe(0);
    expect((await smsc.deliver(sar(1, `pay ${third.reference.slice(0, 3)}`))).command_status).toBe(0);
    expect(await inbound({ fromNumber: '+79160000032' })).toMatchObject([
      { status: SmsStatus.COUNTED, paymentId: third.id },
    ]);

    // Each payer got one reply, about their payment: no "no payment matches" beside it.
    await drainOutbox(t.app.platform);
    for (const address of [phone, '79160000031', '79160000032']) {
      expect(sentTo(address).map((pdu) => (pdu.short_message as { message: string }).message)).toEqual([
        expect.stringMatching(/^Tollgate: received 0\.45 of 5\.00 USD/),
      ]);
    }
  });

  it('meets the parts of one SMS across binds and restarts: they wait in the database', async () => {
    const payment = await newPayment('5.00');
    const first = await startBound();
    await startBound(); // a second process, bound too
    await waitFor(() => expect(smsc.openBinds()).toBe(2));
    const phone = '79160000033';
    expect(
      (await smsc.deliver(part(phone, `pay ${payment.reference.slice(0, 5)}`, udh8(42, 2, 1)), 0)).command_status,
    ).toBe(0);
    await first.stop(); // the first process goes away; its part stays
    await waitFor(() => expect(smsc.openBinds()).toBe(1));
    expect((await smsc.deliver(part(phone, payment.reference.slice(5), udh8(42, 2, 2)))).command_status).toBe(0);
    expect(await inbound({ fromNumber: `+${phone}` })).toMatchObject([
      { text: `pay ${payment.reference}`, status: SmsStatus.COUNTED, paymentId: payment.id },
    ]);
  });

  it('passes on parts whose siblings never came after the timeout, each as its own SMS, once', async () => {
    await startBound();
    const phone = '79160000040';
    await smsc.deliver(part(phone, 'FIRST THIRD ', udh8(9, 3, 1)));
    await smsc.deliver(part(phone, 'LAST THIRD', udh8(9, 3, 3)));
    const settings = { partTimeoutMs: 120_000, redeliveryWindowMs: 600_000 };
    const minutesLater = (minutes: number) => new Date(Date.now() + minutes * 60_000);

    await sweepSmppParts(t.app.platform, settings);
    expect(await inbound({ fromNumber: `+${phone}` })).toHaveLength(0); // still waiting for part 2

    await sweepSmppParts(t.app.platform, { ...settings, now: minutesLater(3) });
    const passed = await inbound({ fromNumber: `+${phone}` });
    expect(passed.map((sms) => [sms.text, sms.status])).toEqual([
      ['FIRST THIRD ', SmsStatus.UNMATCHED],
      ['LAST THIRD', SmsStatus.UNMATCHED],
    ]);
    await sweepSmppParts(t.app.platform, { ...settings, now: minutesLater(4) });
    expect(await inbound({ fromNumber: `+${phone}` })).toHaveLength(2);
    // Within the redelivery window a part delivered again is recognised; after it, the parts are forgotten.
    expect((await smsc.deliver(part(phone, 'LAST THIRD', udh8(9, 3, 3)))).command_status).toBe(0);
    expect(await t.orm.em.fork().count(SmppPart, { fromNumber: `+${phone}` })).toBe(2);
    await sweepSmppParts(t.app.platform, { ...settings, now: minutesLater(14) });
    expect(await t.orm.em.fork().count(SmppPart, { fromNumber: `+${phone}` })).toBe(0);
    expect(await inbound({ fromNumber: `+${phone}` })).toHaveLength(2);
  });

  it('counts the same text from the same phone again once the redelivery window has passed', async () => {
    const payment = await newPayment('0.90'); // two SMS of $0.45
    await startBound();
    const pdu = mo(`pay ${payment.reference}`, '79160000050');
    const rows = () => inbound({ fromNumber: '+79160000050' });
    expect((await smsc.deliver(pdu)).command_status).toBe(0);
    expect((await smsc.deliver(pdu)).command_status).toBe(0); // a redelivery: within the window
    expect(await rows()).toHaveLength(1);
    expect((await paymentRow(payment.id)).amountReceived).toBe(45n);

    // Ten minutes on (the default window), the payer sends the same text again: a second SMS, billed and counted.
    await t.orm.em
      .fork()
      .nativeUpdate(SmsMessage, { fromNumber: '+79160000050' }, { createdAt: new Date(Date.now() - 601_000) });
    expect((await smsc.deliver(pdu)).command_status).toBe(0);
    expect((await smsc.deliver(pdu)).command_status).toBe(0); // and its own redelivery counts once
    const [first, second] = await rows();
    expect(await rows()).toHaveLength(2);
    expect(second.providerMessageId).toBe(`${first.providerMessageId}#2`);
    expect(await paymentRow(payment.id)).toMatchObject({ amountReceived: 90n, status: PaymentStatus.PAID });

    // A shorter window is the operator's choice.
    await startBound({ redeliveryWindowMs: 0 });
    const again = mo('SAME AGAIN', '79160000051');
    await smsc.deliver(again);
    await smsc.deliver(again);
    expect(await inbound({ fromNumber: '+79160000051' })).toHaveLength(2);
  });

  it('starts from SMPP_URL through the module worker hook, and only then', async () => {
    expect(loadConfig({})).toMatchObject({ smppUrl: null, smppDefaultCountry: null, smppOperator: null });
    const env = { SMPP_URL: smsc.url(), SMPP_DEFAULT_COUNTRY: 'ru', SMPP_OPERATOR: 'MTS' };
    expect(loadConfig(env)).toMatchObject({
      smppUrl: smsc.url(),
      smppDefaultCountry: 'RU',
      smppOperator: 'MTS',
      smppRedeliveryWindowSeconds: 600,
      smppPartTimeoutSeconds: 120,
    });
    expect(loadConfig({ ...env, SMPP_REDELIVERY_WINDOW_SECONDS: '60', SMPP_PART_TIMEOUT_SECONDS: '30' })).toMatchObject(
      { smppRedeliveryWindowSeconds: 60, smppPartTimeoutSeconds: 30 },
    );
    for (const [bad, variable] of [
      [{ SMPP_URL: smsc.url() }, 'SMPP_DEFAULT_COUNTRY'],
      [{ ...env, SMPP_DEFAULT_COUNTRY: 'Russia' }, 'SMPP_DEFAULT_COUNTRY'],
      [{ ...env, SMPP_URL: 'http://smsc:2775' }, 'SMPP_URL'],
      [{ ...env, SMPP_URL: 'smpp://smsc:2775' }, 'SMPP_URL'],
      [{ ...env, SMPP_REDELIVERY_WINDOW_SECONDS: 'ten minutes' }, 'SMPP_REDELIVERY_WINDOW_SECONDS'],
      [{ ...env, SMPP_PART_TIMEOUT_SECONDS: '0' }, 'SMPP_PART_TIMEOUT_SECONDS'],
    ] as const) {
      expect(() => loadConfig(bad)).toThrow(ConfigError);
      expect(() => loadConfig(bad)).toThrow(new RegExp(`^${variable}: `));
    }

    const idle = smppModule.startWorkers!(deps());
    await idle.stop();
    expect(smsc.binds).toHaveLength(0);

    const config = {
      ...t.app.config,
      smppUrl: smsc.url(),
      smppDefaultCountry: 'RU',
      smppOperator: null,
      smppPartTimeoutSeconds: 1,
    };
    const worker = smppModule.startWorkers!({ ...deps(), config });
    await waitFor(() => expect(smsc.binds).toEqual([{ systemId: SYSTEM_ID, password: PASSWORD, accepted: true }]));
    await waitFor(() => expect(registeredChannelFor(PROVIDER)).not.toBeNull());
    // Its sweep passes on a part whose sibling never comes, once the part timeout has passed.
    expect((await smsc.deliver(part('79160000060', 'ALONE', udh8(3, 2, 1)))).command_status).toBe(0);
    await vi.waitFor(
      async () => expect(await inbound({ fromNumber: '+79160000060' })).toMatchObject([{ text: 'ALONE' }]),
      { timeout: 10_000, interval: 100 },
    );
    await worker.stop();
    // The SMSC records the unbind as it reads it: wait for it rather than race the socket.
    await waitFor(() => expect(smsc.unbinds).toBe(1));
    expect(registeredChannelFor(PROVIDER)).toBeNull();
  });
});
