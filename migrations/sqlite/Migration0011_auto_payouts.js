'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Automatic payouts (issue #12): a merchant's schedule per currency (auto_payout, one per merchant and currency), and
 * the withdrawal's period (auto_period), unique per merchant and currency so each period is paid out once.
 */
class Migration0011_auto_payouts extends Migration {
  async up() {
    this.addSql(`create table \`auto_payout\` (\`id\` text not null, \`merchant_id\` text not null, \`currency\` text not null, \`status\` text not null default 'PENDING', \`schedule\` text null, \`reserve_minor\` bigint not null default 0, \`destination_id\` text null, \`requested_schedule\` text null, \`requested_reserve_minor\` bigint null, \`requested_destination_id\` text null, \`confirmed_at\` datetime null, \`last_period\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`auto_payout_status_id_index\` on \`auto_payout\` (\`status\`, \`id\`);`);
    this.addSql(`create unique index \`auto_payout_merchant_id_currency_unique\` on \`auto_payout\` (\`merchant_id\`, \`currency\`);`);

    this.addSql(`alter table \`withdrawal\` add column \`auto_period\` text null;`);
    this.addSql(`create unique index \`withdrawal_merchant_id_currency_auto_period_unique\` on \`withdrawal\` (\`merchant_id\`, \`currency\`, \`auto_period\`);`);
  }
}
exports.Migration0011_auto_payouts = Migration0011_auto_payouts;
