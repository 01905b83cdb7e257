import type { DomainModule } from '../../common/module';
import { PayoutBatch, PayoutDestination, PayoutSettings, Withdrawal } from './payout.entity';
import {
  ConfirmationFieldsResolver,
  PayoutBatchResolver,
  PayoutDestinationResolver,
  WithdrawalResolver,
} from './payout.resolver';
import { PayoutBankLine, PayoutReconciliationResolver } from './payout.reconcile';

export const payoutModule: DomainModule = {
  name: 'payout',
  entities: [PayoutDestination, PayoutSettings, Withdrawal, PayoutBatch, PayoutBankLine],
  resolvers: [
    PayoutDestinationResolver,
    WithdrawalResolver,
    PayoutBatchResolver,
    ConfirmationFieldsResolver,
    PayoutReconciliationResolver,
  ],
};

// The public face: what other modules use.
export {
  PayoutBatch,
  PayoutDestination,
  PayoutDestinationKind,
  PayoutRail,
  Withdrawal,
  WithdrawalStatus,
} from './payout.entity';
export { checkPayoutInvariants } from './payout.invariants';
