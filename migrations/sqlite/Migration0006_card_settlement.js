'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Card settlement (issue #11): fee plans (FeePlan) and which merchant has which (MerchantFeePlan), the rolling
 * reserve's holds (ReserveHold), and what a payment refunded and took by card (Payment.refundedMinor, cardNetMinor).
 * The default plan comes with the schema, so settlement always finds one: card online 1.9% + 0.25, card present 2.7%
 * (seed 004), SMS by its tariff, payout 1.00, chargeback 15.00 (EUR, GBP, USD), no reserve.
 */
class Migration0006_card_settlement extends Migration {

  async up() {
    this.addSql(`create table \`fee_plan\` (\`id\` text not null, \`name\` text not null, \`description\` text null, \`rules\` json not null, \`chargeback_fee\` json not null, \`reserve_bps\` integer not null default 0, \`reserve_days\` integer not null default 0, \`is_default\` integer not null default false, \`default_key\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create unique index \`fee_plan_name_unique\` on \`fee_plan\` (\`name\`);`);
    this.addSql(`create unique index \`fee_plan_default_key_unique\` on \`fee_plan\` (\`default_key\`);`);

    this.addSql(`insert into \`fee_plan\` (\`id\`, \`name\`, \`description\`, \`rules\`, \`chargeback_fee\`, \`reserve_bps\`, \`reserve_days\`, \`is_default\`, \`default_key\`, \`created_at\`, \`updated_at\`, \`version\`) values ('fpl_default', 'Standard', 'The default plan: merchants without a plan of their own have it.', '{"CARD_ONLINE":{"percentBps":190,"fixed":{"EUR":25,"GBP":25,"USD":25}},"CARD_PRESENT":{"percentBps":270,"fixed":{}},"SMS":{"percentBps":0,"fixed":{}},"PAYOUT":{"percentBps":0,"fixed":{"EUR":100,"GBP":100,"USD":100}}}', '{"EUR":1500,"GBP":1500,"USD":1500}', 0, 0, true, 'default', cast(strftime('%s', 'now') as integer) * 1000, cast(strftime('%s', 'now') as integer) * 1000, 1);`);

    this.addSql(`create table \`merchant_fee_plan\` (\`merchant_id\` text not null, \`plan_id\` text not null, \`assigned_at\` datetime not null, primary key (\`merchant_id\`));`);
    this.addSql(`create index \`merchant_fee_plan_plan_id_index\` on \`merchant_fee_plan\` (\`plan_id\`);`);

    this.addSql(`create table \`reserve_hold\` (\`id\` text not null, \`merchant_id\` text not null, \`payment_id\` text not null, \`capture_id\` text not null, \`status\` text not null default 'HELD', \`currency\` text not null, \`amount_minor\` bigint not null, \`release_at\` datetime not null, \`released_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create unique index \`reserve_hold_capture_id_unique\` on \`reserve_hold\` (\`capture_id\`);`);
    this.addSql(`create index \`reserve_hold_merchant_id_id_index\` on \`reserve_hold\` (\`merchant_id\`, \`id\`);`);
    this.addSql(`create index \`reserve_hold_status_release_at_index\` on \`reserve_hold\` (\`status\`, \`release_at\`);`);

    this.addSql(`alter table \`payment\` add column \`card_net_minor\` bigint not null default 0;`);
    this.addSql(`alter table \`payment\` add column \`refunded_minor\` bigint not null default 0;`);
  }

}
exports.Migration0006_card_settlement = Migration0006_card_settlement;
