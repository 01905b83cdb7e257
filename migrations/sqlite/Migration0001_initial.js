'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261204175419_initial extends Migration {

  async up() {
    this.addSql(`create table \`access_code\` (\`id\` text not null, \`merchant_id\` text not null, \`service_id\` text not null, \`payment_id\` text not null, \`sms_id\` text not null, \`lookup\` text null, \`sealed\` text not null, \`kind\` text not null, \`validity_seconds\` integer null, \`max_uses\` integer null, \`uses_left\` integer null, \`uses\` integer not null default 0, \`issued_at\` datetime not null, \`first_used_at\` datetime null, \`expires_at\` datetime null, \`revoked_at\` datetime null, \`replies_sent\` integer not null default 0, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`access_code_sms_id_index\` on \`access_code\` (\`sms_id\`);`);
    this.addSql(`create index \`access_code_service_id_id_index\` on \`access_code\` (\`service_id\`, \`id\`);`);
    this.addSql(`create unique index \`access_code_service_id_lookup_unique\` on \`access_code\` (\`service_id\`, \`lookup\`);`);

    this.addSql(`create table \`access_code_check\` (\`id\` text not null, \`merchant_id\` text not null, \`service_id\` text not null, \`code_id\` text null, \`input\` text null, \`result\` text not null, \`channel\` text not null, \`ip\` text not null, \`count\` integer not null default 1, \`checked_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`access_code_check_code_id_index\` on \`access_code_check\` (\`code_id\`);`);
    this.addSql(`create index \`access_code_check_service_id_checked_at_index\` on \`access_code_check\` (\`service_id\`, \`checked_at\`);`);
    this.addSql(`create index \`access_code_check_service_id_id_index\` on \`access_code_check\` (\`service_id\`, \`id\`);`);

    this.addSql(`create table \`access_code_route\` (\`id\` text not null, \`keyword\` text not null, \`short_code\` text not null, \`service_id\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`access_code_route_service_id_index\` on \`access_code_route\` (\`service_id\`);`);
    this.addSql(`create unique index \`access_code_route_keyword_short_code_unique\` on \`access_code_route\` (\`keyword\`, \`short_code\`);`);

    this.addSql(`create table \`access_code_service\` (\`id\` text not null, \`merchant_id\` text not null, \`name\` text not null, \`keyword\` text not null, \`short_codes\` json not null, \`reply_template\` text not null, \`kind\` text not null, \`validity_seconds\` integer null, \`max_uses\` integer null, \`code_length\` integer not null, \`alphabet\` text not null, \`excluded_characters\` text not null default '', \`paid_url\` text not null, \`expired_url\` text not null, \`invalid_url\` text not null, \`allowed_ips\` json not null, \`max_replies_per_sms\` integer not null default 1, \`secret\` text not null, \`flood_alerted_at\` datetime null, \`flood_alert_checks\` integer null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`deleted_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`access_code_service_merchant_id_id_index\` on \`access_code_service\` (\`merchant_id\`, \`id\`);`);

    this.addSql(`create table \`api_key\` (\`id\` text not null, \`merchant_id\` text not null, \`name\` text not null, \`prefix\` text not null, \`secret_hash\` text not null, \`scope_list\` text not null, \`created_by_user_id\` text null, \`created_at\` datetime not null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`api_key_merchant_id_index\` on \`api_key\` (\`merchant_id\`);`);
    this.addSql(`create unique index \`api_key_secret_hash_unique\` on \`api_key\` (\`secret_hash\`);`);

    this.addSql(`create table \`audit_event\` (\`id\` text not null, \`merchant_id\` text null, \`actor_kind\` text not null, \`actor_id\` text null, \`action\` text not null, \`target_id\` text null, \`details\` json not null, \`ip\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_event_merchant_id_index\` on \`audit_event\` (\`merchant_id\`);`);

    this.addSql(`create table \`sms_country\` (\`code\` text not null, \`name\` text not null, \`currency\` text not null, \`active\` integer not null default true, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`code\`));`);

    this.addSql(`create table \`idempotency_record\` (\`id\` text not null, \`merchant_id\` text not null, \`idempotency_key\` text not null, \`operation\` text not null, \`request_hash\` text not null, \`response\` json null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`idempotency_record_merchant_id_idempotency_key_unique\` on \`idempotency_record\` (\`merchant_id\`, \`idempotency_key\`);`);

    this.addSql(`create table \`ledger_account\` (\`id\` text not null, \`merchant_id\` text null, \`owner_key\` text not null, \`currency\` text not null, \`purpose\` text not null, \`allow_negative\` integer not null default false, \`balance\` bigint not null default 0, \`pending_debits\` bigint not null default 0, \`pending_credits\` bigint not null default 0, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`ledger_account_merchant_id_index\` on \`ledger_account\` (\`merchant_id\`);`);
    this.addSql(`create unique index \`ledger_account_owner_key_currency_purpose_unique\` on \`ledger_account\` (\`owner_key\`, \`currency\`, \`purpose\`);`);

    this.addSql(`create table \`ledger_entry\` (\`id\` text not null, \`transfer_id\` text not null, \`account_id\` text not null, \`merchant_id\` text null, \`currency\` text not null, \`amount\` bigint not null, \`pending\` integer not null default false, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`ledger_entry_transfer_id_index\` on \`ledger_entry\` (\`transfer_id\`);`);
    this.addSql(`create index \`ledger_entry_account_id_index\` on \`ledger_entry\` (\`account_id\`);`);
    this.addSql(`create index \`ledger_entry_merchant_id_index\` on \`ledger_entry\` (\`merchant_id\`);`);

    this.addSql(`create table \`ledger_transfer\` (\`id\` text not null, \`merchant_id\` text null, \`owner_key\` text not null, \`idempotency_key\` text not null, \`fingerprint\` text not null, \`kind\` text not null, \`currency\` text not null, \`amount\` bigint not null, \`pending_id\` text null, \`reverses_id\` text null, \`payment_id\` text null, \`description\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`ledger_transfer_merchant_id_index\` on \`ledger_transfer\` (\`merchant_id\`);`);
    this.addSql(`create unique index \`ledger_transfer_pending_id_unique\` on \`ledger_transfer\` (\`pending_id\`);`);
    this.addSql(`create unique index \`ledger_transfer_reverses_id_unique\` on \`ledger_transfer\` (\`reverses_id\`);`);
    this.addSql(`create index \`ledger_transfer_payment_id_index\` on \`ledger_transfer\` (\`payment_id\`);`);
    this.addSql(`create unique index \`ledger_transfer_owner_key_idempotency_key_unique\` on \`ledger_transfer\` (\`owner_key\`, \`idempotency_key\`);`);

    this.addSql(`create table \`mail_message\` (\`id\` text not null, \`outbox_message_id\` text not null, \`to\` text not null, \`from\` text not null, \`subject\` text not null, \`text\` text not null, \`html\` text null, \`sent\` integer not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`mail_message_outbox_message_id_unique\` on \`mail_message\` (\`outbox_message_id\`);`);

    this.addSql(`create table \`merchant\` (\`id\` text not null, \`name\` text not null, \`parent_id\` text null, \`payer_credit_days\` integer null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`merchant_parent_id_index\` on \`merchant\` (\`parent_id\`);`);

    this.addSql(`create table \`sms_operator\` (\`id\` text not null, \`country_code\` text not null, \`name\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`sms_operator_country_code_name_unique\` on \`sms_operator\` (\`country_code\`, \`name\`);`);

    this.addSql(`create table \`outbox_attempt\` (\`id\` text not null, \`message_id\` text not null, \`started_at\` datetime not null, \`duration_ms\` integer not null, \`outcome\` text not null, \`http_status\` integer null, \`error\` text null, \`detail\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`outbox_attempt_message_id_index\` on \`outbox_attempt\` (\`message_id\`);`);

    this.addSql(`create table \`outbox_message\` (\`id\` text not null, \`kind\` text not null, \`merchant_id\` text null, \`payload\` json not null, \`status\` text not null default 'PENDING', \`attempt_count\` integer not null default 0, \`next_attempt_at\` datetime not null, \`claim_token\` text null, \`dedupe_key\` text null, \`last_error\` text null, \`created_at\` datetime not null, \`delivered_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`outbox_message_merchant_id_index\` on \`outbox_message\` (\`merchant_id\`);`);
    this.addSql(`create index \`outbox_message_status_next_attempt_at_index\` on \`outbox_message\` (\`status\`, \`next_attempt_at\`);`);
    this.addSql(`create unique index \`outbox_message_kind_dedupe_key_unique\` on \`outbox_message\` (\`kind\`, \`dedupe_key\`);`);

    this.addSql(`create table \`payer_credit\` (\`id\` text not null, \`merchant_id\` text not null, \`phone\` text not null, \`status\` text not null default 'AVAILABLE', \`currency\` text not null, \`amount_minor\` bigint not null, \`price_minor\` bigint not null, \`source_sms_id\` text not null, \`source_payment_id\` text not null, \`spent_payment_id\` text null, \`release_at\` datetime not null, \`note\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create unique index \`payer_credit_source_sms_id_unique\` on \`payer_credit\` (\`source_sms_id\`);`);
    this.addSql(`create index \`payer_credit_status_release_at_index\` on \`payer_credit\` (\`status\`, \`release_at\`);`);
    this.addSql(`create index \`payer_credit_merchant_id_phone_status_index\` on \`payer_credit\` (\`merchant_id\`, \`phone\`, \`status\`);`);

    this.addSql(`create table \`payment\` (\`id\` text not null, \`merchant_id\` text not null, \`kind\` text not null, \`status\` text not null default 'OPEN', \`amount\` bigint not null, \`amount_received\` bigint not null default 0, \`currency\` text not null, \`reference\` text not null, \`page_token\` text not null, \`payer_phone\` text null, \`payer_country\` text null, \`description\` text not null, \`external_id\` text null, \`metadata\` json not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`paid_at\` datetime null, \`expires_at\` datetime null, \`gross_minor\` bigint not null default 0, \`operator_share_minor\` bigint not null default 0, \`platform_fee_minor\` bigint not null default 0, \`credit_minor\` bigint not null default 0, \`net_minor\` bigint not null default 0, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create unique index \`payment_reference_unique\` on \`payment\` (\`reference\`);`);
    this.addSql(`create unique index \`payment_page_token_unique\` on \`payment\` (\`page_token\`);`);
    this.addSql(`create index \`payment_status_expires_at_index\` on \`payment\` (\`status\`, \`expires_at\`);`);
    this.addSql(`create index \`payment_merchant_id_external_id_index\` on \`payment\` (\`merchant_id\`, \`external_id\`);`);
    this.addSql(`create index \`payment_merchant_id_id_index\` on \`payment\` (\`merchant_id\`, \`id\`);`);

    this.addSql(`create table \`purse\` (\`id\` text not null, \`number\` integer not null, \`merchant_id\` text not null, \`name\` text not null, \`secret\` text not null, \`success_url\` text not null, \`fail_url\` text not null, \`result_url\` text not null, \`countries\` json not null, \`language\` text not null default 'RU', \`created_at\` datetime not null, \`updated_at\` datetime not null, \`secret_changed_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`purse_number_unique\` on \`purse\` (\`number\`);`);
    this.addSql(`create index \`purse_merchant_id_id_index\` on \`purse\` (\`merchant_id\`, \`id\`);`);

    this.addSql(`create table \`purse_counter\` (\`name\` text not null, \`value\` integer not null default 0, primary key (\`name\`));`);

    this.addSql(`create table \`purse_operation\` (\`id\` text not null, \`number\` integer not null, \`purse_id\` text not null, \`merchant_id\` text not null, \`purse_payment_id\` text not null, \`payment_id\` text not null, \`sms_id\` text not null, \`phone\` text not null, \`credited_minor\` bigint not null, \`callback_message_id\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`purse_operation_number_unique\` on \`purse_operation\` (\`number\`);`);
    this.addSql(`create unique index \`purse_operation_sms_id_unique\` on \`purse_operation\` (\`sms_id\`);`);
    this.addSql(`create index \`purse_operation_merchant_id_id_index\` on \`purse_operation\` (\`merchant_id\`, \`id\`);`);
    this.addSql(`create index \`purse_operation_purse_payment_id_id_index\` on \`purse_operation\` (\`purse_payment_id\`, \`id\`);`);

    this.addSql(`create table \`purse_payment\` (\`id\` text not null, \`payment_id\` text not null, \`purse_id\` text not null, \`merchant_id\` text not null, \`purse_field\` text not null, \`order_id\` text not null, \`amount_field\` text not null, \`clear_amount\` text not null, \`description\` text not null, \`extra_fields\` json not null, \`language\` text not null, \`country\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`purse_payment_payment_id_unique\` on \`purse_payment\` (\`payment_id\`);`);
    this.addSql(`create index \`purse_payment_merchant_id_id_index\` on \`purse_payment\` (\`merchant_id\`, \`id\`);`);
    this.addSql(`create index \`purse_payment_purse_id_id_index\` on \`purse_payment\` (\`purse_id\`, \`id\`);`);

    this.addSql(`create table \`user_session\` (\`token_hash\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, primary key (\`token_hash\`));`);
    this.addSql(`create index \`user_session_user_id_index\` on \`user_session\` (\`user_id\`);`);

    this.addSql(`create table \`sms_message\` (\`id\` text not null, \`direction\` text not null, \`provider\` text not null, \`provider_message_id\` text null, \`from_number\` text not null, \`to_number\` text not null, \`text\` text not null, \`country\` text null, \`operator\` text null, \`status\` text not null, \`flag_reason\` text null, \`merchant_id\` text null, \`payment_id\` text null, \`product\` text null, \`tariff_id\` text null, \`price_usd_minor\` bigint null, \`yield_usd_minor\` bigint null, \`operator_share_usd_minor\` bigint null, \`platform_fee_usd_minor\` bigint null, \`credited_minor\` bigint null, \`ledger_transfer_id\` text null, \`in_reply_to_id\` text null, \`last_error\` text null, \`received_at\` datetime not null, \`processed_at\` datetime null, \`sent_at\` datetime null, \`delivered_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`sms_message_provider_to_number_index\` on \`sms_message\` (\`provider\`, \`to_number\`);`);
    this.addSql(`create index \`sms_message_provider_from_number_index\` on \`sms_message\` (\`provider\`, \`from_number\`);`);
    this.addSql(`create index \`sms_message_status_id_index\` on \`sms_message\` (\`status\`, \`id\`);`);
    this.addSql(`create index \`sms_message_payment_id_id_index\` on \`sms_message\` (\`payment_id\`, \`id\`);`);
    this.addSql(`create index \`sms_message_merchant_id_id_index\` on \`sms_message\` (\`merchant_id\`, \`id\`);`);
    this.addSql(`create unique index \`sms_message_direction_provider_provider_message_id_unique\` on \`sms_message\` (\`direction\`, \`provider\`, \`provider_message_id\`);`);

    this.addSql(`create table \`sms_tariff\` (\`id\` text not null, \`country_code\` text not null, \`operator_id\` text null, \`short_code\` text not null, \`currency\` text not null, \`price_minor\` bigint not null, \`price_usd_minor\` bigint not null, \`yield_usd_minor\` bigint not null, \`operator_share_usd_minor\` bigint not null, \`platform_fee_usd_minor\` bigint not null, \`active\` integer not null default true, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`sms_tariff_country_code_short_code_index\` on \`sms_tariff\` (\`country_code\`, \`short_code\`);`);

    this.addSql(`create table \`suspense_item\` (\`id\` text not null, \`sms_id\` text not null, \`reason\` text not null, \`status\` text not null default 'OPEN', \`merchant_id\` text null, \`payment_id\` text null, \`phone\` text not null, \`currency\` text not null, \`amount_minor\` bigint null, \`price_minor\` bigint null, \`operator_share_minor\` bigint null, \`platform_fee_minor\` bigint null, \`resolved_to\` text null, \`resolution\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`suspense_item_status_id_index\` on \`suspense_item\` (\`status\`, \`id\`);`);
    this.addSql(`create unique index \`suspense_item_sms_id_unique\` on \`suspense_item\` (\`sms_id\`);`);

    this.addSql(`create table \`app_user\` (\`id\` text not null, \`email\` text not null, \`name\` text not null, \`role\` text not null, \`merchant_id\` text null, \`password_hash\` text not null, \`failed_logins\` integer not null default 0, \`locked_until\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`app_user_email_unique\` on \`app_user\` (\`email\`);`);
    this.addSql(`create index \`app_user_merchant_id_index\` on \`app_user\` (\`merchant_id\`);`);

    this.addSql(`create table \`voucher\` (\`id\` text not null, \`project_id\` text not null, \`merchant_id\` text not null, \`code\` text not null, \`password\` text null, \`code_hash\` text not null, \`status\` text not null default 'AVAILABLE', \`payment_id\` text null, \`prepaid_block_id\` text null, \`reserved_at\` datetime null, \`sold_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`voucher_payment_id_unique\` on \`voucher\` (\`payment_id\`);`);
    this.addSql(`create index \`voucher_project_id_status_id_index\` on \`voucher\` (\`project_id\`, \`status\`, \`id\`);`);
    this.addSql(`create unique index \`voucher_project_id_code_hash_unique\` on \`voucher\` (\`project_id\`, \`code_hash\`);`);

    this.addSql(`create table \`voucher_feedback\` (\`id\` text not null, \`project_id\` text not null, \`merchant_id\` text not null, \`payment_id\` text null, \`payment_reference\` text null, \`message\` text not null, \`contact\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`voucher_feedback_merchant_id_id_index\` on \`voucher_feedback\` (\`merchant_id\`, \`id\`);`);
    this.addSql(`create index \`voucher_feedback_project_id_id_index\` on \`voucher_feedback\` (\`project_id\`, \`id\`);`);

    this.addSql(`create table \`voucher_order\` (\`id\` text not null, \`payment_id\` text not null, \`project_id\` text not null, \`merchant_id\` text not null, \`country\` text not null, \`pricing\` text not null, \`instruction\` json not null, \`state\` text not null default 'RESERVED', \`reservation_expires_at\` datetime null, \`resolution\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`voucher_order_payment_id_unique\` on \`voucher_order\` (\`payment_id\`);`);
    this.addSql(`create index \`voucher_order_state_reservation_expires_at_index\` on \`voucher_order\` (\`state\`, \`reservation_expires_at\`);`);
    this.addSql(`create index \`voucher_order_merchant_id_id_index\` on \`voucher_order\` (\`merchant_id\`, \`id\`);`);
    this.addSql(`create index \`voucher_order_project_id_id_index\` on \`voucher_order\` (\`project_id\`, \`id\`);`);

    this.addSql(`create table \`voucher_prepaid_block\` (\`id\` text not null, \`project_id\` text not null, \`merchant_id\` text not null, \`count\` integer not null, \`unit_price_minor\` bigint not null, \`transfer_id\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`voucher_prepaid_block_project_id_id_index\` on \`voucher_prepaid_block\` (\`project_id\`, \`id\`);`);

    this.addSql(`create table \`voucher_project\` (\`id\` text not null, \`merchant_id\` text not null, \`name\` text not null, \`slug\` text not null, \`description\` text not null default '', \`logo_url\` text null, \`price_minor\` bigint not null, \`pricing\` text not null default 'PRICE', \`countries\` json not null, \`kind\` text not null default 'PIN', \`active\` integer not null default true, \`reservation_minutes\` integer not null default 1440, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`voucher_project_slug_unique\` on \`voucher_project\` (\`slug\`);`);
    this.addSql(`create index \`voucher_project_merchant_id_id_index\` on \`voucher_project\` (\`merchant_id\`, \`id\`);`);

    this.addSql(`create table \`webhook_delivery\` (\`id\` text not null, \`merchant_id\` text not null, \`endpoint_id\` text not null, \`event_id\` text not null, \`outbox_message_id\` text not null, \`replay_of_id\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_delivery_merchant_id_index\` on \`webhook_delivery\` (\`merchant_id\`);`);
    this.addSql(`create index \`webhook_delivery_endpoint_id_index\` on \`webhook_delivery\` (\`endpoint_id\`);`);
    this.addSql(`create index \`webhook_delivery_event_id_index\` on \`webhook_delivery\` (\`event_id\`);`);
    this.addSql(`create unique index \`webhook_delivery_outbox_message_id_unique\` on \`webhook_delivery\` (\`outbox_message_id\`);`);

    this.addSql(`create table \`webhook_endpoint\` (\`id\` text not null, \`merchant_id\` text not null, \`url\` text not null, \`description\` text null, \`event_types\` json not null, \`secret\` text not null, \`active\` integer not null default true, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`deleted_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_endpoint_merchant_id_index\` on \`webhook_endpoint\` (\`merchant_id\`);`);

    this.addSql(`create table \`webhook_event\` (\`id\` text not null, \`merchant_id\` text not null, \`type\` text not null, \`data\` json not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_event_merchant_id_index\` on \`webhook_event\` (\`merchant_id\`);`);
  }

}
exports.Migration20261204175419_initial = Migration20261204175419_initial;
