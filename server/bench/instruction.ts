import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildInstructionTable, type InstructionTariff } from '../src/modules/instruction/instruction.solver';
// Type only: importing run.ts for real would start the whole bench (it runs main() on load).
import type { Row } from './run';

/**
 * P5, the fewest-SMS instruction: quote latency of a table built once per tariff version, and its rebuild time, on a
 * 40-tariff ragged table with random targets up to 100× the largest tariff. Baselines in the same run: answering
 * each quote with the textbook fewest-coins programme and no table (what the table saves), and building that
 * programme's table alone over the same totals (the floor any exact table pays; the ratio is what the exact
 * tie-breaks cost). Each round measures each side in a fresh process pinned to CPU 0 (see ../../shared/notes/bench.md).
 *
 * Run alone: `node -r @swc-node/register bench/instruction.ts` (in server/; BENCH_ROUNDS as for `npm run bench`).
 */

const TARIFFS = 40;
const LARGEST = 1200; // US cents
const SEED = 5;
const QUOTES = 200_000;
const WARM_QUOTES = 20_000;
const BASELINE_QUOTES = 200;
const WARM_BUILDS = 5;
const REBUILDS = 15;
const P5_QUOTE_P99_US = 20;
const P5_REBUILD_MS = 50;

interface TableMeasurement {
  p50: number;
  p99: number;
  timerP50: number;
  rebuildMedian: number;
  rebuildMax: number;
  coldBuild: number;
}

interface BaselineMeasurement {
  p50: number;
  p99: number;
  rebuildMedian: number;
  mismatches: number;
}

function prng(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** Ragged values, as yields are after operator shares: no common factor, no neat steps; one at exactly LARGEST. */
function raggedTariffs(): InstructionTariff[] {
  const random = prng(SEED);
  return Array.from({ length: TARIFFS }, (_, i) => ({
    id: `trf_${i}`,
    shortCode: String(7000 + i),
    value: i === 0 ? LARGEST : 25 + random(LARGEST - 25),
  }));
}

function targets(count: number, seed: number): number[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => 1 + random(LARGEST * 100));
}

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

function percentile(sorted: Float64Array | number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function measureTable(): TableMeasurement {
  const tariffs = raggedTariffs();
  let start = process.hrtime.bigint();
  let table = buildInstructionTable(tariffs); // cold: the JIT has not seen the programme yet
  const coldBuild = ms(start);
  const rebuilds: number[] = [];
  for (let i = 0; i < WARM_BUILDS + REBUILDS; i++) {
    start = process.hrtime.bigint();
    table = buildInstructionTable(tariffs);
    if (i >= WARM_BUILDS) rebuilds.push(ms(start));
  }
  for (const target of targets(WARM_QUOTES, 1)) table.solve(target);
  const quotes = targets(QUOTES, 2);
  const times = new Float64Array(QUOTES);
  let messages = 0; // used after the loop, so the quotes cannot be optimised away
  for (let i = 0; i < QUOTES; i++) {
    const begin = process.hrtime.bigint();
    messages += table.solve(quotes[i])!.messages;
    times[i] = Number(process.hrtime.bigint() - begin) / 1e3;
  }
  if (messages <= 0) throw new Error('no messages quoted');
  // The timer's own cost is inside every sample; measured the same way so it can be read off.
  const timer = new Float64Array(QUOTES);
  for (let i = 0; i < QUOTES; i++) {
    const begin = process.hrtime.bigint();
    timer[i] = Number(process.hrtime.bigint() - begin) / 1e3;
  }
  times.sort();
  timer.sort();
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    timerP50: percentile(timer, 0.5),
    rebuildMedian: median(rebuilds),
    rebuildMax: Math.max(...rebuilds),
    coldBuild,
  };
}

/** The textbook programme: fewest SMS for each exact total up to `span`, no tie-breaks beyond the smallest total. */
function fewestCoins(values: number[], span: number): Float64Array {
  const fewest = new Float64Array(span).fill(Infinity);
  fewest[0] = 0;
  for (let s = 1; s < span; s++)
    for (const v of values) if (v <= s && fewest[s - v] + 1 < fewest[s]) fewest[s] = fewest[s - v] + 1;
  return fewest;
}

function quoteWithoutTable(values: number[], target: number): { messages: number; total: number } {
  const fewest = fewestCoins(values, target + LARGEST);
  let total = target;
  for (let s = target; s < target + LARGEST; s++) if (fewest[s] < fewest[total]) total = s;
  return { messages: fewest[total], total };
}

