import type { EntityManager } from '@mikro-orm/core';
import { log } from '../../common/log';

/** The parts of a knex transaction (MikroORM 6's transaction context) this file relies on. */
interface KnexTransaction {
  executionPromise?: Promise<unknown>;
  parentTransaction?: KnexTransaction;
  commit(value?: unknown): unknown;
}

/** Callbacks waiting for each outermost transaction, by key, in the order first registered. */
const waiting = new WeakMap<KnexTransaction, Map<unknown, () => void>>();
/** Transactions that were told to COMMIT (rather than ROLLBACK). */
const committing = new WeakSet<KnexTransaction>();

/**
 * Runs `callback` once the database transaction `em` is in has committed, and never if it rolls back. Callbacks
 * registered with the same `key` in one transaction run once (the first one registered).
 *
 * Live updates must not announce what may still be rolled back, nor race ahead of the data a subscriber re-reads.
 * A nested `em.transactional()` is only a savepoint, so the hook waits for the outermost transaction. knex settles
 * that transaction's `executionPromise` when it ends: rejected if COMMIT fails, but resolved after both COMMIT and
 * ROLLBACK, so the transaction's `commit` is wrapped to tell the two apart.
 *
 * Throws when `em` is not inside a transaction: there would be no commit to wait for.
 */
export function afterCommit(em: EntityManager, callback: () => void, key: unknown = callback): void {
  let transaction = em.getTransactionContext<KnexTransaction>();
  if (!transaction) throw new Error('afterCommit needs a transaction: run this inside em.transactional()');
  while (transaction.parentTransaction) transaction = transaction.parentTransaction;
  const root = transaction;
  if (!root.executionPromise || typeof root.commit !== 'function') {
    throw new Error('afterCommit: unexpected transaction context');
  }

  let callbacks = waiting.get(root);
  if (!callbacks) {
    const registered = new Map<unknown, () => void>();
    callbacks = registered;
    waiting.set(root, registered);
    const commit = root.commit.bind(root);
    root.commit = (value?: unknown) => {
      committing.add(root);
      return commit(value);
    };
    root.executionPromise.then(
      () => {
        waiting.delete(root);
        if (!committing.has(root)) return; // rolled back: nothing happened, nothing to announce
        for (const run of registered.values()) {
          try {
            run();
          } catch (error) {
            // The transaction stands; a failed announcement must not become an unhandled rejection.
            log.error({ err: error }, 'after-commit callback failed');
          }
        }
      },
      () => waiting.delete(root), // COMMIT failed
    );
  }
  if (!callbacks.has(key)) callbacks.set(key, callback);
}
