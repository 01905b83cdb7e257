'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Merchant email alerts: AlertSetting (alert_setting), one per merchant and kind, and AlertNotice (alert_notice), when
 * an alert about one subject was last sent (at most once an hour).
 */
class Migration0017_alerts extends Migration {
  async up() {
    this.addSql(`create table "alert_notice" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "kind" varchar(30) not null, "subject" varchar(60) not null, "last_sent_at" timestamptz not null, constraint "alert_notice_pkey" primary key ("id"));`);
    this.addSql(`alter table "alert_notice" add constraint "alert_notice_merchant_id_kind_subject_unique" unique ("merchant_id", "kind", "subject");`);

    this.addSql(`create table "alert_setting" ("id" varchar(40) not null, "merchant_id" varchar(40) not null, "kind" varchar(30) not null, "enabled" boolean not null default false, "threshold" int null, "recipient" varchar(320) null, "updated_at" timestamptz not null, constraint "alert_setting_pkey" primary key ("id"));`);
    this.addSql(`alter table "alert_setting" add constraint "alert_setting_merchant_id_kind_unique" unique ("merchant_id", "kind");`);
  }

  async down() {
    this.addSql(`drop table if exists "alert_notice" cascade;`);

    this.addSql(`drop table if exists "alert_setting" cascade;`);
  }
}
exports.Migration0017_alerts = Migration0017_alerts;
