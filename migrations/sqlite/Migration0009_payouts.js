'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration0009_payouts extends Migration {

  async up() {
    this.addSql(`create table \`confirmation_code\` (\`id\` text not null, \`merchant_id\` text not null, \`purpose\` text not null, \`target_id\` text not null, \`user_id\` text not null, \`email\` text not null, \`code_hash\` text not null, \`seal\` text null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`expires_at\` datetime not null, \`used_at\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`confirmation_code_merchant_id_index\` on \`confirmation_code\` (\`merchant_id\`);`);
    this.addSql(`create index \`confirmation_code_purpose_target_id_index\` on \`confirmation_code\` (\`purpose\`, \`target_id\`);`);
  }

}
exports.Migration0009_payouts = Migration0009_payouts;
