import path from 'node:path';
import fs from 'node:fs';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../common/config';
import { entities } from './modules';

export const MIGRATIONS_ROOT = path.resolve(__dirname, '../../../migrations');

/** MikroORM options for the configured database; migrations live in one folder per dialect. */
export async function ormOptions(database: Config['database'], extra: Partial<Options> = {}): Promise<Options> {
  const common: Partial<Options> = {
    entities,
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: process.env.DEBUG_SQL === '1',
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
    return { ...common, driver: PostgreSqlDriver, clientUrl: database.url, pool: { min: 0, max: 10 }, ...extra };
  }
  const { LibSqlDriver } = await import('@mikro-orm/libsql');
  if (database.path !== ':memory:') fs.mkdirSync(path.dirname(database.path), { recursive: true });
  return { ...common, driver: LibSqlDriver, dbName: database.path, ...extra };
}

export async function openDatabase(database: Config['database'], extra: Partial<Options> = {}): Promise<MikroORM> {
  const orm = await MikroORM.init(await ormOptions(database, extra));
  if (database.kind === 'sqlite') {
    // WAL lets readers run beside the one writer; busy_timeout queues writers instead of failing them.
    await orm.em.getConnection().execute('pragma journal_mode = wal');
    await orm.em.getConnection().execute('pragma busy_timeout = 5000');
    await orm.em.getConnection().execute('pragma foreign_keys = on');
  }
  return orm;
}

export async function migrate(orm: MikroORM): Promise<void> {
  await orm.getMigrator().up();
}
