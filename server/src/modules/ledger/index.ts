import { LedgerAccount, LedgerEntry, LedgerTransfer } from './ledger.entity';
import {
  LedgerAccountResolver,
  LedgerEntryResolver,
  LedgerTransferResolver,
  MerchantBalancesResolver,
} from './ledger.resolver';

export const entities = [LedgerAccount, LedgerTransfer, LedgerEntry];
export const resolvers = [
  LedgerAccountResolver,
  LedgerEntryResolver,
  LedgerTransferResolver,
  MerchantBalancesResolver,
] as const;
