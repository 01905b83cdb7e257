import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testDialect, type TestApp } from '../../../test/harness';
import { newId } from '../../common/ids';
import { build } from '../../common/orm';
import { Merchant } from '../merchant/merchant.entity';
import { LedgerAccountPurpose as Purpose } from './ledger.entity';
import { balances, checkLedger, ledgerAccount, transfer, type EntryInput } from './ledger.service';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function setUp() {
  const em = t.orm.em.fork();
  const merchant = build(Merchant, { name: `Busy shop ${newId('x')}` });
  em.persist(merchant);
  await em.flush();
  const account = async (merchantId: string | null, purpose: Purpose) =>
    (await ledgerAccount(t.orm.em.fork(), { merchantId, currency: 'USD', purpose })).id;
  return {
    merchantId: merchant.id,
    world: await account(null, Purpose.WORLD),
    available: await account(merchant.id, Purpose.MERCHANT_AVAILABLE),
    pending: await account(merchant.id, Purpose.MERCHANT_PENDING),
  };
}

const balanceOf = async (merchantId: string, accountId: string) =>
  (await balances(t.orm.em.fork(), merchantId)).find((balance) => balance.accountId === accountId)!;

describe('under concurrency', () => {
  it.runIf(testDialect() === 'postgres')(
    'posts exactly the unique transfers of 50 parallel calls with 10 repeated keys, without deadlock',
    async () => {
      const a = await setUp();
      await transfer(t.orm.em.fork(), {
        ownerId: a.merchantId,
        idempotencyKey: 'float',
        currency: 'USD',
        entries: [
          { accountId: a.world, amount: -10_000n },
          { accountId: a.available, amount: 10_000n },
        ],
      });
      // Calls 40–49 repeat the keys of calls 0–9 with the same content. The shapes touch the same accounts in
      // different orders, so only locking in id order keeps them from deadlocking.
      const entriesFor = (n: number): EntryInput[] => {
        const amount = BigInt(n + 1);
        if (n % 3 === 0) {
          return [
            { accountId: a.available, amount },
            { accountId: a.world, amount: -amount },
          ];
        }
        if (n % 3 === 1) {
          return [
            { accountId: a.pending, amount },
            { accountId: a.available, amount: -amount },
          ];
        }
        return [
          { accountId: a.world, amount: -3n * amount },
          { accountId: a.pending, amount: 2n * amount },
          { accountId: a.available, amount },
        ];
      };
      const calls = Array.from({ length: 50 }, (_, i) => i % 40);
      const results = await Promise.all(
        calls.map((n) =>
          transfer(t.orm.em.fork(), {
            ownerId: a.merchantId,
            idempotencyKey: `sms-${n}`,
            currency: 'USD',
            entries: entriesFor(n),
          }),
        ),
      );

      const ids = results.map((result) => result.transfer.id);
      expect(new Set(ids).size).toBe(40);
      expect(results.filter((result) => result.replayed)).toHaveLength(10);
      for (let i = 40; i < 50; i++) expect(ids[i]).toBe(ids[i - 40]);

      const [row] = await t.orm.em
        .fork()
        .getConnection()
        .execute<{ n: unknown }[]>(
          `select count(*) as n from ledger_transfer where merchant_id = ? and idempotency_key like 'sms-%'`,
          [a.merchantId],
        );
      expect(Number(row.n)).toBe(40);
      // What the 40 distinct transfers add up to, computed independently of the database.
      let available = 10_000n;
      let pending = 0n;
      for (let n = 0; n < 40; n++) {
        for (const entry of entriesFor(n)) {
          if (entry.accountId === a.available) available += entry.amount;
          if (entry.accountId === a.pending) pending += entry.amount;
        }
      }
      expect((await balanceOf(a.merchantId, a.available)).posted).toBe(available);
      expect((await balanceOf(a.merchantId, a.pending)).posted).toBe(pending);
      // Zero sum per currency, stored balances equal to their entries, no overdraft.
      expect(await checkLedger(t.orm.em.fork())).toEqual([]);
    },
  );

  it('never overdraws an account, whether parallel debits post at once or hold', async () => {
    const a = await setUp();
    await transfer(t.orm.em.fork(), {
      ownerId: a.merchantId,
      idempotencyKey: 'funding',
      currency: 'USD',
      entries: [
        { accountId: a.world, amount: -100n },
        { accountId: a.available, amount: 100n },
      ],
    });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        transfer(t.orm.em.fork(), {
          ownerId: a.merchantId,
          idempotencyKey: `debit-${i}`,
          currency: 'USD',
          pending: i % 2 === 0,
          entries: [
            { accountId: a.available, amount: -10n },
            { accountId: a.world, amount: 10n },
          ],
        }),
      ),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    expect(results.length - refused.length).toBe(10);
    for (const result of refused) expect(result.reason).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    const balance = await balanceOf(a.merchantId, a.available);
    expect(balance.available).toBe(0n);
    expect(balance.posted - balance.held).toBe(0n);
    expect(await checkLedger(t.orm.em.fork())).toEqual([]);
  });
});
