'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261123185311_initial extends Migration {

  async up() {
    this.addSql(`create table "api_key" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "name" varchar(100) not null, "prefix" varchar(20) not null, "secret_hash" varchar(64) not null, "scope_list" varchar(40) not null, "created_by_user_id" varchar(40) null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`);
    this.addSql(`create index "api_key_merchant_id_index" on "api_key" ("merchant_id");`);
    this.addSql(`alter table "api_key" add constraint "api_key_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(`create table "audit_event" ("id" varchar(40) not null, "merchant_id" varchar(40) null, "actor_kind" varchar(10) not null, "actor_id" varchar(40) null, "action" varchar(60) not null, "target_id" varchar(40) null, "details" jsonb not null, "ip" varchar(64) null, "created_at" timestamptz not null, constraint "audit_event_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_event_merchant_id_index" on "audit_event" ("merchant_id");`);

    this.addSql(`create table "merchant" ("id" varchar(40) not null, "name" varchar(200) not null, "parent_id" varchar(40) null, "created_at" timestamptz not null, constraint "merchant_pkey" primary key ("id"));`);
    this.addSql(`create index "merchant_parent_id_index" on "merchant" ("parent_id");`);

    this.addSql(`create table "user_session" ("token_hash" varchar(64) not null, "user_id" varchar(40) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, constraint "user_session_pkey" primary key ("token_hash"));`);
    this.addSql(`create index "user_session_user_id_index" on "user_session" ("user_id");`);

    this.addSql(`create table "app_user" ("id" varchar(40) not null, "email" varchar(320) not null, "name" varchar(200) not null, "role" varchar(10) not null, "merchant_id" varchar(40) null, "password_hash" varchar(200) not null, "failed_logins" int not null default 0, "locked_until" timestamptz null, "created_at" timestamptz not null, constraint "app_user_pkey" primary key ("id"));`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(`create index "app_user_merchant_id_index" on "app_user" ("merchant_id");`);
  }

  async down() {
    this.addSql(`drop table if exists "api_key" cascade;`);

    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "merchant" cascade;`);

    this.addSql(`drop table if exists "user_session" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);
  }

}
exports.Migration20261123185311_initial = Migration20261123185311_initial;
