import type { DomainModule } from '../../common/module';
import { AuthResolver, UserFieldsResolver } from './auth.resolver';
import { Session, User } from './user.entity';

export const authModule: DomainModule = {
  name: 'auth',
  entities: [User, Session],
  resolvers: [AuthResolver, UserFieldsResolver],
};

// The public face: what other modules use.
export {
  createUser,
  normaliseEmail,
  openSession,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  sha256,
  viewerForSession,
  visibleMerchantIds,
} from './auth.service';
export { Session, User, UserRole } from './user.entity';
