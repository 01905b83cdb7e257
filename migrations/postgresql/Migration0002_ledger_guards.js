'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * What the ledger's entities cannot say, enforced below any code that writes: entries and transfers are append-only
 * (invariant I8); accounts open empty, are never deleted and never change owner, currency, purpose or allowNegative;
 * and an account that must not go negative never does (I3), however many transactions write at once.
 */
class Migration0002_ledger_guards extends Migration {
  async up() {
    this.addSql(`create function ledger_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'ledger: % on % refused: ledger rows are append-only (I8)', tg_op, tg_table_name
    using errcode = 'restrict_violation';
end $$;`);
    for (const table of ['ledger_entry', 'ledger_transfer']) {
      this.addSql(`create trigger ${table}_append_only before update or delete on "${table}"
  for each row execute function ledger_append_only();`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on "${table}"
  for each statement execute function ledger_append_only();`);
    }

    this.addSql(`create function ledger_account_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'ledger: ledger accounts are never deleted' using errcode = 'restrict_violation';
  end if;
  if tg_op = 'INSERT' then
    if new.balance <> 0 or new.pending_debits <> 0 or new.pending_credits <> 0 then
      raise exception 'ledger: account % must open with zero balances (I2)', new.id using errcode = 'check_violation';
    end if;
  elsif (new.id, new.merchant_id, new.owner_key, new.currency, new.purpose, new.allow_negative)
        is distinct from (old.id, old.merchant_id, old.owner_key, old.currency, old.purpose, old.allow_negative) then
    raise exception 'ledger: account % keeps its owner, currency, purpose and allowNegative', old.id
      using errcode = 'restrict_violation';
  end if;
  if new.pending_debits > 0 or new.pending_credits < 0 then
    raise exception 'ledger: account % pending sums have the wrong sign', new.id using errcode = 'check_violation';
  end if;
  if not new.allow_negative and new.balance + new.pending_debits < 0 then
    raise exception 'ledger: account % would be overdrawn (I3)', new.id using errcode = 'check_violation';
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger ledger_account_guard before insert or update or delete on "ledger_account"
  for each row execute function ledger_account_guard();`);
    this.addSql(`create trigger ledger_account_no_truncate before truncate on "ledger_account"
  for each statement execute function ledger_append_only();`);
  }

  async down() {
    for (const table of ['ledger_entry', 'ledger_transfer']) {
      this.addSql(`drop trigger if exists ${table}_append_only on "${table}";`);
      this.addSql(`drop trigger if exists ${table}_no_truncate on "${table}";`);
    }
    this.addSql(`drop trigger if exists ledger_account_guard on "ledger_account";`);
    this.addSql(`drop trigger if exists ledger_account_no_truncate on "ledger_account";`);
    this.addSql(`drop function if exists ledger_account_guard();`);
    this.addSql(`drop function if exists ledger_append_only();`);
  }
}
exports.Migration0002_ledger_guards = Migration0002_ledger_guards;
