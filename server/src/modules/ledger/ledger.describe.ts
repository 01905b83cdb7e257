import type { EntityManager } from '@mikro-orm/core';
import { LedgerAccount, LedgerAccountPurpose, LedgerEntry, LedgerTransfer, LedgerTransferKind } from './ledger.entity';

/*
 * A transfer's plain description. The poster's own words when it gave some (settlement always does: "SMS sms_… to
 * 1094 (BG)", "Refund of payment K7M2XR9D"); older or bare transfers get one from what they do: their kind and the
 * purposes of the accounts they credit and debit. The ledger knows nothing of payments: the link to a payment is the
 * `paymentId` the poster stored with the transfer.
 */

const BY_KIND: Partial<Record<LedgerTransferKind, string>> = {
  [LedgerTransferKind.PENDING]: 'Hold',
  [LedgerTransferKind.POST]: 'Hold posted',
  [LedgerTransferKind.VOID]: 'Hold released',
  [LedgerTransferKind.REVERSAL]: 'Reversal',
};

/** What a transfer crediting (or, for WORLD, debiting) an account of this purpose is, in a merchant's words. */
const BY_PURPOSE: [LedgerAccountPurpose, 'credit' | 'debit', string][] = [
  [LedgerAccountPurpose.PAYOUT_CLEARING, 'credit', 'Payout'],
  [LedgerAccountPurpose.PAYOUT_CLEARING, 'debit', 'Payout'],
  [LedgerAccountPurpose.PAYER_CREDIT, 'credit', 'Payer credit'],
  [LedgerAccountPurpose.SUSPENSE, 'credit', 'Held in suspense'],
  [LedgerAccountPurpose.WORLD, 'debit', 'Money received'],
  [LedgerAccountPurpose.WORLD, 'credit', 'Money paid out'],
  [LedgerAccountPurpose.PLATFORM_FEES, 'credit', 'Fee'],
  [LedgerAccountPurpose.MERCHANT_RESERVE, 'credit', 'Reserve'],
];

/** The plain description of a bare transfer, from its kind and its entries' account purposes. */
export function describeByPurpose(
  kind: LedgerTransferKind,
  legs: readonly { purpose: LedgerAccountPurpose; amount: bigint }[],
): string {
  const byKind = BY_KIND[kind];
  if (byKind) return byKind;
  for (const [purpose, side, words] of BY_PURPOSE) {
    if (legs.some((leg) => leg.purpose === purpose && (side === 'credit' ? leg.amount > 0n : leg.amount < 0n)))
      return words;
  }
  return 'Transfer between accounts';
}

/** A transfer's description: the poster's words, else one from its kind and purposes. */
export async function transferSummary(em: EntityManager, transfer: LedgerTransfer): Promise<string> {
  if (transfer.description) return transfer.description;
  const entries = await em.find(LedgerEntry, { transferId: transfer.id });
  const accounts = await em.find(LedgerAccount, { id: { $in: entries.map((entry) => entry.accountId) } });
  const purposeOf = new Map(accounts.map((account) => [account.id, account.purpose]));
  return describeByPurpose(
    transfer.kind,
    entries.flatMap((entry) => {
      const purpose = purposeOf.get(entry.accountId);
      return purpose ? [{ purpose, amount: entry.amount }] : [];
    }),
  );
}
