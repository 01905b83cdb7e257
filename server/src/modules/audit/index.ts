import type { DomainModule } from '../../common/module';
import { AuditEvent } from './audit-event.entity';
import { AuditResolver } from './audit.resolver';

export const auditModule: DomainModule = { name: 'audit', entities: [AuditEvent], resolvers: [AuditResolver] };

// The public face: what other modules use.
export { flushAudited, recordAudit } from './audit.service';
export type { AuditActor } from './audit.service';
