import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { startTestApp, type TestApp } from '../../../test/harness';
import { newId } from '../../common/ids';
import { build } from '../../common/orm';
import { Merchant } from '../merchant/merchant.entity';
import { LedgerAccountPurpose as Purpose, LedgerTransfer } from './ledger.entity';
import {
  balances,
  checkLedger,
  ledgerAccount,
  postPending,
  reverse,
  transfer,
  voidPending,
  type EntryInput,
} from './ledger.service';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
// close() fails the file if any ledger invariant is broken at the end.
afterAll(async () => t?.close());

const fork = (): EntityManager => t.orm.em.fork();

/** A merchant of its own per test, so balances start at zero. */
async function newMerchant(): Promise<string> {
  const em = fork();
  const merchant = build(Merchant, { name: `Shop ${newId('x')}` });
  em.persist(merchant);
  await em.flush();
  return merchant.id;
}

async function accountsOf(merchantId: string, currency = 'USD') {
  const em = fork();
  return {
    world: (await ledgerAccount(em, { merchantId: null, currency, purpose: Purpose.WORLD })).id,
    fees: (await ledgerAccount(em, { merchantId: null, currency, purpose: Purpose.PLATFORM_FEES })).id,
    clearing: (await ledgerAccount(em, { merchantId: null, currency, purpose: Purpose.PAYER_CLEARING })).id,
    available: (await ledgerAccount(em, { merchantId, currency, purpose: Purpose.MERCHANT_AVAILABLE })).id,
    pending: (await ledgerAccount(em, { merchantId, currency, purpose: Purpose.MERCHANT_PENDING })).id,
  };
}

const move = (from: string, to: string, amount: bigint): EntryInput[] => [
  { accountId: from, amount: -amount },
  { accountId: to, amount },
];

async function fund(merchantId: string, to: string, world: string, amount: bigint): Promise<void> {
  await transfer(fork(), {
    ownerId: merchantId,
    idempotencyKey: newId('fund'),
    currency: 'USD',
    entries: move(world, to, amount),
  });
}

async function balanceOf(merchantId: string, accountId: string) {
  const found = (await balances(fork(), merchantId)).find((balance) => balance.accountId === accountId);
  if (!found) throw new Error(`no balance for ${accountId}`);
  return found;
}

async function counts(): Promise<{ transfers: number; entries: number }> {
  const [row] = await fork()
    .getConnection()
    .execute<{ transfers: unknown; entries: unknown }[]>(
      'select (select count(*) from ledger_transfer) as transfers, (select count(*) from ledger_entry) as entries',
    );
  return { transfers: Number(row.transfers), entries: Number(row.entries) };
}

/** Runs a call that must fail with a user error and checks that it wrote nothing. */
async function refused(code: string, call: () => Promise<unknown>): Promise<void> {
  const before = await counts();
  await expect(call()).rejects.toMatchObject({ name: 'UserFacingError', code });
  expect(await counts()).toEqual(before);
}

