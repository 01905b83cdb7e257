import type { DomainModule } from '../../common/module';
import { EndpointCheck } from './endpoint-check.entity';
import { EndpointCheckResolver } from './endpoint-check.resolver';

/** The endpoint checker: a merchant tests its own Result URL or webhook endpoint (README.md). */
export const endpointCheckModule: DomainModule = {
  name: 'endpoint-check',
  entities: [EndpointCheck],
  resolvers: [EndpointCheckResolver],
};
