/**
 * The fewest-SMS payment instruction (seeds V3, V4; bench P5): for one country's tariffs and a target amount, the
 * multiset of SMS whose total is at least the target, chosen by, in order:
 *   1. the fewest messages;
 *   2. the smallest overpayment (total − target);
 *   3. the fewest distinct short codes;
 *   4. a deterministic tie-break: the most SMS of the first tariff in canonical order, then of the second, … (the
 *      lexicographically greatest count vector). Canonical order: short codes by their highest value, descending,
 *      then by short code (shorter first, then by digits); within one short code, by value descending, then by id.
 *      With one tariff per short code (the usual case) that simply reads "prefer the higher-valued tariffs".
 *
 * Pure: no entities, no database. The caller picks which value counts (PRICE mode: the payer's USD price; YIELD
 * mode: the merchant's yield), builds a table once per tariff version and asks it many quotes.
 *
 * Amounts are integers in minor units, passed as safe-integer numbers or bigints (converted exactly, refused when
 * outside Number's safe range) and returned as numbers: the sums involved stay far below 2^53.
 *
 * ## Why it is exact
 * Let g be the gcd of the values; every total is a multiple of g, so the table works in units of g (target ⌈T/g⌉).
 *
 * Window: an optimal total S satisfies T ≤ S < T + vmax. If S ≥ T + v for some message v in it, dropping that
 * message still reaches T with one message fewer. So a table of exact totals up to maxTarget + vmax − 1 answers every
 * target up to maxTarget: any total beyond T's window needs strictly more messages than the window's best.
 *
 * Per exact total s, the table holds the lexicographic minimum of (messages, distinct short codes) over all multisets
 * summing to s. "Distinct short codes" is not additive over messages, but it is additive over short codes: a multiset
 * is a choice of counts per tariff, each short code contributes its message count plus 1 if any of its tariffs is
 * used. So a dynamic programme over the tariffs, one layer per tariff (the tariffs of one short code adjacent, with a
 * flag "this short code is already used"), minimises the sum exactly: lexicographic order on (messages, distinct)
 * pairs is preserved by adding a pair, so the principle of optimality holds. The pair is packed as
 * messages × K + distinct with K > number of short codes, so one integer comparison orders it.
 *
 * Layers run from the last tariff in canonical order to the first, and each keeps one choice byte per total. A quote
 * reads the smallest total s ≥ T with the fewest messages from a precomputed array (rules 1, 2; rule 3 is then the
 * table's minimum for s), and walks the layers forward, taking at every layer the most SMS of that tariff that still
 * complete an optimal multiset (the programme breaks ties towards "use it" and "one more"). That is rule 4 exactly:
 * a multiset's key is its prefix's key plus the rest's, so once the earlier counts are fixed, the optimal multisets
 * are exactly those whose rest is optimal for what is left, which is what the next layer holds. Cost per quote:
 * O(1) + O(tariffs + messages). Memory per table: tariffs × span bytes + 4 × maxTarget / g bytes (about 5 MB for
 * 40 tariffs up to $12 and targets up to 100× that, in cents).
 *
 * Targets above the table's maxTarget (default 100 × the largest value, the requirement) are refused with
 * TARGET_TOO_LARGE rather than answered approximately; build a larger table, or use `fewestSms`, for more.
 */

export interface InstructionTariff {
  id: string;
  /** The number the payer sends the SMS to. Tariffs sharing a short code count as one code for rule 3. */
  shortCode: string;
  /** The amount that counts, in minor units. Values ≤ 0 are ignored: they can never help reach a target. */
  value: number | bigint;
}

export interface InstructionLine {
  tariffId: string;
  shortCode: string;
  value: number;
  /** How many SMS of this tariff to send (≥ 1). */
  count: number;
}

export interface Instruction {
  /** Canonical order (see the module comment); empty when the target is ≤ 0. */
  lines: InstructionLine[];
  messages: number;
  total: number;
  /** total − target; never negative for a positive target. */
  overpayment: number;
  /** How many distinct short codes the lines use. */
  shortCodes: number;
}

export interface InstructionTable {
  /** The largest target this table answers; 0 when it has no usable tariff. */
  readonly maxTarget: number;
  /** Null when no tariff has a positive value (and the target is positive). */
  solve(target: number | bigint): Instruction | null;
}

