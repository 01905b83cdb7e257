import type { DomainModule } from '../../common/module';
import { startSweeper } from '../../common/sweeper';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxResolver } from './outbox.resolver';
import { RETENTION_BATCH, sweepDeliveredOutbox } from './outbox.retention';
import { startOutboxWorker } from './outbox.service';

export const outboxModule: DomainModule = {
  name: 'outbox',
  entities: [OutboxMessage, OutboxAttempt],
  resolvers: [OutboxResolver],
  /**
   * One delivery loop per server process; on PostgreSQL several processes share the work safely. Every 10 minutes,
   * delivered messages past OUTBOX_RETENTION_DAYS are deleted in batches.
   */
  startWorkers(platform) {
    const delivery = startOutboxWorker(platform);
    const retention = startSweeper(
      'outbox retention sweep',
      async () =>
        (await sweepDeliveredOutbox(platform, { retentionDays: platform.config.outboxRetentionDays })) >=
        RETENTION_BATCH,
      { intervalMs: 10 * 60_000, quiet: platform.config.mode === 'test' },
    );
    return { stop: async () => void (await Promise.all([delivery.stop(), retention.stop()])) };
  },
};

// The public face: what other modules use.
export { OutboxAttempt } from './outbox-attempt.entity';
export { OutboxMessage, OutboxStatus } from './outbox-message.entity';
export { DeliveryError, enqueue, listAttempts, outboxHandler } from './outbox.service';
export { deleteOutboxMessages } from './outbox.retention';
export { outboxBacklog } from './outbox.backlog';
export type { OutboxHandler } from './outbox.service';
export { deliveryStates } from './outbox.states';
export type { DeliveryState } from './outbox.states';
