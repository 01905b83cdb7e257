import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { newId } from '../../common/ids';

/**
 * The first outcome of a mutation sent with an idempotency key. The unique index on (merchant, key) is the guard:
 * of concurrent duplicates exactly one can insert its record, in the same transaction as its effects (invariant I4).
 */
@Entity({ tableName: 'idempotency_record' })
@Unique({ properties: ['merchantId', 'key'] })
export class IdempotencyRecord {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('idem');

  /** The caller's merchant (for a platform admin, the merchant it acted for): keys never collide across tenants. */
  @Property({ type: 'string', length: 40 })
  merchantId!: string;

  @Property({ type: 'string', length: 255, fieldName: 'idempotency_key' })
  key!: string;

  /** The mutation, e.g. "createPayment": the same key for another operation is a conflict too. */
  @Property({ type: 'string', length: 60 })
  operation!: string;

  /** SHA-256 of the operation and its canonical input (the key itself left out). */
  @Property({ type: 'string', length: 64 })
  requestHash!: string;

  /** What the first call returned (ids, not rendered objects); null only inside the transaction that writes it. */
  @Property({ type: 'json', nullable: true })
  response: unknown = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
