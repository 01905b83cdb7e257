'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Products accept cards (issue #11): card on per voucher project and per access-code service (with the price of a
 * code by card); a voucher payment started for card has no SMS country; a code bought by card has no SMS; the
 * buyer's email of an access code bought by card (access_code_purchase). SQLite cannot drop NOT NULL in place: the
 * two tables are rebuilt with their indexes (no foreign keys or triggers point at them).
 */
class Migration0008_products_accept_cards extends Migration {
  async up() {
    this.addSql(`alter table \`voucher_project\` add column \`accepts_card\` integer not null default false;`);
    this.addSql(`alter table \`access_code_service\` add column \`accepts_card\` integer not null default false;`);
    this.addSql(`alter table \`access_code_service\` add column \`card_price_minor\` bigint null;`);
    this.addSql(`alter table \`access_code_service\` add column \`card_currency\` text null;`);

    this.addSql(`create table \`access_code_purchase\` (\`id\` text not null, \`payment_id\` text not null, \`service_id\` text not null, \`merchant_id\` text not null, \`email\` text not null, \`code_id\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`access_code_purchase_payment_id_unique\` on \`access_code_purchase\` (\`payment_id\`);`);
    this.addSql(`create index \`access_code_purchase_service_id_id_index\` on \`access_code_purchase\` (\`service_id\`, \`id\`);`);

    this.addSql(`create table \`access_code__temp_alter\` (\`id\` text not null, \`merchant_id\` text not null, \`service_id\` text not null, \`payment_id\` text not null, \`sms_id\` text null, \`lookup\` text null, \`sealed\` text not null, \`kind\` text not null, \`validity_seconds\` integer null, \`max_uses\` integer null, \`uses_left\` integer null, \`uses\` integer not null default 0, \`issued_at\` datetime not null, \`first_used_at\` datetime null, \`expires_at\` datetime null, \`revoked_at\` datetime null, \`replies_sent\` integer not null default 0, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`insert into \`access_code__temp_alter\` select \`id\`, \`merchant_id\`, \`service_id\`, \`payment_id\`, \`sms_id\`, \`lookup\`, \`sealed\`, \`kind\`, \`validity_seconds\`, \`max_uses\`, \`uses_left\`, \`uses\`, \`issued_at\`, \`first_used_at\`, \`expires_at\`, \`revoked_at\`, \`replies_sent\`, \`created_at\` from \`access_code\`;`);
    this.addSql(`drop table \`access_code\`;`);
    this.addSql(`alter table \`access_code__temp_alter\` rename to \`access_code\`;`);
    this.addSql(`create index \`access_code_sms_id_index\` on \`access_code\` (\`sms_id\`);`);
    this.addSql(`create index \`access_code_service_id_id_index\` on \`access_code\` (\`service_id\`, \`id\`);`);
    this.addSql(`create unique index \`access_code_service_id_lookup_unique\` on \`access_code\` (\`service_id\`, \`lookup\`);`);

    this.addSql(`create table \`voucher_order__temp_alter\` (\`id\` text not null, \`payment_id\` text not null, \`project_id\` text not null, \`merchant_id\` text not null, \`country\` text null, \`pricing\` text not null, \`instruction\` json not null, \`state\` text not null default 'RESERVED', \`reservation_expires_at\` datetime null, \`resolution\` text null, \`buyer_source\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`insert into \`voucher_order__temp_alter\` select \`id\`, \`payment_id\`, \`project_id\`, \`merchant_id\`, \`country\`, \`pricing\`, \`instruction\`, \`state\`, \`reservation_expires_at\`, \`resolution\`, \`buyer_source\`, \`created_at\`, \`updated_at\` from \`voucher_order\`;`);
    this.addSql(`drop table \`voucher_order\`;`);
    this.addSql(`alter table \`voucher_order__temp_alter\` rename to \`voucher_order\`;`);
    this.addSql(`create unique index \`voucher_order_payment_id_unique\` on \`voucher_order\` (\`payment_id\`);`);
    this.addSql(`create index \`voucher_order_buyer_source_project_id_index\` on \`voucher_order\` (\`buyer_source\`, \`project_id\`);`);
    this.addSql(`create index \`voucher_order_state_reservation_expires_at_index\` on \`voucher_order\` (\`state\`, \`reservation_expires_at\`);`);
    this.addSql(`create index \`voucher_order_merchant_id_id_index\` on \`voucher_order\` (\`merchant_id\`, \`id\`);`);
    this.addSql(`create index \`voucher_order_project_id_id_index\` on \`voucher_order\` (\`project_id\`, \`id\`);`);
  }
}
exports.Migration0008_products_accept_cards = Migration0008_products_accept_cards;
