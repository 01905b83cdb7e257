import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Client } from 'pg';
import { MIGRATIONS_ROOT, openDatabase } from './database';

/**
 * Writes the next migration for both dialects: each scratch database gets the existing migrations, then the
 * difference to the entities becomes a new migration (or none, when they already agree).
 * With the name `initial` it rewrites the initial schema from the entities instead (only before a release).
 */
async function createFor(kind: 'sqlite' | 'postgresql'): Promise<void> {
  const name = `tg_migrate_${Date.now()}`;
  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let drop: () => Promise<void>;
  let database: Parameters<typeof openDatabase>[0];
  if (kind === 'postgresql') {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    database = { kind, url: url.toString() };
    drop = async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database ${name} with (force)`);
      await client.end();
    };
  } else {
    const file = path.join(os.tmpdir(), `${name}.sqlite`);
    database = { kind, path: file };
    drop = async () => fs.rmSync(file, { force: true });
  }
  const initial = process.argv[2] === 'initial';
  if (initial) {
    const folder = path.join(MIGRATIONS_ROOT, kind);
    fs.rmSync(path.join(folder, 'Migration0001_initial.js'), { force: true });
  }
  const orm = await openDatabase(database);
  try {
    const migrator = orm.getMigrator();
    // The initial schema is rewritten whole; hand-written later migrations (triggers) do not change the diff.
    if (!initial) await migrator.up();
    const result = await migrator.createMigration(undefined, false, false, process.argv[2]);
    console.log(result.fileName ? `${kind}: wrote ${result.fileName}` : `${kind}: entities and migrations agree`);
  } finally {
    await orm.close(true);
    await drop();
  }
}

void (async () => {
  await createFor('sqlite');
  await createFor('postgresql');
})();