export type InstructionErrorCode = 'INVALID_TARIFFS' | 'INVALID_TARGET' | 'TARGET_TOO_LARGE' | 'TABLE_TOO_LARGE';

/** Bad input or a target the table was not built for; the voucher product maps the code to its user errors. */
export class InstructionError extends Error {
  constructor(
    readonly code: InstructionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InstructionError';
  }
}

/** Default table reach, as a multiple of the largest value: the issue requires targets up to 100× it. */
export const DEFAULT_TARGET_FACTOR = 100;
/** Totals one table spans (in units of the gcd): bounds the working arrays (5 × 4 bytes each). */
export const MAX_SPAN = 2 ** 23;
/** Tariffs × span: bounds the table kept per tariff version (one byte each). */
export const MAX_CELLS = 2 ** 26;

// Choice bits per (tariff layer, total), read back by a quote's walk.
const USE_FREE = 1; // best with this short code not yet used: takes ≥ 1 SMS of this tariff
const USE_PAID = 2; // best with this short code already used: takes ≥ 1 SMS of this tariff
const ONE_MORE = 4; // in the "≥ 1 SMS of this tariff" chain: the previous step also took this tariff
/** Unreachable. Reachable keys stay below span × K ≤ 2^27, so adding a few K never wraps an Int32. */
const INF = 2 ** 30;

interface Tariff {
  id: string;
  shortCode: string;
  value: number;
  /** value / gcd */
  units: number;
}

/** The table for one tariff version: build it when the tariffs change, then `solve` each quote from it. */
export function buildInstructionTable(
  tariffs: readonly InstructionTariff[],
  options: { maxTarget?: number | bigint } = {},
): InstructionTable {
  const usable = canonical(validateTariffs(tariffs));
  if (!usable.length) {
    if (options.maxTarget !== undefined) positiveAmount(options.maxTarget, 'maxTarget');
    return {
      maxTarget: 0,
      solve(input) {
        const target = amount(input, 'target');
        return target <= 0 ? empty(target) : null;
      },
    };
  }
  const largest = Math.max(...usable.map((t) => t.value));
  const maxTarget =
    options.maxTarget === undefined ? largest * DEFAULT_TARGET_FACTOR : positiveAmount(options.maxTarget, 'maxTarget');
  if (!Number.isSafeInteger(maxTarget + largest))
    throw new InstructionError('TABLE_TOO_LARGE', `maxTarget ${maxTarget} is too large`);

  const unit = usable.reduce((g, t) => gcd(g, t.value), 0);
  for (const t of usable) t.units = t.value / unit;
  const maxUnits = Math.ceil(maxTarget / unit);
  const span = maxUnits + largest / unit; // exact totals 0 … maxUnits + vmax − 1, in units
  if (span > MAX_SPAN || span * usable.length > MAX_CELLS)
    throw new InstructionError(
      'TABLE_TOO_LARGE',
      `a table for targets up to ${maxTarget} with ${usable.length} tariffs spans ${span} totals (limits: ` +
        `${MAX_SPAN} totals, ${MAX_CELLS} totals × tariffs); lower maxTarget`,
    );

  const n = usable.length;
  // Tariffs of one short code are adjacent (canonical order); `sameNext[i]`: tariff i + 1 shares i's short code.
  const sameNext = usable.map((t, i) => i + 1 < n && usable[i + 1].shortCode === t.shortCode);
  const codes = usable.filter((t, i) => i === 0 || !sameNext[i - 1]).length;
  const K = codes + 1; // key = messages × K + distinct short codes

  // free[s] / paid[s]: best key for exact total s using tariffs i…n−1, with tariff i's short code not yet used / already
  // used by an earlier tariff (only needed when the previous tariff shares the code). chain[s]: same, given ≥ 1 SMS
  // of tariff i (its short code then counts as used for the rest of the layer).
  let free = new Int32Array(span).fill(INF);
  let paid = new Int32Array(span).fill(INF);
  let nextFree = new Int32Array(span);
  let nextPaid = new Int32Array(span);
  const chain = new Int32Array(span);
  free[0] = 0;
  paid[0] = 0;
  const choices = new Uint8Array(span * n);
  for (let i = n - 1; i >= 0; i--) {
    const v = usable[i].units;
    const needPaid = i > 0 && sameNext[i - 1];
    // After ≥ 1 SMS of tariff i: the next layer sees this short code as used if it shares it, else a fresh code.
    const after = sameNext[i] ? paid : free;
    const row = i * span;
    for (let s = 0; s < v && s < span; s++) {
      chain[s] = INF;
      nextFree[s] = free[s];
      if (needPaid) nextPaid[s] = after[s];
    }
    if (needPaid) relaxShared(v, K, span, after, free, chain, nextFree, nextPaid, choices, row);
    else relax(v, K, span, after, free, chain, nextFree, choices, row);
    [free, nextFree] = [nextFree, free];
    if (needPaid) [paid, nextPaid] = [nextPaid, paid];
  }

  const best = bestTotals(free, K, span, maxUnits);

  const counts = new Int32Array(n);
  return {
    maxTarget,
    solve(input) {
      const target = amount(input, 'target');
      if (target <= 0) return empty(target);
      if (target > maxTarget)
        throw new InstructionError(
          'TARGET_TOO_LARGE',
          `target ${target} is above this table's maximum ${maxTarget}; build a table with a larger maxTarget`,
        );
      let s = best[Math.ceil(target / unit)];
      let used = false; // the current tariff's short code is already used by an earlier tariff
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const row = i * span;
        const v = usable[i].units;
        if (choices[row + s] & (used ? USE_PAID : USE_FREE)) {
          let more: number;
          do {
            more = choices[row + s] & ONE_MORE;
            counts[i]++;
            s -= v;
          } while (more);
          used = true;
        }
        if (!sameNext[i]) used = false;
      }
      if (s !== 0) throw new Error(`instruction table walk ended at ${s}, not 0`); // a bug, never bad input
      const lines: InstructionLine[] = [];
      let messages = 0;
      let total = 0;
      let shortCodes = 0;
      for (let i = 0; i < n; i++) {
        if (!counts[i]) continue;
        const t = usable[i];
        if (!lines.length || lines[lines.length - 1].shortCode !== t.shortCode) shortCodes++;
        lines.push({ tariffId: t.id, shortCode: t.shortCode, value: t.value, count: counts[i] });
        messages += counts[i];
        total += counts[i] * t.value;
      }
      return { lines, messages, total, overpayment: total - target, shortCodes };
    },
  };
}

