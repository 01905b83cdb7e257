import type { MikroORM } from '@mikro-orm/core';
import { checkLedger } from '../src/modules/ledger/ledger.service';
import { checkSettlementInvariants } from './settlement-invariants';
import { checkVoucherInvariants } from '../src/modules/voucher/voucher.invariants';
import { checkPayoutInvariants } from '../src/modules/payout/payout.invariants';

/**
 * Throws, listing every broken invariant, when the database breaks one of the promises in the invariants notes
 * (the ledger's I1 zero sum, I2 balances equal entries, I3 no overdraft). Run after every integration test.
 */
export async function checkInvariants(orm: MikroORM): Promise<void> {
  const violations = await checkLedger(orm.em.fork());
  if (violations.length) {
    const lines = violations.map((violation) => `  ${violation.invariant}: ${violation.message}`);
    throw new Error(`ledger invariants broken (${violations.length}):\n${lines.join('\n')}`);
  }
  // I5: a voucher is sold at most once, sold ≤ stock, every paid voucher payment has exactly one voucher.
  const vouchers = await checkVoucherInvariants(orm.em.fork());
  if (vouchers.length)
    throw new Error(`voucher invariants broken (${vouchers.length}):\n  I5: ${vouchers.join('\n  I5: ')}`);
  // I7: each withdrawal holds, posts or releases its money as its state says; codes used at most once.
  const payouts = await checkPayoutInvariants(orm.em.fork());
  if (payouts.length)
    throw new Error(`payout invariants broken (${payouts.length}):\n  I7: ${payouts.join('\n  I7: ')}`);
  // Every billed SMS is on an account or in suspense; payer credit and suspense accounts match their lists.
  const settlement = await checkSettlementInvariants(orm.em.fork());
  if (settlement.length) {
    throw new Error(`settlement invariants broken (${settlement.length}):\n  ${settlement.join('\n  ')}`);
  }
}
