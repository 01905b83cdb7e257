'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261204175419_initial extends Migration {

  async up() {
    this.addSql(`create table "access_code" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "service_id" varchar(40) not null, "payment_id" varchar(40) not null, "sms_id" varchar(40) not null, "lookup" varchar(64) null, "sealed" varchar(200) not null, "kind" varchar(30) not null, "validity_seconds" int null, "max_uses" int null, "uses_left" int null, "uses" int not null default 0, "issued_at" timestamptz not null, "first_used_at" timestamptz null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "replies_sent" int not null default 0, "created_at" timestamptz not null, constraint "access_code_pkey" primary key ("id"));`);
    this.addSql(`create index "access_code_sms_id_index" on "access_code" ("sms_id");`);
    this.addSql(`create index "access_code_service_id_id_index" on "access_code" ("service_id", "id");`);
    this.addSql(`alter table "access_code" add constraint "access_code_service_id_lookup_unique" unique ("service_id", "lookup");`);

    this.addSql(`create table "access_code_check" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "service_id" varchar(40) not null, "code_id" varchar(40) null, "input" varchar(20) null, "result" varchar(12) not null, "channel" varchar(10) not null, "ip" varchar(45) not null, "count" int not null default 1, "checked_at" timestamptz not null, constraint "access_code_check_pkey" primary key ("id"));`);
    this.addSql(`create index "access_code_check_code_id_index" on "access_code_check" ("code_id");`);
    this.addSql(`create index "access_code_check_service_id_checked_at_index" on "access_code_check" ("service_id", "checked_at");`);
    this.addSql(`create index "access_code_check_service_id_id_index" on "access_code_check" ("service_id", "id");`);

    this.addSql(`create table "access_code_route" ("id" varchar(40) not null, "keyword" varchar(20) not null, "short_code" varchar(15) not null, "service_id" varchar(40) not null, constraint "access_code_route_pkey" primary key ("id"));`);
    this.addSql(`create index "access_code_route_service_id_index" on "access_code_route" ("service_id");`);
    this.addSql(`alter table "access_code_route" add constraint "access_code_route_keyword_short_code_unique" unique ("keyword", "short_code");`);

    this.addSql(`create table "access_code_service" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "name" varchar(100) not null, "keyword" varchar(20) not null, "short_codes" jsonb not null, "reply_template" text not null, "kind" varchar(30) not null, "validity_seconds" int null, "max_uses" int null, "code_length" int not null, "alphabet" varchar(20) not null, "excluded_characters" varchar(40) not null default '', "paid_url" varchar(2000) not null, "expired_url" varchar(2000) not null, "invalid_url" varchar(2000) not null, "allowed_ips" jsonb not null, "max_replies_per_sms" int not null default 1, "secret" varchar(100) not null, "flood_alerted_at" timestamptz null, "flood_alert_checks" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "access_code_service_pkey" primary key ("id"));`);
    this.addSql(`create index "access_code_service_merchant_id_id_index" on "access_code_service" ("merchant_id", "id");`);

    this.addSql(`create table "api_key" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "name" varchar(100) not null, "prefix" varchar(20) not null, "secret_hash" varchar(64) not null, "scope_list" varchar(40) not null, "created_by_user_id" varchar(40) null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`);
    this.addSql(`create index "api_key_merchant_id_index" on "api_key" ("merchant_id");`);
    this.addSql(`alter table "api_key" add constraint "api_key_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(`create table "audit_event" ("id" varchar(40) not null, "merchant_id" varchar(40) null, "actor_kind" varchar(10) not null, "actor_id" varchar(40) null, "action" varchar(60) not null, "target_id" varchar(40) null, "details" jsonb not null, "ip" varchar(64) null, "created_at" timestamptz not null, constraint "audit_event_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_event_merchant_id_index" on "audit_event" ("merchant_id");`);

    this.addSql(`create table "sms_country" ("code" varchar(2) not null, "name" varchar(100) not null, "currency" varchar(3) not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "sms_country_pkey" primary key ("code"));`);

    this.addSql(`create table "idempotency_record" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "idempotency_key" varchar(255) not null, "operation" varchar(60) not null, "request_hash" varchar(64) not null, "response" jsonb null, "created_at" timestamptz not null, constraint "idempotency_record_pkey" primary key ("id"));`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_merchant_id_idempotency_key_unique" unique ("merchant_id", "idempotency_key");`);

    this.addSql(`create table "ledger_account" ("id" varchar(40) not null, "merchant_id" varchar(40) null, "owner_key" varchar(40) not null, "currency" varchar(3) not null, "purpose" varchar(40) not null, "allow_negative" boolean not null default false, "balance" bigint not null default 0, "pending_debits" bigint not null default 0, "pending_credits" bigint not null default 0, "created_at" timestamptz not null, constraint "ledger_account_pkey" primary key ("id"));`);
    this.addSql(`create index "ledger_account_merchant_id_index" on "ledger_account" ("merchant_id");`);
    this.addSql(`alter table "ledger_account" add constraint "ledger_account_owner_key_currency_purpose_unique" unique ("owner_key", "currency", "purpose");`);

    this.addSql(`create table "ledger_entry" ("id" varchar(40) not null, "transfer_id" varchar(40) not null, "account_id" varchar(40) not null, "merchant_id" varchar(40) null, "currency" varchar(3) not null, "amount" bigint not null, "pending" boolean not null default false, "created_at" timestamptz not null, constraint "ledger_entry_pkey" primary key ("id"));`);
    this.addSql(`create index "ledger_entry_transfer_id_index" on "ledger_entry" ("transfer_id");`);
    this.addSql(`create index "ledger_entry_account_id_index" on "ledger_entry" ("account_id");`);
    this.addSql(`create index "ledger_entry_merchant_id_index" on "ledger_entry" ("merchant_id");`);

    this.addSql(`create table "ledger_transfer" ("id" varchar(40) not null, "merchant_id" varchar(40) null, "owner_key" varchar(40) not null, "idempotency_key" varchar(200) not null, "fingerprint" varchar(64) not null, "kind" varchar(10) not null, "currency" varchar(3) not null, "amount" bigint not null, "pending_id" varchar(40) null, "reverses_id" varchar(40) null, "payment_id" varchar(40) null, "description" varchar(500) null, "created_at" timestamptz not null, constraint "ledger_transfer_pkey" primary key ("id"));`);
    this.addSql(`create index "ledger_transfer_merchant_id_index" on "ledger_transfer" ("merchant_id");`);
    this.addSql(`alter table "ledger_transfer" add constraint "ledger_transfer_pending_id_unique" unique ("pending_id");`);
    this.addSql(`alter table "ledger_transfer" add constraint "ledger_transfer_reverses_id_unique" unique ("reverses_id");`);
    this.addSql(`create index "ledger_transfer_payment_id_index" on "ledger_transfer" ("payment_id");`);
    this.addSql(`alter table "ledger_transfer" add constraint "ledger_transfer_owner_key_idempotency_key_unique" unique ("owner_key", "idempotency_key");`);

    this.addSql(`create table "mail_message" ("id" varchar(40) not null, "outbox_message_id" varchar(40) not null, "to" varchar(320) not null, "from" varchar(320) not null, "subject" varchar(300) not null, "text" text not null, "html" text null, "sent" boolean not null, "created_at" timestamptz not null, constraint "mail_message_pkey" primary key ("id"));`);
    this.addSql(`alter table "mail_message" add constraint "mail_message_outbox_message_id_unique" unique ("outbox_message_id");`);

    this.addSql(`create table "merchant" ("id" varchar(40) not null, "name" varchar(200) not null, "parent_id" varchar(40) null, "payer_credit_days" int null, "created_at" timestamptz not null, constraint "merchant_pkey" primary key ("id"));`);
    this.addSql(`create index "merchant_parent_id_index" on "merchant" ("parent_id");`);

    this.addSql(`create table "sms_operator" ("id" varchar(40) not null, "country_code" varchar(2) not null, "name" varchar(60) not null, "created_at" timestamptz not null, constraint "sms_operator_pkey" primary key ("id"));`);
    this.addSql(`alter table "sms_operator" add constraint "sms_operator_country_code_name_unique" unique ("country_code", "name");`);

    this.addSql(`create table "outbox_attempt" ("id" varchar(40) not null, "message_id" varchar(40) not null, "started_at" timestamptz not null, "duration_ms" int not null, "outcome" varchar(10) not null, "http_status" int null, "error" text null, "detail" text null, constraint "outbox_attempt_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_attempt_message_id_index" on "outbox_attempt" ("message_id");`);

    this.addSql(`create table "outbox_message" ("id" varchar(40) not null, "kind" varchar(60) not null, "merchant_id" varchar(40) null, "payload" jsonb not null, "status" varchar(10) not null default 'PENDING', "attempt_count" int not null default 0, "next_attempt_at" timestamptz not null, "claim_token" varchar(40) null, "dedupe_key" varchar(200) null, "last_error" text null, "created_at" timestamptz not null, "delivered_at" timestamptz null, constraint "outbox_message_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_message_merchant_id_index" on "outbox_message" ("merchant_id");`);
    this.addSql(`create index "outbox_message_status_next_attempt_at_index" on "outbox_message" ("status", "next_attempt_at");`);
    this.addSql(`alter table "outbox_message" add constraint "outbox_message_kind_dedupe_key_unique" unique ("kind", "dedupe_key");`);

    this.addSql(`create table "payer_credit" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "phone" varchar(20) not null, "status" varchar(20) not null default 'AVAILABLE', "currency" varchar(3) not null, "amount_minor" bigint not null, "price_minor" bigint not null, "source_sms_id" varchar(40) not null, "source_payment_id" varchar(40) not null, "spent_payment_id" varchar(40) null, "release_at" timestamptz not null, "note" varchar(500) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "payer_credit_pkey" primary key ("id"));`);
    this.addSql(`alter table "payer_credit" add constraint "payer_credit_source_sms_id_unique" unique ("source_sms_id");`);
    this.addSql(`create index "payer_credit_status_release_at_index" on "payer_credit" ("status", "release_at");`);
    this.addSql(`create index "payer_credit_merchant_id_phone_status_index" on "payer_credit" ("merchant_id", "phone", "status");`);

    this.addSql(`create table "payment" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "kind" varchar(20) not null, "status" varchar(20) not null default 'OPEN', "amount" bigint not null, "amount_received" bigint not null default 0, "currency" varchar(3) not null, "reference" varchar(12) not null, "page_token" varchar(64) not null, "payer_phone" varchar(20) null, "payer_country" varchar(2) null, "description" varchar(255) not null, "external_id" varchar(100) null, "metadata" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "paid_at" timestamptz null, "expires_at" timestamptz null, "gross_minor" bigint not null default 0, "operator_share_minor" bigint not null default 0, "platform_fee_minor" bigint not null default 0, "credit_minor" bigint not null default 0, "net_minor" bigint not null default 0, "version" int not null default 1, constraint "payment_pkey" primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_reference_unique" unique ("reference");`);
    this.addSql(`alter table "payment" add constraint "payment_page_token_unique" unique ("page_token");`);
    this.addSql(`create index "payment_status_expires_at_index" on "payment" ("status", "expires_at");`);
    this.addSql(`create index "payment_merchant_id_external_id_index" on "payment" ("merchant_id", "external_id");`);
    this.addSql(`create index "payment_merchant_id_id_index" on "payment" ("merchant_id", "id");`);

    this.addSql(`create table "purse" ("id" varchar(40) not null, "number" int not null, "merchant_id" varchar(40) not null, "name" varchar(100) not null, "secret" varchar(64) not null, "success_url" varchar(2000) not null, "fail_url" varchar(2000) not null, "result_url" varchar(2000) not null, "countries" jsonb not null, "language" varchar(2) not null default 'RU', "created_at" timestamptz not null, "updated_at" timestamptz not null, "secret_changed_at" timestamptz not null, constraint "purse_pkey" primary key ("id"));`);
    this.addSql(`alter table "purse" add constraint "purse_number_unique" unique ("number");`);
    this.addSql(`create index "purse_merchant_id_id_index" on "purse" ("merchant_id", "id");`);

    this.addSql(`create table "purse_counter" ("name" varchar(40) not null, "value" int not null default 0, constraint "purse_counter_pkey" primary key ("name"));`);

    this.addSql(`create table "purse_operation" ("id" varchar(40) not null, "number" int not null, "purse_id" varchar(40) not null, "merchant_id" varchar(40) not null, "purse_payment_id" varchar(40) not null, "payment_id" varchar(40) not null, "sms_id" varchar(40) not null, "phone" varchar(32) not null, "credited_minor" bigint not null, "callback_message_id" varchar(40) not null, "created_at" timestamptz not null, constraint "purse_operation_pkey" primary key ("id"));`);
    this.addSql(`alter table "purse_operation" add constraint "purse_operation_number_unique" unique ("number");`);
    this.addSql(`alter table "purse_operation" add constraint "purse_operation_sms_id_unique" unique ("sms_id");`);
    this.addSql(`create index "purse_operation_merchant_id_id_index" on "purse_operation" ("merchant_id", "id");`);
    this.addSql(`create index "purse_operation_purse_payment_id_id_index" on "purse_operation" ("purse_payment_id", "id");`);

    this.addSql(`create table "purse_payment" ("id" varchar(40) not null, "payment_id" varchar(40) not null, "purse_id" varchar(40) not null, "merchant_id" varchar(40) not null, "purse_field" varchar(20) not null, "order_id" varchar(20) not null, "amount_field" varchar(20) not null, "clear_amount" varchar(1) not null, "description" text not null, "extra_fields" jsonb not null, "language" varchar(2) not null, "country" varchar(2) null, "created_at" timestamptz not null, constraint "purse_payment_pkey" primary key ("id"));`);
    this.addSql(`alter table "purse_payment" add constraint "purse_payment_payment_id_unique" unique ("payment_id");`);
    this.addSql(`create index "purse_payment_merchant_id_id_index" on "purse_payment" ("merchant_id", "id");`);
    this.addSql(`create index "purse_payment_purse_id_id_index" on "purse_payment" ("purse_id", "id");`);

    this.addSql(`create table "user_session" ("token_hash" varchar(64) not null, "user_id" varchar(40) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, constraint "user_session_pkey" primary key ("token_hash"));`);
    this.addSql(`create index "user_session_user_id_index" on "user_session" ("user_id");`);

    this.addSql(`create table "sms_message" ("id" varchar(40) not null, "direction" varchar(3) not null, "provider" varchar(60) not null, "provider_message_id" varchar(100) null, "from_number" varchar(32) not null, "to_number" varchar(32) not null, "text" text not null, "country" varchar(2) null, "operator" varchar(60) null, "status" varchar(12) not null, "flag_reason" varchar(30) null, "merchant_id" varchar(40) null, "payment_id" varchar(40) null, "product" varchar(40) null, "tariff_id" varchar(40) null, "price_usd_minor" bigint null, "yield_usd_minor" bigint null, "operator_share_usd_minor" bigint null, "platform_fee_usd_minor" bigint null, "credited_minor" bigint null, "ledger_transfer_id" varchar(40) null, "in_reply_to_id" varchar(40) null, "last_error" text null, "received_at" timestamptz not null, "processed_at" timestamptz null, "sent_at" timestamptz null, "delivered_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "sms_message_pkey" primary key ("id"));`);
    this.addSql(`create index "sms_message_provider_to_number_index" on "sms_message" ("provider", "to_number");`);
    this.addSql(`create index "sms_message_provider_from_number_index" on "sms_message" ("provider", "from_number");`);
    this.addSql(`create index "sms_message_status_id_index" on "sms_message" ("status", "id");`);
    this.addSql(`create index "sms_message_payment_id_id_index" on "sms_message" ("payment_id", "id");`);
    this.addSql(`create index "sms_message_merchant_id_id_index" on "sms_message" ("merchant_id", "id");`);
    this.addSql(`alter table "sms_message" add constraint "sms_message_direction_provider_provider_message_id_unique" unique ("direction", "provider", "provider_message_id");`);

    this.addSql(`create table "sms_tariff" ("id" varchar(40) not null, "country_code" varchar(2) not null, "operator_id" varchar(40) null, "short_code" varchar(15) not null, "currency" varchar(3) not null, "price_minor" bigint not null, "price_usd_minor" bigint not null, "yield_usd_minor" bigint not null, "operator_share_usd_minor" bigint not null, "platform_fee_usd_minor" bigint not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "sms_tariff_pkey" primary key ("id"));`);
    this.addSql(`create index "sms_tariff_country_code_short_code_index" on "sms_tariff" ("country_code", "short_code");`);

    this.addSql(`create table "suspense_item" ("id" varchar(40) not null, "sms_id" varchar(40) not null, "reason" varchar(20) not null, "status" varchar(20) not null default 'OPEN', "merchant_id" varchar(40) null, "payment_id" varchar(40) null, "phone" varchar(20) not null, "currency" varchar(3) not null, "amount_minor" bigint null, "price_minor" bigint null, "operator_share_minor" bigint null, "platform_fee_minor" bigint null, "resolved_to" varchar(40) null, "resolution" varchar(500) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "suspense_item_pkey" primary key ("id"));`);
    this.addSql(`create index "suspense_item_status_id_index" on "suspense_item" ("status", "id");`);
    this.addSql(`alter table "suspense_item" add constraint "suspense_item_sms_id_unique" unique ("sms_id");`);

    this.addSql(`create table "app_user" ("id" varchar(40) not null, "email" varchar(320) not null, "name" varchar(200) not null, "role" varchar(10) not null, "merchant_id" varchar(40) null, "password_hash" varchar(200) not null, "failed_logins" int not null default 0, "locked_until" timestamptz null, "created_at" timestamptz not null, constraint "app_user_pkey" primary key ("id"));`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(`create index "app_user_merchant_id_index" on "app_user" ("merchant_id");`);

    this.addSql(`create table "voucher" ("id" varchar(40) not null, "project_id" varchar(40) not null, "merchant_id" varchar(40) not null, "code" text not null, "password" text null, "code_hash" varchar(64) not null, "status" varchar(12) not null default 'AVAILABLE', "payment_id" varchar(40) null, "prepaid_block_id" varchar(40) null, "reserved_at" timestamptz null, "sold_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "voucher_pkey" primary key ("id"));`);
    this.addSql(`alter table "voucher" add constraint "voucher_payment_id_unique" unique ("payment_id");`);
    this.addSql(`create index "voucher_project_id_status_id_index" on "voucher" ("project_id", "status", "id");`);
    this.addSql(`alter table "voucher" add constraint "voucher_project_id_code_hash_unique" unique ("project_id", "code_hash");`);

    this.addSql(`create table "voucher_feedback" ("id" varchar(40) not null, "project_id" varchar(40) not null, "merchant_id" varchar(40) not null, "payment_id" varchar(40) null, "payment_reference" varchar(12) null, "message" text not null, "contact" varchar(200) null, "created_at" timestamptz not null, constraint "voucher_feedback_pkey" primary key ("id"));`);
    this.addSql(`create index "voucher_feedback_merchant_id_id_index" on "voucher_feedback" ("merchant_id", "id");`);
    this.addSql(`create index "voucher_feedback_project_id_id_index" on "voucher_feedback" ("project_id", "id");`);

    this.addSql(`create table "voucher_order" ("id" varchar(40) not null, "payment_id" varchar(40) not null, "project_id" varchar(40) not null, "merchant_id" varchar(40) not null, "country" varchar(2) not null, "pricing" varchar(10) not null, "instruction" jsonb not null, "state" varchar(12) not null default 'RESERVED', "reservation_expires_at" timestamptz null, "resolution" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "voucher_order_pkey" primary key ("id"));`);
    this.addSql(`alter table "voucher_order" add constraint "voucher_order_payment_id_unique" unique ("payment_id");`);
    this.addSql(`create index "voucher_order_state_reservation_expires_at_index" on "voucher_order" ("state", "reservation_expires_at");`);
    this.addSql(`create index "voucher_order_merchant_id_id_index" on "voucher_order" ("merchant_id", "id");`);
    this.addSql(`create index "voucher_order_project_id_id_index" on "voucher_order" ("project_id", "id");`);

    this.addSql(`create table "voucher_prepaid_block" ("id" varchar(40) not null, "project_id" varchar(40) not null, "merchant_id" varchar(40) not null, "count" int not null, "unit_price_minor" bigint not null, "transfer_id" varchar(40) not null, "created_at" timestamptz not null, constraint "voucher_prepaid_block_pkey" primary key ("id"));`);
    this.addSql(`create index "voucher_prepaid_block_project_id_id_index" on "voucher_prepaid_block" ("project_id", "id");`);

    this.addSql(`create table "voucher_project" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "name" varchar(100) not null, "slug" varchar(40) not null, "description" text not null default '', "logo_url" varchar(500) null, "price_minor" bigint not null, "pricing" varchar(10) not null default 'PRICE', "countries" jsonb not null, "kind" varchar(10) not null default 'PIN', "active" boolean not null default true, "reservation_minutes" int not null default 1440, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "voucher_project_pkey" primary key ("id"));`);
    this.addSql(`alter table "voucher_project" add constraint "voucher_project_slug_unique" unique ("slug");`);
    this.addSql(`create index "voucher_project_merchant_id_id_index" on "voucher_project" ("merchant_id", "id");`);

    this.addSql(`create table "webhook_delivery" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "endpoint_id" varchar(40) not null, "event_id" varchar(40) not null, "outbox_message_id" varchar(40) not null, "replay_of_id" varchar(40) null, "created_at" timestamptz not null, constraint "webhook_delivery_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_delivery_merchant_id_index" on "webhook_delivery" ("merchant_id");`);
    this.addSql(`create index "webhook_delivery_endpoint_id_index" on "webhook_delivery" ("endpoint_id");`);
    this.addSql(`create index "webhook_delivery_event_id_index" on "webhook_delivery" ("event_id");`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_outbox_message_id_unique" unique ("outbox_message_id");`);

    this.addSql(`create table "webhook_endpoint" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "url" varchar(2000) not null, "description" varchar(200) null, "event_types" jsonb not null, "secret" varchar(100) not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "webhook_endpoint_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoint_merchant_id_index" on "webhook_endpoint" ("merchant_id");`);

    this.addSql(`create table "webhook_event" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "type" varchar(100) not null, "data" jsonb not null, "created_at" timestamptz not null, constraint "webhook_event_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_event_merchant_id_index" on "webhook_event" ("merchant_id");`);
  }

  async down() {
    this.addSql(`drop table if exists "access_code" cascade;`);

    this.addSql(`drop table if exists "access_code_check" cascade;`);

    this.addSql(`drop table if exists "access_code_route" cascade;`);

    this.addSql(`drop table if exists "access_code_service" cascade;`);

    this.addSql(`drop table if exists "api_key" cascade;`);

    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "sms_country" cascade;`);

    this.addSql(`drop table if exists "idempotency_record" cascade;`);

    this.addSql(`drop table if exists "ledger_account" cascade;`);

    this.addSql(`drop table if exists "ledger_entry" cascade;`);

    this.addSql(`drop table if exists "ledger_transfer" cascade;`);

    this.addSql(`drop table if exists "mail_message" cascade;`);

    this.addSql(`drop table if exists "merchant" cascade;`);

    this.addSql(`drop table if exists "sms_operator" cascade;`);

    this.addSql(`drop table if exists "outbox_attempt" cascade;`);

    this.addSql(`drop table if exists "outbox_message" cascade;`);

    this.addSql(`drop table if exists "payer_credit" cascade;`);

    this.addSql(`drop table if exists "payment" cascade;`);

    this.addSql(`drop table if exists "purse" cascade;`);

    this.addSql(`drop table if exists "purse_counter" cascade;`);

    this.addSql(`drop table if exists "purse_operation" cascade;`);

    this.addSql(`drop table if exists "purse_payment" cascade;`);

    this.addSql(`drop table if exists "user_session" cascade;`);

    this.addSql(`drop table if exists "sms_message" cascade;`);

    this.addSql(`drop table if exists "sms_tariff" cascade;`);

    this.addSql(`drop table if exists "suspense_item" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "voucher" cascade;`);

    this.addSql(`drop table if exists "voucher_feedback" cascade;`);

    this.addSql(`drop table if exists "voucher_order" cascade;`);

    this.addSql(`drop table if exists "voucher_prepaid_block" cascade;`);

    this.addSql(`drop table if exists "voucher_project" cascade;`);

    this.addSql(`drop table if exists "webhook_delivery" cascade;`);

    this.addSql(`drop table if exists "webhook_endpoint" cascade;`);

    this.addSql(`drop table if exists "webhook_event" cascade;`);
  }

}
exports.Migration20261204175419_initial = Migration20261204175419_initial;
