'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** Parts of concatenated SMS waiting for their siblings (SmppPart). */
class Migration0004_smpp_part extends Migration {

  async up() {
    this.addSql(`create table "smpp_part" ("id" varchar(40) not null, "provider" varchar(60) not null, "part_key" varchar(64) not null, "group_key" varchar(64) not null, "total" int not null, "seq" int not null, "from_number" varchar(32) not null, "sender_unreadable" boolean not null default false, "to_number" varchar(32) not null, "text" text not null, "country" varchar(2) not null, "operator" varchar(60) null, "claim_id" varchar(40) null, "passed_as" varchar(10) null, "claimed_at" timestamptz null, "passed_at" timestamptz null, "created_at" timestamptz not null, constraint "smpp_part_pkey" primary key ("id"));`);
    this.addSql(`create index "smpp_part_created_at_index" on "smpp_part" ("created_at");`);
    this.addSql(`create index "smpp_part_claim_id_index" on "smpp_part" ("claim_id");`);
    this.addSql(`create index "smpp_part_provider_group_key_index" on "smpp_part" ("provider", "group_key");`);
    this.addSql(`alter table "smpp_part" add constraint "smpp_part_provider_part_key_unique" unique ("provider", "part_key");`);
  }

  async down() {
    this.addSql(`drop table if exists "smpp_part" cascade;`);
  }

}
exports.Migration0004_smpp_part = Migration0004_smpp_part;
