import 'reflect-metadata';
import { ConfigError, loadConfig } from './common/config';
import { log } from './common/log';
import { roleFrom, startRole } from './app/roles';

/** `node dist/main.js [all|api|worker] [--seed]`: see app/roles.ts for what each role runs. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const role = roleFrom(args);
  const config = loadConfig();
  const running = await startRole(role, config, { seed: args.includes('--seed') });

  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal means "now": the operator has stopped waiting for the drain.
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests and finishing the current work');
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    // One plain line for the person starting it: without a valid configuration (LOG_LEVEL may be the bad variable)
    // there is no logger setup to honour, and this is what a failed container start shows.
    process.stderr.write(`Configuration error: ${error.message}\n`);
  } else {
    log.fatal({ err: error }, 'Tollgate failed to start');
  }
  process.exit(1);
});