describe('accounts', () => {
  it('are one per owner, currency and purpose, created on first use', async () => {
    const merchantId = await newMerchant();
    const first = await ledgerAccount(fork(), { merchantId, currency: 'EUR', purpose: Purpose.MERCHANT_AVAILABLE });
    const again = await ledgerAccount(fork(), { merchantId, currency: 'EUR', purpose: Purpose.MERCHANT_AVAILABLE });
    const racing = await Promise.all(
      [1, 2, 3].map(() => ledgerAccount(fork(), { merchantId: null, currency: 'JPY', purpose: Purpose.PLATFORM_FEES })),
    );
    expect(again.id).toBe(first.id);
    expect(new Set(racing.map((account) => account.id)).size).toBe(1);
    expect(first).toMatchObject({ merchantId, currency: 'EUR', allowNegative: false, balance: 0n });
    expect(racing[0]).toMatchObject({ merchantId: null, allowNegative: false });
    expect(
      (await ledgerAccount(fork(), { merchantId: null, currency: 'EUR', purpose: Purpose.WORLD })).allowNegative,
    ).toBe(true);
  });

  it('refuse an owner that does not fit the purpose, an unknown merchant and an unknown currency', async () => {
    const merchantId = await newMerchant();
    await expect(
      ledgerAccount(fork(), { merchantId: null, currency: 'USD', purpose: Purpose.MERCHANT_AVAILABLE }),
    ).rejects.toMatchObject({ code: 'REQUIRED' });
    await expect(ledgerAccount(fork(), { merchantId, currency: 'USD', purpose: Purpose.WORLD })).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(
      ledgerAccount(fork(), { merchantId: 'mch_nope', currency: 'USD', purpose: Purpose.MERCHANT_AVAILABLE }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      ledgerAccount(fork(), { merchantId, currency: 'XXX', purpose: Purpose.MERCHANT_AVAILABLE }),
    ).rejects.toMatchObject({ code: 'INVALID_CURRENCY' });
  });
});

describe('transfers', () => {
  it('post balanced entries and move the stored balances with them', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const { transfer: posted, replayed } = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'payment-1',
      currency: 'USD',
      entries: [
        { accountId: a.world, amount: -1000n },
        { accountId: a.available, amount: 950n },
        { accountId: a.fees, amount: 50n },
      ],
      paymentId: 'pay_1',
      description: 'SMS payment',
    });
    expect(replayed).toBe(false);
    expect(posted).toMatchObject({
      kind: 'TRANSFER',
      merchantId,
      currency: 'USD',
      amount: 1000n,
      paymentId: 'pay_1',
      description: 'SMS payment',
    });
    expect(posted.createdAt).toBeInstanceOf(Date);
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 950n, available: 950n, held: 0n });
    const entries: { account_id: string; amount: unknown; merchant_id: string | null }[] = await fork()
      .getConnection()
      .execute('select account_id, amount, merchant_id from ledger_entry where transfer_id = ? order by amount', [
        posted.id,
      ]);
    expect(entries.map((entry) => [entry.account_id, BigInt(entry.amount as string), entry.merchant_id])).toEqual([
      [a.world, -1000n, null],
      [a.fees, 50n, null],
      [a.available, 950n, merchantId],
    ]);
  });

  it('refuse, writing nothing, what is unbalanced, empty, zero or names an account twice', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const attempt = (entries: EntryInput[]) => () =>
      transfer(fork(), { ownerId: merchantId, idempotencyKey: newId('k'), currency: 'USD', entries });
    await refused(
      'UNBALANCED',
      attempt([
        { accountId: a.world, amount: -10n },
        { accountId: a.available, amount: 9n },
      ]),
    );
    await refused('UNBALANCED', attempt([{ accountId: a.world, amount: -10n }]));
    await refused('UNBALANCED', attempt([]));
    await refused(
      'INVALID_AMOUNT',
      attempt([
        { accountId: a.world, amount: 0n },
        { accountId: a.available, amount: 0n },
      ]),
    );
    await refused(
      'INVALID',
      attempt([
        { accountId: a.available, amount: -5n },
        { accountId: a.available, amount: 5n },
      ]),
    );
    await refused('NOT_FOUND', attempt(move(a.world, 'lac_missing', 5n)));
  });

  it('refuse an account in another currency, writing nothing', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const euros = (await ledgerAccount(fork(), { merchantId, currency: 'EUR', purpose: Purpose.MERCHANT_AVAILABLE }))
      .id;
    await refused('CURRENCY_MISMATCH', () =>
      transfer(fork(), {
        ownerId: merchantId,
        idempotencyKey: 'mixed',
        currency: 'USD',
        entries: move(a.world, euros, 100n),
      }),
    );
    await refused('INVALID_CURRENCY', () =>
      transfer(fork(), {
        ownerId: merchantId,
        idempotencyKey: 'bad',
        currency: 'usd',
        entries: move(a.world, a.available, 1n),
      }),
    );
  });

  it('post once per owner and key: a replay returns the first transfer, other content is a conflict', async () => {
    const merchantId = await newMerchant();
    const other = await newMerchant();
    const a = await accountsOf(merchantId);
    const b = await accountsOf(other);
    const input = {
      ownerId: merchantId,
      idempotencyKey: 'sms-42',
      currency: 'USD',
      entries: move(a.world, a.available, 300n),
      paymentId: 'pay_42',
    };
    const first = await transfer(fork(), input);
    const replay = await transfer(fork(), { ...input, entries: [...input.entries].reverse() });
    expect(replay).toMatchObject({ replayed: true });
    expect(replay.transfer.id).toBe(first.transfer.id);
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 300n });

    await refused('IDEMPOTENCY_CONFLICT', () =>
      transfer(fork(), { ...input, entries: move(a.world, a.available, 301n) }),
    );
    await refused('IDEMPOTENCY_CONFLICT', () => transfer(fork(), { ...input, pending: true }));
    await refused('IDEMPOTENCY_CONFLICT', () => transfer(fork(), { ...input, paymentId: 'pay_43' }));

    // The description is prose, not money: a retry worded otherwise replays the first, which keeps its wording.
    const reworded = await transfer(fork(), { ...input, description: 'SMS payment, translated' });
    expect(reworded).toMatchObject({ replayed: true, transfer: { id: first.transfer.id, description: null } });

    // Keys are scoped to their owner: another merchant's identical key is its own transfer.
    const theirs = await transfer(fork(), { ...input, ownerId: other, entries: move(b.world, b.available, 300n) });
    expect(theirs.replayed).toBe(false);
    expect(theirs.transfer.id).not.toBe(first.transfer.id);
  });

  it('replay a retry whose description changed, keeping the first; different money still conflicts', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const input = {
      ownerId: merchantId,
      idempotencyKey: 'sms-reworded',
      currency: 'USD',
      entries: move(a.world, a.available, 250n),
      paymentId: 'pay_reworded',
      description: 'SMS 1 of 2: "PAY ABC123"',
    };
    const first = await transfer(fork(), input);
    const retry = await transfer(fork(), { ...input, description: 'SMS 1 von 2: "PAY ABC123"' });
    expect(retry.replayed).toBe(true);
    expect(retry.transfer).toMatchObject({ id: first.transfer.id, description: 'SMS 1 of 2: "PAY ABC123"' });
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 250n });
    await refused('IDEMPOTENCY_CONFLICT', () =>
      transfer(fork(), {
        ...input,
        description: 'SMS 1 of 2: "PAY ABC123"',
        entries: move(a.world, a.available, 251n),
      }),
    );
    await refused('IDEMPOTENCY_CONFLICT', () =>
      transfer(fork(), { ...input, currency: 'EUR', entries: move(a.world, a.available, 250n) }),
    );

    // Holds' resolutions and reversals likewise.
    const hold = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'reworded-hold',
      currency: 'USD',
      pending: true,
      entries: move(a.world, a.pending, 100n),
    });
    const posted = await postPending(fork(), hold.transfer.id, {
      idempotencyKey: 'reworded-post',
      amount: 60n,
      description: 'Withdrawal',
    });
    const postedAgain = await postPending(fork(), hold.transfer.id, {
      idempotencyKey: 'reworded-post',
      amount: 60n,
      description: 'Auszahlung',
    });
    expect(postedAgain).toMatchObject({
      replayed: true,
      transfer: { id: posted.transfer.id, description: 'Withdrawal' },
    });
    await refused('IDEMPOTENCY_CONFLICT', () =>
      postPending(fork(), hold.transfer.id, {
        idempotencyKey: 'reworded-post',
        amount: 70n,
        description: 'Withdrawal',
      }),
    );
    const reversal = await reverse(fork(), first.transfer.id, {
      idempotencyKey: 'reworded-refund',
      description: 'Refund',
    });
    const reversalAgain = await reverse(fork(), first.transfer.id, {
      idempotencyKey: 'reworded-refund',
      description: 'Remboursement',
    });
    expect(reversalAgain).toMatchObject({
      replayed: true,
      transfer: { id: reversal.transfer.id, description: 'Refund' },
    });
  });

  it('replay a transfer written while descriptions were in the fingerprint', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const entries = move(a.world, a.available, 5n);
    // An earlier version hashed the description last. The row alone is written (no entries), so all of it happens in
    // a transaction rolled back at the end: the ledger stays consistent.
    const canonical = [...entries].sort((x, y) => (x.accountId < y.accountId ? -1 : 1));
    const legacyContent = {
      kind: 'TRANSFER',
      currency: 'USD',
      entries: canonical,
      paymentId: 'pay_old',
      description: 'Old',
    };
    const legacy = createHash('sha256')
      .update(
        JSON.stringify(legacyContent, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
      )
      .digest('hex');
    const id = newId('ltr');
    const input = { ownerId: merchantId, idempotencyKey: 'legacy-1', currency: 'USD', entries, paymentId: 'pay_old' };
    const rolledBack = new Error('rolled back');
    await expect(
      fork().transactional(async (tx) => {
        await tx.getConnection().execute(
          `insert into ledger_transfer (id, merchant_id, owner_key, idempotency_key, fingerprint, kind, currency, amount,
             pending_id, reverses_id, payment_id, description, created_at)
           values (?, ?, ?, 'legacy-1', ?, 'TRANSFER', 'USD', 5, null, null, 'pay_old', 'Old', ?)`,
          [id, merchantId, merchantId, legacy, new Date()],
          'run',
          tx.getTransactionContext(),
        );
        expect(await transfer(tx, { ...input, description: 'Reworded' })).toMatchObject({
          replayed: true,
          transfer: { id, description: 'Old' },
        });
        await expect(transfer(tx, { ...input, paymentId: 'pay_other' })).rejects.toMatchObject({
          code: 'IDEMPOTENCY_CONFLICT',
        });
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
  });

  it('refuse an overdraft, writing nothing, while the outside world may go negative', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    await fund(merchantId, a.available, a.world, 100n);
    await refused('INSUFFICIENT_FUNDS', () =>
      transfer(fork(), {
        ownerId: merchantId,
        idempotencyKey: 'too-much',
        currency: 'USD',
        entries: move(a.available, a.clearing, 101n),
      }),
    );
    await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'exactly',
      currency: 'USD',
      entries: move(a.available, a.clearing, 100n),
    });
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 0n, available: 0n });
    const [world] = await fork()
      .getConnection()
      .execute<{ balance: unknown }[]>('select balance from ledger_account where id = ?', [a.world]);
    expect(BigInt(world.balance as string)).toBeLessThan(0n);
  });

  it('work inside an outer transaction: a refused transfer rolls back alone, a failing outer one takes all', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    await fork().transactional(async (em) => {
      await transfer(em, {
        ownerId: merchantId,
        idempotencyKey: 'outer-1',
        currency: 'USD',
        entries: move(a.world, a.available, 70n),
      });
      // A savepoint: the caller may handle the refusal and carry on.
      await expect(
        transfer(em, {
          ownerId: merchantId,
          idempotencyKey: 'outer-2',
          currency: 'USD',
          entries: move(a.available, a.clearing, 71n),
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
      await transfer(em, {
        ownerId: merchantId,
        idempotencyKey: 'outer-3',
        currency: 'USD',
        entries: move(a.available, a.clearing, 20n),
      });
      expect((await balances(em, merchantId)).find((b) => b.accountId === a.available)?.posted).toBe(50n);
    });
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 50n });

    const before = await counts();
    await expect(
      fork().transactional(async (em) => {
        await transfer(em, {
          ownerId: merchantId,
          idempotencyKey: 'outer-4',
          currency: 'USD',
          entries: move(a.world, a.available, 5n),
        });
        throw new Error('the caller fails after the transfer');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await counts()).toEqual(before);
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 50n });
  });
});

