import type { EntityManager } from '@mikro-orm/core';
import { balances, LedgerAccountPurpose, transferCountsByKeyPrefix } from '../ledger';

/*
 * I7 as queries, run by the test harness after every integration test (and fit for an admin's check): each
 * withdrawal's ledger matches its one state — no hold before confirmation; an open hold (neither posted nor voided)
 * exactly while CONFIRMED, APPROVED or IN_BATCH; a posted hold and its payout once PAID or RETURNED (and a return
 * only when RETURNED); a voided hold for a REJECTED or CANCELLED withdrawal that was confirmed. PAYOUT_CLEARING holds
 * exactly the open holds. No confirmation code was used twice (its state is a single column), and none is usable
 * after expiry: every USED code has a used_at before its expiry.
 */
export async function checkPayoutInvariants(em: EntityManager): Promise<string[]> {
  const connection = em.getConnection('read');
  const all = (sql: string) => connection.execute(sql, [], 'all') as Promise<Record<string, unknown>[]>;
  const violations: string[] = [];
  // The ledger's side through its own reads: every withdrawal posting is keyed `withdrawal-<step>:<id>`.
  const postings = await transferCountsByKeyPrefix(em, 'withdrawal-');
  const count = (merchantId: string, step: string, id: string) =>
    postings.get(`${merchantId}|withdrawal-${step}:${id}`) ?? 0;

  const withdrawals = await all(
    'select id, merchant_id, status, currency, amount_minor, hold_transfer_id from withdrawal',
  );
  for (const row of withdrawals) {
    const id = String(row.id);
    const merchantId = String(row.merchant_id);
    const found = {
      holds: count(merchantId, 'hold', id),
      posts: count(merchantId, 'post', id),
      voids: count(merchantId, 'void', id),
      outs: count(merchantId, 'out', id),
      returns: count(merchantId, 'return', id),
    };
    const status = String(row.status);
    const held = ['CONFIRMED', 'APPROVED', 'IN_BATCH'].includes(status);
    const paid = status === 'PAID' || status === 'RETURNED';
    const closed = status === 'REJECTED' || status === 'CANCELLED';
    const expected = {
      holds: status === 'REQUESTED' ? 0 : closed ? found.holds : 1,
      posts: paid ? 1 : 0,
      outs: paid ? 1 : 0,
      voids: closed && found.holds ? 1 : 0,
      returns: status === 'RETURNED' ? 1 : 0,
    };
    for (const [name, want] of Object.entries(expected)) {
      const got = found[name as keyof typeof found];
      if (got !== want) violations.push(`withdrawal ${id} is ${status} but has ${got} ${name} (expected ${want})`);
    }
    if ((held || paid) && !row.hold_transfer_id) violations.push(`withdrawal ${id} is ${status} with no hold`);
  }

  const openHolds = new Map<string, bigint>();
  for (const row of withdrawals) {
    if (!['CONFIRMED', 'APPROVED', 'IN_BATCH'].includes(String(row.status))) continue;
    const currency = String(row.currency);
    openHolds.set(currency, (openHolds.get(currency) ?? 0n) + BigInt(String(row.amount_minor)));
  }
  for (const account of await balances(em, null)) {
    if (account.purpose !== LedgerAccountPurpose.PAYOUT_CLEARING) continue;
    const open = openHolds.get(account.currency) ?? 0n;
    if (account.pending !== open) {
      violations.push(
        `PAYOUT_CLEARING ${account.currency} has ${account.pending} pending but the open withdrawals hold ${open}`,
      );
    }
  }

  for (const row of await all(
    `select id from confirmation_code where status = 'USED' and (used_at is null or used_at > expires_at)`,
  )) {
    violations.push(`confirmation code ${String(row.id)} was used after it expired`);
  }
  return violations;
}
