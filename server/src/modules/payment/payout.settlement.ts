import type { EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { formatAmount } from '../../common/money';
import {
  LedgerAccountPurpose,
  ledgerAccount,
  lockedBalance,
  postPending,
  transfer,
  transferByKey,
  voidPending,
} from '../ledger';
import { postOnce, toMerchant } from './payment.settlement';

/*
 * Settlement of payouts: the payout module (modules/payout) says what happened to a withdrawal and these recipes
 * book it. Confirming a withdrawal holds its amount (a two-phase hold, MERCHANT_AVAILABLE → PAYOUT_CLEARING pending):
 * held money is no longer available, so no two withdrawals can spend the same balance (the ledger checks the hold
 * against the account row it locks). Paying posts the hold and sends it out: the payout fee of the merchant's plan to
 * PLATFORM_FEES, the rest to WORLD (the bank). Rejecting or cancelling voids the hold. A payout the bank sends back is
 * booked back to the merchant in full (fee included), covering its receivable first.
 *
 * Keys come from the withdrawal's id (`withdrawal-hold:`, `withdrawal-post:`, `withdrawal-out:`, `withdrawal-void:`,
 * `withdrawal-return:`), so a retried step posts nothing new (I4), and a hold resolves at most once (I7).
 */

/** What settlement needs of a withdrawal: plain values, so the payment module knows nothing of payouts. */
export interface WithdrawalMoney {
  id: string;
  merchantId: string;
  currency: string;
  /** What leaves the merchant's balance, minor units. */
  amountMinor: bigint;
  /** The payout fee of the merchant's plan, taken from the amount (the bank sends amount − fee). */
  feeMinor: bigint;
  /** The hold's transfer, once confirmed. */
  holdTransferId: string | null;
}

/**
 * What a merchant may withdraw in a currency now (posted less held), and what it owes (a negative receivable shown
 * positive), read in the caller's transaction; on PostgreSQL both account rows stay locked until it ends.
 */
export async function withdrawableBalance(
  em: EntityManager,
  merchantId: string,
  currency: string,
): Promise<{ available: bigint; owed: bigint }> {
  const available = await lockedBalance(em, { merchantId, currency, purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE });
  const receivable = await lockedBalance(em, {
    merchantId,
    currency,
    purpose: LedgerAccountPurpose.MERCHANT_RECEIVABLE,
  });
  return { available, owed: receivable < 0n ? -receivable : 0n };
}

/**
 * A confirmed withdrawal holds its amount: MERCHANT_AVAILABLE −amount → PAYOUT_CLEARING +amount, pending (key
 * `withdrawal-hold:<id>`). Refused with INSUFFICIENT_FUNDS, writing nothing, when the available balance (less every
 * other hold) is short. Returns the hold's transfer id.
 */
export async function holdWithdrawal(em: EntityManager, withdrawal: WithdrawalMoney): Promise<string> {
  const from = await ledgerAccount(em, {
    merchantId: withdrawal.merchantId,
    currency: withdrawal.currency,
    purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE,
  });
  const to = await ledgerAccount(em, {
    merchantId: null,
    currency: withdrawal.currency,
    purpose: LedgerAccountPurpose.PAYOUT_CLEARING,
  });
  try {
    const { transfer: hold } = await transfer(em, {
      ownerId: withdrawal.merchantId,
      idempotencyKey: `withdrawal-hold:${withdrawal.id}`,
      currency: withdrawal.currency,
      pending: true,
      entries: [
        { accountId: from.id, amount: -withdrawal.amountMinor },
        { accountId: to.id, amount: withdrawal.amountMinor },
      ],
      paymentId: null,
      description: `Withdrawal ${withdrawal.id}: ${formatAmount(withdrawal.amountMinor, withdrawal.currency)} ${withdrawal.currency} held`,
    });
    return hold.id;
  } catch (error) {
    if (error instanceof UserFacingError && error.code === UserErrorCode.INSUFFICIENT_FUNDS) {
      throw new UserFacingError(
        UserErrorCode.INSUFFICIENT_FUNDS,
        'the available balance no longer covers this withdrawal',
        ['input', 'amount'],
      );
    }
    throw error;
  }
}

function holdOf(withdrawal: WithdrawalMoney): string {
  if (!withdrawal.holdTransferId) throw new Error(`withdrawal ${withdrawal.id} has no hold`);
  return withdrawal.holdTransferId;
}

/**
 * A withdrawal was paid: its hold is posted (key `withdrawal-post:<id>`), then the clearing money leaves — the fee to
 * PLATFORM_FEES, amount − fee to WORLD (key `withdrawal-out:<id>`).
 */
export async function payWithdrawal(em: EntityManager, withdrawal: WithdrawalMoney): Promise<void> {
  await postPending(em, holdOf(withdrawal), {
    idempotencyKey: `withdrawal-post:${withdrawal.id}`,
    description: `Withdrawal ${withdrawal.id} paid: hold posted`,
  });
  const net = withdrawal.amountMinor - withdrawal.feeMinor;
  await postOnce(em, {
    key: `withdrawal-out:${withdrawal.id}`,
    ownerId: withdrawal.merchantId,
    currency: withdrawal.currency,
    legs: [
      { purpose: LedgerAccountPurpose.PAYOUT_CLEARING, amount: -withdrawal.amountMinor },
      { purpose: LedgerAccountPurpose.WORLD, amount: net },
      { purpose: LedgerAccountPurpose.PLATFORM_FEES, amount: withdrawal.feeMinor },
    ],
    paymentId: null,
    description: `Withdrawal ${withdrawal.id} paid out: ${formatAmount(net, withdrawal.currency)} sent, fee ${formatAmount(withdrawal.feeMinor, withdrawal.currency)}`,
  });
}

/** A held withdrawal was rejected or cancelled: its hold is voided, the money available again (key `withdrawal-void:<id>`). */
export async function releaseWithdrawal(em: EntityManager, withdrawal: WithdrawalMoney, why: string): Promise<void> {
  await voidPending(em, holdOf(withdrawal), {
    idempotencyKey: `withdrawal-void:${withdrawal.id}`,
    description: `Withdrawal ${withdrawal.id} ${why}: hold released`.slice(0, 500),
  });
}

/**
 * The bank sent a paid withdrawal back: what was sent comes in from WORLD and the fee from PLATFORM_FEES, and the
 * whole amount goes back to the merchant, covering its receivable first (key `withdrawal-return:<id>`).
 */
export async function returnWithdrawal(em: EntityManager, withdrawal: WithdrawalMoney): Promise<void> {
  const key = `withdrawal-return:${withdrawal.id}`;
  if (await transferByKey(em, withdrawal.merchantId, key)) return;
  const net = withdrawal.amountMinor - withdrawal.feeMinor;
  await postOnce(em, {
    key,
    ownerId: withdrawal.merchantId,
    currency: withdrawal.currency,
    legs: [
      { purpose: LedgerAccountPurpose.WORLD, amount: -net },
      { purpose: LedgerAccountPurpose.PLATFORM_FEES, amount: -withdrawal.feeMinor },
      ...(await toMerchant(em, withdrawal.merchantId, withdrawal.currency, withdrawal.amountMinor)),
    ],
    paymentId: null,
    description: `Withdrawal ${withdrawal.id} returned by the bank: ${formatAmount(withdrawal.amountMinor, withdrawal.currency)} back to the merchant`,
  });
}
