import type { EntityManager } from '@mikro-orm/core';

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
  const key = (prefix: string) =>
    `(select count(*) from ledger_transfer t where t.owner_key = w.merchant_id and t.idempotency_key = '${prefix}:' || w.id)`;

  for (const row of await all(
    `select w.id, w.status, w.hold_transfer_id,
            ${key('withdrawal-hold')} as holds, ${key('withdrawal-post')} as posts,
            ${key('withdrawal-void')} as voids, ${key('withdrawal-out')} as outs,
            ${key('withdrawal-return')} as returns
       from withdrawal w`,
  )) {
    const n = (name: string) => Number(row[name]);
    const status = String(row.status);
    const held = ['CONFIRMED', 'APPROVED', 'IN_BATCH'].includes(status);
    const paid = status === 'PAID' || status === 'RETURNED';
    const closed = status === 'REJECTED' || status === 'CANCELLED';
    const expected = {
      holds: status === 'REQUESTED' ? 0 : closed ? n('holds') : 1,
      posts: paid ? 1 : 0,
      outs: paid ? 1 : 0,
      voids: closed && n('holds') ? 1 : 0,
      returns: status === 'RETURNED' ? 1 : 0,
    };
    for (const [name, want] of Object.entries(expected)) {
      if (n(name) !== want) {
        violations.push(`withdrawal ${String(row.id)} is ${status} but has ${n(name)} ${name} (expected ${want})`);
      }
    }
    if ((held || paid) && !row.hold_transfer_id)
      violations.push(`withdrawal ${String(row.id)} is ${status} with no hold`);
  }

  for (const row of await all(
    `select a.currency, a.pending_credits,
            (select coalesce(sum(w.amount_minor), 0) from withdrawal w
              where w.currency = a.currency and w.status in ('CONFIRMED', 'APPROVED', 'IN_BATCH')) as open_holds
       from ledger_account a where a.purpose = 'PAYOUT_CLEARING'`,
  )) {
    if (BigInt(String(row.pending_credits)) !== BigInt(String(row.open_holds))) {
      violations.push(
        `PAYOUT_CLEARING ${String(row.currency)} has ${String(row.pending_credits)} pending but the open ` +
          `withdrawals hold ${String(row.open_holds)}`,
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