describe('holds', () => {
  it('reserve the debit, then post in part once; other resolutions are ALREADY_RESOLVED', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    await fund(merchantId, a.available, a.world, 100n);
    const hold = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'withdrawal-1',
      currency: 'USD',
      pending: true,
      entries: move(a.available, a.clearing, 70n),
    });
    expect(hold.transfer.kind).toBe('PENDING');
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 100n, available: 30n, held: 70n });
    // The hold counts against what is available.
    await refused('INSUFFICIENT_FUNDS', () =>
      transfer(fork(), {
        ownerId: merchantId,
        idempotencyKey: 'withdrawal-2',
        currency: 'USD',
        pending: true,
        entries: move(a.available, a.clearing, 31n),
      }),
    );
    await refused('INVALID_AMOUNT', () =>
      postPending(fork(), hold.transfer.id, { idempotencyKey: 'post-1', amount: 71n }),
    );
    await refused('INVALID_AMOUNT', () =>
      postPending(fork(), hold.transfer.id, { idempotencyKey: 'post-1', amount: 0n }),
    );

    const posted = await postPending(fork(), hold.transfer.id, { idempotencyKey: 'post-1', amount: 50n });
    expect(posted.transfer).toMatchObject({ kind: 'POST', pendingId: hold.transfer.id, amount: 50n, merchantId });
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 50n, available: 50n, held: 0n });

    const replay = await postPending(fork(), hold.transfer.id, { idempotencyKey: 'post-1', amount: 50n });
    expect(replay).toMatchObject({ replayed: true, transfer: { id: posted.transfer.id } });
    await refused('IDEMPOTENCY_CONFLICT', () =>
      postPending(fork(), hold.transfer.id, { idempotencyKey: 'post-1', amount: 60n }),
    );
    await refused('ALREADY_RESOLVED', () => postPending(fork(), hold.transfer.id, { idempotencyKey: 'post-2' }));
    await refused('ALREADY_RESOLVED', () => voidPending(fork(), hold.transfer.id, { idempotencyKey: 'void-1' }));
    await refused('INVALID_TRANSITION', () => postPending(fork(), posted.transfer.id, { idempotencyKey: 'post-3' }));
    await refused('NOT_FOUND', () => voidPending(fork(), 'ltr_missing', { idempotencyKey: 'void-2' }));
  });

  it('post in full, or void to release everything', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    await fund(merchantId, a.available, a.world, 100n);
    const incoming = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'incoming',
      currency: 'USD',
      pending: true,
      entries: move(a.world, a.pending, 40n),
    });
    expect(await balanceOf(merchantId, a.pending)).toMatchObject({ posted: 0n, available: 0n, pending: 40n });
    await postPending(fork(), incoming.transfer.id, { idempotencyKey: 'incoming-post' });
    expect(await balanceOf(merchantId, a.pending)).toMatchObject({ posted: 40n, available: 40n, pending: 0n });

    const hold = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'hold',
      currency: 'USD',
      pending: true,
      entries: move(a.available, a.clearing, 100n),
    });
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ available: 0n, held: 100n });
    const voided = await voidPending(fork(), hold.transfer.id, {
      idempotencyKey: 'hold-void',
      description: 'cancelled',
    });
    expect(voided.transfer).toMatchObject({ kind: 'VOID', amount: 100n, pendingId: hold.transfer.id });
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 100n, available: 100n, held: 0n });
  });

  it('resolve at most once when a post and a void race', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    await fund(merchantId, a.available, a.world, 100n);
    const hold = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'race',
      currency: 'USD',
      pending: true,
      entries: move(a.available, a.clearing, 60n),
    });
    const results = await Promise.allSettled([
      postPending(fork(), hold.transfer.id, { idempotencyKey: 'race-post' }),
      voidPending(fork(), hold.transfer.id, { idempotencyKey: 'race-void' }),
      postPending(fork(), hold.transfer.id, { idempotencyKey: 'race-post-2', amount: 10n }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'ALREADY_RESOLVED' });
    }
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ held: 0n });
  });
});

