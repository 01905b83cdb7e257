'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Merchant email alerts: AlertSetting (alert_setting), one per merchant and kind, and AlertNotice (alert_notice), when
 * an alert about one subject was last sent (at most once an hour).
 */
class Migration0017_alerts extends Migration {
  async up() {
    this.addSql(`create table \`alert_notice\` (\`id\` text not null, \`merchant_id\` text not null, \`kind\` text not null, \`subject\` text not null, \`last_sent_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`alert_notice_merchant_id_kind_subject_unique\` on \`alert_notice\` (\`merchant_id\`, \`kind\`, \`subject\`);`);

    this.addSql(`create table \`alert_setting\` (\`id\` text not null, \`merchant_id\` text not null, \`kind\` text not null, \`enabled\` integer not null default false, \`threshold\` integer null, \`recipient\` text null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`alert_setting_merchant_id_kind_unique\` on \`alert_setting\` (\`merchant_id\`, \`kind\`);`);
  }
}
exports.Migration0017_alerts = Migration0017_alerts;
