import { describe, expect, it } from 'vitest';
import {
  buildInstructionTable,
  fewestSms,
  InstructionError,
  type Instruction,
  type InstructionLine,
  type InstructionTariff,
} from './instruction.solver';

// Pure tests of the fewest-SMS solver. The solver is checked against methods written separately and simply: an
// exhaustive search on small tables, a direct dynamic programme over tariffs and counts on medium ones, and the
// textbook fewest-coins programme on large ones. Random tables come from a seeded PRNG; every message names the seed.

/** mulberry32: small, seeded, good enough to draw test tables. */
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

const tariffsOf = (values: number[], codes?: string[]): InstructionTariff[] =>
  values.map((value, i) => ({ id: `t${i}`, shortCode: codes?.[i] ?? String(1000 + i), value }));

/** The documented canonical order, restated: short codes by highest value desc, then code; then value desc, id. */
function canonicalOrder(tariffs: { id: string; shortCode: string; value: number }[]) {
  const highest = new Map<string, number>();
  for (const t of tariffs) highest.set(t.shortCode, Math.max(highest.get(t.shortCode) ?? -Infinity, t.value));
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...tariffs].sort(
    (a, b) =>
      highest.get(b.shortCode)! - highest.get(a.shortCode)! ||
      a.shortCode.length - b.shortCode.length ||
      byText(a.shortCode, b.shortCode) ||
      b.value - a.value ||
      byText(a.id, b.id),
  );
}

function linesOf(order: { id: string; shortCode: string; value: number }[], counts: number[]): InstructionLine[] {
  return order.flatMap((t, i) =>
    counts[i] ? [{ tariffId: t.id, shortCode: t.shortCode, value: t.value, count: counts[i] }] : [],
  );
}

/**
 * What every answer must satisfy, whatever the method: consistent sums, never short of the target. Returns the first
 * problem, so loops over many targets call `expect` only on failure (it costs microseconds each).
 */
function consistencyProblem(answer: Instruction, target: number): string | null {
  const messages = answer.lines.reduce((sum, line) => sum + line.count, 0);
  const total = answer.lines.reduce((sum, line) => sum + line.count * line.value, 0);
  if (answer.messages !== messages) return `messages ${answer.messages} but the lines hold ${messages}`;
  if (answer.total !== total) return `total ${answer.total} but the lines add up to ${total}`;
  if (answer.overpayment !== total - target) return `overpayment ${answer.overpayment} is not total − target`;
  if (answer.shortCodes !== new Set(answer.lines.map((line) => line.shortCode)).size) return 'wrong shortCodes';
  if (!answer.lines.every((line) => line.count >= 1 && line.value > 0)) return 'a line with no SMS or no value';
  if (target > 0 && total < target) return `undershoots: ${total} < ${target}`;
  return null;
}

function checkConsistent(answer: Instruction, target: number, context: string): void {
  const problem = consistencyProblem(answer, target);
  if (problem) expect.fail(`${context}: ${problem}`);
}

/**
 * Every multiset of at most ⌈target / largest⌉ SMS (all of the largest tariff reach the target with that many, so the
 * optimum is among them), ranked by the four rules literally.
 */
