import type { DomainModule } from '../../common/module';
import { TeamResolver } from './team.resolver';

export const teamModule: DomainModule = { name: 'team', entities: [], resolvers: [TeamResolver] };
