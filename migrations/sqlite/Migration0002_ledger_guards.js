'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * What the ledger's entities cannot say, enforced below any code that writes: entries and transfers are append-only
 * (invariant I8); accounts open empty, are never deleted and never change owner, currency, purpose or allowNegative;
 * and an account that must not go negative never does (I3).
 */
class Migration0002_ledger_guards extends Migration {
  async up() {
    for (const table of ['ledger_entry', 'ledger_transfer']) {
      for (const op of ['update', 'delete']) {
        this.addSql(`create trigger \`${table}_no_${op}\` before ${op} on \`${table}\`
begin
  select raise(abort, 'ledger: ${op} on ${table} refused: ledger rows are append-only (I8)');
end;`);
      }
    }
    this.addSql(`create trigger \`ledger_account_no_delete\` before delete on \`ledger_account\`
begin
  select raise(abort, 'ledger: ledger accounts are never deleted');
end;`);
    this.addSql(`create trigger \`ledger_account_opens_empty\` before insert on \`ledger_account\`
  when new.balance <> 0 or new.pending_debits <> 0 or new.pending_credits <> 0
begin
  select raise(abort, 'ledger: an account must open with zero balances (I2)');
end;`);
    this.addSql(`create trigger \`ledger_account_fixed\` before update on \`ledger_account\`
  when new.id is not old.id or new.merchant_id is not old.merchant_id or new.owner_key is not old.owner_key
    or new.currency is not old.currency or new.purpose is not old.purpose or new.allow_negative is not old.allow_negative
begin
  select raise(abort, 'ledger: an account keeps its owner, currency, purpose and allowNegative');
end;`);
    this.addSql(`create trigger \`ledger_account_no_overdraft\` before update on \`ledger_account\`
  when (not new.allow_negative and new.balance + new.pending_debits < 0)
    or new.pending_debits > 0 or new.pending_credits < 0
begin
  select raise(abort, 'ledger: account would be overdrawn (I3)');
end;`);
  }
}
exports.Migration0002_ledger_guards = Migration0002_ledger_guards;
