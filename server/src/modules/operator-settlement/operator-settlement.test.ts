import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { LedgerAccountPurpose } from '../ledger';
import { ledgerAccount, transfer, transferByKey } from '../ledger/ledger.service';
import { Payment } from '../payment';
import { SmsMessage } from '../sms';
import { WebhookEvent } from '../webhook/webhook-event.entity';

describe('operator settlement', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  let phone = 0;

  const gql = async (query: string, variables: Record<string, unknown>, auth: Auth = {}) => {
    const result = await t.gql(query, variables, auth);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const balance = async (purpose: LedgerAccountPurpose) => {
    const account = await ledgerAccount(t.orm.em.fork(), { merchantId: t.demo.merchantId, currency: 'USD', purpose });
    const [row] = await t.orm.em
      .fork()
      .getConnection()
      .execute('select balance from ledger_account where id = ?', [account.id]);
    return BigInt(row.balance);
  };
  /** A payment of `amount` and one SMS to 1094 (1.33 USD) with the aggregator's message id. */
  const paidBySms = async (amount: string, messageId: string) => {
    const payment = (
      await gql(
        `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id reference } } }`,
        { input: { amount, currency: 'USD', description: 'Operator settlement test' } },
        owner,
      )
    ).createPayment.payment;
    const sms = (
      await gql(
        `mutation($input: SimulateInboundSmsInput!) { simulateInboundSms(input: $input) { sms { id status } userErrors { message } } }`,
        {
          input: {
            from: `+3598883${String(++phone).padStart(4, '0')}`,
            to: '1094',
            text: payment.reference,
            country: 'BG',
            messageId,
          },
        },
      )
    ).simulateInboundSms.sms;
    expect(sms.status).toBe('COUNTED');
    return { paymentId: payment.id as string, smsId: sms.id as string };
  };
  const LINE = 'messageId smsId billed outcome amount { amount } expected { amount } reversed { amount } message';
  const importReport = (csv: string, month = '2026-11', auth = admin) =>
    t.gql(
      `mutation($input: ImportOperatorSettlementInput!) {
        importOperatorSettlement(input: $input) { lines { ${LINE} } userErrors { code field message } } }`,
      { input: { operator: 'Yettel BG', month, csv } },
      auth,
    );

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reconciles a report per SMS: billed, amounts that differ, unbilled reversed once (into the receivable), unknown ids', async () => {
    const billed = await paidBySms('0.66', 'yettel-0001');
    const differs = await paidBySms('0.66', 'yettel-0002');
    const unbilled = await paidBySms('0.66', 'yettel-0003');
    const open = await paidBySms('5.00', 'yettel-0004');
    expect((await t.orm.em.fork().findOneOrFail(Payment, billed.paymentId)).status).toBe('PAID');
    expect((await t.orm.em.fork().findOneOrFail(Payment, open.paymentId)).status).toBe('PARTIALLY_PAID');
    const sms = await t.orm.em.fork().findOneOrFail(SmsMessage, unbilled.smsId);
    const expected = sms.priceUsdMinor! - sms.operatorShareUsdMinor!;
    const merchantPart = sms.yieldUsdMinor!;
    const money = (minor: bigint) => (Number(minor) / 100).toFixed(2);

    // The merchant has since spent its balance but 0.10: the rest of the reversal will be owed.
    const available = await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE);
    const em = t.orm.em.fork();
    await em.transactional(async (tx) => {
      const from = await ledgerAccount(tx, {
        merchantId: t.demo.merchantId,
        currency: 'USD',
        purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE,
      });
      const world = await ledgerAccount(tx, { merchantId: null, currency: 'USD', purpose: LedgerAccountPurpose.WORLD });
      await transfer(tx, {
        ownerId: t.demo.merchantId,
        idempotencyKey: 'test-spend-usd',
        currency: 'USD',
        entries: [
          { accountId: from.id, amount: -(available - 10n) },
          { accountId: world.id, amount: available - 10n },
        ],
        paymentId: null,
        description: 'paid out by hand (test)',
      });
    });
    const receivableBefore = await balance(LedgerAccountPurpose.MERCHANT_RECEIVABLE);

    const csv = [
      'message_id,billed,amount,currency',
      `yettel-0001,yes,${money(expected)},USD`,
      'yettel-0002,yes,0.50,USD',
      'yettel-0003,no,0.00,USD',
      'yettel-0003,no,0.00,USD',
      'yettel-0004,no,0.00,USD',
      'yettel-9999,yes,1.00,USD',
      'yettel-0005,maybe,1.00,USD',
    ].join('\n');
    const first = await importReport(csv);
    expect(first.errors).toBeUndefined();
    const lines = first.data!.importOperatorSettlement.lines;
    expect(lines.map((line: any) => [line.messageId, line.outcome])).toEqual([
      ['yettel-0001', 'BILLED'],
      ['yettel-0002', 'AMOUNT_DIFFERS'],
      ['yettel-0003', 'UNBILLED_REVERSED'],
      ['yettel-0003', 'DUPLICATE'],
      ['yettel-0004', 'UNBILLED_PAYMENT_OPEN'],
      ['yettel-9999', 'UNKNOWN_MESSAGE'],
      ['yettel-0005', 'INVALID_LINE'],
    ]);
    expect(lines[1]).toMatchObject({ amount: { amount: '0.50' }, expected: { amount: money(expected) } });
    expect(lines[2]).toMatchObject({ smsId: unbilled.smsId, billed: false, reversed: { amount: money(merchantPart) } });

    // The merchant's part came out of its available 0.10 first; the rest is owed.
    expect(await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).toBe(0n);
    expect(await balance(LedgerAccountPurpose.MERCHANT_RECEIVABLE)).toBe(receivableBefore - (merchantPart - 10n));
    const reversal = await transferByKey(t.orm.em.fork(), t.demo.merchantId, `sms-unbilled:${unbilled.smsId}`);
    const leg = (purpose: LedgerAccountPurpose) =>
      reversal!.entries.filter((entry) => entry.purpose === purpose).reduce((sum, entry) => sum + entry.amount, 0n);
    expect(leg(LedgerAccountPurpose.WORLD)).toBe(sms.priceUsdMinor);
    expect(leg(LedgerAccountPurpose.OPERATOR_SHARE)).toBe(-sms.operatorShareUsdMinor!);
    expect(leg(LedgerAccountPurpose.PLATFORM_FEES)).toBe(-sms.platformFeeUsdMinor!);
    const events = await t.orm.em.fork().find(WebhookEvent, { type: 'sms.unbilled' });
    expect(events.map((event) => event.data)).toEqual([
      {
        smsId: unbilled.smsId,
        paymentId: unbilled.paymentId,
        operator: 'Yettel BG',
        month: '2026-11',
        amount: money(merchantPart),
        receivable: money(merchantPart - 10n),
        currency: 'USD',
      },
    ]);

    // The same report again reverses nothing twice.
    const again = (await importReport(csv)).data!.importOperatorSettlement.lines;
    expect(again[2]).toMatchObject({ outcome: 'ALREADY_REVERSED', reversed: { amount: money(merchantPart) } });
    expect(await balance(LedgerAccountPurpose.MERCHANT_RECEIVABLE)).toBe(receivableBefore - (merchantPart - 10n));
    expect(await t.orm.em.fork().count(WebhookEvent, { type: 'sms.unbilled' })).toBe(1);

    const report = (
      await gql(
        `query { operatorSettlementReport(operator: "Yettel BG", month: "2026-11") {
          operator month billedCount billedAmount { amount currency } expectedAmount { amount }
          unbilledCount reversedAmount { amount } differingCount difference { amount } unknownIds
          lines { messageId outcome } } }`,
        {},
        admin,
      )
    ).operatorSettlementReport;
    expect(report).toMatchObject({
      operator: 'Yettel BG',
      month: '2026-11',
      billedCount: 2,
      billedAmount: { amount: money(expected + 50n), currency: 'USD' },
      expectedAmount: { amount: money(expected * 2n) },
      unbilledCount: 2,
      reversedAmount: { amount: money(merchantPart) },
      differingCount: 1,
      difference: { amount: money(50n - expected) },
      unknownIds: ['yettel-9999'],
    });
    expect(report.lines).toHaveLength(5);
    void differs;

    // Once the partly paid payment is cancelled, its unbilled SMS comes back out of the merchant's pending money.
    const cancelled = await gql(
      `mutation($input: CancelPaymentInput!) { cancelPayment(input: $input) { payment { status } userErrors { message } } }`,
      { input: { id: open.paymentId } },
      owner,
    );
    expect(cancelled.cancelPayment.payment.status).toBe('CANCELLED');
    const pendingBefore = await balance(LedgerAccountPurpose.MERCHANT_PENDING);
    const later = (await importReport('message_id,billed,amount\nyettel-0004,no,0.00\n')).data!.importOperatorSettlement
      .lines;
    expect(later).toMatchObject([{ outcome: 'UNBILLED_REVERSED', reversed: { amount: money(merchantPart) } }]);
    expect(await balance(LedgerAccountPurpose.MERCHANT_PENDING)).toBe(pendingBefore - merchantPart);
    expect(await balance(LedgerAccountPurpose.MERCHANT_RECEIVABLE)).toBe(receivableBefore - (merchantPart - 10n));
    const month = (
      await gql(
        `query { operatorSettlementReport(operator: "Yettel BG", month: "2026-11") { unbilledCount reversedAmount { amount } } }`,
        {},
        admin,
      )
    ).operatorSettlementReport;
    expect(month).toEqual({ unbilledCount: 2, reversedAmount: { amount: money(merchantPart * 2n) } });
  });

  it('checks the month, the operator and the file, naming the field; only admins import', async () => {
    const badMonth = (await importReport('message_id,billed,amount\n', '2026-13')).data!.importOperatorSettlement;
    expect(badMonth.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'month'] });
    const noHeader = (await importReport('id,paid\nx,1\n')).data!.importOperatorSettlement;
    expect(noHeader.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'csv'] });
    const byOwner = await importReport('message_id,billed,amount\n', '2026-11', owner);
    expect(byOwner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const report = await t.gql(`{ operatorSettlementReport(operator: "x", month: "May") { billedCount } }`, {}, admin);
    expect(report.errors?.[0]).toMatchObject({
      message: 'month: a month as YYYY-MM, e.g. 2026-11',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
