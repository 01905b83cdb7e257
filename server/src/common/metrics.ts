import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { log } from './log';

/*
 * Prometheus metrics. Counters and histograms are process-wide (what Prometheus scrapes is a process) and defined
 * once, here, at import: modules increment them by importing from common/, and creating the app several times in
 * one process (tests) registers nothing twice. Gauges that read one app's database are built per app
 * (createMetricsRegistry). Every label has a bounded set of values: route patterns, not URLs; operation names up
 * to a cap; providers from configuration.
 */

/** The process's metrics, default Node.js ones (CPU, memory, event loop, GC) included. */
const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

const registers = [processRegistry];

export const httpRequestDuration = new Histogram({
  name: 'tollgate_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern (express) and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

export const graphqlOperationDuration = new Histogram({
  name: 'tollgate_graphql_operation_duration_seconds',
  help: 'GraphQL operations over HTTP by operation name ("anonymous" when unnamed) and type',
  labelNames: ['operation', 'type', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

export const smsReceived = new Counter({
  name: 'tollgate_sms_received_total',
  help: 'Inbound SMS stored (redeliveries of a stored SMS not counted again), by provider',
  labelNames: ['provider'] as const,
  registers,
});

export const smsCounted = new Counter({
  name: 'tollgate_sms_counted_total',
  help: 'Inbound SMS counted towards a payment (late ones included), by provider',
  labelNames: ['provider'] as const,
  registers,
});

export const smsFlagged = new Counter({
  name: 'tollgate_sms_flagged_total',
  help: 'Inbound SMS kept in suspense instead of counted, by provider and reason (UNMATCHED: no payment)',
  labelNames: ['provider', 'reason'] as const,
  registers,
});

export const ledgerPostings = new Counter({
  name: 'tollgate_ledger_postings_total',
  help: 'Ledger transfers written (idempotent replays not counted), by kind',
  labelNames: ['kind'] as const,
  registers,
});

/** GraphQL operation names are chosen by clients: past this many distinct ones, new names are labelled "other". */
const MAX_OPERATION_NAMES = 200;
const operationNames = new Set<string>();

/** A label value for a client's operation name that cannot grow the number of series without bound. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (operationNames.has(name)) return name;
  if (operationNames.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return 'other';
  operationNames.add(name);
  return name;
}

/** What one app's gauges read when scraped. */
export interface AppMetricSources {
  /** The oldest outbox message due and not delivered yet (null: none), and how many are DEAD. */
  outbox(): Promise<{ oldestDueAt: Date | null; dead: number }>;
  /** The database connection pool (SQLite: one connection). */
  pool(): { used: number; free: number; pending: number; max: number };
}

/** The registry `/metrics` serves for one app: the process's metrics and this app's gauges. */
export function createMetricsRegistry(sources: AppMetricSources): Registry {
  const app = new Registry();
  let outbox: Promise<{ oldestDueAt: Date | null; dead: number }> | null = null;
  // Both outbox gauges come from one query per scrape; a failed read leaves the last values (and is logged).
  const readOutbox = () =>
    (outbox ??= sources.outbox().finally(() => {
      outbox = null;
    }));
  new Gauge({
    name: 'tollgate_outbox_lag_seconds',
    help: 'Age of the oldest outbox message that is due and not delivered (0: none waiting)',
    registers: [app],
    async collect() {
      try {
        const { oldestDueAt } = await readOutbox();
        this.set(oldestDueAt ? Math.max(0, (Date.now() - oldestDueAt.getTime()) / 1000) : 0);
      } catch (error) {
        log.warn({ err: error }, 'metrics: could not read the outbox');
      }
    },
  });
  new Gauge({
    name: 'tollgate_outbox_dead_messages',
    help: 'Outbox messages that gave up (DEAD) and wait for an admin',
    registers: [app],
    async collect() {
      try {
        this.set((await readOutbox()).dead);
      } catch {
        // Logged by the lag gauge, which reads the same query.
      }
    },
  });
  new Gauge({
    name: 'tollgate_db_pool_connections',
    help: 'Database connections by state: used (checked out), free (idle), pending (requests waiting for one)',
    labelNames: ['state'] as const,
    registers: [app],
    collect() {
      const pool = sources.pool();
      this.set({ state: 'used' }, pool.used);
      this.set({ state: 'free' }, pool.free);
      this.set({ state: 'pending' }, pool.pending);
    },
  });
  new Gauge({
    name: 'tollgate_db_pool_max_connections',
    help: 'The most connections the database pool opens',
    registers: [app],
    collect() {
      this.set(sources.pool().max);
    },
  });
  return Registry.merge([processRegistry, app]);
}