function exhaustive(tariffs: InstructionTariff[], target: number): Instruction | null {
  if (target <= 0) return { lines: [], messages: 0, total: 0, overpayment: 0 - target, shortCodes: 0 };
  const order = canonicalOrder(tariffs.map((t) => ({ ...t, value: Number(t.value) })).filter((t) => t.value > 0));
  if (!order.length) return null;
  const limit = Math.ceil(target / Math.max(...order.map((t) => t.value)));
  const counts = order.map(() => 0);
  let best: { key: number[]; counts: number[] } | null = null;
  const better = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  };
  const visit = (i: number, left: number, total: number) => {
    if (i === order.length) {
      if (total < target) return;
      const messages = counts.reduce((a, b) => a + b, 0);
      const codes = new Set(order.filter((_, j) => counts[j]).map((t) => t.shortCode)).size;
      // Rule 4 as "lexicographically greatest count vector": negate the counts so smaller is better.
      const key = [messages, total, codes, ...counts.map((c) => -c)];
      if (!best || better(key, best.key)) best = { key, counts: [...counts] };
      return;
    }
    for (let c = 0; c <= left; c++) {
      counts[i] = c;
      visit(i + 1, left - c, total + c * order[i].value);
    }
    counts[i] = 0;
  };
  visit(0, limit, 0);
  const found = best as { key: number[]; counts: number[] } | null;
  if (!found) throw new Error('exhaustive search found nothing, impossible with a positive tariff');
  const [messages, total, shortCodes] = found.key;
  return { lines: linesOf(order, found.counts), messages, total, overpayment: total - target, shortCodes };
}

/**
 * A direct dynamic programme over the tariffs in canonical order: best[i][used][s] = the lexicographically smallest
 * [messages, distinct codes] making exactly s from tariffs i…n−1, trying every count of tariff i. Slow (it loops
 * over counts) but plain; then the best total per target and the greatest count per tariff in turn.
 */
function directProgramme(tariffs: InstructionTariff[], maxTarget: number): (target: number) => Instruction {
  const order = canonicalOrder(tariffs.map((t) => ({ ...t, value: Number(t.value) })).filter((t) => t.value > 0));
  const n = order.length;
  const largest = Math.max(...order.map((t) => t.value));
  const span = maxTarget + largest;
  const sameNext = (i: number) => i + 1 < n && order[i + 1].shortCode === order[i].shortCode;
  // messages[i][used][s], codes[i][used][s]; Infinity when s cannot be made.
  const messages = order.map(() => [new Float64Array(span), new Float64Array(span)]);
  const codes = order.map(() => [new Float64Array(span), new Float64Array(span)]);
  const end = new Float64Array(span).fill(Infinity);
  end[0] = 0;
  const endCodes = new Float64Array(span);
  const at = (i: number, used: number) =>
    i === n ? { m: end, d: endCodes } : { m: messages[i][used], d: codes[i][used] };
  const nextUsed = (i: number, used: number, c: number) => (sameNext(i) ? (used || c > 0 ? 1 : 0) : 0);
  for (let i = n - 1; i >= 0; i--) {
    const v = order[i].value;
    for (const used of [0, 1]) {
      const m = messages[i][used];
      const d = codes[i][used];
      const none = at(i + 1, nextUsed(i, used, 0));
      const some = at(i + 1, nextUsed(i, used, 1));
      for (let s = 0; s < span; s++) {
        let bm = none.m[s];
        let bd = none.d[s];
        for (let c = 1; c * v <= s; c++) {
          const cm = c + some.m[s - c * v];
          const cd = (used ? 0 : 1) + some.d[s - c * v];
          if (cm < bm || (cm === bm && cd < bd)) [bm, bd] = [cm, cd];
        }
        m[s] = bm;
        d[s] = bd;
      }
    }
  }
  return (target) => {
    let total = -1;
    for (let s = target; s < span; s++) if (total < 0 || messages[0][0][s] < messages[0][0][total]) total = s;
    const counts = order.map(() => 0);
    let s = total;
    let used = 0;
    for (let i = 0; i < n; i++) {
      const here = at(i, used);
      const v = order[i].value;
      for (let c = Math.floor(s / v); c >= 0; c--) {
        const next = at(i + 1, nextUsed(i, used, c));
        if (c + next.m[s - c * v] === here.m[s] && (c > 0 && !used ? 1 : 0) + next.d[s - c * v] === here.d[s]) {
          counts[i] = c;
          s -= c * v;
          used = nextUsed(i, used, c);
          break;
        }
      }
    }
    return {
      lines: linesOf(order, counts),
      messages: messages[0][0][total],
      total,
      overpayment: total - target,
      shortCodes: codes[0][0][total],
    };
  };
}

