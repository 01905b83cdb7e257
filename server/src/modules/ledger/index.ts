import type { DomainModule } from '../../common/module';
import { LedgerAccount, LedgerEntry, LedgerTransfer } from './ledger.entity';
import {
  LedgerAccountResolver,
  LedgerEntryResolver,
  LedgerTransferResolver,
  MerchantBalancesResolver,
} from './ledger.resolver';

export const ledgerModule: DomainModule = {
  name: 'ledger',
  entities: [LedgerAccount, LedgerTransfer, LedgerEntry],
  resolvers: [LedgerAccountResolver, LedgerEntryResolver, LedgerTransferResolver, MerchantBalancesResolver],
};

// The public face: what other modules use.
export { LedgerAccountPurpose, LedgerTransfer, LedgerTransferKind } from './ledger.entity';
export {
  ledgerAccount,
  lockedBalance,
  lockedBalances,
  paymentTransferRows,
  postPending,
  reverse,
  transfer,
  transferByKey,
  voidPending,
} from './ledger.service';
export type { KeyedTransfer } from './ledger.service';
export { balances, existingTransferKeys, transferCountsByKeyPrefix } from './ledger.service';
export type { AccountBalance } from './ledger.service';
export { merchantBalanceAt, merchantMovements } from './ledger.statement';
export type { MerchantMovement } from './ledger.statement';
