import { ApiKey } from './api-key.entity';
import { ApiKeyResolver } from './api-key.resolver';

export const entities = [ApiKey];
export const resolvers = [ApiKeyResolver] as const;
