'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** CardCharge.lateCapture: captured after its payment stopped taking money, so refunded to the card automatically. */
class Migration0010_card_late_capture extends Migration {
  async up() {
    this.addSql(`alter table "card_charge" add column "late_capture" boolean not null default false;`);
  }
}
exports.Migration0010_card_late_capture = Migration0010_card_late_capture;
