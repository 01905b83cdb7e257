import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardPayment, newKey, payWith, REFUND } from '../../../test/cards';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { startSmtpListener } from '../../../test/smtp-listener';
import { TestCardScenario, testCard } from '../card/test-cards';
import { balances } from '../ledger';
import { drainOutbox } from '../outbox/outbox.service';
import { payPrepaidBlock } from '../payment';
import { CSV_COLUMNS } from './statement.render';
import { STATEMENT_PURPOSES } from './statement.service';

const STATEMENT = `query($merchantId: ID, $currency: String!, $from: String!, $to: String!) {
  statement(merchantId: $merchantId, currency: $currency, from: $from, to: $to) {
    merchantId merchantName currency from to
    openingBalance { amount currency } credits { amount } creditsByProduct { product amount { amount } count }
    fees { amount } refunds { amount } chargebacks { amount } payouts { amount } adjustments { amount }
    closingBalance { amount }
    lines { at transferId type product description gross { amount } fee { amount } net { amount } balance { amount } }
    csvUrl pdfUrl linksExpireAt
  }
}`;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const minor = (amount: string) => BigInt(amount.replace('.', ''));

describe('statements', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let owner: Auth;
  let admin: Auth;

  const gql = async (query: string, variables: Record<string, unknown>, auth: Auth) => {
    const result = await t.gql(query, variables, auth);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const statement = async (from: string, to: string, auth: Auth = owner, merchantId: string | null = null) =>
    (await gql(STATEMENT, { merchantId, currency: 'EUR', from, to }, auth)).statement;
  /** What the ledger holds for the merchant in EUR: its statement accounts' posted balances. */
  const ledgerBalance = async () =>
    (await balances(t.orm.em.fork(), t.demo.merchantId))
      .filter((b) => b.currency === 'EUR' && STATEMENT_PURPOSES.includes(b.purpose))
      .reduce((sum, b) => sum + b.posted, 0n);

  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await startTestApp({ SMTP_URL: smtp.url, PAYOUT_COOL_OFF_HOURS: '0', RATE_LIMIT_SCALE: '10' });
    owner = await t.ownerAuth();
    admin = await t.adminAuth();

    // Money in: a prepaid voucher block (100.00), a card payment (10.00, the default plan's fee), a part refund.
    await t.orm.em.fork().transactional((tx) =>
      payPrepaidBlock(tx, {
        blockId: 'statement-funding',
        merchantId: t.demo.merchantId,
        currency: 'EUR',
        amountMinor: 10_000n,
        description: 'prepaid vouchers',
      }),
    );
    const card = await createCardPayment(t, owner, { amount: '10.00', currency: 'EUR' });
    const paid = await payWith(t, card.pageToken, testCard(TestCardScenario.APPROVE));
    expect(paid.payment.status).toBe('PAID');
    const refunded = await t.gql(
      REFUND,
      { input: { paymentId: card.payment.id, amount: '2.00', idempotencyKey: newKey('refund') } },
      owner,
    );
    expect(refunded.data!.refundCardPayment.userErrors).toEqual([]);

    // An admin's goodwill credit of 5.00 (from the outside world): an adjustment.
    const adjusted = await gql(
      `mutation($input: CreateLedgerAdjustmentInput!) { createLedgerAdjustment(input: $input) { userErrors { code message } } }`,
      {
        input: {
          idempotencyKey: 'goodwill-1',
          merchantId: t.demo.merchantId,
          currency: 'EUR',
          description: 'Goodwill credit',
          entries: [
            { purpose: 'WORLD', amount: '-5.00' },
            { purpose: 'MERCHANT_AVAILABLE', merchantId: t.demo.merchantId, amount: '5.00' },
          ],
        },
      },
      admin,
    );
    expect(adjusted.createLedgerAdjustment.userErrors).toEqual([]);

    // Money out: a withdrawal of 20.00 confirmed by code, approved, batched and paid.
    const codeFor = async (id: string) => {
      await drainOutbox(t.app.platform);
      return smtp.lastCode(id)!;
    };
    const added = await gql(
      `mutation { addPayoutDestination(input: { kind: BANK_ACCOUNT, holderName: "Demo Shop", iban: "DE89370400440532013000", bic: "COBADEFFXXX" }) { destination { id } } }`,
      {},
      owner,
    );
    const destinationId = added.addPayoutDestination.destination.id as string;
    await gql(
      `mutation($id: ID!, $code: String!) { confirmPayoutDestination(input: { id: $id, code: $code }) { userErrors { code } } }`,
      { id: destinationId, code: await codeFor(destinationId) },
      owner,
    );
    const requested = await gql(
      `mutation($input: RequestWithdrawalInput!) { requestWithdrawal(input: $input) { withdrawal { id } userErrors { code message } } }`,
      { input: { destinationId, amount: '20.00', currency: 'EUR' } },
      owner,
    );
    const withdrawalId = requested.requestWithdrawal.withdrawal.id as string;
    await gql(
      `mutation($id: ID!, $code: String!) { confirmWithdrawal(input: { id: $id, code: $code }) { userErrors { code } } }`,
      { id: withdrawalId, code: await codeFor(withdrawalId) },
      owner,
    );
    await gql(
      `mutation { approveWithdrawals(input: { ids: ["${withdrawalId}"] }) { userErrors { code } } }`,
      {},
      admin,
    );
    await gql(
      `mutation { createPayoutBatch(input: { rail: SEPA, currency: "EUR" }) { userErrors { code } } }`,
      {},
      admin,
    );
    const paidOut = await gql(
      `mutation($id: ID!) { markWithdrawalPaid(input: { id: $id, reason: "bank statement line 1" }) { withdrawal { status } userErrors { code } } }`,
      { id: withdrawalId },
      admin,
    );
    expect(paidOut.markWithdrawalPaid.withdrawal.status).toBe('PAID');
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('adds up: opening + movements = closing = the ledger, with credits by product, fees, refunds and payouts', async () => {
    const today = await statement(day(-1), day(0));
    expect(today).toMatchObject({
      merchantId: t.demo.merchantId,
      currency: 'EUR',
      openingBalance: { amount: '0.00', currency: 'EUR' },
      credits: { amount: '110.00' },
      creditsByProduct: [
        { product: 'CARD', amount: { amount: '10.00' }, count: 1 },
        { product: 'VOUCHER', amount: { amount: '100.00' }, count: 1 },
      ],
      refunds: { amount: '-2.00' },
      chargebacks: { amount: '0.00' },
      payouts: { amount: '-20.00' },
      adjustments: { amount: '5.00' },
    });
    // The default plan takes a card fee; whatever it is, it shows as a negative fee on the card credit.
    const cardLine = today.lines.find((line: any) => line.product === 'CARD' && line.type === 'CREDIT');
    expect(minor(cardLine.fee.amount)).toBeLessThan(0n);
    expect(today.lines.reduce((total: bigint, line: any) => total + minor(line.fee.amount), 0n)).toBe(
      minor(today.fees.amount),
    );
    expect(today.lines.map((line: any) => line.type)).toEqual(['CREDIT', 'CREDIT', 'REFUND', 'ADJUSTMENT', 'PAYOUT']);

    const sum = (field: string) => minor(today[field].amount);
    const movements =
      sum('credits') + sum('fees') + sum('refunds') + sum('chargebacks') + sum('payouts') + sum('adjustments');
    expect(sum('openingBalance') + movements).toBe(sum('closingBalance'));
    expect(today.lines.reduce((total: bigint, line: any) => total + minor(line.net.amount), 0n)).toBe(movements);
    expect(minor(today.lines.at(-1).balance.amount)).toBe(sum('closingBalance'));
    expect(sum('closingBalance')).toBe(await ledgerBalance());

    // Before any money: empty; from tomorrow: opens where today closed.
    const before = await statement(day(-10), day(-2));
    expect(before).toMatchObject({ openingBalance: { amount: '0.00' }, closingBalance: { amount: '0.00' }, lines: [] });
    const after = await statement(day(1), day(2));
    expect(after.openingBalance.amount).toBe(today.closingBalance.amount);
    expect(after.lines).toEqual([]);
  });

  it('merchants see their own statements, admins any merchant’s; bad periods name their argument', async () => {
    const byAdmin = await statement(day(0), day(0), admin, t.demo.merchantId);
    expect(byAdmin.closingBalance.amount).toBe((await statement(day(0), day(0))).closingBalance.amount);
    const adminWithout = await t.gql(STATEMENT, { currency: 'EUR', from: day(0), to: day(0) }, admin);
    expect(adminWithout.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const other = await t.gql(
      STATEMENT,
      { merchantId: 'mer_someone_else', currency: 'EUR', from: day(0), to: day(0) },
      owner,
    );
    expect(other.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const anonymous = await t.gql(STATEMENT, { currency: 'EUR', from: day(0), to: day(0) });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    for (const [variables, field] of [
      [{ currency: 'EUR', from: '2026-02-30', to: day(0) }, 'from'],
      [{ currency: 'EUR', from: day(0), to: day(-1) }, 'to'],
      [{ currency: 'EUR', from: '2020-01-01', to: '2022-01-01' }, 'to'],
      [{ currency: 'XYZ', from: day(0), to: day(0) }, 'currency'],
    ] as const) {
      const refused = await t.gql(STATEMENT, variables, owner);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: [field] });
    }
  });

  it('downloads as CSV and PDF by its signed links (which cannot be altered) or with the session', async () => {
    const today = await statement(day(-1), day(0));
    const csvResponse = await fetch(`${t.url}${today.csvUrl}`);
    expect(csvResponse.status).toBe(200);
    expect(csvResponse.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csvResponse.headers.get('content-disposition')).toContain(`statement-${t.demo.merchantId}-EUR-`);
    const rows = parse<Record<string, string>>(await csvResponse.text(), { columns: true });
    expect(Object.keys(rows[0])).toEqual([...CSV_COLUMNS]);
    expect(rows[0]).toMatchObject({ type: 'OPENING_BALANCE', balance: '0.00', currency: 'EUR' });
    expect(rows.at(-1)).toMatchObject({ type: 'CLOSING_BALANCE', balance: today.closingBalance.amount });
    expect(rows.slice(1, -1).map((row) => [row.type, row.product, row.gross, row.net])).toEqual(
      today.lines.map((line: any) => [line.type, line.product ?? '', line.gross.amount, line.net.amount]),
    );

    const pdf = await fetch(`${t.url}${today.pdfUrl}`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.toString('latin1')).toContain(today.merchantName);

    // With the dashboard's session instead of a link; none is 401, another merchant's 404.
    const unsigned = `/statements/${t.demo.merchantId}/EUR.pdf?from=${day(-1)}&to=${day(0)}`;
    const bySession = await fetch(`${t.url}${unsigned}`, { headers: { cookie: owner.cookie! } });
    expect(bySession.status).toBe(200);
    expect(Buffer.from(await bySession.arrayBuffer()).toString('latin1')).toContain(today.merchantName);
    const byAdmin = await fetch(`${t.url}${unsigned.replace('.pdf', '.csv')}`, { headers: { cookie: admin.cookie! } });
    expect(byAdmin.status).toBe(200);
    expect(await byAdmin.text()).toContain('CLOSING_BALANCE');
    expect((await fetch(`${t.url}${unsigned}`)).status).toBe(401);
    const elsewhere = await fetch(`${t.url}/statements/mer_other/EUR.csv?from=${day(0)}&to=${day(0)}`, {
      headers: { cookie: owner.cookie! },
    });
    expect(elsewhere.status).toBe(404);
    const tampered = today.pdfUrl.replace(/from=[^&]+/, `from=${day(-5)}`);
    expect((await fetch(`${t.url}${tampered}`)).status).toBe(403);
    const otherMerchant = today.csvUrl.replace(t.demo.merchantId, 'mer_other');
    expect((await fetch(`${t.url}${otherMerchant}`)).status).toBe(403);
    const bad = await fetch(`${t.url}${today.csvUrl.replace(/from=[^&]+/, 'from=yesterday')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'from' } });
  });
});