/**
 * The textbook fewest-coins programme: fewest SMS for each exact total, then for each target the best total in
 * [target, target + largest). All targets in one call, so the nested loops are compiled once.
 */
function fewestCoins(values: number[], targets: number[]): { messages: number; total: number }[] {
  const largest = Math.max(...values);
  const fewest = new Float64Array(targets.reduce((a, b) => Math.max(a, b), 0) + largest).fill(Infinity);
  fewest[0] = 0;
  for (let s = 1; s < fewest.length; s++)
    for (const v of values) if (v <= s && fewest[s - v] + 1 < fewest[s]) fewest[s] = fewest[s - v] + 1;
  return targets.map((target) => {
    const total = bestTotal(fewest, target, largest);
    return { messages: fewest[total], total };
  });
}

function bestTotal(fewest: Float64Array, target: number, largest: number): number {
  let total = target;
  for (let s = target; s < target + largest; s++) if (fewest[s] < fewest[total]) total = s;
  return total;
}

/** Largest first: as many of the largest tariff as fit, then the next…; the last gap paid by the smallest covering it. */
function greedy(values: number[], target: number): number[] {
  const sorted = [...values].sort((a, b) => b - a);
  const picked: number[] = [];
  let left = target;
  while (left > 0) {
    const fits = sorted.find((v) => v <= left) ?? sorted.filter((v) => v >= left).at(-1)!;
    picked.push(fits);
    left -= fits;
  }
  return picked;
}

function randomTable(random: (below: number) => number, size: number, maxValue: number, codePool: number) {
  const values = Array.from({ length: size }, () => 1 + random(maxValue));
  const codes = values.map(() => String(100 + random(codePool)));
  return tariffsOf(values, codes);
}

describe('fewest-SMS solver against an exhaustive search (small random tables)', () => {
  it('agrees on every rule, tie-break included, for 3,000 tables × 4 targets', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const random = prng(seed);
      const size = 1 + random(6);
      // Some tables share short codes (small pool), some have duplicate values, some a common factor, some junk.
      const codePool = random(3) === 0 ? 3 : 1000;
      const factor = random(4) === 0 ? 5 : 1;
      const tariffs = randomTable(random, size, 1 + random(40), codePool).map((t) => ({
        ...t,
        value: (t.value as number) * factor - (random(15) === 0 ? 50 : 0),
      }));
      const positive = tariffs.filter((t) => t.value > 0).map((t) => t.value);
      const maxTarget = positive.length ? 8 * Math.max(...positive) : 100;
      const table = buildInstructionTable(tariffs, { maxTarget });
      for (let k = 0; k < 4; k++) {
        const target = k === 0 ? random(3) - 1 : 1 + random(maxTarget);
        const context = `seed ${seed}, target ${target}, tariffs ${JSON.stringify(tariffs)}`;
        const answer = table.solve(target);
        expect(answer, context).toEqual(exhaustive(tariffs, target));
        if (answer) checkConsistent(answer, target, context);
      }
    }
  });
});

describe('fewest-SMS solver against a direct dynamic programme (medium random tables)', () => {
  it('agrees on every target up to 100× the largest tariff', () => {
    for (let seed = 101; seed <= 104; seed++) {
      const random = prng(seed);
      const tariffs = randomTable(random, 8 + random(18), 60, seed % 2 ? 1000 : 8);
      const largest = Math.max(...tariffs.map((t) => t.value as number));
      const table = buildInstructionTable(tariffs);
      expect(table.maxTarget).toBe(100 * largest);
      const reference = directProgramme(tariffs, table.maxTarget);
      for (let target = 1; target <= table.maxTarget; target++) {
        const context = `seed ${seed}, target ${target}`;
        const answer = table.solve(target)!;
        const expected = reference(target);
        if (JSON.stringify(answer) !== JSON.stringify(expected)) expect(answer, context).toEqual(expected);
      }
    }
  });
});

