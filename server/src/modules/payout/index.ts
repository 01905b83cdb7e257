import type { DomainModule } from '../../common/module';
import { startSweeper } from '../../common/sweeper';
import { runDueAutoPayouts } from './payout.auto';
import { AutoPayoutResolver } from './payout.auto.resolver';
import { cardPayoutHandler, CardPayoutResolver } from './payout.card';
import { AutoPayout, PayoutBatch, PayoutDestination, PayoutSettings, Withdrawal } from './payout.entity';
import {
  ConfirmationFieldsResolver,
  PayoutBatchResolver,
  PayoutDestinationResolver,
  WithdrawalResolver,
} from './payout.resolver';
import { PayoutBankLine, PayoutReconciliationResolver } from './payout.reconcile';

export const payoutModule: DomainModule = {
  name: 'payout',
  entities: [PayoutDestination, PayoutSettings, Withdrawal, PayoutBatch, PayoutBankLine, AutoPayout],
  resolvers: [
    PayoutDestinationResolver,
    WithdrawalResolver,
    PayoutBatchResolver,
    ConfirmationFieldsResolver,
    PayoutReconciliationResolver,
    AutoPayoutResolver,
    CardPayoutResolver,
  ],
  /** A payout to a card settles its withdrawal (PAID or REJECTED) when the card rail records the answer. */
  provides: { cardPayoutHandlers: [cardPayoutHandler] },
  /** Automatic payouts: each ACTIVE schedule's period paid out once (safe with several workers), every minute. */
  startWorkers(platform) {
    return startSweeper(
      'auto payouts',
      async () => {
        const round = await runDueAutoPayouts(platform.orm.em);
        return round.seen >= 100 && round.failed < round.seen;
      },
      { quiet: platform.config.mode === 'test' },
    );
  },
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
