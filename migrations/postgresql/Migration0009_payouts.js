'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration0009_payouts extends Migration {

  async up() {
    this.addSql(`create table "confirmation_code" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "purpose" varchar(40) not null, "target_id" varchar(40) not null, "user_id" varchar(40) not null, "email" varchar(320) not null, "code_hash" varchar(64) not null, "seal" varchar(200) null, "status" varchar(10) not null default 'PENDING', "attempts" int not null default 0, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "confirmation_code_pkey" primary key ("id"));`);
    this.addSql(`create index "confirmation_code_merchant_id_index" on "confirmation_code" ("merchant_id");`);
    this.addSql(`create index "confirmation_code_purpose_target_id_index" on "confirmation_code" ("purpose", "target_id");`);
  }

  async down() {
    this.addSql(`drop table if exists "confirmation_code" cascade;`);
  }

}
exports.Migration0009_payouts = Migration0009_payouts;