describe('fewest-SMS solver against the fewest-coins programme (40 ragged tariffs)', () => {
  it('sends the fewest SMS with the smallest overpayment, never undershooting, up to 100× the largest tariff', () => {
    for (let seed = 201; seed <= 210; seed++) {
      const random = prng(seed);
      const factor = seed % 3 === 0 ? 5 : 1;
      const tariffs = tariffsOf(Array.from({ length: 40 }, () => (30 + random(1171)) * factor));
      const values = tariffs.map((t) => t.value as number);
      const table = buildInstructionTable(tariffs);
      // Every target for two tables (without a common factor, so 120k-odd targets), a random sample for the others.
      const targets =
        seed === 202 || seed === 203
          ? Array.from({ length: table.maxTarget }, (_, i) => i + 1)
          : Array.from({ length: 3000 }, () => 1 + random(table.maxTarget));
      const reference = fewestCoins(values, targets);
      for (const [k, target] of targets.entries()) {
        const context = `seed ${seed}, target ${target}`;
        const answer = table.solve(target)!;
        const expected = reference[k];
        if (answer.messages !== expected.messages || answer.total !== expected.total)
          expect({ messages: answer.messages, total: answer.total }, context).toEqual(expected);
        checkConsistent(answer, target, context);
      }
    }
  });
});

describe('where largest-first greedy sends more SMS', () => {
  const cases: [number[], number, number, number][] = [
    // values, target, greedy SMS, solver SMS
    [[99, 299, 499], 600, 3, 2],
    [[1, 3, 4], 6, 3, 2],
    [[57, 171, 245], 342, 3, 2],
    [[100, 700, 1000], 1400, 5, 2],
    [[25, 60, 100], 170, 3, 2],
  ];
  for (const [values, target, greedyCount, solverCount] of cases) {
    const picked = greedy(values, target);
    it(`${target} from {${values.join(', ')}}: greedy ${picked.join('+')} = ${greedyCount} SMS, solver ${solverCount}`, () => {
      expect(picked).toHaveLength(greedyCount);
      const answer = fewestSms(tariffsOf(values), target)!;
      expect(answer.messages).toBe(solverCount);
      expect(answer).toEqual(exhaustive(tariffsOf(values), target));
    });
  }

  it('500 from {1, 300, 499}: greedy 499+1 is 2 SMS with no overpayment, the solver agrees', () => {
    const answer = fewestSms(tariffsOf([1, 300, 499]), 500)!;
    expect(greedy([1, 300, 499], 500)).toEqual([499, 1]);
    expect(answer.lines.map((l) => [l.value, l.count])).toEqual([
      [499, 1],
      [1, 1],
    ]);
  });
});

