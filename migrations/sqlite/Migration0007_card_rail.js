'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** The card rail (issue #11): tokens, card payments' settings, charges, processor calls, refunds, chargebacks, and the test processor's own tables. */
class Migration0007_card_rail extends Migration {

  async up() {
    this.addSql(`create table \`card_charge\` (\`id\` text not null, \`payment_id\` text not null, \`merchant_id\` text not null, \`request_key\` text not null, \`token_id\` text not null, \`processor\` text not null, \`processor_reference\` text null, \`status\` text not null default 'PENDING', \`capture_mode\` text not null, \`present\` integer not null default false, \`amount_minor\` bigint not null, \`currency\` text not null, \`captured_minor\` bigint not null default 0, \`refunded_minor\` bigint not null default 0, \`charged_back_minor\` bigint not null default 0, \`decline_code\` text null, \`challenge\` text null, \`signature_required\` integer not null default false, \`brand\` text not null, \`last4\` text not null, \`fingerprint\` text not null, \`payer_email\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`captured_at\` datetime null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`card_charge_processor_processor_reference_index\` on \`card_charge\` (\`processor\`, \`processor_reference\`);`);
    this.addSql(`create index \`card_charge_status_updated_at_index\` on \`card_charge\` (\`status\`, \`updated_at\`);`);
    this.addSql(`create index \`card_charge_payment_id_id_index\` on \`card_charge\` (\`payment_id\`, \`id\`);`);
    this.addSql(`create unique index \`card_charge_payment_id_request_key_unique\` on \`card_charge\` (\`payment_id\`, \`request_key\`);`);

    this.addSql(`create table \`card_checkout\` (\`payment_id\` text not null, \`success_url\` text null, \`cancel_url\` text null, \`capture_mode\` text not null default 'AUTOMATIC', primary key (\`payment_id\`));`);

    this.addSql(`create table \`card_operation\` (\`id\` text not null, \`charge_id\` text not null, \`refund_id\` text null, \`kind\` text not null, \`idempotency_key\` text not null, \`state\` text not null default 'PENDING', \`outcome\` text null, \`reference\` text null, \`decline_code\` text null, \`amount_minor\` bigint null, \`duration_ms\` integer null, \`created_at\` datetime not null, \`answered_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`card_operation_idempotency_key_unique\` on \`card_operation\` (\`idempotency_key\`);`);
    this.addSql(`create index \`card_operation_state_created_at_index\` on \`card_operation\` (\`state\`, \`created_at\`);`);
    this.addSql(`create index \`card_operation_charge_id_id_index\` on \`card_operation\` (\`charge_id\`, \`id\`);`);

    this.addSql(`create table \`card_refund\` (\`id\` text not null, \`payment_id\` text not null, \`charge_id\` text not null, \`merchant_id\` text not null, \`request_key\` text not null, \`amount_minor\` bigint not null, \`currency\` text not null, \`status\` text not null default 'PENDING', \`decline_code\` text null, \`processor_reference\` text null, \`receivable_minor\` bigint not null default 0, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`card_refund_payment_id_id_index\` on \`card_refund\` (\`payment_id\`, \`id\`);`);
    this.addSql(`create unique index \`card_refund_payment_id_request_key_unique\` on \`card_refund\` (\`payment_id\`, \`request_key\`);`);

    this.addSql(`create table \`card_token\` (\`id\` text not null, \`processor\` text not null, \`processor_token\` text not null, \`fingerprint\` text not null, \`brand\` text not null, \`last4\` text not null, \`exp_month\` integer not null, \`exp_year\` integer not null, \`holder_name\` text null, \`payment_id\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`card_token_fingerprint_index\` on \`card_token\` (\`fingerprint\`);`);
    this.addSql(`create index \`card_token_payment_id_index\` on \`card_token\` (\`payment_id\`);`);

    this.addSql(`create table \`chargeback\` (\`id\` text not null, \`payment_id\` text not null, \`charge_id\` text not null, \`merchant_id\` text not null, \`amount_minor\` bigint not null, \`currency\` text not null, \`status\` text not null default 'OPENED', \`reason\` text not null, \`evidence\` text not null default '', \`processor_dispute_id\` text null, \`reported_at\` datetime null, \`opened_at\` datetime not null, \`resolved_at\` datetime null, \`receivable_minor\` bigint not null default 0, primary key (\`id\`));`);
    this.addSql(`create unique index \`chargeback_processor_dispute_id_unique\` on \`chargeback\` (\`processor_dispute_id\`);`);
    this.addSql(`create index \`chargeback_payment_id_index\` on \`chargeback\` (\`payment_id\`);`);
    this.addSql(`create index \`chargeback_merchant_id_id_index\` on \`chargeback\` (\`merchant_id\`, \`id\`);`);

    this.addSql(`create table \`test_processor_charge\` (\`id\` text not null, \`token_id\` text not null, \`status\` text not null, \`amount_minor\` bigint not null, \`currency\` text not null, \`refunded_minor\` bigint not null default 0, \`capture\` integer not null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`test_processor_dispute\` (\`id\` text not null, \`charge_id\` text not null, \`amount_minor\` bigint not null, \`currency\` text not null, \`reason\` text not null, \`reported_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`test_processor_dispute_charge_id_unique\` on \`test_processor_dispute\` (\`charge_id\`);`);
    this.addSql(`create index \`test_processor_dispute_reported_at_index\` on \`test_processor_dispute\` (\`reported_at\`);`);

    this.addSql(`create table \`test_processor_key\` (\`id\` text not null default 'fingerprint', \`secret\` text not null, primary key (\`id\`));`);

    this.addSql(`create table \`test_processor_operation\` (\`id\` text not null, \`key\` text not null, \`kind\` text not null, \`answer\` json not null, \`timed_out\` integer not null default false, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`test_processor_operation_key_unique\` on \`test_processor_operation\` (\`key\`);`);

    this.addSql(`create table \`test_processor_token\` (\`id\` text not null, \`scenario\` text not null, \`fingerprint\` text not null, \`has_holder_name\` integer not null, \`created_at\` datetime not null, primary key (\`id\`));`);
  }

}
exports.Migration0007_card_rail = Migration0007_card_rail;
