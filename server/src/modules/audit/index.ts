import type { DomainModule } from '../../common/module';
import { AuditEvent } from './audit-event.entity';
import { AuditResolver } from './audit.resolver';

export const auditModule: DomainModule = { name: 'audit', entities: [AuditEvent], resolvers: [AuditResolver] };
