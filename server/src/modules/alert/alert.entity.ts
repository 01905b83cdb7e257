import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';

export enum AlertKind {
  VOUCHER_STOCK_LOW = 'VOUCHER_STOCK_LOW',
  WEBHOOK_ENDPOINT_FAILING = 'WEBHOOK_ENDPOINT_FAILING',
  CODES_GUESSED = 'CODES_GUESSED',
  WITHDRAWAL_PAID = 'WITHDRAWAL_PAID',
}

registerEnumType(AlertKind, {
  name: 'AlertKind',
  description: 'What a merchant can be emailed about.',
  valuesConfig: {
    VOUCHER_STOCK_LOW: { description: 'A voucher project has `threshold` or fewer vouchers left to sell.' },
    WEBHOOK_ENDPOINT_FAILING: { description: 'A webhook delivery was given up after every retry.' },
    CODES_GUESSED: { description: 'Many invalid codes were checked against an access-code service in a minute.' },
    WITHDRAWAL_PAID: { description: 'The bank paid a withdrawal.' },
  },
});

/** One merchant's choice for one kind of alert; a kind with no row is off. */
@Entity({ tableName: 'alert_setting' })
@Unique({ properties: ['merchantId', 'kind'] })
@ObjectType({ description: "A merchant's email alert of one kind: on or off, its threshold and who gets it." })
export class AlertSetting {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('alr');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The merchant it belongs to.' })
  merchantId!: string;

  // A plain string column, as the outbox's status: SQLite's check constraints are invisible to schema diffs.
  @Property({ type: 'string', length: 30 })
  @Field(() => AlertKind, { description: 'What it is about.' })
  kind!: AlertKind;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Whether the alert is sent.' })
  enabled = false;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: 'VOUCHER_STOCK_LOW: alert when a project has this many vouchers or fewer left (0–1000000).',
  })
  threshold: number | null = null;

  @Property({ type: 'string', length: 320, nullable: true })
  @Field(() => String, { nullable: true, description: "Where it is emailed; null: every owner's email." })
  recipient: string | null = null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}

/** When an alert was last sent about one subject (a project, an endpoint…): at most one an hour. */
@Entity({ tableName: 'alert_notice' })
@Unique({ properties: ['merchantId', 'kind', 'subject'] })
export class AlertNotice {
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('aln');

  @Property({ type: 'string', length: 40 })
  merchantId!: string;

  @Property({ type: 'string', length: 30 })
  kind!: AlertKind;

  @Property({ type: 'string', length: 60 })
  subject!: string;

  @Property({ type: 'datetime' })
  lastSentAt!: Date;
}
