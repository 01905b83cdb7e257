import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { startSmtpListener } from '../../../test/smtp-listener';
import { LedgerAccountPurpose } from '../ledger';
import { ledgerAccount } from '../ledger/ledger.service';
import { drainOutbox } from '../outbox/outbox.service';
import { payPrepaidBlock } from '../payment';
import { parseCamt053 } from './payout.camt';
import { checkPayoutInvariants } from './payout.invariants';

const FIXTURE = fs.readFileSync(path.join(__dirname, 'fixtures/camt053.xml'), 'utf8');
const fill = (values: Record<string, string>) =>
  FIXTURE.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? `missing-${name}`);

describe('camt.053 parsing', () => {
  it('reads booked payout transactions (debits paid, credits with return information returned) and leaves the rest', () => {
    const { rows, skipped } = parseCamt053(
      fill({
        BATCH: 'pbt_1',
        PAID: 'wdr_A',
        PAID_AMOUNT: '19.00',
        SECOND: 'wdr_B',
        SECOND_AMOUNT: '14.00',
        DIFFERS: 'wdr_C',
        BATCHED_TOTAL: '15.00',
        RETURNED: 'wdr_D',
        RETURNED_AMOUNT: '9.00',
        CLOSING: '24959.00',
      }),
    );
    expect(rows).toEqual([
      {
        withdrawal_id: 'wdr_A',
        status: 'PAID',
        amount: '19.00',
        currency: 'EUR',
        bank_reference: '2026120500001',
        reason: '',
      },
      {
        withdrawal_id: 'wdr_B',
        status: 'PAID',
        amount: '14.00',
        currency: 'EUR',
        bank_reference: '2026120500002-1',
        reason: '',
      },
      {
        withdrawal_id: 'wdr_C',
        status: 'PAID',
        amount: '1.00',
        currency: 'EUR',
        bank_reference: '2026120500002-2',
        reason: '',
      },
      {
        withdrawal_id: 'wdr_D',
        status: 'RETURNED',
        amount: '9.00',
        currency: 'EUR',
        bank_reference: '2026120500003',
        reason: 'AC04: Account closed',
      },
      {
        withdrawal_id: 'wdr_NOTOURS00000000000',
        status: 'PAID',
        amount: '7.00',
        currency: 'EUR',
        bank_reference: '2026120500006',
        reason: '',
      },
    ]);
    expect(skipped).toBe(2); // the acquirer's credit, the pending debit
  });

  it('refuses what is not a camt.053 statement, naming the input', () => {
    expect(() => parseCamt053('<Document><BkToCstmrStmt>')).toThrow(/not well-formed/);
    expect(() =>
      parseCamt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>'),
    ).toThrow(/not a camt.053 statement/);
    expect(() =>
      parseCamt053('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Document>&e;</Document>'),
    ).toThrow();
  });
});

