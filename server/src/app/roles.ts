import type { MikroORM } from '@mikro-orm/core';
import type { Config } from '../common/config';
import { ConfigError } from '../common/config';
import { log } from '../common/log';
import { migrate, openDatabase, poolFor } from './database';
import { platformOf, startWorkers } from './modules';
import { createAppPubSub } from './pubsub';
import { createAppRateLimits } from './rate-limits';
import { DEMO_ADMIN_TOTP_SECRET, DEMO_LOGINS, seedDemo } from './seed';
import { createApp } from './server';

/**
 * What a process does. `api` serves HTTP (GraphQL, webhooks, payer pages); `worker` runs the outbox, schedulers and
 * sweeps; `all` (the default) does both, as the embedded single-process setup needs. In production, N api processes
 * sit behind a load balancer and M workers run beside them, on one PostgreSQL and one Redis.
 */
export type Role = 'all' | 'api' | 'worker';

const ROLES: readonly Role[] = ['all', 'api', 'worker'];

/** The role named on the command line (`main.js api`), `all` when none is. */
export function roleFrom(args: readonly string[]): Role {
  const named = args.filter((arg) => !arg.startsWith('-'));
  if (named.length > 1) throw new ConfigError('role', `expected one of ${ROLES.join(', ')}, got "${named.join(' ')}"`);
  const role = named[0] ?? 'all';
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new ConfigError('role', `expected one of ${ROLES.join(', ')}, got "${role}"`);
  }
  return role as Role;
}

export interface RunningRole {
  /** Where the api listens; null for a worker. */
  url: string | null;
  /** Graceful shutdown: stops taking requests and lets in-flight ones finish, then stops the workers' loops. */
  stop(): Promise<void>;
}

export async function startRole(role: Role, config: Config, options: { seed?: boolean } = {}): Promise<RunningRole> {
  const serves = role !== 'worker';
  const works = role !== 'api';
  const orms: MikroORM[] = [];
  const open = async (pool: 'api' | 'worker') => {
    const orm = await openDatabase(config.database, {}, poolFor(config, pool));
    orms.push(orm);
    return orm;
  };
  const apiOrm = serves ? await open('api') : null;
  // SQLite is one file with one writer: a second connection in the same process would only wait on the first.
  const workerOrm = works ? (apiOrm && config.database.kind === 'sqlite' ? apiOrm : await open('worker')) : null;
  const anyOrm = (apiOrm ?? workerOrm)!;

  // Every role migrates at start (a lock lets one process at a time): code and schema never disagree.
  await migrate(anyOrm);
  if (options.seed && serves) {
    await seedDemo(anyOrm, { demoTotp: config.mode !== 'production' });
    // Demo accounts only (--seed): their passwords are meant to be read, so they are not in redacted fields.
    log.info(
      {
        merchantOwner: `${DEMO_LOGINS.owner.email} / ${DEMO_LOGINS.owner.password}`,
        platformAdmin: `${DEMO_LOGINS.admin.email} / ${DEMO_LOGINS.admin.password}`,
        ...(config.mode === 'production' ? {} : { platformAdminTotpSecret: DEMO_ADMIN_TOTP_SECRET }),
      },
      'demo logins',
    );
  }

  const pubsub = createAppPubSub(config.redisUrl);
  const app = apiOrm ? await createApp(config, apiOrm, pubsub) : null;
  // A worker beside an api shares its platform (rate limits, extensions) but not its pool.
  const ownLimits = app ? null : createAppRateLimits(config);
  const workerPlatform = app
    ? { ...app.platform, orm: workerOrm! }
    : platformOf({ config, orm: workerOrm!, pubsub, limits: ownLimits! });
  const workers = workerOrm ? startWorkers(workerPlatform) : null;
  const url = app ? await app.listen(config.port) : null;
  log.info(
    { role, mode: config.mode, database: config.database.kind, url },
    `Tollgate ${role} started${url ? ` at ${url}` : ''}`,
  );

  return {
    url,
    stop: async () => {
      // Requests first (they may enqueue work), then the loops, which finish their current round.
      await app?.close();
      await workers?.stop();
      await ownLimits?.close();
      await pubsub.close();
      for (const orm of orms) await orm.close();
      log.info({ role }, 'Tollgate stopped');
    },
  };
}