/**
 * One layer of the programme for a tariff whose short code no earlier tariff shares (the usual case): the hot loop of
 * a rebuild, in a function of its own so the JIT optimises it within the first build rather than after several.
 */
function relax(
  v: number,
  K: number,
  span: number,
  after: Int32Array,
  free: Int32Array,
  chain: Int32Array,
  nextFree: Int32Array,
  choices: Uint8Array,
  row: number,
): void {
  for (let s = v; s < span; s++) {
    const stop = after[s - v];
    const more = chain[s - v];
    let bits = 0;
    let c: number;
    // Rule 4: on a tie, one more SMS of this tariff rather than stopping, and using it rather than not.
    if (more <= stop) {
      c = more + K;
      bits = ONE_MORE;
    } else c = stop + K;
    chain[s] = c;
    const skip = free[s];
    if (c + 1 <= skip) {
      nextFree[s] = c + 1;
      bits |= USE_FREE;
    } else nextFree[s] = skip;
    choices[row + s] = bits;
  }
}

/** The same, for a tariff whose short code the previous tariff shares: also keeps `paid` for that one. */
function relaxShared(
  v: number,
  K: number,
  span: number,
  after: Int32Array,
  free: Int32Array,
  chain: Int32Array,
  nextFree: Int32Array,
  nextPaid: Int32Array,
  choices: Uint8Array,
  row: number,
): void {
  for (let s = v; s < span; s++) {
    const stop = after[s - v];
    const more = chain[s - v];
    let bits = 0;
    let c: number;
    if (more <= stop) {
      c = more + K;
      bits = ONE_MORE;
    } else c = stop + K;
    chain[s] = c;
    const skip = free[s];
    if (c + 1 <= skip) {
      nextFree[s] = c + 1;
      bits |= USE_FREE;
    } else nextFree[s] = skip;
    const skipPaid = after[s];
    if (c <= skipPaid) {
      nextPaid[s] = c;
      bits |= USE_PAID;
    } else nextPaid[s] = skipPaid;
    choices[row + s] = bits;
  }
}

