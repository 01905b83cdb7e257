import type { EntityManager } from '@mikro-orm/core';

/**
 * Invariant I5 as queries: a voucher is sold at most once, sold ≤ stock, every paid voucher payment has exactly one
 * voucher. Returns one sentence per violation (empty when all hold). Used by the tests' checkInvariants.
 *
 * The schema already makes "one payment, one voucher" (unique voucher.payment_id) and "one order per payment" (unique
 * voucher_order.payment_id) structural; these queries check the states agree with each other.
 */
export async function checkVoucherInvariants(em: EntityManager): Promise<string[]> {
  const connection = em.getConnection('read');
  const all = (sql: string) => connection.execute(sql, [], 'all') as Promise<Record<string, unknown>[]>;
  const violations: string[] = [];

  // A voucher is held by a payment exactly while it is reserved or sold.
  for (const row of await all(
    `select id, status from voucher
      where (status in ('RESERVED', 'SOLD') and payment_id is null)
         or (status in ('AVAILABLE', 'WITHDRAWN') and payment_id is not null)`,
  )) {
    violations.push(`voucher ${String(row.id)} is ${String(row.status)} but its payment link disagrees`);
  }

  // Sold at most once: a sold voucher's payment is a paid voucher payment whose order is SOLD, of the same project.
  for (const row of await all(
    `select v.id from voucher v
       left join payment p on p.id = v.payment_id
       left join voucher_order o on o.payment_id = v.payment_id
      where v.status = 'SOLD'
        and (p.id is null or p.kind <> 'VOUCHER' or p.status <> 'PAID' or o.id is null or o.state <> 'SOLD'
             or o.project_id <> v.project_id)`,
  )) {
    violations.push(`voucher ${String(row.id)} is SOLD but not to a paid voucher payment with a SOLD order`);
  }

  // A reserved voucher belongs to a payment still taking money, whose order holds it.
  for (const row of await all(
    `select v.id from voucher v
       left join payment p on p.id = v.payment_id
       left join voucher_order o on o.payment_id = v.payment_id
      where v.status = 'RESERVED'
        and (p.id is null or p.status not in ('OPEN', 'PARTIALLY_PAID') or o.id is null or o.state <> 'RESERVED'
             or o.project_id <> v.project_id)`,
  )) {
    violations.push(`voucher ${String(row.id)} is RESERVED but its payment or order is not in progress`);
  }

  // Every paid voucher payment has exactly one sold voucher, unless its order is flagged UNFULFILLED (money arrived
  // with the stock empty, waiting for the seller or an admin) and has none.
  for (const row of await all(
    `select p.id, o.state, (select count(*) from voucher v where v.payment_id = p.id) as vouchers
       from payment p left join voucher_order o on o.payment_id = p.id
      where p.kind = 'VOUCHER' and p.status = 'PAID'`,
  )) {
    const vouchers = Number(row.vouchers);
    const ok = row.state === 'UNFULFILLED' ? vouchers === 0 : row.state === 'SOLD' && vouchers === 1;
    if (!ok)
      violations.push(`paid voucher payment ${String(row.id)} (order ${String(row.state)}) has ${vouchers} vouchers`);
  }

  // Sold ≤ stock, per project: the SOLD orders are exactly the SOLD vouchers, which are among the project's vouchers.
  for (const row of await all(
    `select pr.id,
            (select count(*) from voucher_order o where o.project_id = pr.id and o.state = 'SOLD') as orders,
            (select count(*) from voucher v where v.project_id = pr.id and v.status = 'SOLD') as sold,
            (select count(*) from voucher v where v.project_id = pr.id) as stock
       from voucher_project pr`,
  )) {
    const [orders, sold, stock] = [Number(row.orders), Number(row.sold), Number(row.stock)];
    if (orders !== sold || sold > stock) {
      violations.push(`project ${String(row.id)}: ${orders} sold orders, ${sold} sold vouchers, ${stock} in stock`);
    }
  }
  return violations;
}
