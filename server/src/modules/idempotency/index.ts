import type { DomainModule } from '../../common/module';
import { IdempotencyRecord } from './idempotency-record.entity';

export const idempotencyModule: DomainModule = { name: 'idempotency', entities: [IdempotencyRecord], resolvers: [] };

// The public face: what other modules use.
export { idempotent } from './idempotency.service';
