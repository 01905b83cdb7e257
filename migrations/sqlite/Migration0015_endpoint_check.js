'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * The endpoint checker's runs (endpoint_check): the test callbacks sent to a purse's Result URL or a webhook endpoint,
 * their answers, what the merchant's system did and the findings.
 */
class Migration0015_endpoint_check extends Migration {
  async up() {
    this.addSql(`create table \`endpoint_check\` (\`id\` text not null, \`merchant_id\` text not null, \`target\` text not null, \`target_id\` text not null, \`url\` text not null, \`status_url\` text null, \`status\` text not null default 'AWAITING_ANSWERS', \`probes\` json not null, \`references\` json not null, \`status_read\` json null, \`answered_by\` text null, \`findings\` json not null, \`created_at\` datetime not null, \`completed_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`endpoint_check_merchant_id_target_id_id_index\` on \`endpoint_check\` (\`merchant_id\`, \`target_id\`, \`id\`);`);
  }
}
exports.Migration0015_endpoint_check = Migration0015_endpoint_check;