describe('reversals', () => {
  it('compensate a posted transfer once, with opposite entries', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const { transfer: original } = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'to-reverse',
      currency: 'USD',
      entries: [
        { accountId: a.world, amount: -500n },
        { accountId: a.available, amount: 450n },
        { accountId: a.fees, amount: 50n },
      ],
      paymentId: 'pay_r',
    });
    const reversal = await reverse(fork(), original.id, { idempotencyKey: 'refund', description: 'refund' });
    expect(reversal.transfer).toMatchObject({
      kind: 'REVERSAL',
      reversesId: original.id,
      amount: 500n,
      paymentId: 'pay_r',
    });
    expect(await balanceOf(merchantId, a.available)).toMatchObject({ posted: 0n });
    expect((await reverse(fork(), original.id, { idempotencyKey: 'refund', description: 'refund' })).replayed).toBe(
      true,
    );
    await refused('ALREADY_RESOLVED', () => reverse(fork(), original.id, { idempotencyKey: 'refund-again' }));
    await refused('INVALID_TRANSITION', () => reverse(fork(), reversal.transfer.id, { idempotencyKey: 'undo-refund' }));
  });

  it('refuse to reverse a hold, or money the merchant no longer has', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const { transfer: paid } = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'paid',
      currency: 'USD',
      entries: move(a.world, a.available, 80n),
    });
    const hold = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'held',
      currency: 'USD',
      pending: true,
      entries: move(a.available, a.clearing, 50n),
    });
    await refused('INVALID_TRANSITION', () => reverse(fork(), hold.transfer.id, { idempotencyKey: 'x' }));
    await refused('INSUFFICIENT_FUNDS', () => reverse(fork(), paid.id, { idempotencyKey: 'y' }));
  });
});