describe('payout reconciliation', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let owner: Auth;
  let admin: Auth;
  let destinationId: string;

  const gql = async (query: string, variables: Record<string, unknown>, auth: Auth) => {
    const result = await t.gql(query, variables, auth);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const codeFor = async (id: string) => {
    await drainOutbox(t.app.platform);
    const code = smtp.lastCode(id);
    if (!code) throw new Error(`no code mailed for ${id}`);
    return code;
  };
  const available = async () => {
    const account = await ledgerAccount(t.orm.em.fork(), {
      merchantId: t.demo.merchantId,
      currency: 'EUR',
      purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE,
    });
    const [row] = await t.orm.em
      .fork()
      .getConnection()
      .execute('select balance, pending_debits from ledger_account where id = ?', [account.id]);
    return BigInt(row.balance) + BigInt(row.pending_debits);
  };
  const approvedWithdrawal = async (amount: string) => {
    const requested = (
      await gql(
        `mutation($input: RequestWithdrawalInput!) { requestWithdrawal(input: $input) { withdrawal { id } userErrors { message } } }`,
        { input: { destinationId, amount, currency: 'EUR' } },
        owner,
      )
    ).requestWithdrawal;
    expect(requested.userErrors).toEqual([]);
    const id = requested.withdrawal.id as string;
    const confirmed = await gql(
      `mutation($input: ConfirmCodeInput!) { confirmWithdrawal(input: $input) { userErrors { message } } }`,
      { input: { id, code: await codeFor(id) } },
      owner,
    );
    expect(confirmed.confirmWithdrawal.userErrors).toEqual([]);
    const approved = await gql(
      `mutation($input: WithdrawalIdsInput!) { approveWithdrawals(input: $input) { userErrors { message } } }`,
      { input: { ids: [id] } },
      admin,
    );
    expect(approved.approveWithdrawals.userErrors).toEqual([]);
    return id;
  };
  const LINES = 'lines { line withdrawalId outcome message } userErrors { code field message }';
  const importXml = async (xml: string) =>
    (
      await gql(
        `mutation($input: ImportPayoutStatementInput!) { importPayoutStatement(input: $input) { ${LINES} } }`,
        { input: { xml } },
        admin,
      )
    ).importPayoutStatement;
  const importCsv = async (csv: string) =>
    (
      await gql(
        `mutation($input: ImportPayoutStatusInput!) { importPayoutStatus(input: $input) { ${LINES} } }`,
        { input: { csv } },
        admin,
      )
    ).importPayoutStatus;
  const statusOf = async (id: string) =>
    (await gql(`query($id: ID!) { withdrawal(id: $id) { status reason paidVia } }`, { id }, owner)).withdrawal;
  const RECONCILIATION = `batches { id status }
    lines { withdrawal { id status } sent { amount currency } ledger flags
            bankLines { source status amount { amount } bankReference reason outcome } }
    extras { source withdrawalRef status outcome }
    mismatches`;
  const reconciliation = async (batchId?: string) =>
    (
      await gql(
        `query($batchId: ID) { payoutReconciliation(batchId: $batchId) { ${RECONCILIATION} } }`,
        { batchId: batchId ?? null },
        admin,
      )
    ).payoutReconciliation;

  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await startTestApp({ SMTP_URL: smtp.url, PAYOUT_COOL_OFF_HOURS: '0' });
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    await t.orm.em.fork().transactional((tx) =>
      payPrepaidBlock(tx, {
        blockId: 'reconcile-funding',
        merchantId: t.demo.merchantId,
        currency: 'EUR',
        amountMinor: 20_000n,
        description: 'test funding',
      }),
    );
    const added = (
      await gql(
        `mutation($input: AddPayoutDestinationInput!) { addPayoutDestination(input: $input) { destination { id } userErrors { message } } }`,
        {
          input: {
            kind: 'BANK_ACCOUNT',
            holderName: 'Demo Shop Ltd',
            iban: 'DE89370400440532013000',
            bic: 'COBADEFFXXX',
          },
        },
        owner,
      )
    ).addPayoutDestination;
    destinationId = added.destination.id;
    const confirmed = await gql(
      `mutation($input: ConfirmCodeInput!) { confirmPayoutDestination(input: $input) { userErrors { message } } }`,
      { input: { id: destinationId, code: await codeFor(destinationId) } },
      owner,
    );
    expect(confirmed.confirmPayoutDestination.userErrors).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('imports a camt.053 statement as the status CSV is matched, keeps its lines, and flags every mismatch', async () => {
    const [a, b, c, d, e] = [
      await approvedWithdrawal('20.00'),
      await approvedWithdrawal('15.00'),
      await approvedWithdrawal('12.00'),
      await approvedWithdrawal('10.00'),
      await approvedWithdrawal('8.00'),
    ];
    const batch = (
      await gql(
        `mutation { createPayoutBatch(input: { rail: SEPA, currency: "EUR" }) { batch { id count } userErrors { message } } }`,
        {},
        admin,
      )
    ).createPayoutBatch.batch;
    expect(batch.count).toBe(5);
    // D was paid the day before, by the status CSV.
    expect(
      (await importCsv(`withdrawal_id,status,amount,currency,bank_reference\n${d},PAID,9.00,EUR,REF-D\n`)).lines,
    ).toMatchObject([{ outcome: 'PAID' }]);
    const afterPaid = await available();

    const xml = fill({
      BATCH: batch.id,
      PAID: a,
      PAID_AMOUNT: '19.00',
      SECOND: b,
      SECOND_AMOUNT: '14.00',
      DIFFERS: c,
      BATCHED_TOTAL: '15.00',
      RETURNED: d,
      RETURNED_AMOUNT: '9.00',
      CLOSING: '24959.00',
    });
    const imported = await importXml(xml);
    expect(imported.userErrors).toEqual([]);
    expect(imported.lines.map((line: any) => [line.withdrawalId, line.outcome])).toEqual([
      [a, 'PAID'],
      [b, 'PAID'],
      [c, 'AMOUNT_DIFFERS'],
      [d, 'RETURNED'],
      ['wdr_NOTOURS00000000000', 'UNKNOWN_WITHDRAWAL'],
    ]);
    expect(await statusOf(a)).toMatchObject({ status: 'PAID', paidVia: 'BANK_LINE' });
    expect(await statusOf(b)).toMatchObject({ status: 'PAID' });
    expect(await statusOf(c)).toMatchObject({ status: 'IN_BATCH' }); // nothing paid without a matching line
    expect(await statusOf(d)).toMatchObject({ status: 'RETURNED', reason: 'AC04: Account closed' });
    expect(await statusOf(e)).toMatchObject({ status: 'IN_BATCH' });
    expect(await available()).toBe(afterPaid + 1_000n); // D's 10.00, fee included, is back
    expect(await checkPayoutInvariants(t.orm.em.fork())).toEqual([]);

    // The same statement again pays nothing twice.
    expect((await importXml(xml)).lines.map((line: any) => line.outcome)).toEqual([
      'ALREADY_DONE',
      'ALREADY_DONE',
      'AMOUNT_DIFFERS',
      'ALREADY_DONE',
      'UNKNOWN_WITHDRAWAL',
    ]);

    let view = await reconciliation(batch.id);
    const flagsOf = (id: string) => view.lines.find((line: any) => line.withdrawal.id === id).flags;
    expect(view.batches).toEqual([{ id: batch.id, status: 'OPEN' }]);
    expect(flagsOf(a)).toEqual([]);
    expect(flagsOf(b)).toEqual([]);
    expect(flagsOf(c)).toEqual(['AMOUNT_DIFFERS']);
    expect(flagsOf(d)).toEqual([]);
    expect(flagsOf(e)).toEqual(['MISSING']);
    const lineA = view.lines.find((line: any) => line.withdrawal.id === a);
    expect(lineA).toMatchObject({ sent: { amount: '19.00', currency: 'EUR' }, ledger: 'POSTED' });
    expect(lineA.bankLines).toHaveLength(2); // both imports, kept
    expect(lineA.bankLines[0]).toMatchObject({
      source: 'CAMT053',
      status: 'PAID',
      amount: { amount: '19.00' },
      bankReference: '2026120500001',
      outcome: 'PAID',
    });
    expect(view.lines.find((line: any) => line.withdrawal.id === d)).toMatchObject({ ledger: 'RETURNED' });
    expect(view.lines.find((line: any) => line.withdrawal.id === e)).toMatchObject({ ledger: 'HELD' });
    expect(view.extras).toEqual([]); // a batch's view shows its own lines
    expect(view.mismatches).toBe(2);

    // A second payment of A reported by the bank (another reference) changes nothing but is flagged; an override is.
    expect(
      (await importCsv(`withdrawal_id,status,amount,currency,bank_reference\n${a},PAID,19.00,EUR,OTHER\n`)).lines,
    ).toMatchObject([{ outcome: 'ALREADY_DONE' }]);
    const override = await gql(
      `mutation($input: WithdrawalReasonInput!) { markWithdrawalPaid(input: $input) { withdrawal { status } userErrors { code } } }`,
      { input: { id: c, reason: 'the bank confirmed 11.00 by phone', bankReference: 'PHONE-1' } },
      admin,
    );
    expect(override.markWithdrawalPaid.withdrawal.status).toBe('PAID');
    view = await reconciliation(batch.id);
    expect(flagsOf(a)).toEqual(['PAID_TWICE']);
    expect(flagsOf(c)).toEqual(['AMOUNT_DIFFERS', 'PAID_BY_OVERRIDE']);

    // Without a batch: every open batch, and the bank lines about no batch line.
    const open = await reconciliation();
    expect(open.batches.map((x: any) => x.id)).toEqual([batch.id]);
    expect(open.extras).toEqual([
      { source: 'CAMT053', withdrawalRef: 'wdr_NOTOURS00000000000', status: 'PAID', outcome: 'UNKNOWN_WITHDRAWAL' },
      { source: 'CAMT053', withdrawalRef: 'wdr_NOTOURS00000000000', status: 'PAID', outcome: 'UNKNOWN_WITHDRAWAL' },
    ]);
    expect(open.mismatches).toBe(5); // A, C, E, and the two extra lines
    expect(await checkPayoutInvariants(t.orm.em.fork())).toEqual([]);
  });

  it('answers a file that is not a statement with a userError naming the input; only admins reconcile', async () => {
    const bad = await importXml(
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"><BkToCstmrAcctRpt/></Document>',
    );
    expect(bad.userErrors).toEqual([
      { code: 'INVALID', field: ['input', 'xml'], message: expect.stringContaining('not a camt.053 statement') },
    ]);
    const broken = await importXml('not xml at all');
    expect(broken.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'xml'] });
    const byOwner = await t.gql(`{ payoutReconciliation { mismatches } }`, {}, owner);
    expect(byOwner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const missing = await t.gql(`{ payoutReconciliation(batchId: "pbt_nope") { mismatches } }`, {}, admin);
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
