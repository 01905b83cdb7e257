'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** The bank's lines kept for payout reconciliation (status CSV, camt.053), and operator settlement report lines. */
class Migration0012_payout_reconciliation extends Migration {
  async up() {
    this.addSql(`create table "payout_bank_line" ("id" varchar(40) not null, "import_id" varchar(40) not null, "source" varchar(10) not null, "line_no" int not null, "withdrawal_ref" varchar(100) null, "status" varchar(10) null, "amount_minor" bigint null, "currency" varchar(3) null, "bank_reference" varchar(100) null, "reason" varchar(300) null, "outcome" varchar(20) not null, "message" varchar(300) not null, "imported_by" varchar(40) not null, "imported_at" timestamptz not null, constraint "payout_bank_line_pkey" primary key ("id"));`);
    this.addSql(`create index "payout_bank_line_import_id_line_no_index" on "payout_bank_line" ("import_id", "line_no");`);
    this.addSql(`create index "payout_bank_line_withdrawal_ref_index" on "payout_bank_line" ("withdrawal_ref");`);

    this.addSql(`create table "operator_settlement_line" ("id" varchar(40) not null, "import_id" varchar(40) not null, "operator" varchar(60) not null, "month" varchar(7) not null, "line_no" int not null, "message_id" varchar(100) not null, "sms_id" varchar(40) null, "merchant_id" varchar(40) null, "billed" boolean null, "amount_minor" bigint null, "expected_minor" bigint null, "reversed_minor" bigint null, "currency" varchar(3) null, "outcome" varchar(30) not null, "reversal_transfer_id" varchar(40) null, "message" varchar(300) not null, "imported_by" varchar(40) not null, "imported_at" timestamptz not null, constraint "operator_settlement_line_pkey" primary key ("id"));`);
    this.addSql(`create index "operator_settlement_line_sms_id_index" on "operator_settlement_line" ("sms_id");`);
    this.addSql(`create index "operator_settlement_line_operator_month_index" on "operator_settlement_line" ("operator", "month");`);
  }
}
exports.Migration0012_payout_reconciliation = Migration0012_payout_reconciliation;
