import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { checkInvariants } from '../../../test/invariants';
import { EXP_YEAR, newKey, PAY_BY_CARD, tokenise, createCardPayment, workerDeps } from '../../../test/cards';
import { startSmtpListener } from '../../../test/smtp-listener';
import { LedgerTransfer } from '../ledger';
import { drainOutbox } from '../outbox/outbox.service';
import { payPrepaidBlock, withdrawableBalance } from '../payment';
import { CardPayout, CardToken } from './card.entity';
import { reconcileCardPayouts } from './card.payout';
import { testCard, TestCardScenario } from './test-cards';

/** POST /card/payout-tokens with the caller's credentials. */
async function postPayoutCard(
  t: TestApp,
  auth: Auth,
  body: Record<string, unknown>,
  contentType = 'application/json',
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.apiKey) headers.authorization = `Bearer ${auth.apiKey}`;
  const response = await fetch(`${t.url}/card/payout-tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const card = (scenario: TestCardScenario, extra: Record<string, unknown> = {}) => ({
  number: testCard(scenario),
  expMonth: 12,
  expYear: EXP_YEAR,
  cvc: '321',
  holderName: 'Dana Owner',
  ...extra,
});

const DESTINATION = `destination { id status kind cardLast4 } confirmation { id } userErrors { code field message }`;
const WITHDRAWAL = `id status rail paidVia bankReference reason batchId cardPayout { id status declineCode processorReference reconciled amount { amount currency } }`;

describe('payouts to a card', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let owner: Auth;
  let admin: Auth;
  let otherOwner: Auth;
  let apiKey: Auth;

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
  const addCard = (cardTokenId: string, auth = owner) =>
    gql(
      `mutation($input: AddPayoutDestinationInput!) { addPayoutDestination(input: $input) { ${DESTINATION} } }`,
      { input: { kind: 'CARD', holderName: 'Dana Owner', cardTokenId } },
      auth,
    );
  /** A confirmed CARD destination of the demo merchant, for a new payout card of `scenario`. */
  const cardDestination = async (scenario: TestCardScenario) => {
    const token = await postPayoutCard(t, owner, card(scenario));
    expect(token.status).toBe(201);
    const added = (await addCard(token.json.token)).addPayoutDestination;
    expect(added.userErrors).toEqual([]);
    const id = added.destination.id as string;
    const confirmed = await gql(
      `mutation($input: ConfirmCodeInput!) { confirmPayoutDestination(input: $input) { userErrors { code } } }`,
      { input: { id, code: await codeFor(id) } },
      owner,
    );
    expect(confirmed.confirmPayoutDestination.userErrors).toEqual([]);
    return id;
  };
  const approvedWithdrawal = async (destinationId: string, amount: string) => {
    const requested = (
      await gql(
        `mutation($input: RequestWithdrawalInput!) { requestWithdrawal(input: $input) { withdrawal { id } userErrors { code message } } }`,
        { input: { destinationId, amount, currency: 'EUR' } },
        owner,
      )
    ).requestWithdrawal;
    expect(requested.userErrors).toEqual([]);
    const id = requested.withdrawal.id as string;
    const confirmed = await gql(
      `mutation($input: ConfirmCodeInput!) { confirmWithdrawal(input: $input) { userErrors { code message } } }`,
      { input: { id, code: await codeFor(id) } },
      owner,
    );
    expect(confirmed.confirmWithdrawal.userErrors).toEqual([]);
    const approved = await gql(
      `mutation($input: WithdrawalIdsInput!) { approveWithdrawals(input: $input) { userErrors { code message } } }`,
      { input: { ids: [id] } },
      admin,
    );
    expect(approved.approveWithdrawals.userErrors).toEqual([]);
    return id;
  };
  const withdrawalOf = async (id: string) =>
    (await gql(`query($id: ID!) { withdrawal(id: $id) { ${WITHDRAWAL} } }`, { id }, owner)).withdrawal;
  const available = async () => (await withdrawableBalance(t.orm.em.fork(), t.demo.merchantId, 'EUR')).available;
  const transferKeys = async (withdrawalId: string) =>
    (await t.orm.em.fork().find(LedgerTransfer, { idempotencyKey: { $like: `withdrawal-%:${withdrawalId}` } }))
      .map((transfer) => transfer.idempotencyKey.split(':')[0])
      .sort();
  const sendCardPayouts = (id: string) =>
    gql(
      `mutation($input: IdInput!) { sendCardPayouts(input: $input) {
         batch { id status } payouts { withdrawalId status declineCode reconciled amount { amount currency } }
         userErrors { code field message } } }`,
      { input: { id } },
      admin,
    );

  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await startTestApp({ SMTP_URL: smtp.url, PAYOUT_COOL_OFF_HOURS: '0' });
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    const created = await t.gql(
      `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { userErrors { code message } } }`,
      {
        input: {
          name: 'Other Shop',
          ownerEmail: 'owner@other.test',
          ownerName: 'Other',
          ownerPassword: 'other-owner-password',
        },
      },
      admin,
    );
    expect(created.data!.createMerchant.userErrors).toEqual([]);
    otherOwner = await t.login('owner@other.test', 'other-owner-password');
    const key = await gql(
      'mutation { createApiKey(input: { name: "payouts", scopes: ["read", "write"] }) { secret } }',
      {},
      owner,
    );
    apiKey = { apiKey: key.createApiKey.secret };
    await t.orm.em.fork().transactional((em) =>
      payPrepaidBlock(em, {
        blockId: 'card-payout-funding',
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

  it('tokenises a merchant’s own payout card: its owner or its API key, JSON only, refusals naming the field', async () => {
    const anonymous = await postPayoutCard(t, {}, card(TestCardScenario.APPROVE));
    expect(anonymous).toMatchObject({ status: 401, json: { error: { code: 'UNAUTHENTICATED' } } });
    const byAdmin = await postPayoutCard(t, admin, card(TestCardScenario.APPROVE));
    expect(byAdmin).toMatchObject({ status: 403, json: { error: { code: 'FORBIDDEN' } } });
    const readOnly = await gql(
      'mutation { createApiKey(input: { name: "read", scopes: ["read"] }) { secret } }',
      {},
      owner,
    );
    expect(
      (await postPayoutCard(t, { apiKey: readOnly.createApiKey.secret }, card(TestCardScenario.APPROVE))).status,
    ).toBe(403);
    const form = await postPayoutCard(t, owner, card(TestCardScenario.APPROVE), 'text/plain');
    expect(form).toMatchObject({ status: 415, json: { error: { field: 'body' } } });
    const badCvc = await postPayoutCard(t, owner, card(TestCardScenario.APPROVE, { cvc: '1' }));
    expect(badCvc).toMatchObject({ status: 400, json: { error: { code: 'INVALID_FIELD', field: 'cvc' } } });
    const otherMerchant = await postPayoutCard(
      t,
      owner,
      card(TestCardScenario.APPROVE, { merchantId: 'mer_00000000000000000000000000' }),
    );
    expect(otherMerchant).toMatchObject({ status: 404, json: { error: { field: 'merchantId' } } });
    const notOnRange = await postPayoutCard(t, owner, card(TestCardScenario.APPROVE, { number: '4111111111111111' }));
    expect(notOnRange).toMatchObject({ status: 400, json: { error: { code: 'CARD_NOT_SUPPORTED', field: 'number' } } });

    const bySession = await postPayoutCard(t, owner, card(TestCardScenario.APPROVE));
    expect(bySession.status).toBe(201);
    expect(bySession.json).toMatchObject({ brand: 'VISA', last4: '0010', expMonth: 12, expYear: EXP_YEAR });
    const byKey = await postPayoutCard(t, apiKey, card(TestCardScenario.APPROVE));
    expect(byKey.status).toBe(201);
    const stored = await t.orm.em.fork().findOneOrFail(CardToken, bySession.json.token);
    expect(stored).toMatchObject({ merchantId: t.demo.merchantId, paymentId: null });

    // A payout card pays no payment.
    const { pageToken } = await createCardPayment(t, owner, { amount: '3.00', currency: 'EUR' });
    const paid = await t.gql(PAY_BY_CARD, { pageToken, cardToken: bySession.json.token, key: newKey('payout-card') });
    expect(paid.data!.payByCard.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['cardToken'] }),
    ]);
    expect(paid.data!.payByCard.payment?.status ?? 'OPEN').toBe('OPEN');
    await checkInvariants(t.orm);
  });

  it('a CARD destination takes only a payout card of the same merchant', async () => {
    // A payer's card, tokenised on a payment page of this very merchant: not a payout card.
    const { pageToken } = await createCardPayment(t, owner, { amount: '3.00', currency: 'EUR' });
    const payers = await tokenise(t, pageToken, testCard(TestCardScenario.APPROVE));
    const refused = (await addCard(payers.token)).addPayoutDestination;
    expect(refused.destination).toBeNull();
    expect(refused.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'cardTokenId'] }),
    ]);
    // Another merchant's payout card.
    const others = await postPayoutCard(t, otherOwner, card(TestCardScenario.APPROVE));
    expect(others.status).toBe(201);
    const notOurs = (await addCard(others.json.token)).addPayoutDestination;
    expect(notOurs.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'cardTokenId'] });
    // …which its own merchant may use.
    const theirs = (await addCard(others.json.token, otherOwner)).addPayoutDestination;
    expect(theirs.userErrors).toEqual([]);
    // Ours.
    const ours = await postPayoutCard(t, owner, card(TestCardScenario.APPROVE));
    const added = (await addCard(ours.json.token)).addPayoutDestination;
    expect(added.userErrors).toEqual([]);
    expect(added.destination).toMatchObject({ kind: 'CARD', status: 'PENDING', cardLast4: '0010' });
  });

  it('sends a CARD batch through the processor: approved → PAID, declined → REJECTED, timeout → reconciled', async () => {
    const approveTo = await cardDestination(TestCardScenario.APPROVE);
    const declineTo = await cardDestination(TestCardScenario.DECLINE);
    const timeoutTo = await cardDestination(TestCardScenario.TIMEOUT);
    const before = await available();
    const paid = await approvedWithdrawal(approveTo, '6.00');
    const declined = await approvedWithdrawal(declineTo, '7.00');
    const late = await approvedWithdrawal(timeoutTo, '8.00');
    expect(await available()).toBe(before - 2_100n); // held
    const batch = (
      await gql(
        `mutation { createPayoutBatch(input: { rail: CARD, currency: "EUR" }) { batch { id count } userErrors { code } } }`,
        {},
        admin,
      )
    ).createPayoutBatch.batch;
    expect(batch.count).toBe(3);

    // Only admins send, and only CARD batches.
    const byOwner = await t.gql(
      `mutation { sendCardPayouts(input: { id: "${batch.id}" }) { batch { id } } }`,
      {},
      owner,
    );
    expect(byOwner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unknown = (await sendCardPayouts('pbt_unknown')).sendCardPayouts;
    expect(unknown.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'id'] });

    const sent = (await sendCardPayouts(batch.id)).sendCardPayouts;
    expect(sent.userErrors).toEqual([]);
    const byWithdrawal = Object.fromEntries(sent.payouts.map((p: any) => [p.withdrawalId, p]));
    expect(byWithdrawal[paid]).toMatchObject({ status: 'SUCCEEDED', amount: { amount: '5.00', currency: 'EUR' } });
    expect(byWithdrawal[declined]).toMatchObject({ status: 'FAILED', declineCode: 'DECLINED' });
    expect(byWithdrawal[late]).toMatchObject({ status: 'UNKNOWN' });
    expect(sent.batch.status).toBe('OPEN');

    expect(await withdrawalOf(paid)).toMatchObject({
      status: 'PAID',
      paidVia: 'CARD_PROCESSOR',
      cardPayout: { status: 'SUCCEEDED', reconciled: false },
    });
    expect((await withdrawalOf(paid)).bankReference).toMatch(/^tpp_/);
    expect(await withdrawalOf(declined)).toMatchObject({
      status: 'REJECTED',
      reason: 'the card processor declined the payout (DECLINED)',
      cardPayout: { status: 'FAILED', declineCode: 'DECLINED' },
    });
    expect(await withdrawalOf(late)).toMatchObject({ status: 'IN_BATCH', cardPayout: { status: 'UNKNOWN' } });
    // The ledger: the paid one posted and sent out, the declined one's hold voided, the unanswered one still held.
    expect(await transferKeys(paid)).toEqual(['withdrawal-hold', 'withdrawal-out', 'withdrawal-post']);
    expect(await transferKeys(declined)).toEqual(['withdrawal-hold', 'withdrawal-void']);
    expect(await transferKeys(late)).toEqual(['withdrawal-hold']);
    expect(await available()).toBe(before - 600n - 800n);
    await checkInvariants(t.orm);

    // Sent to the processor: only its answer settles it — no bank line, override or rejection meanwhile.
    const override = await t.gql(
      `mutation($input: WithdrawalReasonInput!) { markWithdrawalPaid(input: $input) { userErrors { code field message } } }`,
      { input: { id: late, reason: 'paid by hand' } },
      admin,
    );
    expect(override.data!.markWithdrawalPaid.userErrors[0]).toMatchObject({
      code: 'INVALID_TRANSITION',
      field: ['input', 'id'],
    });
    const rejected = await gql(
      `mutation($input: RejectWithdrawalsInput!) { rejectWithdrawals(input: $input) { userErrors { code message } } }`,
      { input: { ids: [late], reason: 'changed my mind' } },
      admin,
    );
    expect(rejected.rejectWithdrawals.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION' });
    const line = await gql(
      `mutation($input: ImportPayoutStatusInput!) { importPayoutStatus(input: $input) { lines { outcome } } }`,
      { input: { csv: `withdrawal_id,status,amount,currency,bank_reference\r\n${late},PAID,7.00,EUR,x\r\n` } },
      admin,
    );
    expect(line.importPayoutStatus.lines).toEqual([{ outcome: 'REFUSED' }]);
    expect(await withdrawalOf(late)).toMatchObject({ status: 'IN_BATCH' });

    // The reconciliation job asks the processor what became of the unanswered payout (it happened).
    await reconcileCardPayouts(workerDeps(t), { olderThanMs: 0 });
    expect(await withdrawalOf(late)).toMatchObject({
      status: 'PAID',
      paidVia: 'CARD_PROCESSOR',
      cardPayout: { status: 'SUCCEEDED', reconciled: true },
    });
    expect(await transferKeys(late)).toEqual(['withdrawal-hold', 'withdrawal-out', 'withdrawal-post']);
    expect(await available()).toBe(before - 600n - 800n);
    const settled = await gql(`query($id: ID!) { payoutBatch(id: $id) { status } }`, { id: batch.id }, admin);
    expect(settled.payoutBatch.status).toBe('SETTLED');
    expect(await reconcileCardPayouts(workerDeps(t), { olderThanMs: 0 })).toBe(0);
    // Sending again pays nothing twice: every attempt is answered, and there is one per withdrawal.
    const again = (await sendCardPayouts(batch.id)).sendCardPayouts;
    expect(again).toMatchObject({ userErrors: [], payouts: [] });
    expect(await t.orm.em.fork().count(CardPayout, { withdrawalId: { $in: [paid, declined, late] } })).toBe(3);
    expect(await transferKeys(paid)).toEqual(['withdrawal-hold', 'withdrawal-out', 'withdrawal-post']);

    await checkInvariants(t.orm);
  });

  it('refuses to send a batch of another rail', async () => {
    const wallet = (
      await gql(
        `mutation { addPayoutDestination(input: { kind: EWALLET, holderName: "Dana Owner", walletProvider: "paypal", walletId: "dana@example.com" }) { ${DESTINATION} } }`,
        {},
        owner,
      )
    ).addPayoutDestination.destination.id;
    await gql(
      `mutation($input: ConfirmCodeInput!) { confirmPayoutDestination(input: $input) { userErrors { code } } }`,
      { input: { id: wallet, code: await codeFor(wallet) } },
      owner,
    );
    await approvedWithdrawal(wallet, '4.00');
    const batch = (
      await gql(`mutation { createPayoutBatch(input: { rail: EWALLET, currency: "EUR" }) { batch { id } } }`, {}, admin)
    ).createPayoutBatch.batch;
    const refused = (await sendCardPayouts(batch.id)).sendCardPayouts;
    expect(refused.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'id'] });
    expect(refused.payouts).toEqual([]);
    await checkInvariants(t.orm);
  });
});