describe('tie-breaks', () => {
  it('among the fewest SMS, the smallest overpayment: 130 from {100, 70, 60} is 70+60, not 100+60 or 100+70', () => {
    const answer = fewestSms(tariffsOf([100, 70, 60]), 130)!;
    expect(answer.lines.map((l) => [l.value, l.count])).toEqual([
      [70, 1],
      [60, 1],
    ]);
    expect([answer.messages, answer.total, answer.overpayment]).toEqual([2, 130, 0]);
  });

  it('fewer SMS beat a smaller overpayment: 600 from {299, 499} is 2 SMS (798), not 3 SMS of 299 (897)', () => {
    const answer = fewestSms(tariffsOf([299, 499]), 600)!;
    expect([answer.messages, answer.total]).toEqual([2, 798]);
  });

  it('then the fewest short codes: 40 from {30, 20, 10} is 20+20 (one code), not 30+10 (two)', () => {
    const answer = fewestSms(tariffsOf([30, 20, 10]), 40)!;
    expect(answer.lines).toEqual([{ tariffId: 't1', shortCode: '1001', value: 20, count: 2 }]);
    expect(answer.shortCodes).toBe(1);
  });

  it('tariffs sharing a short code count as one: 50 from {30, 20 on 7001; 25 on 7002} is 30+20 on 7001', () => {
    const answer = fewestSms(tariffsOf([30, 20, 25], ['7001', '7001', '7002']), 50)!;
    expect(answer.lines.map((l) => [l.shortCode, l.value, l.count])).toEqual([
      ['7001', 30, 1],
      ['7001', 20, 1],
    ]);
    expect(answer.shortCodes).toBe(1);
    // With distinct short codes the same amounts tie on codes (two vs one): 25+25 on one code wins.
    const apart = fewestSms(tariffsOf([30, 20, 25], ['7001', '7003', '7002']), 50)!;
    expect(apart.lines.map((l) => [l.shortCode, l.value, l.count])).toEqual([['7002', 25, 2]]);
  });

  it('then the most SMS of the higher-valued tariff: 60 from {50, 40, 20, 10} is 50+10, not 40+20', () => {
    const answer = fewestSms(tariffsOf([50, 40, 20, 10]), 60)!;
    expect(answer.lines.map((l) => [l.value, l.count])).toEqual([
      [50, 1],
      [10, 1],
    ]);
  });

  it('duplicate values on different short codes: all SMS on one code, the shorter then lower code', () => {
    const answer = fewestSms(tariffsOf([50, 50, 50], ['2222', '1111', '99999']), 150)!;
    expect(answer.lines).toEqual([{ tariffId: 't1', shortCode: '1111', value: 50, count: 3 }]);
    const shorter = fewestSms(tariffsOf([50, 50], ['1111', '999']), 150)!;
    expect(shorter.lines).toEqual([{ tariffId: 't1', shortCode: '999', value: 50, count: 3 }]);
  });

  it('answers do not depend on the order tariffs are given in', () => {
    const random = prng(7);
    const tariffs = randomTable(random, 12, 200, 6);
    const table = buildInstructionTable(tariffs);
    const shuffled = buildInstructionTable([...tariffs].reverse());
    for (let k = 0; k < 500; k++) {
      const target = 1 + random(table.maxTarget);
      expect(shuffled.solve(target), `target ${target}`).toEqual(table.solve(target));
    }
  });
});

