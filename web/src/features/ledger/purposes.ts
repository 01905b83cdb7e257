import type { LedgerAccountPurpose } from '../../gql/graphql';

export const PURPOSES: Record<LedgerAccountPurpose, { label: string; owner: 'merchant' | 'platform' }> = {
  MERCHANT_AVAILABLE: { label: 'Available', owner: 'merchant' },
  MERCHANT_PENDING: { label: 'Pending settlement', owner: 'merchant' },
  MERCHANT_RESERVE: { label: 'Reserve', owner: 'merchant' },
  MERCHANT_RECEIVABLE: { label: 'Owed to Tollgate', owner: 'merchant' },
  PLATFORM_FEES: { label: 'Platform fees', owner: 'platform' },
  OPERATOR_SHARE: { label: 'Operator share', owner: 'platform' },
  PAYER_CLEARING: { label: 'Payer clearing', owner: 'platform' },
  PAYOUT_CLEARING: { label: 'Payout clearing', owner: 'platform' },
  PAYER_CREDIT: { label: 'Payer credit', owner: 'merchant' },
  SUSPENSE: { label: 'Suspense', owner: 'platform' },
  WORLD: { label: 'World', owner: 'platform' },
};

export const PURPOSE_ORDER = Object.keys(PURPOSES) as LedgerAccountPurpose[];

export function purposeLabel(purpose: string): string {
  return PURPOSES[purpose as LedgerAccountPurpose]?.label ?? purpose;
}
