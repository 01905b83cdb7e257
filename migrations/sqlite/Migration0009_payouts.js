'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Payouts (issue #12): one-time confirmation codes (confirmation_code), payout destinations and the merchant's
 * cool-off (payout_destination, payout_settings), withdrawals and payout batches.
 */
class Migration0009_payouts extends Migration {

  async up() {
    this.addSql(`create table \`confirmation_code\` (\`id\` text not null, \`merchant_id\` text not null, \`purpose\` text not null, \`target_id\` text not null, \`user_id\` text not null, \`email\` text not null, \`code_hash\` text not null, \`seal\` text null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`expires_at\` datetime not null, \`used_at\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`confirmation_code_merchant_id_index\` on \`confirmation_code\` (\`merchant_id\`);`);
    this.addSql(`create index \`confirmation_code_purpose_target_id_index\` on \`confirmation_code\` (\`purpose\`, \`target_id\`);`);

    this.addSql(`create table \`payout_batch\` (\`id\` text not null, \`rail\` text not null, \`currency\` text not null, \`status\` text not null default 'OPEN', \`count\` integer not null, \`total_minor\` bigint not null, \`export_count\` integer not null default 0, \`last_exported_at\` datetime null, \`created_by\` text not null, \`created_at\` datetime not null, \`settled_at\` datetime null, primary key (\`id\`));`);

    this.addSql(`create table \`payout_destination\` (\`id\` text not null, \`merchant_id\` text not null, \`kind\` text not null, \`status\` text not null default 'PENDING', \`label\` text null, \`holder_name\` text not null, \`iban\` text null, \`bic\` text null, \`card_token_id\` text null, \`card_brand\` text null, \`card_last4\` text null, \`wallet_provider\` text null, \`wallet_id\` text null, \`replaces_id\` text null, \`confirmed_at\` datetime null, \`usable_from\` datetime null, \`removed_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`payout_destination_merchant_id_id_index\` on \`payout_destination\` (\`merchant_id\`, \`id\`);`);

    this.addSql(`create table \`payout_settings\` (\`merchant_id\` text not null, \`cool_off_hours\` integer not null, \`updated_at\` datetime not null, primary key (\`merchant_id\`));`);

    this.addSql(`create table \`withdrawal\` (\`id\` text not null, \`merchant_id\` text not null, \`destination_id\` text not null, \`rail\` text not null, \`currency\` text not null, \`amount_minor\` bigint not null, \`fee_minor\` bigint not null default 0, \`status\` text not null default 'REQUESTED', \`hold_transfer_id\` text null, \`batch_id\` text null, \`requested_by\` text not null, \`confirmed_at\` datetime null, \`approved_at\` datetime null, \`approved_by\` text null, \`paid_at\` datetime null, \`paid_via\` text null, \`bank_reference\` text null, \`closed_at\` datetime null, \`reason\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, primary key (\`id\`));`);
    this.addSql(`create index \`withdrawal_destination_id_index\` on \`withdrawal\` (\`destination_id\`);`);
    this.addSql(`create index \`withdrawal_batch_id_index\` on \`withdrawal\` (\`batch_id\`);`);
    this.addSql(`create index \`withdrawal_status_id_index\` on \`withdrawal\` (\`status\`, \`id\`);`);
    this.addSql(`create index \`withdrawal_merchant_id_id_index\` on \`withdrawal\` (\`merchant_id\`, \`id\`);`);
  }

}
exports.Migration0009_payouts = Migration0009_payouts;
