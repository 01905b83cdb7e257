import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

@Entity({ tableName: 'merchant' })
@ObjectType({ description: 'An organisation that takes payments through Tollgate.' })
export class Merchant {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id: string = newId('mch');

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  /**
   * The partner that owns this merchant (its seller), if any. A partner sees its sub-merchants; nobody else crosses
   * tenants. Kept as an id so the tenancy tree needs no ORM relation loop.
   */
  @Property({ type: 'string', length: 40, nullable: true, index: true })
  @Field(() => ID, { nullable: true, description: 'The partner merchant this one belongs to.' })
  parentId: string | null = null;

  /**
   * How long a payer's unused credit with this merchant waits before it is released to the merchant, in days; null:
   * the platform minimum (MIN_PAYER_CREDIT_DAYS), which a merchant may lengthen, never shorten.
   */
  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: 'Days unused payer credit waits before it is released to this merchant; null: the platform minimum.',
  })
  payerCreditDays: number | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  /**
   * Set by a platform admin (suspendMerchant): no new payments start and its people may read, not change anything;
   * money already in flight still settles. Null: active.
   */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the platform suspended this merchant; null: active.' })
  suspendedAt: Date | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  @Field(() => String, { nullable: true, description: 'Why it is suspended, as the admin wrote it.' })
  suspensionReason: string | null = null;
}

/** The platform's minimum wait before unused payer credit goes to the merchant (payer protection). */
export const MIN_PAYER_CREDIT_DAYS = 30;
const MAX_PAYER_CREDIT_DAYS = 3650;

/** The days this merchant's payer credit waits: its own setting, never under the platform minimum. */
export function payerCreditDaysOf(merchant: Merchant | null): number {
  return Math.max(MIN_PAYER_CREDIT_DAYS, merchant?.payerCreditDays ?? 0);
}

export { MAX_PAYER_CREDIT_DAYS };
