import type { DomainModule } from '../../common/module';
import { AuthResolver, UserFieldsResolver } from './auth.resolver';
import { Session, User } from './user.entity';

export const authModule: DomainModule = {
  name: 'auth',
  entities: [User, Session],
  resolvers: [AuthResolver, UserFieldsResolver],
};
