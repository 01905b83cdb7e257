import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testDialect, type Auth, type TestApp } from '../../../test/harness';
import { ConfirmationCode } from '../confirmation';
import { confirmationMailSecret } from '../confirmation/confirmation.service';
import { LedgerAccountPurpose } from '../ledger';
import { ledgerAccount } from '../ledger/ledger.service';
import { payPrepaidBlock } from '../payment';
import { checkPayoutInvariants } from './payout.invariants';

/*
 * Under real concurrency (PostgreSQL): 200 withdrawals requested and confirmed at once against 100.00 EUR available.
 * Each asks 1.50, so at most 66 fit; the holds never take the available balance below zero, and every withdrawal
 * ends CONFIRMED (held) or still REQUESTED (refused INSUFFICIENT_FUNDS, nothing held).
 */
describe.runIf(testDialect() === 'postgres')('payouts under concurrency', () => {
  let t: TestApp;
  let owner: Auth;
  let destinationId: string;

  beforeAll(async () => {
    t = await startTestApp({ PAYOUT_COOL_OFF_HOURS: '0', RATE_LIMIT_SCALE: '20', DATABASE_POOL_SIZE: '20' });
    owner = await t.ownerAuth();
    await t.orm.em.fork().transactional((tx) =>
      payPrepaidBlock(tx, {
        blockId: 'concurrency-funding',
        merchantId: t.demo.merchantId,
        currency: 'EUR',
        amountMinor: 10_000n,
        description: 'test funding',
      }),
    );
    const added = await t.gql(
      `mutation { addPayoutDestination(input: { kind: BANK_ACCOUNT, holderName: "Demo Shop", iban: "DE89370400440532013000", bic: "COBADEFFXXX" }) { destination { id } } }`,
      {},
      owner,
    );
    destinationId = added.data!.addPayoutDestination.destination.id;
    const code = await codeOf(destinationId);
    const confirmed = await t.gql(
      `mutation($id: ID!, $code: String!) { confirmPayoutDestination(input: { id: $id, code: $code }) { userErrors { code } } }`,
      { id: destinationId, code },
      owner,
    );
    expect(confirmed.data!.confirmPayoutDestination.userErrors).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The code a mail would carry, rendered as the outbox renders it at sending. */
  async function codeOf(targetId: string): Promise<string> {
    const em = t.orm.em.fork();
    const row = await em.findOneOrFail(ConfirmationCode, { targetId }, { orderBy: { id: 'desc' } });
    return (await confirmationMailSecret.reveal(em, t.app.config, row.id))!;
  }

  it('200 simultaneous withdrawals against 100.00 never take the available balance below zero', async () => {
    const available = async () => {
      const em = t.orm.em.fork();
      const account = await ledgerAccount(em, {
        merchantId: t.demo.merchantId,
        currency: 'EUR',
        purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE,
      });
      const [row] = await em
        .getConnection()
        .execute('select balance + pending_debits as available from ledger_account where id = ?', [account.id]);
      return BigInt(row.available);
    };
    let lowest = await available();
    let running = true;
    const watcher = (async () => {
      while (running) {
        const now = await available();
        if (now < lowest) lowest = now;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const requested = await t.gql(
          `mutation($input: RequestWithdrawalInput!) { requestWithdrawal(input: $input) { withdrawal { id } userErrors { code } } }`,
          { input: { destinationId, amount: '1.50', currency: 'EUR', idempotencyKey: `race-${i}` } },
          owner,
        );
        if (requested.errors) return `error:${requested.errors[0].extensions?.code}`;
        const result = requested.data!.requestWithdrawal;
        if (result.userErrors.length) return `request:${result.userErrors[0].code}`;
        const id = result.withdrawal.id as string;
        const confirmed = await t.gql(
          `mutation($id: ID!, $code: String!) { confirmWithdrawal(input: { id: $id, code: $code }) { withdrawal { status } userErrors { code } } }`,
          { id, code: await codeOf(id) },
          owner,
        );
        if (confirmed.errors) return `error:${confirmed.errors[0].extensions?.code}`;
        const answer = confirmed.data!.confirmWithdrawal;
        return answer.userErrors.length ? `confirm:${answer.userErrors[0].code}` : answer.withdrawal.status;
      }),
    );
    running = false;
    await watcher;

    const confirmed = outcomes.filter((outcome) => outcome === 'CONFIRMED').length;
    const refused = outcomes.filter((outcome) => outcome.endsWith('INSUFFICIENT_FUNDS')).length;
    expect(outcomes.filter((o) => o !== 'CONFIRMED' && !o.endsWith('INSUFFICIENT_FUNDS'))).toEqual([]);
    expect(confirmed).toBe(66);
    expect(refused).toBe(134);
    expect(lowest).toBeGreaterThanOrEqual(0n);
    expect(await available()).toBe(10_000n - 66n * 150n);
    expect(await checkPayoutInvariants(t.orm.em.fork())).toEqual([]);
  });
});
