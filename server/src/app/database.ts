import path from 'node:path';
import fs from 'node:fs';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../common/config';
import { log } from '../common/log';
import { SharedPoolPostgreSqlDriver } from './pool-share';
import { entities } from './modules';

export const MIGRATIONS_ROOT = path.resolve(__dirname, '../../../migrations');

/**
 * What a pool serves. PostgreSQL gives API requests and workers pools of their own: a flood of requests cannot
 * starve the outbox, and a request's statements are bounded in time and share of connections while a worker's long
 * sweep is not. (SQLite has one connection and no statement timeout: the embedded default is one process.)
 */
export interface PoolRole {
  role: 'api' | 'worker';
  size: number;
  /** API only: longest statement in ms (0: none). */
  statementTimeoutMs?: number;
}

/** The pool options of a role, from the configuration. */
export function poolFor(config: Config, role: PoolRole['role']): PoolRole {
  return role === 'api'
    ? { role, size: config.databasePoolSize, statementTimeoutMs: config.apiStatementTimeoutMs }
    : { role, size: config.databasePoolSize };
}

/** Connections one API request may use at once: a third of the pool, so three floods still leave room. */
export function requestShareOf(pool: PoolRole): number {
  return Math.max(1, Math.floor(pool.size / 3));
}

/** MikroORM options for the configured database; migrations live in one folder per dialect. */
export async function ormOptions(
  database: Config['database'],
  extra: Partial<Options> = {},
  pool?: PoolRole,
): Promise<Options> {
  const common: Partial<Options> = {
    entities,
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: process.env.DEBUG_SQL === '1',
    // The ORM's own lines (migrations applied, SQL when debugging) go to the JSON log like everything else.
    colors: false,
    logger: (message: string) => log.info({ component: 'orm' }, message),
    migrations: {
      path: path.join(MIGRATIONS_ROOT, database.kind),
      emit: 'js',
      // New migrations are diffed against a scratch database that ran the existing ones (create-migration.ts).
      snapshot: false,
      // The initial schema keeps a fixed name so hand-written migrations (triggers) can sort after it.
      fileName: (timestamp: string, name?: string) =>
        name === 'initial' ? 'Migration0001_initial' : `Migration${timestamp}_${name ?? 'change'}`,
      transactional: true,
      allOrNothing: true,
    },
  };
  if (database.kind === 'postgresql') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    const timeout = pool?.statementTimeoutMs ? { connection: { statement_timeout: pool.statementTimeoutMs } } : {};
    return {
      ...common,
      driver: pool?.role === 'api' ? SharedPoolPostgreSqlDriver : PostgreSqlDriver,
      clientUrl: database.url,
      pool: { min: 0, max: pool?.size ?? 10 },
      driverOptions: timeout,
      ...extra,
    };
  }
  const { LibSqlDriver } = await import('@mikro-orm/libsql');
  if (database.path !== ':memory:') fs.mkdirSync(path.dirname(database.path), { recursive: true });
  return { ...common, driver: LibSqlDriver, dbName: database.path, ...extra };
}

export async function openDatabase(
  database: Config['database'],
  extra: Partial<Options> = {},
  pool?: PoolRole,
): Promise<MikroORM> {
  const orm = await MikroORM.init(await ormOptions(database, extra, pool));
  if (database.kind === 'sqlite') {
    // WAL lets readers run beside the one writer; busy_timeout queues writers instead of failing them.
    await orm.em.getConnection().execute('pragma journal_mode = wal');
    await orm.em.getConnection().execute('pragma busy_timeout = 5000');
    await orm.em.getConnection().execute('pragma foreign_keys = on');
  }
  return orm;
}

/** Any fixed number: PostgreSQL advisory locks are named by one. */
const MIGRATION_LOCK = 7_264_001;

/**
 * Applies pending migrations. On PostgreSQL several processes may start at once (api and workers): an advisory lock
 * lets one migrate while the others wait, then find nothing left to do.
 */
export async function migrate(orm: MikroORM): Promise<void> {
  if (orm.config.get('clientUrl')?.startsWith('postgres')) {
    const { Client } = await import('pg');
    const lock = new Client({ connectionString: orm.config.get('clientUrl') });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await orm.getMigrator().up();
    } finally {
      await lock.end();
    }
    return;
  }
  await orm.getMigrator().up();
}
