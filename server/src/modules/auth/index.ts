import { AuthResolver, UserFieldsResolver } from './auth.resolver';
import { Session, User } from './user.entity';

export const entities = [User, Session];
export const resolvers = [AuthResolver, UserFieldsResolver] as const;
