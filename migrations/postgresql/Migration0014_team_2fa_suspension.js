'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Team invitations (team_invite: the link's token only as its hash), two-factor login (app_user.totp_*, recovery code
 * hashes; user_session.second_factor_pending for a login waiting for its code) and merchant suspension
 * (merchant.suspended_at, suspension_reason).
 */
class Migration0014_team_2fa_suspension extends Migration {
  async up() {
    this.addSql(`create table "team_invite" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "email" varchar(320) not null, "role" varchar(10) not null, "token_hash" varchar(64) not null, "seal" text null, "invited_by_user_id" varchar(40) null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "revoked_at" timestamptz null, constraint "team_invite_pkey" primary key ("id"));`);
    this.addSql(`create index "team_invite_merchant_id_index" on "team_invite" ("merchant_id");`);
    this.addSql(`alter table "team_invite" add constraint "team_invite_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "merchant" add column "suspended_at" timestamptz null, add column "suspension_reason" varchar(500) null;`);

    this.addSql(`alter table "user_session" add column "second_factor_pending" boolean not null default false;`);

    this.addSql(`alter table "app_user" add column "totp_secret" varchar(64) null, add column "totp_pending_secret" varchar(64) null, add column "totp_enabled_at" timestamptz null, add column "totp_last_step" int null, add column "recovery_code_hashes" jsonb null;`);
  }

  async down() {
    this.addSql(`drop table if exists "team_invite" cascade;`);

    this.addSql(`alter table "app_user" drop column "totp_secret", drop column "totp_pending_secret", drop column "totp_enabled_at", drop column "totp_last_step", drop column "recovery_code_hashes";`);

    this.addSql(`alter table "merchant" drop column "suspended_at", drop column "suspension_reason";`);

    this.addSql(`alter table "user_session" drop column "second_factor_pending";`);
  }
}
exports.Migration0014_team_2fa_suspension = Migration0014_team_2fa_suspension;
