import 'reflect-metadata';
import { ConfigError, loadConfig } from './common/config';
import { migrate, openDatabase } from './app/database';
import { startWorkers } from './app/modules';
import { createAppPubSub } from './app/pubsub';
import { DEMO_LOGINS, seedDemo } from './app/seed';
import { createApp } from './app/server';

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const config = loadConfig();
  const orm = await openDatabase(config.database);
  // Migrations apply at every start (each runs once; all in one transaction): code and schema never disagree.
  await migrate(orm);
  if (args.has('--seed')) {
    await seedDemo(orm);
    console.log('Demo logins:');
    console.log(`  merchant owner  ${DEMO_LOGINS.owner.email} / ${DEMO_LOGINS.owner.password}`);
    console.log(`  platform admin  ${DEMO_LOGINS.admin.email} / ${DEMO_LOGINS.admin.password}`);
  }
  const pubsub = createAppPubSub(config.redisUrl);
  const app = await createApp(config, orm, pubsub);
  const workers = startWorkers(app.platform);
  await app.listen(config.port);
  console.log(`Tollgate (${config.mode}, ${config.database.kind}) serving ${config.publicUrl}`);

  const shutdown = async () => {
    await workers.stop();
    await app.close();
    await pubsub.close();
    await orm.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
