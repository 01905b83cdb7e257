import type { EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { feePlanOf } from '../fee-plan';
import { smsBreakdown, type SmsBreakdown } from '../payment';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';
import { compareShortCodes, findCountry } from './tariff.service';

/** One tariff as a merchant meets it: what the payer pays and what one SMS to it settles to (USD parts). */
export interface TariffYieldRow {
  tariff: SmsTariff;
  country: Country;
  /** Null: every operator of the country without a row of its own. */
  operatorName: string | null;
  /** USD minor units, from settlement's own breakdown of an SMS. */
  breakdown: SmsBreakdown;
}

export interface TariffYieldTable {
  /** The merchant's fee plan's name: the fees below are under it. */
  feePlanName: string;
  rows: TariffYieldRow[];
}

/**
 * Every tariff an SMS can be valued by today — active, in an active country, priced in its country's currency (what
 * `tariffForSms` considers) — with what one SMS to it settles to for `merchantId`, by country, short code, then the
 * all-operators row and operators by name. `country` (ISO code) narrows it to one country.
 */
export async function tariffYields(
  em: EntityManager,
  merchantId: string,
  options: { country?: string | null; field?: string[] } = {},
): Promise<TariffYieldTable> {
  const field = options.field ?? ['country'];
  const only = options.country ? await findCountry(em, options.country, field) : null;
  if (only && !only.active)
    throw new UserFacingError(UserErrorCode.NOT_FOUND, `no country "${only.code}" is served`, field);
  const [plan, countries, operators, tariffs] = await Promise.all([
    feePlanOf(em, merchantId),
    only ? [only] : em.find(Country, { active: true }),
    em.find(MobileOperator, only ? { countryCode: only.code } : {}),
    em.find(SmsTariff, { active: true, ...(only ? { countryCode: only.code } : {}) }),
  ]);
  const countryOf = new Map(countries.filter((country) => country.active).map((country) => [country.code, country]));
  const operatorName = new Map(operators.map((operator) => [operator.id, operator.name]));
  const rows: TariffYieldRow[] = [];
  for (const tariff of tariffs) {
    const country = countryOf.get(tariff.countryCode);
    if (!country || tariff.currency !== country.currency) continue;
    rows.push({
      tariff,
      country,
      operatorName: tariff.operatorId ? (operatorName.get(tariff.operatorId) ?? null) : null,
      // The same parts the SMS pipeline hands settlement for a counted SMS (its charge, from the tariff).
      breakdown: smsBreakdown({
        priceMinor: tariff.priceUsdMinor,
        yieldMinor: tariff.yieldUsdMinor,
        operatorShareMinor: tariff.operatorShareUsdMinor,
        platformFeeMinor: tariff.platformFeeUsdMinor,
      }),
    });
  }
  rows.sort(
    (a, b) =>
      a.country.name.localeCompare(b.country.name, 'en') ||
      compareShortCodes(a.tariff.shortCode, b.tariff.shortCode) ||
      Number(a.operatorName !== null) - Number(b.operatorName !== null) ||
      (a.operatorName ?? '').localeCompare(b.operatorName ?? '', 'en'),
  );
  return { feePlanName: plan.name, rows };
}

/**
 * Every active tariff (the catalogue's full table, as the CSV export has it), by country code and short code. The
 * countries and operators are loaded with it, so resolving each row's country and operator costs no query.
 */
export async function tariffTable(em: EntityManager): Promise<SmsTariff[]> {
  const [, operators, tariffs] = await Promise.all([
    em.find(Country, {}),
    em.find(MobileOperator, {}),
    em.find(SmsTariff, { active: true }),
  ]);
  const nameOf = new Map(operators.map((operator) => [operator.id, operator.name.toLowerCase()]));
  const operatorName = (row: SmsTariff) => (row.operatorId ? (nameOf.get(row.operatorId) ?? '') : '');
  return tariffs.sort(
    (a, b) =>
      (a.countryCode < b.countryCode ? -1 : a.countryCode > b.countryCode ? 1 : 0) ||
      compareShortCodes(a.shortCode, b.shortCode) ||
      Number(a.operatorId !== null) - Number(b.operatorId !== null) ||
      (operatorName(a) < operatorName(b) ? -1 : operatorName(a) > operatorName(b) ? 1 : 0),
  );
}
