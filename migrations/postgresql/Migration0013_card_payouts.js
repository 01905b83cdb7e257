'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Payouts to cards: CardToken.merchantId (a merchant's own payout card, tokenised by POST /card/payout-tokens) with
 * paymentId now null for such tokens, and CardPayout (card_payout), one processor payout per withdrawal.
 */
class Migration0013_card_payouts extends Migration {
  async up() {
    this.addSql(`create table "card_payout" ("id" varchar(40) not null, "withdrawal_id" varchar(40) not null, "merchant_id" varchar(40) not null, "token_id" varchar(40) not null, "processor" varchar(40) not null, "idempotency_key" varchar(255) not null, "amount_minor" bigint not null, "currency" varchar(3) not null, "status" varchar(12) not null default 'PENDING', "outcome" varchar(20) null, "processor_reference" varchar(100) null, "decline_code" varchar(30) null, "duration_ms" int null, "reconciled" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, "answered_at" timestamptz null, constraint "card_payout_pkey" primary key ("id"));`);
    this.addSql(`alter table "card_payout" add constraint "card_payout_withdrawal_id_unique" unique ("withdrawal_id");`);
    this.addSql(`create index "card_payout_merchant_id_index" on "card_payout" ("merchant_id");`);
    this.addSql(`alter table "card_payout" add constraint "card_payout_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "card_payout_status_created_at_index" on "card_payout" ("status", "created_at");`);
    this.addSql(`alter table "card_token" add column "merchant_id" varchar(40) null;`);
    this.addSql(`alter table "card_token" alter column "payment_id" type varchar(40) using ("payment_id"::varchar(40));`);
    this.addSql(`alter table "card_token" alter column "payment_id" drop not null;`);
    this.addSql(`create index "card_token_merchant_id_index" on "card_token" ("merchant_id");`);
  }

  async down() {
    this.addSql(`drop table if exists "card_payout" cascade;`);
    this.addSql(`drop index "card_token_merchant_id_index";`);
    this.addSql(`alter table "card_token" drop column "merchant_id";`);
    this.addSql(`alter table "card_token" alter column "payment_id" type varchar(40) using ("payment_id"::varchar(40));`);
    this.addSql(`alter table "card_token" alter column "payment_id" set not null;`);
  }
}
exports.Migration0013_card_payouts = Migration0013_card_payouts;
