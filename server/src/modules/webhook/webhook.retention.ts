import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import { deleteOutboxMessages, OutboxStatus } from '../outbox';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEvent } from './webhook-event.entity';

/** Events deleted per transaction: small enough that no sweep holds its locks for long. */
export const WEBHOOK_RETENTION_BATCH = 200;
const DAY_MS = 86_400_000;

/**
 * Deletes up to `limit` old events, each with its deliveries and their outbox messages and attempts, in one short
 * transaction; returns how many events. An event goes when it is older than `retentionDays` and every delivery of it
 * is done: delivered more than `retentionDays` ago (a replay restarts the clock), or given up (DEAD) and last tried
 * more than `failedRetentionDays` ago (the merchant had that long to fix the endpoint and replay it). An event with a
 * delivery still pending is never deleted.
 */
export async function sweepWebhookEvents(
  em: EntityManager,
  config: Pick<Config, 'database' | 'webhookRetentionDays' | 'webhookFailedRetentionDays'>,
  options: { now?: Date; limit?: number } = {},
): Promise<number> {
  const now = (options.now ?? new Date()).getTime();
  // SQLite keeps MikroORM datetimes as epoch milliseconds; PostgreSQL as timestamptz.
  const time = (ms: number) => (config.database.kind === 'postgresql' ? new Date(ms) : ms);
  const cutoff = time(now - config.webhookRetentionDays * DAY_MS);
  const failedCutoff = time(now - config.webhookFailedRetentionDays * DAY_MS);
  // A DEAD message's next_attempt_at is the end of its last claim: when it was last tried, give or take a lease.
  const sql =
    'select e.id from webhook_event e where e.created_at < ? and not exists (' +
    'select 1 from webhook_delivery d join outbox_message m on m.id = d.outbox_message_id where d.event_id = e.id ' +
    'and not ((m.status = ? and m.delivered_at < ?) or (m.status = ? and m.next_attempt_at < ?))' +
    ') order by e.created_at limit ?';
  return em.fork().transactional(async (tx) => {
    const params = [cutoff, OutboxStatus.DELIVERED, cutoff, OutboxStatus.DEAD, failedCutoff];
    const limit = options.limit ?? WEBHOOK_RETENTION_BATCH;
    const rows = (await tx.getConnection().execute(sql, [...params, limit], 'all', tx.getTransactionContext())) as {
      id: string;
    }[];
    const eventIds = rows.map((row) => row.id);
    if (eventIds.length === 0) return 0;
    const deliveries = await tx.find(WebhookDelivery, { eventId: { $in: eventIds } }, { fields: ['outboxMessageId'] });
    await deleteOutboxMessages(
      tx,
      deliveries.map((delivery) => delivery.outboxMessageId),
    );
    await tx.nativeDelete(WebhookDelivery, { eventId: { $in: eventIds } });
    await tx.nativeDelete(WebhookEvent, { id: { $in: eventIds } });
    return eventIds.length;
  });
}
