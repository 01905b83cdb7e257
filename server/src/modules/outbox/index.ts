import type { RouteDeps } from '../../app/modules';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxResolver } from './outbox.resolver';
import { startOutboxWorker } from './outbox.service';

export const entities = [OutboxMessage, OutboxAttempt];
export const resolvers = [OutboxResolver] as const;

/** One delivery loop per server process; on PostgreSQL several processes share the work safely. */
export function startWorkers(deps: RouteDeps): { stop(): Promise<void> } {
  return startOutboxWorker(deps);
}
