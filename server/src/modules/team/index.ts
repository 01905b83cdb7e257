import type { DomainModule } from '../../common/module';
import { TeamInvite } from './team-invite.entity';
import { TeamResolver } from './team.resolver';
import { teamInviteMailSecret } from './team.service';

export const teamModule: DomainModule = {
  name: 'team',
  entities: [TeamInvite],
  resolvers: [TeamResolver],
  provides: { mailSecrets: [teamInviteMailSecret] },
};