describe('the database', () => {
  const execute = (query: string, params: unknown[] = []) => fork().getConnection().execute(query, params);

  it('refuses to update or delete entries and transfers (I8)', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const { transfer: posted } = await transfer(fork(), {
      ownerId: merchantId,
      idempotencyKey: 'immutable',
      currency: 'USD',
      entries: move(a.world, a.available, 10n),
    });
    await expect(
      execute('update ledger_entry set amount = amount * 2 where transfer_id = ?', [posted.id]),
    ).rejects.toThrow(/append-only/);
    await expect(execute('delete from ledger_entry where transfer_id = ?', [posted.id])).rejects.toThrow(/append-only/);
    await expect(
      execute(`update ledger_transfer set description = 'edited' where id = ?`, [posted.id]),
    ).rejects.toThrow(/append-only/);
    await expect(execute('delete from ledger_transfer where id = ?', [posted.id])).rejects.toThrow(/append-only/);
    // Through the ORM as well: a changed entity cannot be flushed.
    const em = fork();
    const loaded = await em.findOneOrFail(LedgerTransfer, posted.id);
    loaded.description = 'edited';
    await expect(em.flush()).rejects.toThrow(/append-only/);
  });

  it('refuses an overdraft, a changed allowNegative and a deleted account, whatever code writes (I3)', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    await fund(merchantId, a.available, a.world, 10n);
    await expect(execute('update ledger_account set balance = -1 where id = ?', [a.available])).rejects.toThrow(
      /overdrawn/,
    );
    await expect(execute('update ledger_account set pending_debits = -11 where id = ?', [a.available])).rejects.toThrow(
      /overdrawn/,
    );
    await expect(
      execute('update ledger_account set allow_negative = true where id = ?', [a.available]),
    ).rejects.toThrow(/keeps its owner/);
    await expect(execute('delete from ledger_account where id = ?', [a.available])).rejects.toThrow(/never deleted/);
  });

  it('lets checkLedger find an unbalanced transfer (I1), which only a direct insert could write', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    const rollback = new Error('rolled back on purpose');
    await expect(
      fork().transactional(async (em) => {
        const run = (query: string, params: unknown[]) =>
          em.getConnection().execute(query, params, 'run', em.getTransactionContext());
        await run(
          `insert into ledger_transfer (id, merchant_id, owner_key, idempotency_key, fingerprint, kind, currency, amount, created_at)
           values ('ltr_bogus', ?, ?, 'bogus', 'x', 'TRANSFER', 'USD', 5, ?)`,
          [merchantId, merchantId, new Date()],
        );
        await run(
          `insert into ledger_entry (id, transfer_id, account_id, merchant_id, currency, amount, pending, created_at)
           values ('len_bogus', 'ltr_bogus', ?, ?, 'USD', 5, false, ?)`,
          [a.available, merchantId, new Date()],
        );
        const found = (await checkLedger(em)).map((v) => [v.invariant, v.transferId ?? v.accountId ?? v.currency]);
        expect(found).toEqual([
          ['I1', 'USD'],
          ['I1', 'ltr_bogus'],
          ['I2', a.available],
        ]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
  });

  it('lets checkLedger find a stored balance that disagrees with its entries (I2)', async () => {
    const merchantId = await newMerchant();
    const a = await accountsOf(merchantId);
    await fund(merchantId, a.available, a.world, 10n);
    expect(await checkLedger(fork())).toEqual([]);
    await execute('update ledger_account set balance = balance + 5 where id = ?', [a.available]);
    try {
      expect(await checkLedger(fork())).toEqual([
        expect.objectContaining({ invariant: 'I2', accountId: a.available, currency: 'USD' }),
      ]);
    } finally {
      await execute('update ledger_account set balance = balance - 5 where id = ?', [a.available]);
    }
    expect(await checkLedger(fork())).toEqual([]);
  });
});