function measureBaseline(): BaselineMeasurement {
  const tariffs = raggedTariffs();
  const values = tariffs.map((t) => Number(t.value));
  const rebuilds: number[] = [];
  for (let i = 0; i < WARM_BUILDS + REBUILDS; i++) {
    const start = process.hrtime.bigint();
    fewestCoins(values, LARGEST * 100 + LARGEST);
    if (i >= WARM_BUILDS) rebuilds.push(ms(start));
  }
  for (const target of targets(20, 1)) quoteWithoutTable(values, target);
  const quotes = targets(BASELINE_QUOTES, 2); // the first quotes of the table's own sequence
  const times: number[] = [];
  const answers: { messages: number; total: number }[] = [];
  for (const target of quotes) {
    const begin = process.hrtime.bigint();
    answers.push(quoteWithoutTable(values, target));
    times.push(Number(process.hrtime.bigint() - begin) / 1e3);
  }
  // Correctness beside speed: the table must agree on messages and total (untimed).
  const table = buildInstructionTable(tariffs);
  const mismatches = quotes.filter((target, i) => {
    const answer = table.solve(target)!;
    return answer.messages !== answers[i].messages || answer.total !== answers[i].total;
  }).length;
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    rebuildMedian: median(rebuilds),
    mismatches,
  };
}

function inFreshProcess<T>(kind: 'table' | 'baseline'): T {
  const output = execFileSync(
    'taskset',
    ['-c', '0', process.execPath, '-r', '@swc-node/register', 'bench/instruction.ts', 'measure', kind],
    { cwd: path.resolve(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output.trim().split('\n').at(-1)!) as T;
}

export async function scenarios(options: { rounds: number }): Promise<{ rows: Row[]; notes: string[] }> {
  const table: TableMeasurement[] = [];
  const baseline: BaselineMeasurement[] = [];
  for (let round = 0; round < options.rounds; round++) {
    table.push(inFreshProcess<TableMeasurement>('table'));
    baseline.push(inFreshProcess<BaselineMeasurement>('baseline'));
  }
  const pick = <T>(list: T[], field: keyof T) => list.map((m) => m[field] as number);
  const p99 = median(pick(table, 'p99'));
  const rebuild = median(pick(table, 'rebuildMedian'));
  const worstRebuild = Math.max(...pick(table, 'rebuildMax'));
  const mismatches = baseline.reduce((sum, m) => sum + m.mismatches, 0);
  const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)) / median(values);
  const notes = [
    `P5 instruction: quote p99 ${p99.toFixed(2)} µs (bar ≤ ${P5_QUOTE_P99_US} µs): ${p99 <= P5_QUOTE_P99_US ? 'met' : 'NOT MET'}; ` +
      `rebuild ${rebuild.toFixed(1)} ms median, ${worstRebuild.toFixed(1)} ms worst after warm-up ` +
      `(bar ≤ ${P5_REBUILD_MS} ms): ${worstRebuild <= P5_REBUILD_MS ? 'met' : rebuild <= P5_REBUILD_MS ? 'met at the median only' : 'NOT MET'}; ` +
      `first build in a fresh process ${median(pick(table, 'coldBuild')).toFixed(1)} ms (JIT cold); ` +
      `timer cost in each sample ~${median(pick(table, 'timerP50')).toFixed(2)} µs`,
  ];
  if (mismatches)
    notes.push(`FAILED: the table disagreed with the fewest-coins programme on ${mismatches} baseline quotes`);
  if (spread(pick(table, 'p99')) > 0.2)
    notes.push(`INVALID: instruction quote p99 spread ${(spread(pick(table, 'p99')) * 100).toFixed(0)}% (> 20%)`);
  const row = (scenario: string, baselineName: string, values: number[], baselineValues: number[]) => ({
    scenario,
    baseline: baselineName,
    values,
    baselineValues,
    higherIsBetter: false,
  });
  return {
    notes,
    rows: [
      {
        ...row(
          `P5 fewest-SMS quote p99, ${TARIFFS} ragged tariffs, targets ≤ 100× max (µs)`,
          'fewest-coins programme per quote, no table',
          pick(table, 'p99'),
          pick(baseline, 'p99'),
        ),
        unit: 'µs',
        bar: `P5 ≤ ${P5_QUOTE_P99_US} µs`,
      },
      {
        ...row(
          'P5 fewest-SMS quote p50 (µs)',
          'fewest-coins programme per quote, no table',
          pick(table, 'p50'),
          pick(baseline, 'p50'),
        ),
        unit: 'µs',
        bar: 'informative',
      },
      {
        ...row(
          'P5 fewest-SMS table rebuild, median after warm-up (ms)',
          'fewest-coins table alone, same totals',
          pick(table, 'rebuildMedian'),
          pick(baseline, 'rebuildMedian'),
        ),
        unit: 'ms',
        bar: `P5 ≤ ${P5_REBUILD_MS} ms`,
      },
    ],
  };
}

if (require.main === module) {
  const [mode, kind] = process.argv.slice(2);
  if (mode === 'measure') {
    console.log(JSON.stringify(kind === 'table' ? measureTable() : measureBaseline()));
  } else {
    void scenarios({ rounds: Number(process.env.BENCH_ROUNDS ?? 3) }).then(({ rows, notes }) => {
      console.table(
        rows.map((r) => ({
          scenario: r.scenario,
          median: median(r.values).toFixed(2),
          baseline: `${r.baseline} ${median(r.baselineValues).toFixed(2)}`,
          ratio: `${(median(r.values) / median(r.baselineValues)).toFixed(4)}×`,
          bar: r.bar,
        })),
      );
      for (const note of notes) console.log(note);
    });
  }
}
