import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Client } from 'pg';
import { openDatabase } from './database';

/**
 * Writes the next migration for both dialects: each scratch database gets the existing migrations, then the
 * difference to the entities becomes a new migration (or none, when they already agree).
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
  const orm = await openDatabase(database);
  try {
    const migrator = orm.getMigrator();
    await migrator.up();
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
