'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Automatic payouts (issue #12): a merchant's schedule per currency (auto_payout, one per merchant and currency), and
 * the withdrawal's period (auto_period), unique per merchant and currency so each period is paid out once.
 */
class Migration0011_auto_payouts extends Migration {
  async up() {
    this.addSql(`create table "auto_payout" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "currency" varchar(3) not null, "status" varchar(10) not null default 'PENDING', "schedule" varchar(10) null, "reserve_minor" bigint not null default 0, "destination_id" varchar(40) null, "requested_schedule" varchar(10) null, "requested_reserve_minor" bigint null, "requested_destination_id" varchar(40) null, "confirmed_at" timestamptz null, "last_period" varchar(20) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "auto_payout_pkey" primary key ("id"));`);
    this.addSql(`create index "auto_payout_status_id_index" on "auto_payout" ("status", "id");`);
    this.addSql(`alter table "auto_payout" add constraint "auto_payout_merchant_id_currency_unique" unique ("merchant_id", "currency");`);

    this.addSql(`alter table "withdrawal" add column "auto_period" varchar(20) null;`);
    this.addSql(`alter table "withdrawal" add constraint "withdrawal_merchant_id_currency_auto_period_unique" unique ("merchant_id", "currency", "auto_period");`);
  }
}
exports.Migration0011_auto_payouts = Migration0011_auto_payouts;
