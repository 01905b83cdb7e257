'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** Retention sweeps' indexes (delivered outbox messages, old webhook events); replies keep a secret's reference, not the secret. */
class Migration0005_retention_reply_secrets extends Migration {

  async up() {
    this.addSql(`create index "outbox_message_status_delivered_at_index" on "outbox_message" ("status", "delivered_at");`);
    this.addSql(`create index "webhook_event_created_at_index" on "webhook_event" ("created_at");`);
    this.addSql(`alter table "sms_message" add column "secret_ref" varchar(80) null;`);
  }

}
exports.Migration0005_retention_reply_secrets = Migration0005_retention_reply_secrets;
