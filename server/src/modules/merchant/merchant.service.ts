import type { EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { flushAudited, type AuditActor } from '../audit';
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
