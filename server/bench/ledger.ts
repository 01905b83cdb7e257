import { execFileSync } from 'node:child_process';
import { migrate, openDatabase } from '../src/app/database';
import { build } from '../src/common/orm';
import { Merchant } from '../src/modules/merchant/merchant.entity';
import { LedgerAccountPurpose } from '../src/modules/ledger/ledger.entity';
import { checkLedger, ledgerAccount, transfer } from '../src/modules/ledger/ledger.service';
import { median, type Row } from './run';

interface Options {
  rounds: number;
  seconds: number;
  createDatabase(name: string): Promise<string>;
}

const CONCURRENCY = 8;

/** pgbench's simple-update on the same PostgreSQL: the durable-write floor ledger transfers are compared with. */
function pgbench(databaseUrl: string, seconds: number): number {
  const output = execFileSync(
    'pgbench',
    ['-n', '-b', 'simple-update', '-c', String(CONCURRENCY), '-j', '1', '-T', String(seconds), databaseUrl],
    { encoding: 'utf8' },
  );
  const match = /tps = ([\d.]+)/.exec(output);
  if (!match) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(match[1]);
}

/**
 * Transfers/s of an SMS-shaped posting (world → merchant pending, operator share, platform fee) from 8 concurrent
 * callers, each its own transaction; the ledger check runs afterwards, so a fast run that broke an invariant fails.
 */
async function ledgerTransfers(
  databaseUrl: string,
  seconds: number,
  round: number,
): Promise<{ tps: number; errors: number }> {
  const orm = await openDatabase(
    { kind: 'postgresql', url: databaseUrl },
    { pool: { min: CONCURRENCY, max: CONCURRENCY } },
  );
  try {
    const em = orm.em.fork();
    const merchants = Array.from({ length: CONCURRENCY }, (_, i) => build(Merchant, { name: `bench ${round}-${i}` }));
    await em.persistAndFlush(merchants);
    const account = (merchantId: string | null, purpose: LedgerAccountPurpose) =>
      ledgerAccount(orm.em.fork(), { merchantId, currency: 'USD', purpose });
    const world = await account(null, LedgerAccountPurpose.WORLD);
    const operator = await account(null, LedgerAccountPurpose.OPERATOR_SHARE);
    const fees = await account(null, LedgerAccountPurpose.PLATFORM_FEES);
    const pending = await Promise.all(merchants.map((m) => account(m.id, LedgerAccountPurpose.MERCHANT_PENDING)));
    const deadline = Date.now() + seconds * 1000;
    let done = 0;
    let errors = 0;
    await Promise.all(
      merchants.map(async (merchant, worker) => {
        for (let n = 0; Date.now() < deadline; n++) {
          try {
            await transfer(orm.em.fork(), {
              ownerId: merchant.id,
              idempotencyKey: `bench:${round}:${worker}:${n}`,
              currency: 'USD',
              entries: [
                { accountId: world.id, amount: -100n },
                { accountId: pending[worker].id, amount: 60n },
                { accountId: operator.id, amount: 30n },
                { accountId: fees.id, amount: 10n },
              ],
            });
            done++;
          } catch {
            errors++;
          }
        }
      }),
    );
    const violations = await checkLedger(orm.em.fork());
    if (violations.length) throw new Error(`ledger invariants broken under load: ${violations[0].message}`);
    return { tps: done / seconds, errors };
  } finally {
    await orm.close();
  }
}

export async function scenarios(options: Options): Promise<{ rows: Row[]; notes: string[] }> {
  const pgbenchUrl = await options.createDatabase('tg_bench_pgbench');
  execFileSync('pgbench', ['-i', '-q', '-s', '1', pgbenchUrl], { stdio: 'ignore' });
  const ledgerUrl = await options.createDatabase('tg_bench_ledger');
  const orm = await openDatabase({ kind: 'postgresql', url: ledgerUrl });
  await migrate(orm);
  await orm.close();

  const baseline: number[] = [];
  const ledger: number[] = [];
  let errors = 0;
  for (let round = 0; round < options.rounds; round++) {
    baseline.push(pgbench(pgbenchUrl, options.seconds));
    const measured = await ledgerTransfers(ledgerUrl, options.seconds, round);
    ledger.push(measured.tps);
    errors += measured.errors;
  }
  const notes = [`ledger: ${errors} transfers failed (deadlocks, serialization) across ${options.rounds} rounds`];
  if (median(baseline) <= 0) notes.push('INVALID: pgbench made no transactions');
  return {
    notes,
    rows: [
      {
        scenario: `ledger transfers/s, 4 legs, ${CONCURRENCY} callers`,
        baseline: 'pgbench simple-update -c 8',
        values: ledger,
        baselineValues: baseline,
        unit: 'tps',
        bar: 'P2 ≥ 0.35× (per-SMS durable)',
        higherIsBetter: true,
      },
    ],
  };
}
