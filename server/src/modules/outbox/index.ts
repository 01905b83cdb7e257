import type { DomainModule } from '../../common/module';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxResolver } from './outbox.resolver';
import { startOutboxWorker } from './outbox.service';

export const outboxModule: DomainModule = {
  name: 'outbox',
  entities: [OutboxMessage, OutboxAttempt],
  resolvers: [OutboxResolver],
  /** One delivery loop per server process; on PostgreSQL several processes share the work safely. */
  startWorkers: (platform) => startOutboxWorker(platform),
};

// The public face: what other modules use.
export { OutboxAttempt } from './outbox-attempt.entity';
export { OutboxMessage, OutboxStatus } from './outbox-message.entity';
export { DeliveryError, enqueue, listAttempts, outboxHandler } from './outbox.service';
export { outboxBacklog } from './outbox.backlog';
export type { OutboxHandler } from './outbox.service';
