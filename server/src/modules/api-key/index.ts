import type { DomainModule } from '../../common/module';
import { ApiKey } from './api-key.entity';
import { ApiKeyResolver } from './api-key.resolver';

export const apiKeyModule: DomainModule = { name: 'api-key', entities: [ApiKey], resolvers: [ApiKeyResolver] };

// The public face: what other modules use.
export { viewerOfRequest } from './request-viewer';