describe('edge cases', () => {
  const tariffs = tariffsOf([150, 300, 75]);

  it('a target of 0 or less needs no SMS', () => {
    expect(fewestSms(tariffs, 0)).toEqual({ lines: [], messages: 0, total: 0, overpayment: 0, shortCodes: 0 });
    expect(fewestSms(tariffs, -20)).toEqual({ lines: [], messages: 0, total: 0, overpayment: 20, shortCodes: 0 });
    expect(buildInstructionTable(tariffs).solve(0)?.messages).toBe(0);
    expect(fewestSms([], 0)?.messages).toBe(0);
  });

  it('a target below the smallest tariff is one SMS of the smallest tariff', () => {
    expect(fewestSms(tariffs, 1)!.lines).toEqual([{ tariffId: 't2', shortCode: '1002', value: 75, count: 1 }]);
    expect(fewestSms(tariffs, 75)!.overpayment).toBe(0);
  });

  it('one tariff: ⌈target / value⌉ SMS of it', () => {
    const table = buildInstructionTable(tariffsOf([70]));
    for (const target of [1, 69, 70, 71, 140, 141, 7000]) {
      const answer = table.solve(target)!;
      expect(answer.lines, `target ${target}`).toEqual([
        { tariffId: 't0', shortCode: '1000', value: 70, count: Math.ceil(target / 70) },
      ]);
    }
  });

  it('no tariffs, or none with a positive value, is no solution', () => {
    expect(fewestSms([], 100)).toBeNull();
    expect(fewestSms(tariffsOf([0, -5]), 100)).toBeNull();
    expect(buildInstructionTable(tariffsOf([0])).solve(1)).toBeNull();
    expect(buildInstructionTable([]).maxTarget).toBe(0);
  });

  it('ignores tariffs of value ≤ 0 beside usable ones', () => {
    expect(fewestSms(tariffsOf([0, 40, -10]), 80)!.lines).toEqual([
      { tariffId: 't1', shortCode: '1001', value: 40, count: 2 },
    ]);
  });

  it('works in units of the values’ common factor and still never undershoots', () => {
    const answer = fewestSms(tariffsOf([500, 300]), 801)!;
    expect([answer.messages, answer.total, answer.overpayment]).toEqual([2, 1000, 199]);
    expect(fewestSms(tariffsOf([500, 300]), 599)!.total).toBe(600);
  });

  it('accepts bigint amounts', () => {
    const answer = fewestSms(
      [
        { id: 'a', shortCode: '1', value: 300n },
        { id: 'b', shortCode: '2', value: 200n },
      ],
      400n,
    )!;
    expect(answer.lines).toEqual([{ tariffId: 'b', shortCode: '2', value: 200, count: 2 }]);
  });

  it('answers up to 100× the largest tariff by default and refuses above it', () => {
    const table = buildInstructionTable(tariffs);
    expect(table.maxTarget).toBe(30_000);
    expect(table.solve(30_000)!.messages).toBe(100);
    expect(() => table.solve(30_001)).toThrow(expect.objectContaining({ code: 'TARGET_TOO_LARGE' }));
    const small = buildInstructionTable(tariffs, { maxTarget: 1000 });
    expect(small.solve(1000)!.total).toBe(1050);
    expect(() => small.solve(1001)).toThrow(InstructionError);
  });

  it('the one-shot solver sizes its table to the target, so larger targets work too', () => {
    const answer = fewestSms(tariffs, 1_000_000)!;
    expect([answer.messages, answer.total]).toEqual([3334, 1_000_050]);
    checkConsistent(answer, 1_000_000, 'one-shot');
  });

  it('refuses bad input with a typed error', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(InstructionError);
        return (error as InstructionError).code;
      }
      throw new Error('no error thrown');
    };
    const bad = (value: unknown) => [{ id: 'a', shortCode: '1', value }] as InstructionTariff[];
    expect(code(() => fewestSms(bad(1.5), 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms(bad(NaN), 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms(bad('100'), 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms(bad(2 ** 53), 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms(bad(2n ** 60n), 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms(bad(Infinity), 0))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms([{ id: 'a', shortCode: '', value: 5 }], 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms([{ id: '', shortCode: '1', value: 5 }], 10))).toBe('INVALID_TARIFFS');
    expect(
      code(() =>
        fewestSms(
          tariffsOf([5, 6]).map((t) => ({ ...t, id: 'same' })),
          10,
        ),
      ),
    ).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms([null] as unknown as InstructionTariff[], 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms({} as unknown as InstructionTariff[], 10))).toBe('INVALID_TARIFFS');
    expect(code(() => fewestSms(tariffs, 1.5))).toBe('INVALID_TARGET');
    expect(code(() => fewestSms(tariffs, NaN))).toBe('INVALID_TARGET');
    expect(code(() => fewestSms(tariffs, 2n ** 60n))).toBe('INVALID_TARGET');
    expect(code(() => buildInstructionTable(tariffs).solve(Infinity))).toBe('INVALID_TARGET');
    expect(code(() => buildInstructionTable(tariffs, { maxTarget: 0 }))).toBe('INVALID_TARGET');
    expect(code(() => buildInstructionTable(tariffs, { maxTarget: -3 }))).toBe('INVALID_TARGET');
    expect(code(() => buildInstructionTable(tariffsOf([2 ** 40, 2 ** 40 - 1])))).toBe('TABLE_TOO_LARGE');
    expect(code(() => fewestSms(tariffs, 2 ** 40))).toBe('TABLE_TOO_LARGE');
  });
});
