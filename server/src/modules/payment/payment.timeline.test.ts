import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { describeByPurpose } from '../ledger/ledger.describe';
import { LedgerAccountPurpose, LedgerTransferKind } from '../ledger/ledger.entity';
import { drainOutbox } from '../outbox/outbox.service';

/*
 * A payment's timeline and its ledger rows' descriptions, through the API. Demo tariffs: BG 1092 $0.67 (the
 * merchant's yield 0.33), so a 0.33 USD top-up is paid by one SMS to 1092.
 */

interface TimelineEntry {
  at: string;
  kind: string;
  title: string;
  detail: string | null;
  outcome: string | null;
  transferId: string | null;
}

describe('payment timeline and ledger descriptions', () => {
  let t: TestApp;
  let owner: Auth;
  let receiver: http.Server;
  let answer = 200;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answer).end('ok'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const created = await t.gql(
      `mutation($input: CreateWebhookEndpointInput!) {
        createWebhookEndpoint(input: $input) { secret userErrors { message } } }`,
      {
        input: {
          url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`,
          eventTypes: ['payment.paid'],
        },
      },
      owner,
    );
    expect(created.data!.createWebhookEndpoint.userErrors).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  async function newPayment(amount: string) {
    const result = await t.gql(
      `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id reference } } }`,
      { input: { amount, currency: 'USD', description: 'Timeline test' } },
      owner,
    );
    return result.data!.createPayment.payment as { id: string; reference: string };
  }

  async function sms(from: string, text: string) {
    const result = await t.gql(
      `mutation($input: SimulateInboundSmsInput!) {
        simulateInboundSms(input: $input) { sms { id status } userErrors { message } } }`,
      { input: { country: 'BG', from, to: '1092', text } },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.simulateInboundSms.sms as { id: string; status: string };
  }

  async function timeline(id: string) {
    const result = await t.gql(
      `query($id: ID!) { payment(id: $id) {
        status transfers { id description }
        timeline { at kind title detail outcome transferId } } }`,
      { id },
      owner,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.payment as {
      status: string;
      transfers: { id: string; description: string }[];
      timeline: TimelineEntry[];
    };
  }

  it('tells a paid SMS payment: created, the SMS with its transfer, paid, the webhook delivered, in order', async () => {
    const payment = await newPayment('0.33');
    await sms('+359888700001', payment.reference);
    await drainOutbox(t.app.platform);

    const { status, transfers, timeline: entries } = await timeline(payment.id);
    expect(status).toBe('PAID');
    const kinds = entries.map((entry) => entry.kind);
    expect(kinds.indexOf('CREATED')).toBe(0);
    expect(kinds.indexOf('SMS_COUNTED')).toBeGreaterThan(kinds.indexOf('CREATED'));
    expect(kinds.indexOf('PAID')).toBeGreaterThan(kinds.indexOf('SMS_COUNTED'));
    expect(kinds.indexOf('WEBHOOK')).toBeGreaterThan(kinds.indexOf('PAID'));
    const times = entries.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const counted = entries.find((entry) => entry.kind === 'SMS_COUNTED')!;
    expect(counted.title).toBe('SMS from +359******001 to 1092 (BG) counted: 0.33');
    expect(transfers.map((transfer) => transfer.id)).toContain(counted.transferId);
    const webhook = entries.find((entry) => entry.kind === 'WEBHOOK')!;
    expect(webhook).toMatchObject({ outcome: 'DELIVERED' });
    expect(webhook.title).toMatch(/^Webhook payment\.paid to http:\/\/127\.0\.0\.1:\d+\/hooks: delivered$/);
    // Every transfer of the payment is on the timeline, told once.
    const linked = entries.map((entry) => entry.transferId).filter(Boolean);
    expect([...linked].sort()).toEqual(transfers.map((transfer) => transfer.id).sort());
  });

  it('shows an SMS after the payment closed as not counted, and a webhook the endpoint refuses as waiting', async () => {
    answer = 500;
    const payment = await newPayment('0.33');
    await sms('+359888700002', payment.reference);
    await sms('+359888700002', payment.reference);
    await drainOutbox(t.app.platform);
    answer = 200;

    const { timeline: entries } = await timeline(payment.id);
    const late = entries.find((entry) => entry.kind === 'SMS_NOT_COUNTED')!;
    expect(late.title).toBe('SMS from +359******002 to 1092 (BG) not counted');
    expect(late.detail).toMatch(/payer’s credit/);
    // Its money moved all the same (the payer's credit, not the payment's): linked to its transfer.
    expect(late.transferId).toMatch(/^ltr_/);
    const webhook = entries.find((entry) => entry.kind === 'WEBHOOK')!;
    expect(webhook.outcome).toBe('WAITING');
    expect(webhook.detail).toMatch(/HTTP 500/);
  });

  it('gives an expired payment its expiry, and a cancelled one its cancellation', async () => {
    const payment = await newPayment('1.00');
    await t.gql(
      `mutation($input: CancelPaymentInput!) { cancelPayment(input: $input) { userErrors { message } } }`,
      { input: { id: payment.id } },
      owner,
    );
    const { timeline: entries } = await timeline(payment.id);
    expect(entries.map((entry) => entry.kind)).toEqual(['CREATED', 'CANCELLED']);
  });

  it('describes ledger rows in plain words and links them to their payment', async () => {
    const payment = await newPayment('0.33');
    await sms('+359888700003', payment.reference);
    const result = await t.gql(
      `{ ledgerEntries(first: 50) { edges { node { transferId description paymentId } } } }`,
      {},
      owner,
    );
    expect(result.errors).toBeUndefined();
    const rows = (
      result.data!.ledgerEntries.edges as { node: { transferId: string; description: string; paymentId: string } }[]
    ).map((edge) => edge.node);
    const smsRow = rows.find((row) => row.description.startsWith('SMS from +359******003'))!;
    expect(smsRow).toMatchObject({
      description: `SMS from +359******003 to 1092 (BG) for payment ${payment.reference}`,
      paymentId: payment.id,
    });
    const transfer = await t.gql(
      `query($id: ID!) { ledgerTransfer(id: $id) { summary paymentId } }`,
      { id: smsRow.transferId },
      owner,
    );
    expect(transfer.data!.ledgerTransfer).toEqual({ summary: smsRow.description, paymentId: payment.id });
  });

  it('gives a transfer posted without words a description from what it does', () => {
    const fee = describeByPurpose(LedgerTransferKind.TRANSFER, [
      { purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE, amount: -50n },
      { purpose: LedgerAccountPurpose.PLATFORM_FEES, amount: 50n },
    ]);
    expect(fee).toBe('Fee');
    const payout = describeByPurpose(LedgerTransferKind.TRANSFER, [
      { purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE, amount: -500n },
      { purpose: LedgerAccountPurpose.PAYOUT_CLEARING, amount: 500n },
    ]);
    expect(payout).toBe('Payout');
    expect(describeByPurpose(LedgerTransferKind.VOID, [])).toBe('Hold released');
  });
});
