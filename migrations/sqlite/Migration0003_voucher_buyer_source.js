'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** Where a voucher buyer started from (VoucherOrder.buyerSource): caps one source's unpaid reservations per shop. */
class Migration0003_voucher_buyer_source extends Migration {
  async up() {
    this.addSql(`alter table \`voucher_order\` add column \`buyer_source\` text null;`);
    this.addSql(`create index \`voucher_order_buyer_source_project_id_index\` on \`voucher_order\` (\`buyer_source\`, \`project_id\`);`);
  }
}
exports.Migration0003_voucher_buyer_source = Migration0003_voucher_buyer_source;
