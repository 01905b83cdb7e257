import type { EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { flushAudited, type AuditActor } from '../audit';
import { emitEvent } from '../webhook';
import { MAX_PAYER_CREDIT_DAYS, Merchant, MIN_PAYER_CREDIT_DAYS } from './merchant.entity';

/**
 * Sets how long payers' unused credit waits before it is released to the merchant: at least the platform minimum
 * (payers must have time to come back), at most ten years. Audited.
 */
export async function updatePayerCreditPeriod(
  em: EntityManager,
  actor: AuditActor,
  merchant: Merchant,
  days: number,
): Promise<Merchant> {
  if (!Number.isInteger(days) || days < MIN_PAYER_CREDIT_DAYS || days > MAX_PAYER_CREDIT_DAYS) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `use a whole number of days from ${MIN_PAYER_CREDIT_DAYS} (the platform minimum) to ${MAX_PAYER_CREDIT_DAYS}`,
      ['input', 'days'],
    );
  }
  const before = merchant.payerCreditDays;
  merchant.payerCreditDays = days;
  await flushAudited(em, actor, {
    action: 'merchant.payer_credit_period',
    merchantId: merchant.id,
    targetId: merchant.id,
    details: { from: before, to: days },
  });
  return merchant;
}

/** Whether the platform suspended this merchant (no new payments, its people read-only). */
export async function isMerchantSuspended(em: EntityManager, merchantId: string): Promise<boolean> {
  const merchant = await em.findOne(Merchant, merchantId);
  return Boolean(merchant?.suspendedAt);
}

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (!trimmed) throw new UserFacingError(UserErrorCode.REQUIRED, 'say why', ['input', 'reason']);
  if (trimmed.length > 500)
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 500 characters', ['input', 'reason']);
  return trimmed;
}

const suspensionEvent = (merchant: Merchant, reason: string, at: Date) => ({
  merchantId: merchant.id,
  reason,
  at: at.toISOString(),
});

/** The named transition ACTIVE → SUSPENDED: audited, announced as `merchant.suspended`. */
export async function suspendMerchant(
  em: EntityManager,
  actor: AuditActor,
  merchantId: string,
  reason: string,
): Promise<Merchant> {
  const why = checkReason(reason);
  const merchant = await em.findOne(Merchant, merchantId);
  if (!merchant) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId']);
  if (merchant.suspendedAt) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this merchant is already suspended');
  }
  const at = new Date();
  merchant.suspendedAt = at;
  merchant.suspensionReason = why;
  await emitEvent(em, 'merchant.suspended', merchant.id, suspensionEvent(merchant, why, at));
  await flushAudited(em, actor, {
    action: 'merchant.suspend',
    merchantId: merchant.id,
    targetId: merchant.id,
    details: { reason: why },
  });
  return merchant;
}

/** The named transition SUSPENDED → ACTIVE: audited, announced as `merchant.resumed`. */
export async function resumeMerchant(
  em: EntityManager,
  actor: AuditActor,
  merchantId: string,
  reason: string,
): Promise<Merchant> {
  const why = checkReason(reason);
  const merchant = await em.findOne(Merchant, merchantId);
  if (!merchant) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId']);
  if (!merchant.suspendedAt)
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this merchant is not suspended');
  merchant.suspendedAt = null;
  merchant.suspensionReason = null;
  await emitEvent(em, 'merchant.resumed', merchant.id, suspensionEvent(merchant, why, new Date()));
  await flushAudited(em, actor, {
    action: 'merchant.resume',
    merchantId: merchant.id,
    targetId: merchant.id,
    details: { reason: why },
  });
  return merchant;
}
