'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261123185311_initial extends Migration {

  async up() {
    this.addSql(`create table \`api_key\` (\`id\` text not null, \`merchant_id\` text not null, \`name\` text not null, \`prefix\` text not null, \`secret_hash\` text not null, \`scope_list\` text not null, \`created_by_user_id\` text null, \`created_at\` datetime not null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`api_key_merchant_id_index\` on \`api_key\` (\`merchant_id\`);`);
    this.addSql(`create unique index \`api_key_secret_hash_unique\` on \`api_key\` (\`secret_hash\`);`);

    this.addSql(`create table \`audit_event\` (\`id\` text not null, \`merchant_id\` text null, \`actor_kind\` text not null, \`actor_id\` text null, \`action\` text not null, \`target_id\` text null, \`details\` json not null, \`ip\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_event_merchant_id_index\` on \`audit_event\` (\`merchant_id\`);`);

    this.addSql(`create table \`merchant\` (\`id\` text not null, \`name\` text not null, \`parent_id\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`merchant_parent_id_index\` on \`merchant\` (\`parent_id\`);`);

    this.addSql(`create table \`user_session\` (\`token_hash\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, primary key (\`token_hash\`));`);
    this.addSql(`create index \`user_session_user_id_index\` on \`user_session\` (\`user_id\`);`);

    this.addSql(`create table \`app_user\` (\`id\` text not null, \`email\` text not null, \`name\` text not null, \`role\` text not null, \`merchant_id\` text null, \`password_hash\` text not null, \`failed_logins\` integer not null default 0, \`locked_until\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`app_user_email_unique\` on \`app_user\` (\`email\`);`);
    this.addSql(`create index \`app_user_merchant_id_index\` on \`app_user\` (\`merchant_id\`);`);
  }

}
exports.Migration20261123185311_initial = Migration20261123185311_initial;
