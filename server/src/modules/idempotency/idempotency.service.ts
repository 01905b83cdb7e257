import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Context } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { IdempotencyRecord } from './idempotency-record.entity';

export const MAX_KEY_LENGTH = 255;
const KEY_FIELD = ['input', 'idempotencyKey'];

export interface IdempotentCall {
  /** The mutation's name, e.g. "createPayment". */
  operation: string;
  /** Whose key space: the caller's own merchant (for a platform admin, the merchant it acts for). */
  merchantId: string;
  /** The mutation's input; an `idempotencyKey` member is the key, everything else is what a retry must repeat. */
  input: object & { idempotencyKey?: string | null };
}

/**
 * Runs a mutation's effects at most once per idempotency key (the `Idempotency-Key` header or the input's
 * `idempotencyKey`), in one transaction.
 *
 * - No key: `run` simply runs in a transaction.
 * - First call with a key: the key is claimed first, then `run` runs in the same transaction and what it returns is
 *   stored with the claim. Claiming first makes a concurrent duplicate wait on the unique index instead of doing the
 *   work twice. If `run` fails (a UserFacingError included) nothing is stored, so a corrected retry may reuse the key.
 * - A retry with the same input: `run` does not run; the stored result is returned.
 * - The same key with another input or operation: IDEMPOTENCY_CONFLICT.
 *
 * `run` returns what identifies the outcome (e.g. `{ paymentId }`), plain JSON: the resolver renders it afresh on
 * every call. Call this outermost: it opens the transaction itself.
 */
export async function idempotent<R>(
  ctx: Pick<Context, 'em' | 'idempotencyKey'>,
  call: IdempotentCall,
  run: (em: EntityManager) => Promise<R>,
): Promise<R> {
  const key = idempotencyKeyOf(ctx.idempotencyKey, call.input.idempotencyKey);
  if (!key) return ctx.em.transactional(run);

  const requestHash = hashRequest(call.operation, { ...call.input, idempotencyKey: undefined });
  const scope = { merchantId: call.merchantId, key };

  const earlier = await ctx.em.fork().findOne(IdempotencyRecord, scope);
  if (earlier) return replay<R>(earlier, call.operation, requestHash);
  try {
    return await ctx.em.transactional(async (em) => {
      const record = build(IdempotencyRecord, { ...scope, operation: call.operation, requestHash });
      em.persist(record);
      // On PostgreSQL a concurrent duplicate blocks here until this transaction ends, then hits the unique index.
      await em.flush();
      const response = await run(em);
      record.response = response;
      return response;
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    // A concurrent call with this key won: answer as it did (or refuse a different request).
    const winner = await ctx.em.fork().findOne(IdempotencyRecord, scope);
    if (!winner) throw error; // the violation was about something else
    return replay<R>(winner, call.operation, requestHash);
  }
}

function replay<R>(record: IdempotencyRecord, operation: string, requestHash: string): R {
  if (record.operation !== operation || record.requestHash !== requestHash) {
    throw new UserFacingError(
      UserErrorCode.IDEMPOTENCY_CONFLICT,
      'this idempotency key was already used for a different request; use a new key for a new request',
      KEY_FIELD,
    );
  }
  return record.response as R;
}

/** The key from the header or the input (they must agree), validated; null when neither was sent. */
export function idempotencyKeyOf(header: string | null, inputKey: string | null | undefined): string | null {
  const fromInput = inputKey?.trim() || null;
  const fromHeader = header?.trim() || null;
  if (fromInput && fromHeader && fromInput !== fromHeader) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      'the Idempotency-Key header and input.idempotencyKey differ; send one key',
      KEY_FIELD,
    );
  }
  const key = fromInput ?? fromHeader;
  if (key === null) return null;
  if (key.length > MAX_KEY_LENGTH) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${MAX_KEY_LENGTH} characters`, KEY_FIELD);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'the key must not contain control characters', KEY_FIELD);
  }
  return key;
}

/** SHA-256 of the operation and its input in canonical JSON. */
export function hashRequest(operation: string, input: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${canonicalJson(input)}`)
    .digest('hex');
}

/**
 * JSON with object keys sorted and absent members dropped (null and undefined alike, since GraphQL treats an
 * omitted optional field and an explicit null the same), so equal requests hash equal whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== null && member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
