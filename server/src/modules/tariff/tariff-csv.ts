import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { UserError, UserErrorCode, UserFacingError, userError } from '../../common/errors';
import { formatAmount } from '../../common/money';
import { build } from '../../common/orm';
import { recordAudit, type AuditActor } from '../audit';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';
import {
  checkAmounts,
  checkCurrency,
  checkName,
  checkShortCode,
  compareShortCodes,
  normaliseCountryCode,
  parseMoneyField,
  type TariffAmounts,
} from './tariff.service';

/**
 * The tariff CSV: RFC 4180 (comma separated, fields with commas, quotes or line breaks in double quotes, quotes
 * doubled), a header row naming these columns (any order), one active tariff per row. `operator` empty means all
 * operators of the country; `price` is in the country's `currency`, the other amounts in USD; amounts are decimal
 * strings at the currency's scale ("4.99"), never floats. Every row repeats its country's name and currency.
 */
export const CSV_COLUMNS = [
  'country',
  'country_name',
  'currency',
  'operator',
  'short_code',
  'price',
  'price_usd',
  'yield_usd',
  'operator_share_usd',
  'platform_fee_usd',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

/** More bad lines than this are summarised: a file that wrong needs fixing at its source, not line by line. */
const MAX_REPORTED_ERRORS = 100;

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvRecord {
  /** The line the record starts on (1-based); a quoted field may carry it over several lines. */
  line: number;
  fields: string[];
}

/** Splits RFC 4180 text into records. Accepts CRLF, LF or CR line ends and a leading BOM; skips blank lines. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const isLineEnd = (ch: string | undefined) => ch === '\r' || ch === '\n';
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        const opened = line;
        let value = '';
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(opened, 'a quoted field is never closed');
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
          value += ch;
          i++;
        }
        if (i < n && text[i] !== ',' && !isLineEnd(text[i])) {
          throw new CsvSyntaxError(line, 'text follows a closing quote; write a quote inside a quoted field as ""');
        }
        fields.push(value);
      } else {
        const begin = i;
        while (i < n && text[i] !== ',' && !isLineEnd(text[i])) {
          if (text[i] === '"') {
            throw new CsvSyntaxError(
              line,
              'a quote inside an unquoted field; quote the whole field and double the quote',
            );
          }
          i++;
        }
        fields.push(text.slice(begin, i));
      }
      if (text[i] !== ',') break;
      i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (fields.length > 1 || fields[0] !== '') records.push({ line: start, fields });
  }
  return records;
}

/** Joins rows as RFC 4180 text with CRLF line ends, quoting only the fields that need it. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return rows.map((row) => row.map(quote).join(',') + '\r\n').join('');
}

/** Every active tariff as CSV, by country, short code, then operator (the all-operators row first). */
export async function exportTariffsCsv(em: EntityManager): Promise<string> {
  const [countries, operators, tariffs] = await Promise.all([
    em.find(Country, {}),
    em.find(MobileOperator, {}),
    em.find(SmsTariff, { active: true }),
  ]);
  const countryOf = new Map(countries.map((country) => [country.code, country]));
  const operatorName = new Map(operators.map((operator) => [operator.id, operator.name]));
  const rows = tariffs.map((tariff) => {
    const country = countryOf.get(tariff.countryCode)!;
    return [
      country.code,
      country.name,
      tariff.currency,
      tariff.operatorId ? (operatorName.get(tariff.operatorId) ?? '') : '',
      tariff.shortCode,
      formatAmount(tariff.priceMinor, tariff.currency),
      formatAmount(tariff.priceUsdMinor, 'USD'),
      formatAmount(tariff.yieldUsdMinor, 'USD'),
      formatAmount(tariff.operatorShareUsdMinor, 'USD'),
      formatAmount(tariff.platformFeeUsdMinor, 'USD'),
    ];
  });
  rows.sort(
    (a, b) =>
      compare(a[0], b[0]) ||
      compareShortCodes(a[4], b[4]) ||
      Number(a[3] !== '') - Number(b[3] !== '') ||
      compare(a[3].toLowerCase(), b[3].toLowerCase()),
  );
  return formatCsv([[...CSV_COLUMNS], ...rows]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface CsvTariffRow {
  line: number;
  country: string;
  countryName: string;
  currency: string;
  operator: string | null;
  shortCode: string;
  amounts: TariffAmounts;
}

export interface TariffImportSummary {
  /** Data rows in the file. */
  rows: number;
  created: number;
  /** Existing tariffs whose amounts changed, or that were inactive and are active again. */
  updated: number;
  unchanged: number;
  /** Active tariffs missing from the file, deactivated because the import replaced the catalogue. */
  deactivated: number;
  countriesCreated: number;
  countriesUpdated: number;
  /** SHA-256 of the file as received, so an audit event names exactly what was imported. */
  sha256: string;
}

const AMOUNT_COLUMNS: Record<keyof TariffAmounts, Column> = {
  priceMinor: 'price',
  priceUsdMinor: 'price_usd',
  yieldUsdMinor: 'yield_usd',
  operatorShareUsdMinor: 'operator_share_usd',
  platformFeeUsdMinor: 'platform_fee_usd',
};
const AMOUNT_FIELDS = Object.fromEntries(
  Object.entries(AMOUNT_COLUMNS).map(([key, column]) => [key, [column]]),
) as Record<keyof TariffAmounts, string[]>;

/** A problem on one line, as the payload reports it: field ["input", "csv", "line 7"]. */
function lineError(line: number, message: string, code = UserErrorCode.INVALID): UserError {
  return userError(code, `line ${line}: ${message}`, ['input', 'csv', `line ${line}`]);
}

/** One data row to a tariff; the checks name the column (their `field`), which the caller turns into the line. */
function readRow(line: number, cell: (column: Column) => string): CsvTariffRow {
  const country = normaliseCountryCode(cell('country'), ['country']);
  const countryName = checkName(cell('country_name'), ['country_name'], 'country', 100);
  const currency = checkCurrency(cell('currency'), ['currency']);
  const operator = cell('operator').trim() ? checkName(cell('operator'), ['operator'], 'operator', 60) : null;
  const shortCode = checkShortCode(cell('short_code'), ['short_code']);
  const money = (key: keyof TariffAmounts, of: string) =>
    parseMoneyField(cell(AMOUNT_COLUMNS[key]), of, [AMOUNT_COLUMNS[key]]);
  const amounts: TariffAmounts = {
    priceMinor: money('priceMinor', currency),
    priceUsdMinor: money('priceUsdMinor', 'USD'),
    yieldUsdMinor: money('yieldUsdMinor', 'USD'),
    operatorShareUsdMinor: money('operatorShareUsdMinor', 'USD'),
    platformFeeUsdMinor: money('platformFeeUsdMinor', 'USD'),
  };
  checkAmounts(amounts, AMOUNT_FIELDS);
  return { line, country, countryName, currency, operator, shortCode, amounts };
}

const keyOf = (country: string, operatorName: string | null, shortCode: string) =>
  `${country}|${(operatorName ?? '').toLowerCase()}|${shortCode}`;

/**
 * Checks the whole file before touching anything: the header, then every row on its own (one error per bad line,
 * naming the column), then across rows (a country's name and currency agree, no tariff twice), then against the
 * stored catalogue (a currency change must not strand active tariffs in the old currency).
 */
async function validateCsv(
  em: EntityManager,
  csv: string,
  replace: boolean,
): Promise<{ rows: CsvTariffRow[]; errors: UserError[] }> {
  let records: CsvRecord[];
  try {
    records = parseCsv(csv);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { rows: [], errors: [lineError(error.line, error.message)] };
    throw error;
  }
  const [header, ...data] = records;
  const expected = `the header row must name the columns ${CSV_COLUMNS.join(',')}`;
  if (!header)
    return {
      rows: [],
      errors: [userError(UserErrorCode.REQUIRED, `the file is empty; ${expected}`, ['input', 'csv'])],
    };
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter((column) => !names.includes(column));
  const unknown = names.filter(
    (name, index) => !(CSV_COLUMNS as readonly string[]).includes(name) || names.indexOf(name) !== index,
  );
  if (missing.length || unknown.length) {
    const problems = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      unknown.length ? `unknown or repeated ${unknown.map((n) => `"${n}"`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return { rows: [], errors: [lineError(header.line, `${expected} (${problems})`)] };
  }
  const position = new Map(names.map((name, index) => [name, index]));

  const errors: UserError[] = [];
  const rows: CsvTariffRow[] = [];
  for (const record of data) {
    if (record.fields.length !== CSV_COLUMNS.length) {
      errors.push(lineError(record.line, `expected ${CSV_COLUMNS.length} fields, found ${record.fields.length}`));
      continue;
    }
    try {
      rows.push(readRow(record.line, (column) => record.fields[position.get(column)!]));
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      errors.push(lineError(record.line, `${error.field?.[0] ?? 'row'}: ${error.message}`, error.code));
    }
  }

  const firstOfCountry = new Map<string, CsvTariffRow>();
  const seen = new Map<string, number>();
  for (const row of rows) {
    const first = firstOfCountry.get(row.country);
    if (!first) firstOfCountry.set(row.country, row);
    else if (first.countryName !== row.countryName || first.currency !== row.currency) {
      errors.push(
        lineError(
          row.line,
          `${row.country} is "${first.countryName}" in ${first.currency} on line ${first.line}; every row of a country ` +
            `must give the same name and currency`,
        ),
      );
    }
    const key = keyOf(row.country, row.operator, row.shortCode);
    const duplicate = seen.get(key);
    if (duplicate) {
      errors.push(
        lineError(row.line, `repeats the tariff on line ${duplicate} (same country, operator and short code)`),
      );
    } else seen.set(key, row.line);
  }

  // A country changing currency: without replace, every active tariff it has must be re-priced by this file.
  const stored = await em.find(Country, { code: { $in: [...firstOfCountry.keys()] } });
  for (const country of stored) {
    const first = firstOfCountry.get(country.code)!;
    if (replace || first.currency === country.currency) continue;
    const [active, operators] = await Promise.all([
      em.find(SmsTariff, { countryCode: country.code, active: true }),
      em.find(MobileOperator, { countryCode: country.code }),
    ]);
    const operatorName = new Map(operators.map((operator) => [operator.id, operator.name]));
    const left = active.filter(
      (t) => !seen.has(keyOf(t.countryCode, t.operatorId ? operatorName.get(t.operatorId)! : null, t.shortCode)),
    );
    if (left.length) {
      errors.push(
        lineError(
          first.line,
          `${country.code} is priced in ${country.currency} and this file leaves out ${left.length} of its active ` +
            `tariffs (e.g. ${left[0].shortCode}); include them all, or import with replace, to change its currency ` +
            `to ${first.currency}`,
        ),
      );
    }
  }

  errors.sort((a, b) => lineNumber(a) - lineNumber(b));
  if (errors.length > MAX_REPORTED_ERRORS) {
    const more = errors.length - MAX_REPORTED_ERRORS;
    errors.splice(
      MAX_REPORTED_ERRORS,
      more,
      userError(UserErrorCode.INVALID, `and ${more} more bad lines`, ['input', 'csv']),
    );
  }
  return { rows, errors };
}

function lineNumber(error: UserError): number {
  return Number(/^line (\d+)$/.exec(error.field?.[2] ?? '')?.[1] ?? 0);
}

/**
 * Imports a tariff CSV with its audit event, in one transaction: the file applies as a whole or, on any failure, not
 * at all. If any line is bad, nothing is changed and the errors come back instead.
 */
export async function importTariffsCsv(
  em: EntityManager,
  actor: AuditActor,
  csv: string,
  options: { replace?: boolean } = {},
): Promise<{ summary: Omit<TariffImportSummary, 'sha256'>; errors: [] } | { summary: null; errors: UserError[] }> {
  const replace = options.replace ?? false;
  return em.transactional(async (tx) => {
    const result = await applyTariffsCsv(tx, csv, { replace });
    if (!result.summary) return result;
    const { sha256, ...counts } = result.summary;
    recordAudit(tx, actor, {
      action: 'tariff.importCsv',
      merchantId: null,
      details: { ...counts, replace, fileSha256: sha256 },
    });
    return { summary: counts, errors: [] };
  });
}

/**
 * Applies a tariff CSV to `em`, inside the caller's transaction. Upserts every row by (country, operator, short
 * code), creating countries and operators as needed and activating the rows; with `replace`, active tariffs the file
 * does not list are deactivated. Countries' active flags are left alone. If any line is bad, nothing is changed and
 * the errors come back instead.
 */
async function applyTariffsCsv(
  em: EntityManager,
  csv: string,
  options: { replace?: boolean } = {},
): Promise<{ summary: TariffImportSummary; errors: [] } | { summary: null; errors: UserError[] }> {
  const replace = options.replace ?? false;
  const { rows, errors } = await validateCsv(em, csv, replace);
  if (errors.length) return { summary: null, errors };

  const now = new Date();
  const summary: TariffImportSummary = {
    rows: rows.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    deactivated: 0,
    countriesCreated: 0,
    countriesUpdated: 0,
    sha256: createHash('sha256').update(csv).digest('hex'),
  };

  const codes = [...new Set(rows.map((row) => row.country))];
  const countries = new Map((await em.find(Country, { code: { $in: codes } })).map((c) => [c.code, c]));
  for (const row of rows) {
    const country = countries.get(row.country);
    if (!country) {
      const created = build(Country, { code: row.country, name: row.countryName, currency: row.currency });
      em.persist(created);
      countries.set(created.code, created);
      summary.countriesCreated++;
    } else if (country.name !== row.countryName || country.currency !== row.currency) {
      Object.assign(country, { name: row.countryName, currency: row.currency, updatedAt: now });
      summary.countriesUpdated++;
    }
  }

  const operators = new Map(
    (await em.find(MobileOperator, { countryCode: { $in: codes } })).map((o) => [
      `${o.countryCode}|${o.name.toLowerCase()}`,
      o,
    ]),
  );
  const operatorFor = (row: CsvTariffRow): MobileOperator | null => {
    if (!row.operator) return null;
    const key = `${row.country}|${row.operator.toLowerCase()}`;
    let operator = operators.get(key);
    if (!operator) {
      operator = build(MobileOperator, { countryCode: row.country, name: row.operator });
      em.persist(operator);
      operators.set(key, operator);
    }
    return operator;
  };

  // Replacing looks at every stored tariff; otherwise only the countries in the file can be touched.
  const stored = await em.find(SmsTariff, replace ? {} : { countryCode: { $in: codes } });
  const storedByKey = new Map(stored.map((t) => [`${t.countryCode}|${t.operatorId ?? ''}|${t.shortCode}`, t]));
  const touched = new Set<SmsTariff>();
  for (const row of rows) {
    const operator = operatorFor(row);
    const existing = storedByKey.get(`${row.country}|${operator?.id ?? ''}|${row.shortCode}`);
    if (!existing) {
      const tariff = build(SmsTariff, {
        countryCode: row.country,
        operatorId: operator?.id ?? null,
        shortCode: row.shortCode,
        currency: row.currency,
        ...row.amounts,
      });
      em.persist(tariff);
      summary.created++;
      continue;
    }
    touched.add(existing);
    const same =
      existing.active &&
      existing.currency === row.currency &&
      (Object.keys(row.amounts) as (keyof TariffAmounts)[]).every((key) => existing[key] === row.amounts[key]);
    if (same) {
      summary.unchanged++;
      continue;
    }
    Object.assign(existing, { ...row.amounts, currency: row.currency, active: true, updatedAt: now });
    summary.updated++;
  }
  if (replace) {
    for (const tariff of stored) {
      if (tariff.active && !touched.has(tariff)) {
        Object.assign(tariff, { active: false, updatedAt: now });
        summary.deactivated++;
      }
    }
  }
  return { summary, errors: [] };
}
