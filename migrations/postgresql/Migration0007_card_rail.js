'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** The card rail (issue #11): tokens, card payments' settings, charges, processor calls, refunds, chargebacks, and the test processor's own tables. */
class Migration0007_card_rail extends Migration {

  async up() {
    this.addSql(`create table "card_charge" ("id" varchar(40) not null, "payment_id" varchar(40) not null, "merchant_id" varchar(40) not null, "request_key" varchar(255) not null, "token_id" varchar(40) not null, "processor" varchar(40) not null, "processor_reference" varchar(100) null, "status" varchar(20) not null default 'PENDING', "capture_mode" varchar(10) not null, "present" boolean not null default false, "amount_minor" bigint not null, "currency" varchar(3) not null, "captured_minor" bigint not null default 0, "refunded_minor" bigint not null default 0, "charged_back_minor" bigint not null default 0, "decline_code" varchar(30) null, "challenge" varchar(300) null, "signature_required" boolean not null default false, "brand" varchar(20) not null, "last4" varchar(4) not null, "fingerprint" varchar(64) not null, "payer_email" varchar(254) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "captured_at" timestamptz null, "version" int not null default 1, constraint "card_charge_pkey" primary key ("id"));`);
    this.addSql(`create index "card_charge_processor_processor_reference_index" on "card_charge" ("processor", "processor_reference");`);
    this.addSql(`create index "card_charge_status_updated_at_index" on "card_charge" ("status", "updated_at");`);
    this.addSql(`create index "card_charge_payment_id_id_index" on "card_charge" ("payment_id", "id");`);
    this.addSql(`alter table "card_charge" add constraint "card_charge_payment_id_request_key_unique" unique ("payment_id", "request_key");`);

    this.addSql(`create table "card_checkout" ("payment_id" varchar(40) not null, "success_url" varchar(2000) null, "cancel_url" varchar(2000) null, "capture_mode" varchar(10) not null default 'AUTOMATIC', constraint "card_checkout_pkey" primary key ("payment_id"));`);

    this.addSql(`create table "card_operation" ("id" varchar(40) not null, "charge_id" varchar(40) not null, "refund_id" varchar(40) null, "kind" varchar(20) not null, "idempotency_key" varchar(255) not null, "state" varchar(12) not null default 'PENDING', "outcome" varchar(20) null, "reference" varchar(100) null, "decline_code" varchar(30) null, "amount_minor" bigint null, "duration_ms" int null, "created_at" timestamptz not null, "answered_at" timestamptz null, constraint "card_operation_pkey" primary key ("id"));`);
    this.addSql(`alter table "card_operation" add constraint "card_operation_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "card_operation_state_created_at_index" on "card_operation" ("state", "created_at");`);
    this.addSql(`create index "card_operation_charge_id_id_index" on "card_operation" ("charge_id", "id");`);

    this.addSql(`create table "card_refund" ("id" varchar(40) not null, "payment_id" varchar(40) not null, "charge_id" varchar(40) not null, "merchant_id" varchar(40) not null, "request_key" varchar(255) not null, "amount_minor" bigint not null, "currency" varchar(3) not null, "status" varchar(12) not null default 'PENDING', "decline_code" varchar(30) null, "processor_reference" varchar(100) null, "receivable_minor" bigint not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "card_refund_pkey" primary key ("id"));`);
    this.addSql(`create index "card_refund_payment_id_id_index" on "card_refund" ("payment_id", "id");`);
    this.addSql(`alter table "card_refund" add constraint "card_refund_payment_id_request_key_unique" unique ("payment_id", "request_key");`);

    this.addSql(`create table "card_token" ("id" varchar(40) not null, "processor" varchar(40) not null, "processor_token" varchar(100) not null, "fingerprint" varchar(64) not null, "brand" varchar(20) not null, "last4" varchar(4) not null, "exp_month" int not null, "exp_year" int not null, "holder_name" varchar(100) null, "payment_id" varchar(40) not null, "created_at" timestamptz not null, constraint "card_token_pkey" primary key ("id"));`);
    this.addSql(`create index "card_token_fingerprint_index" on "card_token" ("fingerprint");`);
    this.addSql(`create index "card_token_payment_id_index" on "card_token" ("payment_id");`);

    this.addSql(`create table "chargeback" ("id" varchar(40) not null, "payment_id" varchar(40) not null, "charge_id" varchar(40) not null, "merchant_id" varchar(40) not null, "amount_minor" bigint not null, "currency" varchar(3) not null, "status" varchar(12) not null default 'OPENED', "reason" varchar(300) not null, "evidence" text not null default '', "processor_dispute_id" varchar(100) null, "reported_at" timestamptz null, "opened_at" timestamptz not null, "resolved_at" timestamptz null, "receivable_minor" bigint not null default 0, constraint "chargeback_pkey" primary key ("id"));`);
    this.addSql(`alter table "chargeback" add constraint "chargeback_processor_dispute_id_unique" unique ("processor_dispute_id");`);
    this.addSql(`create index "chargeback_payment_id_index" on "chargeback" ("payment_id");`);
    this.addSql(`create index "chargeback_merchant_id_id_index" on "chargeback" ("merchant_id", "id");`);

    this.addSql(`create table "test_processor_charge" ("id" varchar(40) not null, "token_id" varchar(40) not null, "status" varchar(20) not null, "amount_minor" bigint not null, "currency" varchar(3) not null, "refunded_minor" bigint not null default 0, "capture" boolean not null, "created_at" timestamptz not null, constraint "test_processor_charge_pkey" primary key ("id"));`);

    this.addSql(`create table "test_processor_dispute" ("id" varchar(40) not null, "charge_id" varchar(40) not null, "amount_minor" bigint not null, "currency" varchar(3) not null, "reason" varchar(100) not null, "reported_at" timestamptz not null, constraint "test_processor_dispute_pkey" primary key ("id"));`);
    this.addSql(`alter table "test_processor_dispute" add constraint "test_processor_dispute_charge_id_unique" unique ("charge_id");`);
    this.addSql(`create index "test_processor_dispute_reported_at_index" on "test_processor_dispute" ("reported_at");`);

    this.addSql(`create table "test_processor_key" ("id" varchar(20) not null default 'fingerprint', "secret" varchar(64) not null, constraint "test_processor_key_pkey" primary key ("id"));`);

    this.addSql(`create table "test_processor_operation" ("id" varchar(40) not null, "key" varchar(255) not null, "kind" varchar(20) not null, "answer" jsonb not null, "timed_out" boolean not null default false, "created_at" timestamptz not null, constraint "test_processor_operation_pkey" primary key ("id"));`);
    this.addSql(`alter table "test_processor_operation" add constraint "test_processor_operation_key_unique" unique ("key");`);

    this.addSql(`create table "test_processor_token" ("id" varchar(40) not null, "scenario" varchar(30) not null, "fingerprint" varchar(64) not null, "has_holder_name" boolean not null, "created_at" timestamptz not null, constraint "test_processor_token_pkey" primary key ("id"));`);
  }

  async down() {
    this.addSql(`drop table if exists "card_charge" cascade;`);

    this.addSql(`drop table if exists "card_checkout" cascade;`);

    this.addSql(`drop table if exists "card_operation" cascade;`);

    this.addSql(`drop table if exists "card_refund" cascade;`);

    this.addSql(`drop table if exists "card_token" cascade;`);

    this.addSql(`drop table if exists "chargeback" cascade;`);

    this.addSql(`drop table if exists "test_processor_charge" cascade;`);

    this.addSql(`drop table if exists "test_processor_dispute" cascade;`);

    this.addSql(`drop table if exists "test_processor_key" cascade;`);

    this.addSql(`drop table if exists "test_processor_operation" cascade;`);

    this.addSql(`drop table if exists "test_processor_token" cascade;`);
  }

}
exports.Migration0007_card_rail = Migration0007_card_rail;
