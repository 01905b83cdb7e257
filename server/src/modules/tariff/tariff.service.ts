import type { EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { formatAmount, isCurrency, MoneyError, parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { flushAudited, type AuditActor } from '../audit';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';

/** PRICE: the amount is what the payer pays (USD). YIELD: the amount is what the merchant must receive (USD). */
export type QuoteMode = 'PRICE' | 'YIELD';

/** A tariff's money in minor units: `priceMinor` in the local currency, the rest in US cents. */
export interface TariffAmounts {
  priceMinor: bigint;
  priceUsdMinor: bigint;
  yieldUsdMinor: bigint;
  operatorShareUsdMinor: bigint;
  platformFeeUsdMinor: bigint;
}

/**
 * A short code's tariff as a payer meets it, whatever their operator: the country's rows for that short code folded
 * to the highest price and the lowest yield, so a quote never asks a payer for too little.
 */
export interface EffectiveTariff {
  countryCode: string;
  shortCode: string;
  /** The country's local currency, of `priceMinor`. */
  currency: string;
  /** Highest local price among the operators' rows. */
  priceMinor: bigint;
  /** Highest USD price among the operators' rows (cents): the most the SMS can cost the payer. */
  priceUsdMinor: bigint;
  /**
   * Lowest USD price among the operators' rows (cents). When the amount is what the payer pays (PRICE mode), this
   * must reach it: a payer on the cheapest operator would otherwise pay less than asked.
   */
  lowestPriceUsdMinor: bigint;
  /** Lowest merchant yield among the operators' rows (US cents). */
  yieldUsdMinor: bigint;
  /** Whether the operators' rows differ in price or yield. */
  variesByOperator: boolean;
}

export interface SmsQuoteOption {
  country: Country;
  tariff: EffectiveTariff;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation, shared by the admin mutations and the CSV import. Each check throws UserFacingError naming `field`.

export function normaliseCountryCode(value: string, field: string[]): string {
  const code = value.trim().toUpperCase();
  if (!code) throw new UserFacingError(UserErrorCode.REQUIRED, 'give the country code', field);
  if (!/^[A-Z]{2}$/.test(code)) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `"${value}" is not an ISO 3166-1 alpha-2 country code (two letters, e.g. "DE")`,
      field,
    );
  }
  return code;
}

/** Names end up in CSV files opened in spreadsheets, so formula-like starts are refused along with line breaks. */
export function checkName(value: string, field: string[], what: string, max: number): string {
  const name = value.trim();
  if (!name) throw new UserFacingError(UserErrorCode.REQUIRED, `give the ${what} name`, field);
  if (name.length > max) throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${max} characters`, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'a name cannot contain line breaks or control characters', field);
  }
  if (/^[=+\-@]/.test(name)) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      'a name cannot start with =, +, - or @ (spreadsheet formulas)',
      field,
    );
  }
  return name;
}

export function checkCurrency(value: string, field: string[]): string {
  const currency = value.trim().toUpperCase();
  if (!isCurrency(currency)) {
    throw new UserFacingError(UserErrorCode.INVALID, `"${value}" is not a supported ISO 4217 currency code`, field);
  }
  return currency;
}

export function checkShortCode(value: string, field: string[]): string {
  const shortCode = value.trim();
  if (!shortCode) throw new UserFacingError(UserErrorCode.REQUIRED, 'give the short code', field);
  if (!/^[0-9]{3,15}$/.test(shortCode)) {
    throw new UserFacingError(UserErrorCode.INVALID, `"${value}" is not a short code (3 to 15 digits)`, field);
  }
  return shortCode;
}

/** A decimal string to minor units, reporting malformed amounts against `field`. */
export function parseMoneyField(value: string, currency: string, field: string[]): bigint {
  try {
    return parseAmount(value, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, error.message, field);
    throw error;
  }
}

/** Prices and yield must be positive, shares not negative, and the USD parts must add up to the USD price exactly. */
export function checkAmounts(amounts: TariffAmounts, fields: Record<keyof TariffAmounts, string[]>): void {
  for (const key of ['priceMinor', 'priceUsdMinor', 'yieldUsdMinor'] as const) {
    if (amounts[key] <= 0n)
      throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'must be more than zero', fields[key]);
  }
  for (const key of ['operatorShareUsdMinor', 'platformFeeUsdMinor'] as const) {
    if (amounts[key] < 0n) throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'cannot be negative', fields[key]);
  }
  const parts = amounts.yieldUsdMinor + amounts.operatorShareUsdMinor + amounts.platformFeeUsdMinor;
  if (parts !== amounts.priceUsdMinor) {
    throw new UserFacingError(
      UserErrorCode.INVALID_AMOUNT,
      `the USD price ${formatAmount(amounts.priceUsdMinor, 'USD')} must equal yield + operator share + platform fee ` +
        `(${formatAmount(parts, 'USD')})`,
      fields.priceUsdMinor,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reads.

/** Short codes are digit strings: shorter first, then by digits, is numeric order without overflow worries. */
export function compareShortCodes(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export async function findCountry(em: EntityManager, code: string, field: string[]): Promise<Country> {
  const normalised = normaliseCountryCode(code, field);
  const country = await em.findOne(Country, { code: normalised });
  if (!country)
    throw new UserFacingError(UserErrorCode.NOT_FOUND, `no country "${normalised}" in the catalogue`, field);
  return country;
}

/**
 * A country's tariff rows, by short code, the all-operators row first, then by operator name. Loading the operators
 * here also puts them in `em`'s identity map, so resolving each row's operator afterwards costs no query.
 */
export async function listTariffs(
  em: EntityManager,
  countryCode: string,
  options: { includeInactive?: boolean } = {},
): Promise<SmsTariff[]> {
  const [rows, operators] = await Promise.all([
    em.find(SmsTariff, { countryCode, ...(options.includeInactive ? {} : { active: true }) }),
    em.find(MobileOperator, { countryCode }),
  ]);
  const nameOf = new Map(operators.map((operator) => [operator.id, operator.name.toLowerCase()]));
  const operatorName = (row: SmsTariff) => (row.operatorId ? (nameOf.get(row.operatorId) ?? '') : '');
  return rows.sort(
    (a, b) =>
      compareShortCodes(a.shortCode, b.shortCode) ||
      Number(a.operatorId !== null) - Number(b.operatorId !== null) ||
      operatorName(a).localeCompare(operatorName(b), 'en'),
  );
}

/**
 * Folds a country's rows per short code (pure). Only active rows priced in the country's currency take part: a
 * local price in another currency could not be compared, and the edit paths keep active rows in that currency.
 * An all-operators row and operator-specific rows for the same short code are all taken into account, which is the
 * safe reading whether or not the specific rows cover every operator.
 */
export function foldTariffs(
  country: { code: string; currency: string },
  rows: readonly SmsTariff[],
): EffectiveTariff[] {
  const byShortCode = new Map<string, SmsTariff[]>();
  for (const row of rows) {
    if (!row.active || row.countryCode !== country.code || row.currency !== country.currency) continue;
    const group = byShortCode.get(row.shortCode);
    if (group) group.push(row);
    else byShortCode.set(row.shortCode, [row]);
  }
  const folded: EffectiveTariff[] = [];
  for (const [shortCode, group] of byShortCode) {
    const max = (pick: (row: SmsTariff) => bigint) => group.map(pick).reduce((a, b) => (b > a ? b : a));
    const min = (pick: (row: SmsTariff) => bigint) => group.map(pick).reduce((a, b) => (b < a ? b : a));
    const variants = new Set(group.map((row) => `${row.priceMinor}/${row.priceUsdMinor}/${row.yieldUsdMinor}`));
    folded.push({
      countryCode: country.code,
      shortCode,
      currency: country.currency,
      priceMinor: max((row) => row.priceMinor),
      priceUsdMinor: max((row) => row.priceUsdMinor),
      lowestPriceUsdMinor: min((row) => row.priceUsdMinor),
      yieldUsdMinor: min((row) => row.yieldUsdMinor),
      variesByOperator: variants.size > 1,
    });
  }
  return folded.sort(
    (a, b) => compareBigint(a.priceUsdMinor, b.priceUsdMinor) || compareShortCodes(a.shortCode, b.shortCode),
  );
}

/**
 * The tariff a payer should be sent to for `amountUsdMinor` (pure): among the tariffs that reach the amount on every
 * operator (PRICE: their lowest USD price, YIELD: the merchant's lowest yield), the one cheapest for the payer; on a tie the one yielding more,
 * then the lower short code, so answers are stable. Null when even the highest tariff falls short.
 */
export function cheapestReaching(
  tariffs: readonly EffectiveTariff[],
  amountUsdMinor: bigint,
  mode: QuoteMode,
): EffectiveTariff | null {
  let best: EffectiveTariff | null = null;
  for (const tariff of tariffs) {
    const reaches = (mode === 'PRICE' ? tariff.lowestPriceUsdMinor : tariff.yieldUsdMinor) >= amountUsdMinor;
    if (reaches && (!best || quoteOrder(tariff, best) < 0)) best = tariff;
  }
  return best;
}

/** Negative when `a` is the better offer: cheaper for the payer, then yielding more, then the lower short code. */
function quoteOrder(a: EffectiveTariff, b: EffectiveTariff): number {
  return (
    compareBigint(a.priceUsdMinor, b.priceUsdMinor) ||
    compareBigint(b.yieldUsdMinor, a.yieldUsdMinor) ||
    compareShortCodes(a.shortCode, b.shortCode)
  );
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Active countries (optionally one) with their folded tariffs: two queries, whatever the catalogue's size. */
async function loadCatalogue(
  em: EntityManager,
  countryCode?: string,
): Promise<{ country: Country; tariffs: EffectiveTariff[] }[]> {
  const countries = await em.find(Country, { active: true, ...(countryCode ? { code: countryCode } : {}) });
  if (!countries.length) return [];
  const rows = await em.find(SmsTariff, { active: true, countryCode: { $in: countries.map((c) => c.code) } });
  return countries.map((country) => ({
    country,
    tariffs: foldTariffs(
      country,
      rows.filter((row) => row.countryCode === country.code),
    ),
  }));
}

/** The folded tariffs of an active country, cheapest first. Unknown or inactive countries are NOT_FOUND. */
export async function effectiveTariffs(em: EntityManager, countryCode: string): Promise<EffectiveTariff[]> {
  const code = normaliseCountryCode(countryCode, ['country']);
  const [entry] = await loadCatalogue(em, code);
  if (!entry) throw new UserFacingError(UserErrorCode.NOT_FOUND, `no country "${code}" is served`, ['country']);
  return entry.tariffs;
}

/**
 * For each active country, the cheapest single SMS that reaches the amount; countries whose highest tariff cannot
 * reach it are left out (seed B4). Ordered by country name. An empty list means no country can take the amount in
 * one SMS.
 */
export async function singleSmsQuote(
  em: EntityManager,
  input: { amountUsdMinor: bigint; mode: QuoteMode },
): Promise<SmsQuoteOption[]> {
  if (input.amountUsdMinor <= 0n) {
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'the amount must be more than zero', ['amount']);
  }
  const options: SmsQuoteOption[] = [];
  for (const { country, tariffs } of await loadCatalogue(em)) {
    const tariff = cheapestReaching(tariffs, input.amountUsdMinor, input.mode);
    if (tariff) options.push({ country, tariff });
  }
  return options.sort((a, b) => a.country.name.localeCompare(b.country.name, 'en'));
}

/** The active countries where one SMS can reach the amount, by name (seed B4). */
export async function countriesServing(
  em: EntityManager,
  input: { amountUsdMinor: bigint; mode: QuoteMode },
): Promise<Country[]> {
  return (await singleSmsQuote(em, input)).map((option) => option.country);
}

// ---------------------------------------------------------------------------------------------------------------
// Admin edits. Each records its audit event and flushes it together with the change.

export async function createCountry(
  em: EntityManager,
  actor: AuditActor,
  input: { code: string; name: string; currency: string },
): Promise<Country> {
  const code = normaliseCountryCode(input.code, ['input', 'code']);
  const name = checkName(input.name, ['input', 'name'], 'country', 100);
  const currency = checkCurrency(input.currency, ['input', 'currency']);
  if (await em.findOne(Country, { code })) {
    throw new UserFacingError(UserErrorCode.TAKEN, `${code} is already in the catalogue`, ['input', 'code']);
  }
  const country = build(Country, { code, name, currency });
  em.persist(country);
  await flushAudited(em, actor, {
    action: 'tariff.createCountry',
    merchantId: null,
    targetId: country.code,
    details: { name: country.name, currency: country.currency },
  });
  return country;
}

export async function updateCountry(
  em: EntityManager,
  actor: AuditActor,
  input: { code: string; name?: string | null; currency?: string | null; active?: boolean | null },
): Promise<Country> {
  const country = await findCountry(em, input.code, ['input', 'code']);
  const name = input.name == null ? country.name : checkName(input.name, ['input', 'name'], 'country', 100);
  const currency = input.currency == null ? country.currency : checkCurrency(input.currency, ['input', 'currency']);
  if (currency !== country.currency) {
    // Active tariffs are priced in the old currency; switching under them would silently reprice every SMS.
    const priced = await em.count(SmsTariff, { countryCode: country.code, active: true });
    if (priced) {
      throw new UserFacingError(
        UserErrorCode.INVALID,
        `${country.code} has ${priced} active tariffs priced in ${country.currency}; deactivate them or import a CSV ` +
          `with replace to change the currency`,
        ['input', 'currency'],
      );
    }
  }
  Object.assign(country, { name, currency, active: input.active ?? country.active, updatedAt: new Date() });
  await flushAudited(em, actor, {
    action: 'tariff.updateCountry',
    merchantId: null,
    targetId: country.code,
    details: { name: country.name, currency: country.currency, active: country.active },
  });
  return country;
}

/** The country's operator of that name (case-insensitively), created on first use. */
export async function operatorNamed(em: EntityManager, countryCode: string, name: string): Promise<MobileOperator> {
  const operators = await em.find(MobileOperator, { countryCode });
  const found = operators.find((operator) => operator.name.toLowerCase() === name.toLowerCase());
  if (found) return found;
  const operator = build(MobileOperator, { countryCode, name });
  em.persist(operator);
  return operator;
}

export interface TariffAmountsInput {
  price: string;
  priceUsd: string;
  yieldUsd: string;
  operatorShareUsd: string;
  platformFeeUsd: string;
}

const INPUT_FIELDS: Record<keyof TariffAmounts, string[]> = {
  priceMinor: ['input', 'price'],
  priceUsdMinor: ['input', 'priceUsd'],
  yieldUsdMinor: ['input', 'yieldUsd'],
  operatorShareUsdMinor: ['input', 'operatorShareUsd'],
  platformFeeUsdMinor: ['input', 'platformFeeUsd'],
};

export async function createTariff(
  em: EntityManager,
  actor: AuditActor,
  input: TariffAmountsInput & { country: string; operator?: string | null; shortCode: string },
): Promise<SmsTariff> {
  const country = await findCountry(em, input.country, ['input', 'country']);
  const operatorName = input.operator?.trim() ? checkName(input.operator, ['input', 'operator'], 'operator', 60) : null;
  const shortCode = checkShortCode(input.shortCode, ['input', 'shortCode']);
  const amounts: TariffAmounts = {
    priceMinor: parseMoneyField(input.price, country.currency, INPUT_FIELDS.priceMinor),
    priceUsdMinor: parseMoneyField(input.priceUsd, 'USD', INPUT_FIELDS.priceUsdMinor),
    yieldUsdMinor: parseMoneyField(input.yieldUsd, 'USD', INPUT_FIELDS.yieldUsdMinor),
    operatorShareUsdMinor: parseMoneyField(input.operatorShareUsd, 'USD', INPUT_FIELDS.operatorShareUsdMinor),
    platformFeeUsdMinor: parseMoneyField(input.platformFeeUsd, 'USD', INPUT_FIELDS.platformFeeUsdMinor),
  };
  checkAmounts(amounts, INPUT_FIELDS);
  const operator = operatorName ? await operatorNamed(em, country.code, operatorName) : null;
  const existing = await em.findOne(SmsTariff, {
    countryCode: country.code,
    shortCode,
    operatorId: operator?.id ?? null,
  });
  if (existing) {
    throw new UserFacingError(
      UserErrorCode.TAKEN,
      `${country.code} already has a tariff for ${shortCode} (${operator?.name ?? 'all operators'}); update it instead`,
      ['input', 'shortCode'],
    );
  }
  const tariff = build(SmsTariff, {
    countryCode: country.code,
    operatorId: operator?.id ?? null,
    shortCode,
    currency: country.currency,
    ...amounts,
  });
  em.persist(tariff);
  await flushAudited(em, actor, {
    action: 'tariff.create',
    merchantId: null,
    targetId: tariff.id,
    details: auditOf(tariff),
  });
  return tariff;
}

export async function findTariff(em: EntityManager, id: string): Promise<SmsTariff> {
  const tariff = await em.findOne(SmsTariff, id);
  if (!tariff) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such tariff', ['input', 'id']);
  return tariff;
}

/**
 * Changes a tariff's amounts (any subset; they must still add up) or reactivates it. Which short code, country and
 * operator a tariff is for does not change: deactivate it and create another, so history stays readable.
 */
export async function updateTariff(
  em: EntityManager,
  actor: AuditActor,
  input: { [K in keyof TariffAmountsInput]?: string | null } & { id: string; active?: boolean | null },
): Promise<SmsTariff> {
  const tariff = await findTariff(em, input.id);
  const country = await findCountry(em, tariff.countryCode, ['input', 'id']);
  const parse = (value: string | undefined | null, currency: string, key: keyof TariffAmounts) =>
    value == null ? tariff[key] : parseMoneyField(value, currency, INPUT_FIELDS[key]);
  // A new local price is always in the country's current currency.
  const currency = input.price == null ? tariff.currency : country.currency;
  const amounts: TariffAmounts = {
    priceMinor: parse(input.price, country.currency, 'priceMinor'),
    priceUsdMinor: parse(input.priceUsd, 'USD', 'priceUsdMinor'),
    yieldUsdMinor: parse(input.yieldUsd, 'USD', 'yieldUsdMinor'),
    operatorShareUsdMinor: parse(input.operatorShareUsd, 'USD', 'operatorShareUsdMinor'),
    platformFeeUsdMinor: parse(input.platformFeeUsd, 'USD', 'platformFeeUsdMinor'),
  };
  checkAmounts(amounts, INPUT_FIELDS);
  const active = input.active ?? tariff.active;
  if (active && currency !== country.currency) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `this tariff is priced in ${currency} but ${country.code} now uses ${country.currency}; give its price too`,
      ['input', 'price'],
    );
  }
  Object.assign(tariff, { ...amounts, currency, active, updatedAt: new Date() });
  await flushAudited(em, actor, {
    action: 'tariff.update',
    merchantId: null,
    targetId: tariff.id,
    details: auditOf(tariff),
  });
  return tariff;
}

export async function deactivateTariff(em: EntityManager, actor: AuditActor, id: string): Promise<SmsTariff> {
  const tariff = await findTariff(em, id);
  if (!tariff.active) throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'this tariff is already inactive');
  tariff.active = false;
  tariff.updatedAt = new Date();
  await flushAudited(em, actor, { action: 'tariff.deactivate', merchantId: null, targetId: tariff.id });
  return tariff;
}

/** Audit details of a tariff. Keys avoid "code": the audit log redacts secret-looking keys such as "...Code". */
function auditOf(tariff: SmsTariff): Record<string, unknown> {
  return {
    country: tariff.countryCode,
    operatorId: tariff.operatorId,
    shortNumber: tariff.shortCode,
    price: tariff.price.amount,
    currency: tariff.currency,
    priceUsd: tariff.priceUsd.amount,
    yieldUsd: tariff.yieldUsd.amount,
    operatorShareUsd: formatAmount(tariff.operatorShareUsdMinor, 'USD'),
    platformFeeUsd: formatAmount(tariff.platformFeeUsdMinor, 'USD'),
    active: tariff.active,
  };
}
