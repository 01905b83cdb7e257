import type { DomainModule } from '../../common/module';
import { OperatorSettlementLine } from './operator-settlement.entity';
import { OperatorSettlementResolver } from './operator-settlement.resolver';

/** Operator settlement (issue #12): operators' and aggregators' reports reconciled per SMS against the ledger. */
export const operatorSettlementModule: DomainModule = {
  name: 'operator-settlement',
  entities: [OperatorSettlementLine],
  resolvers: [OperatorSettlementResolver],
};

// The public face: what other modules use.
export { OperatorLineOutcome, OperatorSettlementLine } from './operator-settlement.entity';
export { importOperatorReport, operatorReport } from './operator-settlement.service';
