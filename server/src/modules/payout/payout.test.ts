import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { startSmtpListener } from '../../../test/smtp-listener';
import { AuditEvent } from '../audit/audit-event.entity';
import { CardToken } from '../card';
import { LedgerAccountPurpose } from '../ledger';
import { ledgerAccount, reverse, transfer } from '../ledger/ledger.service';
import { drainOutbox } from '../outbox/outbox.service';
import { payPrepaidBlock } from '../payment';
import { WebhookEvent } from '../webhook/webhook-event.entity';
import { checkPayoutInvariants } from './payout.invariants';

// The published ISO 20022 schema, kept in the repository so a clean checkout validates against it.
const XSD = path.resolve(__dirname, '../../../test/standards/pain.001.001.03.xsd');
const IBAN = 'DE89 3704 0044 0532 0130 00';
const BIC = 'COBADEFFXXX';

const DESTINATION = `destination { id status kind iban bic usableFrom replacesId cardLast4 walletProvider }
  confirmation { id sentTo expiresAt }
  userErrors { code field message }`;
const WITHDRAWAL = `id status rail amount { amount currency } fee { amount } net { amount } batchId holdTransferId paidVia reason`;

describe('payouts', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let owner: Auth;
  let admin: Auth;
  let destinationId: string;

  const drain = () => drainOutbox(t.app.platform);
  const gql = async (query: string, variables: Record<string, unknown>, auth: Auth) => {
    const result = await t.gql(query, variables, auth);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const codeFor = async (id: string) => {
    await drain();
    const code = smtp.lastCode(id);
    if (!code) throw new Error(`no code mailed for ${id}`);
    return code;
  };
  const balance = async (
    purpose: LedgerAccountPurpose,
    currency = 'EUR',
    merchantId: string | null = t.demo.merchantId,
  ) => {
    const account = await ledgerAccount(t.orm.em.fork(), { merchantId, currency, purpose });
    const em = t.orm.em.fork();
    const [row] = await em
      .getConnection()
      .execute('select balance, pending_debits, pending_credits from ledger_account where id = ?', [account.id]);
    return {
      posted: BigInt(row.balance),
      available: BigInt(row.balance) + BigInt(row.pending_debits),
      pendingIn: BigInt(row.pending_credits),
    };
  };
  const invariantsHold = async () => expect(await checkPayoutInvariants(t.orm.em.fork())).toEqual([]);

  const addDestination = (fields: Record<string, unknown>, auth = owner) =>
    gql(
      `mutation($input: AddPayoutDestinationInput!) { addPayoutDestination(input: $input) { ${DESTINATION} } }`,
      { input: fields },
      auth,
    );
  const confirmDestination = (id: string, code: string) =>
    gql(
      `mutation($input: ConfirmCodeInput!) { confirmPayoutDestination(input: $input) { ${DESTINATION} } }`,
      { input: { id, code } },
      owner,
    );
  const request = (input: Record<string, unknown>, auth = owner) =>
    gql(
      `mutation($input: RequestWithdrawalInput!) { requestWithdrawal(input: $input) { withdrawal { ${WITHDRAWAL} } confirmation { sentTo } userErrors { code field message } } }`,
      { input },
      auth,
    );
  const confirm = (id: string, code: string) =>
    gql(
      `mutation($input: ConfirmCodeInput!) { confirmWithdrawal(input: $input) { withdrawal { ${WITHDRAWAL} } userErrors { code field message } } }`,
      { input: { id, code } },
      owner,
    );
  const requestConfirmed = async (amount: string, destination = destinationId) => {
    const requested = (await request({ destinationId: destination, amount, currency: 'EUR' })).requestWithdrawal;
    expect(requested.userErrors).toEqual([]);
    const id = requested.withdrawal.id as string;
    const confirmed = (await confirm(id, await codeFor(id))).confirmWithdrawal;
    expect(confirmed.userErrors).toEqual([]);
    return confirmed.withdrawal;
  };
  const approve = (ids: string[]) =>
    gql(
      `mutation($input: WithdrawalIdsInput!) { approveWithdrawals(input: $input) { withdrawals { ${WITHDRAWAL} } userErrors { code field message } } }`,
      { input: { ids } },
      admin,
    );
  const createBatch = (rail: string, currency = 'EUR') =>
    gql(
      `mutation($input: CreatePayoutBatchInput!) { createPayoutBatch(input: $input) { batch { id count total { amount currency } withdrawals { id status } } userErrors { code message } } }`,
      { input: { rail, currency } },
      admin,
    );
  const exportBatch = (id: string) =>
    gql(
      `mutation($input: IdInput!) { exportPayoutBatch(input: $input) { batch { id exportCount } file { fileName contentType content } userErrors { code message } } }`,
      { input: { id } },
      admin,
    );
  const importStatus = (csv: string) =>
    gql(
      `mutation($input: ImportPayoutStatusInput!) { importPayoutStatus(input: $input) { lines { line withdrawalId outcome message } userErrors { code message } } }`,
      { input: { csv } },
      admin,
    );
  const withdrawalOf = async (id: string) =>
    (await gql(`query($id: ID!) { withdrawal(id: $id) { ${WITHDRAWAL} } }`, { id }, owner)).withdrawal;

  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await startTestApp({ SMTP_URL: smtp.url, PAYOUT_COOL_OFF_HOURS: '0' });
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    const em = t.orm.em.fork();
    await em.transactional((tx) =>
      payPrepaidBlock(tx, {
        blockId: 'test-funding',
        merchantId: t.demo.merchantId,
        currency: 'EUR',
        amountMinor: 10_000n,
        description: 'test funding',
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('adds a bank account confirmed by the emailed code (IBAN and BIC checked), and tells the owner', async () => {
    const bad = (
      await addDestination({
        kind: 'BANK_ACCOUNT',
        holderName: 'Demo Shop',
        iban: 'DE89 3704 0044 0532 0130 01',
        bic: BIC,
      })
    ).addPayoutDestination;
    expect(bad.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'iban'] });
    const badBic = (await addDestination({ kind: 'BANK_ACCOUNT', holderName: 'Demo Shop', iban: IBAN, bic: 'XX' }))
      .addPayoutDestination;
    expect(badBic.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'bic'] });
    // Platform admins do not add merchants' payout details.
    const byAdmin = await t.gql(
      `mutation { addPayoutDestination(input: { kind: EWALLET, holderName: "x", walletProvider: "paypal", walletId: "x", merchantId: "${t.demo.merchantId}" }) { destination { id } } }`,
      {},
      admin,
    );
    expect(byAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const added = (
      await addDestination({ kind: 'BANK_ACCOUNT', holderName: 'Demo Shop Ltd', iban: IBAN, bic: BIC, label: 'Main' })
    ).addPayoutDestination;
    expect(added.userErrors).toEqual([]);
    expect(added.destination).toMatchObject({ status: 'PENDING', iban: 'DE89370400440532013000' });
    expect(added.confirmation.sentTo).toBe('o•••@demo.tollgate.test');
    destinationId = added.destination.id;
    const code = await codeFor(destinationId);
    const wrong = (await confirmDestination(destinationId, code === '00000000' ? '11111111' : '00000000'))
      .confirmPayoutDestination;
    expect(wrong.userErrors[0].code).toBe('INVALID_CODE');
    const confirmed = (await confirmDestination(destinationId, code)).confirmPayoutDestination;
    expect(confirmed.userErrors).toEqual([]);
    expect(confirmed.destination.status).toBe('ACTIVE');
    await drain();
    expect(smtp.received.some((mail) => mail.raw.includes('A payout destination was added'))).toBe(true);
    const again = (await confirmDestination(destinationId, code)).confirmPayoutDestination;
    expect(again.userErrors[0].code).toBe('INVALID_TRANSITION');
  });

  it('requests a withdrawal: only an owner, above the minimum, within the available balance, in its currency', async () => {
    const errorOf = async (input: Record<string, unknown>) =>
      (await request({ destinationId, currency: 'EUR', ...input })).requestWithdrawal.userErrors[0];
    expect(await errorOf({ amount: '0.50' })).toMatchObject({ code: 'INVALID_AMOUNT', field: ['input', 'amount'] });
    expect(await errorOf({ amount: '100.01' })).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    // Far above the USD that the demo's seeded payments earned: EUR money does not pay a USD withdrawal.
    expect(await errorOf({ amount: '1000.00', currency: 'USD' })).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await errorOf({ amount: '1.00' })).toMatchObject({ code: 'INVALID_AMOUNT' }); // the fee (1.00) would take it all
    expect(await errorOf({ amount: '5.00', destinationId: 'pds_unknown' })).toMatchObject({ code: 'NOT_FOUND' });
    const byAdmin = await t.gql(
      `mutation { requestWithdrawal(input: { destinationId: "${destinationId}", amount: "5.00", currency: "EUR", merchantId: "${t.demo.merchantId}" }) { withdrawal { id } } }`,
      {},
      admin,
    );
    expect(byAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('lists withdrawals by when they were requested, and refuses a bad range naming the field', async () => {
    const requested = (await request({ destinationId, amount: '5.00', currency: 'EUR' })).requestWithdrawal;
    expect(requested.userErrors).toEqual([]);
    const id = requested.withdrawal.id as string;
    const LIST = `query($from: DateTimeISO, $to: DateTimeISO) {
      withdrawals(from: $from, to: $to, status: REQUESTED, first: 100) { edges { node { id } } } }`;
    const hour = 3_600_000;
    const now = Date.now();
    const idsIn = async (from: number | null, to: number | null) => {
      const result = await t.gql(
        LIST,
        {
          from: from === null ? null : new Date(from).toISOString(),
          to: to === null ? null : new Date(to).toISOString(),
        },
        owner,
      );
      expect(result.errors).toBeUndefined();
      return (result.data!.withdrawals.edges as { node: { id: string } }[]).map((edge) => edge.node.id);
    };
    expect(await idsIn(now - hour, now + hour)).toContain(id);
    expect(await idsIn(null, now - hour)).not.toContain(id);
    expect(await idsIn(now + hour, null)).not.toContain(id);
    const reversed = await t.gql(
      LIST,
      { from: new Date(now).toISOString(), to: new Date(now - hour).toISOString() },
      owner,
    );
    expect(reversed.errors?.[0]).toMatchObject({
      message: 'from must be before to',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const notADate = await t.gql(LIST, { from: 'last week' }, owner);
    expect(notADate.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(notADate.errors?.[0].message).toContain('$from');
    // Leaves no withdrawal waiting for the tests that follow.
    const cancelled = await gql(
      `mutation($input: IdInput!) { cancelWithdrawal(input: $input) { userErrors { code } } }`,
      { input: { id } },
      owner,
    );
    expect(cancelled.cancelWithdrawal.userErrors).toEqual([]);
  });

  it('REQUESTED holds nothing; CONFIRMED holds the amount; APPROVED → IN_BATCH → PAID posts it out with the fee', async () => {
    const feesBefore = (await balance(LedgerAccountPurpose.PLATFORM_FEES, 'EUR', null)).posted;
    const requested = (await request({ destinationId, amount: '40.00', currency: 'EUR', idempotencyKey: 'w-40' }))
      .requestWithdrawal;
    expect(requested.userErrors).toEqual([]);
    const w = requested.withdrawal;
    expect(w).toMatchObject({
      status: 'REQUESTED',
      rail: 'SEPA',
      amount: { amount: '40.00', currency: 'EUR' },
      fee: { amount: '1.00' },
      net: { amount: '39.00' },
    });
    // A retry with the same key returns the same withdrawal.
    const retried = (await request({ destinationId, amount: '40.00', currency: 'EUR', idempotencyKey: 'w-40' }))
      .requestWithdrawal;
    expect(retried.withdrawal.id).toBe(w.id);
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).available).toBe(10_000n);
    await invariantsHold();

    const confirmed = (await confirm(w.id, await codeFor(w.id))).confirmWithdrawal;
    expect(confirmed.userErrors).toEqual([]);
    expect(confirmed.withdrawal.status).toBe('CONFIRMED');
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).available).toBe(6_000n);
    expect((await balance(LedgerAccountPurpose.PAYOUT_CLEARING, 'EUR', null)).pendingIn).toBe(4_000n);
    await invariantsHold();

    const queue = await gql(
      `{ withdrawalQueue { edges { node { id review { merchantName flags previousPayouts paidOutLast30Days { amount } } } } } }`,
      {},
      admin,
    );
    const queued = queue.withdrawalQueue.edges.find((edge: any) => edge.node.id === w.id).node;
    expect(queued.review.flags).toEqual(expect.arrayContaining(['NEW_MERCHANT', 'NEW_DESTINATION', 'FIRST_PAYOUT']));
    const ownerView = await gql(`query($id: ID!) { withdrawal(id: $id) { review { flags } } }`, { id: w.id }, owner);
    expect(ownerView.withdrawal.review).toBeNull();

    const approved = (await approve([w.id, 'wdr_unknown'])).approveWithdrawals;
    expect(approved.withdrawals.map((x: any) => x.status)).toEqual(['APPROVED']);
    expect(approved.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'ids', '1'] });
    await invariantsHold();

    const batch = (await createBatch('SEPA')).createPayoutBatch;
    expect(batch.userErrors).toEqual([]);
    expect(batch.batch).toMatchObject({ count: 1, total: { amount: '39.00', currency: 'EUR' } });
    expect(batch.batch.withdrawals).toEqual([{ id: w.id, status: 'IN_BATCH' }]);
    expect((await createBatch('SEPA')).createPayoutBatch.userErrors[0].code).toBe('NOT_FOUND'); // nothing approved left

    // The SEPA file: valid against the ISO 20022 schema, its header's count and control sum those of its lines.
    const exported = (await exportBatch(batch.batch.id)).exportPayoutBatch;
    expect(exported.file.contentType).toBe('application/xml');
    const file = path.join(os.tmpdir(), `${batch.batch.id}.xml`);
    fs.writeFileSync(file, exported.file.content);
    execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
    fs.rmSync(file);
    const xml: string = exported.file.content;
    const header = /<GrpHdr>[\s\S]*?<NbOfTxs>(\d+)<\/NbOfTxs>\s*<CtrlSum>([\d.]+)<\/CtrlSum>/.exec(xml)!;
    const amounts = [...xml.matchAll(/<InstdAmt Ccy="EUR">([\d.]+)<\/InstdAmt>/g)].map((m) => m[1]);
    expect(Number(header[1])).toBe(amounts.length);
    expect(header[2]).toBe('39.00');
    expect(amounts).toEqual(['39.00']);
    expect(xml).toContain(`<EndToEndId>${w.id}</EndToEndId>`);
    expect(xml).toContain('<IBAN>DE89370400440532013000</IBAN>');
    // Exported again: the same file.
    const second = (await exportBatch(batch.batch.id)).exportPayoutBatch;
    expect(second.file.content).toBe(xml);
    expect(second.batch.exportCount).toBe(2);

    // Reconciliation: mismatches change nothing; the matching line pays it, once.
    const report = (
      await importStatus(
        [
          'withdrawal_id,status,amount,currency,bank_reference',
          `${w.id},PAID,40.00,EUR,REF1`,
          `wdr_nobody,PAID,39.00,EUR,REF2`,
          `${w.id},PAID,39.00,USD,REF1`,
        ].join('\n'),
      )
    ).importPayoutStatus;
    expect(report.lines.map((line: any) => line.outcome)).toEqual([
      'AMOUNT_DIFFERS',
      'UNKNOWN_WITHDRAWAL',
      'CURRENCY_DIFFERS',
    ]);
    expect((await withdrawalOf(w.id)).status).toBe('IN_BATCH');
    const paid = (
      await importStatus(`withdrawal_id,status,amount,currency,bank_reference\n${w.id},PAID,39.00,EUR,REF1\n`)
    ).importPayoutStatus;
    expect(paid.lines[0]).toMatchObject({ outcome: 'PAID', withdrawalId: w.id });
    const twice = (
      await importStatus(`withdrawal_id,status,amount,currency,bank_reference\n${w.id},PAID,39.00,EUR,REF1\n`)
    ).importPayoutStatus;
    expect(twice.lines[0].outcome).toBe('ALREADY_DONE');
    expect(await withdrawalOf(w.id)).toMatchObject({ status: 'PAID', paidVia: 'BANK_LINE' });
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).posted).toBe(6_000n);
    expect((await balance(LedgerAccountPurpose.PAYOUT_CLEARING, 'EUR', null)).posted).toBe(0n);
    expect((await balance(LedgerAccountPurpose.PLATFORM_FEES, 'EUR', null)).posted).toBe(feesBefore + 100n);
    const batches = await gql(`{ payoutBatches { edges { node { id status } } } }`, {}, admin);
    expect(batches.payoutBatches.edges[0].node).toEqual({ id: batch.batch.id, status: 'SETTLED' });
    await invariantsHold();

    // The bank sends it back: the balance is restored in full, the owner told.
    const returned = (
      await importStatus(
        `withdrawal_id,status,amount,currency,bank_reference,reason\n${w.id},RETURNED,39.00,EUR,REF1,account closed\n`,
      )
    ).importPayoutStatus;
    expect(returned.lines[0].outcome).toBe('RETURNED');
    expect(await withdrawalOf(w.id)).toMatchObject({ status: 'RETURNED', reason: 'account closed' });
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).posted).toBe(10_000n);
    expect((await balance(LedgerAccountPurpose.PLATFORM_FEES, 'EUR', null)).posted).toBe(feesBefore);
    await drain();
    expect(smtp.received.some((mail) => mail.raw.includes('A payout was sent back'))).toBe(true);
    await invariantsHold();

    const events = await t.orm.em
      .fork()
      .find(WebhookEvent, { type: { $like: 'withdrawal.%' } }, { orderBy: { id: 'asc' } });
    expect(events.filter((event) => (event.data as any).id === w.id).map((event) => event.type)).toEqual([
      'withdrawal.requested',
      'withdrawal.confirmed',
      'withdrawal.approved',
      'withdrawal.in_batch',
      'withdrawal.paid',
      'withdrawal.returned',
    ]);
  });

  it('CANCELLED and REJECTED release the hold; a bank refusal too; an override pays only with a reason, audited', async () => {
    const cancelled = await requestConfirmed('10.00');
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).available).toBe(9_000n);
    const cancel = await gql(
      `mutation($id: ID!) { cancelWithdrawal(input: { id: $id }) { withdrawal { status } userErrors { code } } }`,
      { id: cancelled.id },
      owner,
    );
    expect(cancel.cancelWithdrawal.withdrawal.status).toBe('CANCELLED');
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).available).toBe(10_000n);
    // A request never confirmed is cancelled without any hold.
    const unconfirmed = (await request({ destinationId, amount: '3.00', currency: 'EUR' })).requestWithdrawal
      .withdrawal;
    const cancel2 = await gql(
      `mutation($id: ID!) { cancelWithdrawal(input: { id: $id }) { withdrawal { status holdTransferId } } }`,
      { id: unconfirmed.id },
      owner,
    );
    expect(cancel2.cancelWithdrawal.withdrawal).toEqual({ status: 'CANCELLED', holdTransferId: null });

    const rejected = await requestConfirmed('20.00');
    const noReason = await gql(
      `mutation($input: RejectWithdrawalsInput!) { rejectWithdrawals(input: $input) { withdrawals { status } userErrors { code } } }`,
      { input: { ids: [rejected.id], reason: ' ' } },
      admin,
    );
    expect(noReason.rejectWithdrawals.userErrors[0].code).toBe('REQUIRED');
    const reject = await gql(
      `mutation($input: RejectWithdrawalsInput!) { rejectWithdrawals(input: $input) { withdrawals { status reason } userErrors { code } } }`,
      { input: { ids: [rejected.id], reason: 'documents missing' } },
      admin,
    );
    expect(reject.rejectWithdrawals.withdrawals).toEqual([{ status: 'REJECTED', reason: 'documents missing' }]);
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).available).toBe(10_000n);
    // Final: it cannot be approved or cancelled any more.
    expect((await approve([rejected.id])).approveWithdrawals.userErrors[0].code).toBe('INVALID_TRANSITION');

    const refused = await requestConfirmed('7.00');
    const overridden = await requestConfirmed('8.00');
    await approve([refused.id, overridden.id]);
    const batch = (await createBatch('SEPA')).createPayoutBatch.batch;
    expect(batch.count).toBe(2);
    const bank = (
      await importStatus(
        `withdrawal_id,status,amount,currency,bank_reference,reason\n${refused.id},REJECTED,6.00,EUR,,unknown account\n`,
      )
    ).importPayoutStatus;
    expect(bank.lines[0].outcome).toBe('REJECTED');
    expect((await balance(LedgerAccountPurpose.MERCHANT_AVAILABLE)).available).toBe(10_000n - 800n);
    const noOverrideReason = await gql(
      `mutation($input: WithdrawalReasonInput!) { markWithdrawalPaid(input: $input) { withdrawal { status } userErrors { code } } }`,
      { input: { id: overridden.id, reason: '' } },
      admin,
    );
    expect(noOverrideReason.markWithdrawalPaid.userErrors[0].code).toBe('REQUIRED');
    const override = await gql(
      `mutation($input: WithdrawalReasonInput!) { markWithdrawalPaid(input: $input) { withdrawal { status paidVia } userErrors { code } } }`,
      { input: { id: overridden.id, reason: 'bank statement 2026-12-05 line 14', bankReference: 'STMT14' } },
      admin,
    );
    expect(override.markWithdrawalPaid.withdrawal).toEqual({ status: 'PAID', paidVia: 'ADMIN_OVERRIDE' });
    const audit = await t.orm.em
      .fork()
      .findOneOrFail(AuditEvent, { action: 'withdrawal.pay', targetId: overridden.id });
    expect(audit.details).toMatchObject({ via: 'ADMIN_OVERRIDE', override: 'bank statement 2026-12-05 line 14' });
    const payAgain = await gql(
      `mutation($input: WithdrawalReasonInput!) { markWithdrawalPaid(input: $input) { userErrors { code } } }`,
      { input: { id: overridden.id, reason: 'again' } },
      admin,
    );
    expect(payAgain.markWithdrawalPaid.userErrors[0].code).toBe('INVALID_TRANSITION');
    await invariantsHold();
  });

  it('is blocked while the merchant owes a receivable', async () => {
    const em = t.orm.em.fork();
    const receivable = await ledgerAccount(em, {
      merchantId: t.demo.merchantId,
      currency: 'EUR',
      purpose: LedgerAccountPurpose.MERCHANT_RECEIVABLE,
    });
    const world = await ledgerAccount(em, { merchantId: null, currency: 'EUR', purpose: LedgerAccountPurpose.WORLD });
    const { transfer: debt } = await transfer(em, {
      ownerId: t.demo.merchantId,
      idempotencyKey: 'test-debt',
      currency: 'EUR',
      entries: [
        { accountId: receivable.id, amount: -500n },
        { accountId: world.id, amount: 500n },
      ],
    });
    const refused = (await request({ destinationId, amount: '5.00', currency: 'EUR' })).requestWithdrawal;
    expect(refused.userErrors[0]).toMatchObject({ code: 'RECEIVABLE_OPEN' });
    await reverse(em, debt.id, { idempotencyKey: 'test-debt-covered' });
    expect((await request({ destinationId, amount: '5.00', currency: 'EUR' })).requestWithdrawal.userErrors).toEqual(
      [],
    );
  });

  it('a card and an e-wallet destination go out by CSV; changes wait their cool-off, which can only be lengthened', async () => {
    const em = t.orm.em.fork();
    const token = em.create(CardToken, {
      processor: 'test',
      processorToken: 'tok_test_payout',
      fingerprint: 'f'.repeat(64),
      brand: 'VISA' as never,
      last4: '4242',
      expMonth: 12,
      expYear: new Date().getUTCFullYear() + 2,
      holderName: 'Dana Owner',
      merchantId: t.demo.merchantId, // the merchant's own payout card (POST /card/payout-tokens)
      paymentId: null,
      createdAt: new Date(),
    });
    await em.flush();
    const card = (await addDestination({ kind: 'CARD', holderName: 'Dana Owner', cardTokenId: token.id }))
      .addPayoutDestination;
    expect(card.destination).toMatchObject({ kind: 'CARD', cardLast4: '4242' });
    await confirmDestination(card.destination.id, await codeFor(card.destination.id));
    const wallet = (
      await addDestination({
        kind: 'EWALLET',
        holderName: 'Dana Owner',
        walletProvider: 'PayPal',
        walletId: 'dana@example.com',
      })
    ).addPayoutDestination;
    expect(wallet.destination.walletProvider).toBe('paypal');
    await confirmDestination(wallet.destination.id, await codeFor(wallet.destination.id));

    const toCard = await requestConfirmed('6.00', card.destination.id);
    expect(toCard.rail).toBe('CARD');
    await approve([toCard.id]);
    const batch = (await createBatch('CARD')).createPayoutBatch.batch;
    const exported = (await exportBatch(batch.id)).exportPayoutBatch.file;
    expect(exported.contentType).toBe('text/csv');
    const rows = parse(exported.content, { columns: true });
    expect(rows).toEqual([
      expect.objectContaining({
        withdrawal_id: toCard.id,
        amount: '5.00',
        currency: 'EUR',
        card_token: token.id,
        rail: 'CARD',
      }),
    ]);
    expect(exported.content).not.toMatch(/4242/);

    // Cool-off: only lengthened; a change then waits it out.
    const shorten = await gql(
      `mutation { setPayoutCoolOff(input: { hours: 0 }) { settings { coolOffHours } userErrors { code } } }`,
      {},
      owner,
    );
    expect(shorten.setPayoutCoolOff.settings.coolOffHours).toBe(0);
    const lengthen = await gql(
      `mutation { setPayoutCoolOff(input: { hours: 48 }) { settings { coolOffHours platformMinimumCoolOffHours } } }`,
      {},
      owner,
    );
    expect(lengthen.setPayoutCoolOff.settings).toEqual({ coolOffHours: 48, platformMinimumCoolOffHours: 0 });
    const back = await gql(`mutation { setPayoutCoolOff(input: { hours: 24 }) { userErrors { code } } }`, {}, owner);
    expect(back.setPayoutCoolOff.userErrors[0].code).toBe('INVALID');
    const changed = (
      await gql(
        `mutation($input: ChangePayoutDestinationInput!) { changePayoutDestination(input: $input) { ${DESTINATION} } }`,
        {
          input: {
            id: wallet.destination.id,
            kind: 'EWALLET',
            holderName: 'Dana Owner',
            walletProvider: 'paypal',
            walletId: 'other@example.com',
          },
        },
        owner,
      )
    ).changePayoutDestination;
    expect(changed.destination.replacesId).toBe(wallet.destination.id);
    const active = (await confirmDestination(changed.destination.id, await codeFor(changed.destination.id)))
      .confirmPayoutDestination.destination;
    expect(new Date(active.usableFrom).getTime()).toBeGreaterThan(Date.now() + 47 * 3_600_000);
    const cooling = (await request({ destinationId: active.id, amount: '5.00', currency: 'EUR' })).requestWithdrawal;
    expect(cooling.userErrors[0]).toMatchObject({ code: 'COOLING_OFF', field: ['input', 'destinationId'] });
    const old = await gql(`{ payoutDestinations(status: REPLACED) { edges { node { id } } } }`, {}, owner);
    expect(old.payoutDestinations.edges.map((edge: any) => edge.node.id)).toEqual([wallet.destination.id]);
    await drain();
    expect(smtp.received.some((mail) => mail.raw.includes('Your payout details were changed'))).toBe(true);
    await invariantsHold();
  });
});
