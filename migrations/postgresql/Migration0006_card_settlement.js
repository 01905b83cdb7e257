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
    this.addSql(`create table "fee_plan" ("id" varchar(40) not null, "name" varchar(100) not null, "description" varchar(500) null, "rules" jsonb not null, "chargeback_fee" jsonb not null, "reserve_bps" int not null default 0, "reserve_days" int not null default 0, "is_default" boolean not null default false, "default_key" varchar(10) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "fee_plan_pkey" primary key ("id"));`);
    this.addSql(`alter table "fee_plan" add constraint "fee_plan_name_unique" unique ("name");`);
    this.addSql(`alter table "fee_plan" add constraint "fee_plan_default_key_unique" unique ("default_key");`);

    this.addSql(`insert into "fee_plan" ("id", "name", "description", "rules", "chargeback_fee", "reserve_bps", "reserve_days", "is_default", "default_key", "created_at", "updated_at", "version") values ('fpl_default', 'Standard', 'The default plan: merchants without a plan of their own have it.', '{"CARD_ONLINE":{"percentBps":190,"fixed":{"EUR":25,"GBP":25,"USD":25}},"CARD_PRESENT":{"percentBps":270,"fixed":{}},"SMS":{"percentBps":0,"fixed":{}},"PAYOUT":{"percentBps":0,"fixed":{"EUR":100,"GBP":100,"USD":100}}}', '{"EUR":1500,"GBP":1500,"USD":1500}', 0, 0, true, 'default', now(), now(), 1);`);

    this.addSql(`create table "merchant_fee_plan" ("merchant_id" varchar(40) not null, "plan_id" varchar(40) not null, "assigned_at" timestamptz not null, constraint "merchant_fee_plan_pkey" primary key ("merchant_id"));`);
    this.addSql(`create index "merchant_fee_plan_plan_id_index" on "merchant_fee_plan" ("plan_id");`);

    this.addSql(`create table "reserve_hold" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "payment_id" varchar(40) not null, "capture_id" varchar(100) not null, "status" varchar(20) not null default 'HELD', "currency" varchar(3) not null, "amount_minor" bigint not null, "release_at" timestamptz not null, "released_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "reserve_hold_pkey" primary key ("id"));`);
    this.addSql(`alter table "reserve_hold" add constraint "reserve_hold_capture_id_unique" unique ("capture_id");`);
    this.addSql(`create index "reserve_hold_merchant_id_id_index" on "reserve_hold" ("merchant_id", "id");`);
    this.addSql(`create index "reserve_hold_status_release_at_index" on "reserve_hold" ("status", "release_at");`);

    this.addSql(`alter table "payment" add column "card_net_minor" bigint not null default 0, add column "refunded_minor" bigint not null default 0;`);
  }

  async down() {
    this.addSql(`drop table if exists "fee_plan" cascade;`);

    this.addSql(`drop table if exists "merchant_fee_plan" cascade;`);

    this.addSql(`drop table if exists "reserve_hold" cascade;`);

    this.addSql(`alter table "payment" drop column "card_net_minor", drop column "refunded_minor";`);
  }

}
exports.Migration0006_card_settlement = Migration0006_card_settlement;
