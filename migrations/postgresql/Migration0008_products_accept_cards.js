'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Products accept cards (issue #11): card on per voucher project and per access-code service (with the price of a
 * code by card); a voucher payment started for card has no SMS country; a code bought by card has no SMS; the
 * buyer's email of an access code bought by card (access_code_purchase).
 */
class Migration0008_products_accept_cards extends Migration {
  async up() {
    this.addSql(`alter table "voucher_project" add column "accepts_card" boolean not null default false;`);
    this.addSql(`alter table "access_code_service" add column "accepts_card" boolean not null default false, add column "card_price_minor" bigint null, add column "card_currency" varchar(3) null;`);

    this.addSql(`create table "access_code_purchase" ("id" varchar(40) not null, "payment_id" varchar(40) not null, "service_id" varchar(40) not null, "merchant_id" varchar(40) not null, "email" varchar(254) not null, "code_id" varchar(40) null, "created_at" timestamptz not null, constraint "access_code_purchase_pkey" primary key ("id"));`);
    this.addSql(`alter table "access_code_purchase" add constraint "access_code_purchase_payment_id_unique" unique ("payment_id");`);
    this.addSql(`create index "access_code_purchase_service_id_id_index" on "access_code_purchase" ("service_id", "id");`);

    this.addSql(`alter table "access_code" alter column "sms_id" drop not null;`);
    this.addSql(`alter table "voucher_order" alter column "country" drop not null;`);
  }
}
exports.Migration0008_products_accept_cards = Migration0008_products_accept_cards;
