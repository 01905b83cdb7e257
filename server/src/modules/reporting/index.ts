import type { DomainModule } from '../../common/module';
import { ReportingResolver } from './reporting.resolver';

/** The reporting home (issue #13): revenue, conversion, SMS and top products, composed from the owning modules. */
export const reportingModule: DomainModule = {
  name: 'reporting',
  entities: [],
  resolvers: [ReportingResolver],
};
