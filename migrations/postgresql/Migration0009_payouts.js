'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Payouts (issue #12): one-time confirmation codes (confirmation_code), payout destinations and the merchant's
 * cool-off (payout_destination, payout_settings), withdrawals and payout batches.
 */
class Migration0009_payouts extends Migration {

  async up() {
    this.addSql(`create table "confirmation_code" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "purpose" varchar(40) not null, "target_id" varchar(40) not null, "user_id" varchar(40) not null, "email" varchar(320) not null, "code_hash" varchar(64) not null, "seal" varchar(200) null, "status" varchar(10) not null default 'PENDING', "attempts" int not null default 0, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "confirmation_code_pkey" primary key ("id"));`);
    this.addSql(`create index "confirmation_code_merchant_id_index" on "confirmation_code" ("merchant_id");`);
    this.addSql(`create index "confirmation_code_purpose_target_id_index" on "confirmation_code" ("purpose", "target_id");`);

    this.addSql(`create table "payout_batch" ("id" varchar(40) not null, "rail" varchar(10) not null, "currency" varchar(3) not null, "status" varchar(10) not null default 'OPEN', "count" int not null, "total_minor" bigint not null, "export_count" int not null default 0, "last_exported_at" timestamptz null, "created_by" varchar(40) not null, "created_at" timestamptz not null, "settled_at" timestamptz null, constraint "payout_batch_pkey" primary key ("id"));`);

    this.addSql(`create table "payout_destination" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "kind" varchar(20) not null, "status" varchar(20) not null default 'PENDING', "label" varchar(100) null, "holder_name" varchar(70) not null, "iban" varchar(34) null, "bic" varchar(11) null, "card_token_id" varchar(40) null, "card_brand" varchar(20) null, "card_last4" varchar(4) null, "wallet_provider" varchar(40) null, "wallet_id" varchar(100) null, "replaces_id" varchar(40) null, "confirmed_at" timestamptz null, "usable_from" timestamptz null, "removed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "payout_destination_pkey" primary key ("id"));`);
    this.addSql(`create index "payout_destination_merchant_id_id_index" on "payout_destination" ("merchant_id", "id");`);

    this.addSql(`create table "payout_settings" ("merchant_id" varchar(40) not null, "cool_off_hours" int not null, "updated_at" timestamptz not null, constraint "payout_settings_pkey" primary key ("merchant_id"));`);

    this.addSql(`create table "withdrawal" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "destination_id" varchar(40) not null, "rail" varchar(10) not null, "currency" varchar(3) not null, "amount_minor" bigint not null, "fee_minor" bigint not null default 0, "status" varchar(10) not null default 'REQUESTED', "hold_transfer_id" varchar(40) null, "batch_id" varchar(40) null, "requested_by" varchar(40) not null, "confirmed_at" timestamptz null, "approved_at" timestamptz null, "approved_by" varchar(40) null, "paid_at" timestamptz null, "paid_via" varchar(20) null, "bank_reference" varchar(100) null, "closed_at" timestamptz null, "reason" varchar(300) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "withdrawal_pkey" primary key ("id"));`);
    this.addSql(`create index "withdrawal_destination_id_index" on "withdrawal" ("destination_id");`);
    this.addSql(`create index "withdrawal_batch_id_index" on "withdrawal" ("batch_id");`);
    this.addSql(`create index "withdrawal_status_id_index" on "withdrawal" ("status", "id");`);
    this.addSql(`create index "withdrawal_merchant_id_id_index" on "withdrawal" ("merchant_id", "id");`);
  }

  async down() {
    this.addSql(`drop table if exists "confirmation_code" cascade;`);

    this.addSql(`drop table if exists "payout_batch" cascade;`);

    this.addSql(`drop table if exists "payout_destination" cascade;`);

    this.addSql(`drop table if exists "payout_settings" cascade;`);

    this.addSql(`drop table if exists "withdrawal" cascade;`);
  }

}
exports.Migration0009_payouts = Migration0009_payouts;
