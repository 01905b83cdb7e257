import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../common/ids';
import { bigint } from '../../common/orm';
import type { TestCardScenario } from './test-cards';

/*
 * The test processor's own state: it plays an outside processor, so it keeps its books apart from Tollgate's (its
 * own tables, its own transactions), survives restarts and is shared by every process. It never stores a card
 * number: a token keeps the scenario the number named and the fingerprint.
 */

/** The processor-side key of fingerprints: one row, made on first use. */
@Entity({ tableName: 'test_processor_key' })
export class TestProcessorKey {
  @PrimaryKey({ type: 'string', length: 20 })
  id: string = 'fingerprint';

  /** 256 random bits, hex. */
  @Property({ type: 'string', length: 64, hidden: true })
  secret!: string;
}

@Entity({ tableName: 'test_processor_token' })
export class TestProcessorToken {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('tpt');

  /** What the number named (test-cards.ts). */
  @Property({ type: 'string', length: 30 })
  scenario!: TestCardScenario;

  @Property({ type: 'string', length: 64 })
  fingerprint!: string;

  @Property({ type: 'boolean' })
  hasHolderName!: boolean;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

/** One charge at the processor: authorised, then captured (in parts refunded) or voided. */
@Entity({ tableName: 'test_processor_charge' })
export class TestProcessorCharge {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('tpc');

  @Property({ type: 'string', length: 40 })
  tokenId!: string;

  /** REQUIRES_ACTION, AUTHORISED, CAPTURED, VOIDED, DECLINED. */
  @Property({ type: 'string', length: 20 })
  status!: string;

  @Property({ type: bigint() })
  amountMinor!: bigint;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: bigint() })
  refundedMinor: bigint = 0n;

  @Property({ type: 'boolean' })
  capture!: boolean;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

/** One call, by the caller's idempotency key: a repeated key gets the stored answer. */
@Entity({ tableName: 'test_processor_operation' })
export class TestProcessorOperation {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('tpo');

  @Property({ type: 'string', length: 255, unique: true })
  key!: string;

  /** AUTHORISE, CAPTURE, VOID, REFUND, PAYOUT. */
  @Property({ type: 'string', length: 20 })
  kind!: string;

  /** The answer given (and given again to a repeat), as JSON; amounts as strings. */
  @Property({ type: 'json' })
  answer!: Record<string, unknown>;

  /** Whether the first answer was withheld as a timeout (the TIMEOUT card). */
  @Property({ type: 'boolean' })
  timedOut: boolean = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

/** A chargeback the processor reports (the CHARGEBACK card's captures). */
@Entity({ tableName: 'test_processor_dispute' })
@Index({ properties: ['reportedAt'] })
export class TestProcessorDispute {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('tpd');

  @Property({ type: 'string', length: 40, unique: true })
  chargeId!: string;

  @Property({ type: bigint() })
  amountMinor!: bigint;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 100 })
  reason!: string;

  @Property({ type: 'datetime' })
  reportedAt: Date = new Date();
}
