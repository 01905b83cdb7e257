import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/core';
import { migrate, openDatabase } from '../src/app/database';
import { createTestDatabase } from './harness';

describe('migrations', () => {
  let orm: MikroORM;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    orm = await openDatabase(db.database);
    await migrate(orm);
  });
  afterAll(async () => {
    await orm?.close(true);
    await drop?.();
  });

  it('build exactly the schema the entities describe (run `npm run migration:create -w server` after changing one)', async () => {
    const pending = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(pending.trim()).toBe('');
  });

  it('are all applied, and applying again does nothing', async () => {
    const migrator = orm.getMigrator();
    expect(await migrator.getPendingMigrations()).toEqual([]);
    expect(await migrator.up()).toEqual([]);
  });
});