/**
 * best[t] (t = 1 … maxUnits): the smallest total ≥ t with the fewest messages, from each total's best key (distinct
 * short codes are already minimal per total). Scanning down from the top of the table is enough by the window
 * argument.
 */
function bestTotals(keys: Int32Array, K: number, span: number, maxUnits: number): Int32Array {
  const best = new Int32Array(maxUnits + 1);
  let bestTotal = -1;
  let bestMessages = Infinity;
  for (let s = span - 1; s >= 1; s--) {
    const key = keys[s];
    if (key < INF) {
      const messages = Math.floor(key / K);
      if (messages <= bestMessages) {
        bestMessages = messages;
        bestTotal = s;
      }
    }
    if (s <= maxUnits) best[s] = bestTotal;
  }
  return best;
}

/** One quote without keeping a table: builds one just big enough for `target`, so any size within the limits. */
export function fewestSms(tariffs: readonly InstructionTariff[], target: number | bigint): Instruction | null {
  validateTariffs(tariffs);
  const amountTarget = amount(target, 'target');
  if (amountTarget <= 0) return empty(amountTarget);
  return buildInstructionTable(tariffs, { maxTarget: amountTarget }).solve(amountTarget);
}

function empty(target: number): Instruction {
  return { lines: [], messages: 0, total: 0, overpayment: 0 - target, shortCodes: 0 };
}

/** The usable tariffs (value > 0), checked: ids unique, short codes non-empty, values safe integers. */
function validateTariffs(input: readonly InstructionTariff[]): Tariff[] {
  // Checked as unknown: callers may hand over data that only claims to be tariffs (a parsed form, a cache).
  const tariffs: unknown = input;
  if (!Array.isArray(tariffs)) throw new InstructionError('INVALID_TARIFFS', 'tariffs must be an array');
  const ids = new Set<string>();
  const usable: Tariff[] = [];
  for (const [index, item] of (tariffs as unknown[]).entries()) {
    const where = `tariffs[${index}]`;
    if (typeof item !== 'object' || item === null)
      throw new InstructionError('INVALID_TARIFFS', `${where} is not a tariff`);
    const tariff = item as Record<keyof InstructionTariff, unknown>;
    if (typeof tariff.id !== 'string' || !tariff.id)
      throw new InstructionError('INVALID_TARIFFS', `${where}.id must be a non-empty string`);
    if (ids.has(tariff.id)) throw new InstructionError('INVALID_TARIFFS', `${where}.id "${tariff.id}" is repeated`);
    ids.add(tariff.id);
    if (typeof tariff.shortCode !== 'string' || !tariff.shortCode)
      throw new InstructionError('INVALID_TARIFFS', `${where}.shortCode must be a non-empty string`);
    const value = toSafeInteger(tariff.value);
    if (value === null)
      throw new InstructionError('INVALID_TARIFFS', `${where}.value must be a safe integer (minor units)`);
    if (value > 0) usable.push({ id: tariff.id, shortCode: tariff.shortCode, value, units: 0 });
  }
  return usable;
}

/** Sorts into canonical order (see the module comment), which keeps the tariffs of one short code adjacent. */
function canonical(tariffs: Tariff[]): Tariff[] {
  const highest = new Map<string, number>();
  for (const t of tariffs) highest.set(t.shortCode, Math.max(highest.get(t.shortCode) ?? 0, t.value));
  return tariffs.sort(
    (a, b) =>
      highest.get(b.shortCode)! - highest.get(a.shortCode)! ||
      compareText(a.shortCode.length, b.shortCode.length) ||
      compareText(a.shortCode, b.shortCode) ||
      b.value - a.value ||
      compareText(a.id, b.id),
  );
}

function compareText<T extends string | number>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function amount(value: number | bigint, name: 'target'): number {
  const result = toSafeInteger(value);
  if (result === null)
    throw new InstructionError('INVALID_TARGET', `${name} must be a safe integer (minor units), got ${String(value)}`);
  return result;
}

function positiveAmount(value: number | bigint, name: 'maxTarget'): number {
  const result = toSafeInteger(value);
  if (result === null || result <= 0)
    throw new InstructionError('INVALID_TARGET', `${name} must be a positive safe integer, got ${String(value)}`);
  return result;
}

function toSafeInteger(value: unknown): number | null {
  if (typeof value === 'bigint') {
    const result = Number(value);
    return Number.isSafeInteger(result) && BigInt(result) === value ? result : null;
  }
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
