import type { EntityManager } from '@mikro-orm/core';

/**
 * Settlement's promises as queries across the modules' tables (the SMS rails', settlement's and the ledger's), so
 * they live with the tests rather than in any one module; run by checkInvariants after every integration test. Returns one
 * sentence per violation, empty when all hold:
 * - a billed SMS is never money on no account: every processed inbound SMS has its `sms:<id>` posting, or waits in
 *   the suspense list (its value unknown);
 * - the PAYER_CREDIT accounts hold exactly the credit still available to payers, per merchant and currency;
 * - the SUSPENSE account holds exactly the money of the open suspense items;
 * - each MERCHANT_RESERVE account holds exactly its merchant's held reserve holds, per currency;
 * - no MERCHANT_RECEIVABLE is above zero (it is what a merchant owes, covered, never overpaid);
 * - no payment was refunded beyond what it received by card.
 */
export async function checkSettlementInvariants(em: EntityManager): Promise<string[]> {
  const connection = em.getConnection('read');
  const all = (sql: string) => connection.execute(sql, [], 'all') as Promise<Record<string, unknown>[]>;
  const violations: string[] = [];

  for (const row of await all(
    `select s.id, s.status from sms_message s
      where s.direction = 'IN' and s.processed_at is not null
        and not exists (select 1 from ledger_transfer t where t.idempotency_key = 'sms:' || s.id)
        and not exists (select 1 from suspense_item i where i.sms_id = s.id)`,
  )) {
    violations.push(
      `SMS ${String(row.id)} (${String(row.status)}) was processed but is on no account and not in suspense`,
    );
  }

  for (const row of await all(
    `select a.merchant_id, a.currency, a.balance, coalesce(sum(c.amount_minor), 0) as held
       from ledger_account a
       left join payer_credit c
         on c.merchant_id = a.merchant_id and c.currency = a.currency and c.status = 'AVAILABLE'
      where a.purpose = 'PAYER_CREDIT'
      group by a.merchant_id, a.currency, a.balance`,
  )) {
    if (BigInt(String(row.balance)) !== BigInt(String(row.held))) {
      violations.push(
        `merchant ${String(row.merchant_id)} holds ${String(row.balance)} ${String(row.currency)} of payer credit ` +
          `but its available credits add up to ${String(row.held)}`,
      );
    }
  }

  for (const row of await all(
    `select a.currency, a.balance,
            (select coalesce(sum(i.amount_minor), 0) from suspense_item i
              where i.status = 'OPEN' and i.currency = a.currency) as held
       from ledger_account a where a.purpose = 'SUSPENSE'`,
  )) {
    if (BigInt(String(row.balance)) !== BigInt(String(row.held))) {
      violations.push(
        `SUSPENSE holds ${String(row.balance)} ${String(row.currency)} but the open items add up to ${String(row.held)}`,
      );
    }
  }
  for (const row of await all(
    `select a.merchant_id, a.currency, a.balance,
            (select coalesce(sum(h.amount_minor), 0) from reserve_hold h
              where h.merchant_id = a.merchant_id and h.currency = a.currency and h.status = 'HELD') as held
       from ledger_account a where a.purpose = 'MERCHANT_RESERVE'`,
  )) {
    if (BigInt(String(row.balance)) !== BigInt(String(row.held))) {
      violations.push(
        `merchant ${String(row.merchant_id)} has ${String(row.balance)} ${String(row.currency)} in reserve ` +
          `but its held reserve holds add up to ${String(row.held)}`,
      );
    }
  }
  for (const row of await all(
    `select h.id, h.amount_minor from reserve_hold h
      where h.status = 'HELD' and not exists (select 1 from ledger_account a
        where a.purpose = 'MERCHANT_RESERVE' and a.merchant_id = h.merchant_id and a.currency = h.currency)`,
  )) {
    violations.push(`reserve hold ${String(row.id)} holds ${String(row.amount_minor)} on no reserve account`);
  }

  for (const row of await all(
    `select merchant_id, currency, balance from ledger_account
      where purpose = 'MERCHANT_RECEIVABLE' and balance > 0`,
  )) {
    violations.push(
      `merchant ${String(row.merchant_id)}'s receivable is ${String(row.balance)} ${String(row.currency)}: ` +
        'a debt was covered more than it was owed',
    );
  }

  for (const row of await all(
    `select p.id, p.refunded_minor,
            (select coalesce(sum(t.amount), 0) from ledger_transfer t
              where t.payment_id = p.id and t.idempotency_key like 'card-capture:%') as captured
       from payment p where p.refunded_minor > 0`,
  )) {
    if (BigInt(String(row.refunded_minor)) > BigInt(String(row.captured))) {
      violations.push(
        `payment ${String(row.id)} was refunded ${String(row.refunded_minor)} but received ${String(row.captured)} by card`,
      );
    }
  }
  return violations;
}
