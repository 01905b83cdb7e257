import { execFileSync } from 'node:child_process';
import type { Row } from './run';

interface Options {
  rounds: number;
  seconds: number;
  createDatabase(name: string): Promise<string>;
}

/** pgbench's simple-update on the same PostgreSQL: the durable-write floor ledger transfers are compared with. */
export function pgbench(databaseUrl: string, seconds: number): number {
  const output = execFileSync(
    'taskset',
    ['-c', '0', 'pgbench', '-n', '-b', 'simple-update', '-c', '8', '-j', '1', '-T', String(seconds), databaseUrl],
    {
      encoding: 'utf8',
    },
  );
  const match = /tps = ([\d.]+)/.exec(output);
  if (!match) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(match[1]);
}

export async function scenarios(options: Options): Promise<{ rows: Row[]; notes: string[] }> {
  const pgbenchUrl = await options.createDatabase('tg_bench_pgbench');
  execFileSync('pgbench', ['-i', '-q', '-s', '1', pgbenchUrl], { stdio: 'ignore' });
  const baseline: number[] = [];
  for (let round = 0; round < options.rounds; round++) baseline.push(pgbench(pgbenchUrl, options.seconds));
  return { rows: [], notes: [`pgbench simple-update -c 8: ${baseline.map((tps) => tps.toFixed(0)).join(', ')} tps`] };
}
