'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * The endpoint checker's runs (endpoint_check): the test callbacks sent to a purse's Result URL or a webhook endpoint,
 * their answers, what the merchant's system did and the findings.
 */
class Migration0015_endpoint_check extends Migration {
  async up() {
    this.addSql(`create table "endpoint_check" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "target" varchar(20) not null, "target_id" varchar(40) not null, "url" varchar(2000) not null, "status_url" varchar(2000) null, "status" varchar(20) not null default 'AWAITING_ANSWERS', "probes" jsonb not null, "references" jsonb not null, "status_read" jsonb null, "answered_by" varchar(20) null, "findings" jsonb not null, "created_at" timestamptz not null, "completed_at" timestamptz null, constraint "endpoint_check_pkey" primary key ("id"));`);
    this.addSql(`create index "endpoint_check_merchant_id_target_id_id_index" on "endpoint_check" ("merchant_id", "target_id", "id");`);
  }
}
exports.Migration0015_endpoint_check = Migration0015_endpoint_check;
