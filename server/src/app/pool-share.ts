import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { AbstractSqlDriver, PostgreSqlConnection, PostgreSqlPlatform, type QueryResult } from '@mikro-orm/postgresql';
import type { AnyEntity, Configuration, EntityData } from '@mikro-orm/core';

/**
 * One request's share of the database pool: at most `size` of its statements outside a transaction run at once; the
 * rest wait their turn inside the process, not in the pool. GraphQL resolves a query's fields in parallel, so without
 * it one request of a thousand aliases would take every connection and starve everyone else.
 *
 * Statements inside a transaction are not counted: a transaction already holds one connection and runs its
 * statements one after another, and a request's mutations run one at a time. A slot is held only while a single
 * statement runs, so a request can never wait on itself.
 */
export class PoolShare {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async run<T>(statement: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await statement();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const currentShare = new AsyncLocalStorage<PoolShare>();

/** Express middleware: everything the request does runs under its own share of `size` connections. */
export function poolShareMiddleware(size: number): RequestHandler {
  return (_req, _res, next) => currentShare.run(new PoolShare(size), next);
}

/** PostgreSQL connection whose statements outside transactions queue on the current request's share, if any. */
class SharedPoolConnection extends PostgreSqlConnection {
  override execute<T extends QueryResult | EntityData<AnyEntity> | EntityData<AnyEntity>[] = EntityData<AnyEntity>[]>(
    ...args: Parameters<PostgreSqlConnection['execute']>
  ): Promise<T> {
    const share = currentShare.getStore();
    const query: unknown = args[0];
    const transaction: unknown = args[3];
    const inTransaction =
      !!transaction ||
      (typeof query === 'object' && !!(query as { client?: { transacting?: boolean } }).client?.transacting);
    if (!share || inTransaction) return super.execute<T>(...args);
    return share.run(() => super.execute<T>(...args));
  }
}

/** The PostgreSQL driver of API processes: PostgreSqlDriver with a connection that shares the pool (see PoolShare). */
export class SharedPoolPostgreSqlDriver extends AbstractSqlDriver<SharedPoolConnection> {
  constructor(config: Configuration) {
    super(config, new PostgreSqlPlatform(), SharedPoolConnection, ['knex', 'pg']);
  }
}
