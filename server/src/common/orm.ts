import { BigIntType, type EntityManager, type FilterQuery, type EntityName } from '@mikro-orm/core';
import { toConnection, pageWindow, type PageArgs, type Connection } from './pagination';

/** Column type for money and counters: a JavaScript bigint in code, a 64-bit integer in the database. */
export const bigint = () => new BigIntType('bigint');

/** Fetches one page of an entity (newest first, ids sort by creation) as a connection. */
export async function paginate<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
): Promise<Connection<T>> {
  const { limit, afterId } = pageWindow(args);
  const pageWhere = (afterId ? { $and: [where, { id: { $lt: afterId } }] } : where) as FilterQuery<T>;
  const [rows, totalCount] = await Promise.all([
    em.find(entity, pageWhere, { orderBy: { id: 'desc' } as never, limit: limit + 1 }),
    em.count(entity, where),
  ]);
  return toConnection(rows, limit, totalCount, afterId !== null);
}

/** A new entity from its fields; field initialisers (ids, timestamps, defaults) fill the rest. */
export function build<T extends object>(entity: new () => T, fields: Partial<T>): T {
  return Object.assign(new entity(), fields);
}

/**
 * Runs `work` in a transaction free of the API's statement timeout (PostgreSQL; elsewhere as it is): for a scan an
 * admin asked for on purpose, such as the ledger check, which must finish however large the ledger has grown.
 */
export async function withoutStatementTimeout<T>(
  em: EntityManager,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  if (em.getPlatform().constructor.name !== 'PostgreSqlPlatform') return work(em);
  return em.transactional(async (tx) => {
    await tx.getConnection().execute('set local statement_timeout = 0', [], 'run', tx.getTransactionContext());
    return work(tx);
  });
}
