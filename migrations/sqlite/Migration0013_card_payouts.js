'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Payouts to cards: CardToken.merchantId (a merchant's own payout card, tokenised by POST /card/payout-tokens) with
 * paymentId now null for such tokens, and CardPayout (card_payout), one processor payout per withdrawal.
 */
class Migration0013_card_payouts extends Migration {
  async up() {
    this.addSql(`create table \`card_payout\` (\`id\` text not null, \`withdrawal_id\` text not null, \`merchant_id\` text not null, \`token_id\` text not null, \`processor\` text not null, \`idempotency_key\` text not null, \`amount_minor\` bigint not null, \`currency\` text not null, \`status\` text not null default 'PENDING', \`outcome\` text null, \`processor_reference\` text null, \`decline_code\` text null, \`duration_ms\` integer null, \`reconciled\` integer not null default false, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`answered_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`card_payout_withdrawal_id_unique\` on \`card_payout\` (\`withdrawal_id\`);`);
    this.addSql(`create index \`card_payout_merchant_id_index\` on \`card_payout\` (\`merchant_id\`);`);
    this.addSql(`create unique index \`card_payout_idempotency_key_unique\` on \`card_payout\` (\`idempotency_key\`);`);
    this.addSql(`create index \`card_payout_status_created_at_index\` on \`card_payout\` (\`status\`, \`created_at\`);`);

    // SQLite cannot drop a NOT NULL: card_token is rebuilt with payment_id nullable and the new merchant_id.
    this.addSql(`create table \`card_token__new\` (\`id\` text not null, \`processor\` text not null, \`processor_token\` text not null, \`fingerprint\` text not null, \`brand\` text not null, \`last4\` text not null, \`exp_month\` integer not null, \`exp_year\` integer not null, \`holder_name\` text null, \`payment_id\` text null, \`created_at\` datetime not null, \`merchant_id\` text null, primary key (\`id\`));`);
    this.addSql(`insert into \`card_token__new\` (\`id\`, \`processor\`, \`processor_token\`, \`fingerprint\`, \`brand\`, \`last4\`, \`exp_month\`, \`exp_year\`, \`holder_name\`, \`payment_id\`, \`created_at\`) select \`id\`, \`processor\`, \`processor_token\`, \`fingerprint\`, \`brand\`, \`last4\`, \`exp_month\`, \`exp_year\`, \`holder_name\`, \`payment_id\`, \`created_at\` from \`card_token\`;`);
    this.addSql(`drop table \`card_token\`;`);
    this.addSql(`alter table \`card_token__new\` rename to \`card_token\`;`);
    this.addSql(`create index \`card_token_fingerprint_index\` on \`card_token\` (\`fingerprint\`);`);
    this.addSql(`create index \`card_token_payment_id_index\` on \`card_token\` (\`payment_id\`);`);
    this.addSql(`create index \`card_token_merchant_id_index\` on \`card_token\` (\`merchant_id\`);`);
  }
}
exports.Migration0013_card_payouts = Migration0013_card_payouts;
