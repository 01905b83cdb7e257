import type { EntityManager } from '@mikro-orm/core';
import { buildInstructionTable, InstructionError, type InstructionTable, type InstructionTariff } from '../instruction';
import { Country } from '../tariff';
import { SmsTariff } from '../tariff';
import { VoucherPricing, type InstructionSnapshot } from './voucher.entity';

/**
 * The fewest-SMS instruction for a voucher (seeds V3, V4), from the exact solver in modules/instruction.
 *
 * What one SMS counts for is what the SMS rails will credit: in PRICE mode the payer's USD price, in NET mode the
 * seller's USD yield. A short code may have several rows (one per operator) and the rails value an SMS by its
 * operator's row, so the solver gets each short code's *lowest* value: whichever operator the payer is on, the
 * instruction's SMS reach the price (never undershoots). The payer is shown the highest local price, the most the
 * SMS may cost them.
 */

/** Beyond this many SMS a country is not offered: nobody sends 40 premium SMS for one voucher. */
export const MAX_SMS_PER_PAYMENT = 20;
/** Tables kept (per country, mode and tariff version); the least recently used go first. */
const MAX_TABLES = 256;

/**
 * One table per (country, mode, tariff version), built on first use. The key holds the values themselves, so any
 * tariff change makes a new key, hence a rebuild, and the stale table simply ages out: no invalidation to forget,
 * and it holds across processes (each builds its own from the same rows).
 */
const tables = new Map<string, InstructionTable>();
let builds = 0;

/** How many tables this process has built (tests check that quotes reuse them). */
export function instructionTableBuilds(): number {
  return builds;
}

function tableFor(country: string, mode: VoucherPricing, tariffs: InstructionTariff[]): InstructionTable {
  const key = `${country}|${mode}|${tariffs.map((t) => `${t.shortCode}=${String(t.value)}`).join(',')}`;
  let table = tables.get(key);
  if (table) {
    tables.delete(key); // re-inserted below: the Map's order is the recency order
  } else {
    table = buildInstructionTable(tariffs);
    builds++;
    if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
  }
  tables.set(key, table);
  return table;
}

interface ShortCodeTariff {
  shortCode: string;
  /** What one SMS counts for at least, by mode (US cents). */
  value: bigint;
  /** The highest local price and USD price among the operators' rows. */
  priceMinor: bigint;
  priceUsdMinor: bigint;
  currency: string;
}

/** A country's rows folded per short code as described above (pure). Same rows as the rails: active, local currency. */
export function foldForMode(country: Country, rows: readonly SmsTariff[], mode: VoucherPricing): ShortCodeTariff[] {
  const byCode = new Map<string, ShortCodeTariff>();
  for (const row of rows) {
    if (!row.active || row.countryCode !== country.code || row.currency !== country.currency) continue;
    const value = mode === VoucherPricing.PRICE ? row.priceUsdMinor : row.yieldUsdMinor;
    const seen = byCode.get(row.shortCode);
    if (!seen) {
      byCode.set(row.shortCode, {
        shortCode: row.shortCode,
        value,
        priceMinor: row.priceMinor,
        priceUsdMinor: row.priceUsdMinor,
        currency: row.currency,
      });
    } else {
      if (value < seen.value) seen.value = value;
      if (row.priceMinor > seen.priceMinor) seen.priceMinor = row.priceMinor;
      if (row.priceUsdMinor > seen.priceUsdMinor) seen.priceUsdMinor = row.priceUsdMinor;
    }
  }
  return [...byCode.values()].sort((a, b) => (a.shortCode < b.shortCode ? -1 : a.shortCode > b.shortCode ? 1 : 0));
}

export interface CountryQuote {
  country: Country;
  lines: InstructionSnapshot[];
  messages: number;
  /** What the payer pays at most, in the local currency (minor units). */
  totalPriceMinor: bigint;
  totalPriceUsdMinor: bigint;
}

/**
 * The fewest-SMS instruction for `target` US cents in each active country of `codes` (all active countries when
 * empty) that can pay it, by country name. Countries whose tariffs cannot reach the target, or only with more than
 * MAX_SMS_PER_PAYMENT SMS, are left out (seed B4).
 */
export async function quoteCountries(
  em: EntityManager,
  input: { target: bigint; mode: VoucherPricing; codes: readonly string[] },
): Promise<CountryQuote[]> {
  const countries = await em.find(Country, {
    active: true,
    ...(input.codes.length ? { code: { $in: [...input.codes] } } : {}),
  });
  if (!countries.length) return [];
  const rows = await em.find(SmsTariff, { active: true, countryCode: { $in: countries.map((c) => c.code) } });
  // One pass over the tariffs, not one per country: an imported catalogue has hundreds of each.
  const rowsByCountry = new Map<string, SmsTariff[]>();
  for (const row of rows) {
    const list = rowsByCountry.get(row.countryCode);
    if (list) list.push(row);
    else rowsByCountry.set(row.countryCode, [row]);
  }
  const quotes: CountryQuote[] = [];
  for (const country of countries) {
    const folded = foldForMode(country, rowsByCountry.get(country.code) ?? [], input.mode);
    const quote = solveFor(country, folded, input.target, input.mode);
    if (quote) quotes.push(quote);
  }
  return quotes.sort((a, b) => a.country.name.localeCompare(b.country.name, 'en'));
}

function solveFor(
  country: Country,
  folded: ShortCodeTariff[],
  target: bigint,
  mode: VoucherPricing,
): CountryQuote | null {
  const usable = folded.filter((t) => t.value > 0n);
  if (!usable.length) return null;
  // One solver tariff per short code; its id is the short code, so a line maps straight back.
  const table = tableFor(
    country.code,
    mode,
    usable.map((t) => ({ id: t.shortCode, shortCode: t.shortCode, value: t.value })),
  );
  if (target > BigInt(table.maxTarget)) return null;
  let solution;
  try {
    solution = table.solve(target);
  } catch (error) {
    if (error instanceof InstructionError) return null;
    throw error;
  }
  if (!solution || solution.messages > MAX_SMS_PER_PAYMENT) return null;
  const byCode = new Map(usable.map((t) => [t.shortCode, t]));
  const lines = solution.lines.map((line): InstructionSnapshot => {
    const tariff = byCode.get(line.shortCode)!;
    return {
      shortCode: line.shortCode,
      count: line.count,
      value: line.value,
      priceMinor: tariff.priceMinor.toString(),
      currency: tariff.currency,
      priceUsdMinor: tariff.priceUsdMinor.toString(),
    };
  });
  return {
    country,
    lines,
    messages: solution.messages,
    totalPriceMinor: lines.reduce((sum, l) => sum + BigInt(l.priceMinor) * BigInt(l.count), 0n),
    totalPriceUsdMinor: lines.reduce((sum, l) => sum + BigInt(l.priceUsdMinor) * BigInt(l.count), 0n),
  };
}

/** The instruction's SMS one by one, in order: "SMS 1 of 3 to 1096", … */
export function expandInstruction(lines: readonly InstructionSnapshot[]): InstructionSnapshot[] {
  return lines.flatMap((line) => Array.from({ length: line.count }, () => line));
}
