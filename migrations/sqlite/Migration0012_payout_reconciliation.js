'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** The bank's lines kept for payout reconciliation (status CSV, camt.053), and operator settlement report lines. */
class Migration0012_payout_reconciliation extends Migration {
  async up() {
    this.addSql(`create table \`payout_bank_line\` (\`id\` text not null, \`import_id\` text not null, \`source\` text not null, \`line_no\` integer not null, \`withdrawal_ref\` text null, \`status\` text null, \`amount_minor\` bigint null, \`currency\` text null, \`bank_reference\` text null, \`reason\` text null, \`outcome\` text not null, \`message\` text not null, \`imported_by\` text not null, \`imported_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`payout_bank_line_import_id_line_no_index\` on \`payout_bank_line\` (\`import_id\`, \`line_no\`);`);
    this.addSql(`create index \`payout_bank_line_withdrawal_ref_index\` on \`payout_bank_line\` (\`withdrawal_ref\`);`);

    this.addSql(`create table \`operator_settlement_line\` (\`id\` text not null, \`import_id\` text not null, \`operator\` text not null, \`month\` text not null, \`line_no\` integer not null, \`message_id\` text not null, \`sms_id\` text null, \`merchant_id\` text null, \`billed\` integer null, \`amount_minor\` bigint null, \`expected_minor\` bigint null, \`reversed_minor\` bigint null, \`currency\` text null, \`outcome\` text not null, \`reversal_transfer_id\` text null, \`message\` text not null, \`imported_by\` text not null, \`imported_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`operator_settlement_line_sms_id_index\` on \`operator_settlement_line\` (\`sms_id\`);`);
    this.addSql(`create index \`operator_settlement_line_operator_month_index\` on \`operator_settlement_line\` (\`operator\`, \`month\`);`);
  }
}
exports.Migration0012_payout_reconciliation = Migration0012_payout_reconciliation;
