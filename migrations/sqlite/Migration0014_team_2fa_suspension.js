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
    this.addSql(`create table \`team_invite\` (\`id\` text not null, \`merchant_id\` text not null, \`email\` text not null, \`role\` text not null, \`token_hash\` text not null, \`seal\` text null, \`invited_by_user_id\` text null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`accepted_at\` datetime null, \`revoked_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`team_invite_merchant_id_index\` on \`team_invite\` (\`merchant_id\`);`);
    this.addSql(`create unique index \`team_invite_token_hash_unique\` on \`team_invite\` (\`token_hash\`);`);

    this.addSql(`alter table \`merchant\` add column \`suspended_at\` datetime null;`);
    this.addSql(`alter table \`merchant\` add column \`suspension_reason\` text null;`);

    this.addSql(`alter table \`user_session\` add column \`second_factor_pending\` integer not null default false;`);

    this.addSql(`alter table \`app_user\` add column \`totp_secret\` text null;`);
    this.addSql(`alter table \`app_user\` add column \`totp_pending_secret\` text null;`);
    this.addSql(`alter table \`app_user\` add column \`totp_enabled_at\` datetime null;`);
    this.addSql(`alter table \`app_user\` add column \`totp_last_step\` integer null;`);
    this.addSql(`alter table \`app_user\` add column \`recovery_code_hashes\` json null;`);
  }
}
exports.Migration0014_team_2fa_suspension = Migration0014_team_2fa_suspension;
