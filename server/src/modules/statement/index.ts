import type { DomainModule } from '../../common/module';
import { mountStatementRoutes } from './statement.http';
import { StatementResolver } from './statement.resolver';

/** Statements (issue #12): a merchant's money per currency and period, from the ledger, as GraphQL, CSV and PDF. */
export const statementModule: DomainModule = {
  name: 'statement',
  entities: [],
  resolvers: [StatementResolver],
  mountRoutes: mountStatementRoutes,
};

// The public face: what other modules use.
export { buildStatement, parsePeriod, STATEMENT_PURPOSES } from './statement.service';
export type { StatementData } from './statement.service';
