import type { EntityManager } from '@mikro-orm/core';
import { parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';

interface SeedTariff {
  shortCode: string;
  /** Local price, decimal string. */
  price: string;
  /** USD equivalent at a plausible rate, decimal string. */
  priceUsd: string;
  /** For one operator only; otherwise all operators. */
  operator?: string;
  /** Overrides the country's yield share, in percent of priceUsd. */
  yieldPercent?: number;
}

interface SeedCountry {
  code: string;
  name: string;
  currency: string;
  /** The merchant's share of the USD price, in percent; the platform keeps 10%, operators the rest. */
  yieldPercent: number;
  operators: string[];
  tariffs: SeedTariff[];
}

const PLATFORM_FEE_PERCENT = 10n;

/**
 * A plausible demo catalogue: twelve countries with different highest tariffs (from about $1.19 in India to $10.33
 * in Russia), so some amounts fit only some countries, and a few operator-specific rows that pay less or cost more.
 */
export const SEED_COUNTRIES: readonly SeedCountry[] = [
  {
    code: 'RU',
    name: 'Russia',
    currency: 'RUB',
    yieldPercent: 45,
    operators: ['MTS', 'Beeline', 'MegaFon', 'Tele2'],
    tariffs: [
      { shortCode: '1121', price: '30', priceUsd: '0.33' },
      { shortCode: '4449', price: '90', priceUsd: '1.00' },
      { shortCode: '7733', price: '270', priceUsd: '3.00' },
      { shortCode: '7733', price: '270', priceUsd: '3.00', operator: 'Beeline', yieldPercent: 38 },
      { shortCode: '8155', price: '900', priceUsd: '10.00' },
      { shortCode: '8155', price: '930', priceUsd: '10.33', operator: 'Tele2' },
    ],
  },
  {
    code: 'UA',
    name: 'Ukraine',
    currency: 'UAH',
    yieldPercent: 40,
    operators: ['Kyivstar', 'Vodafone', 'lifecell'],
    tariffs: [
      { shortCode: '7010', price: '20', priceUsd: '0.49' },
      { shortCode: '7020', price: '50', priceUsd: '1.22' },
      { shortCode: '7030', price: '100', priceUsd: '2.44' },
      { shortCode: '7040', price: '150', priceUsd: '3.66' },
      { shortCode: '7040', price: '150', priceUsd: '3.66', operator: 'lifecell', yieldPercent: 33 },
    ],
  },
  {
    code: 'KZ',
    name: 'Kazakhstan',
    currency: 'KZT',
    yieldPercent: 45,
    operators: ['Beeline', 'Kcell', 'Tele2'],
    tariffs: [
      { shortCode: '1010', price: '200', priceUsd: '0.42' },
      { shortCode: '2020', price: '500', priceUsd: '1.04' },
      { shortCode: '3030', price: '1500', priceUsd: '3.13' },
      { shortCode: '4040', price: '3000', priceUsd: '6.25' },
      { shortCode: '4040', price: '3000', priceUsd: '6.25', operator: 'Kcell', yieldPercent: 40 },
    ],
  },
  {
    code: 'BG',
    name: 'Bulgaria',
    currency: 'BGN',
    yieldPercent: 50,
    operators: ['A1', 'Yettel', 'Vivacom'],
    tariffs: [
      { shortCode: '1092', price: '1.20', priceUsd: '0.67' },
      { shortCode: '1094', price: '2.40', priceUsd: '1.33' },
      { shortCode: '1096', price: '4.80', priceUsd: '2.67' },
      { shortCode: '1096', price: '4.90', priceUsd: '2.72', operator: 'Yettel' },
    ],
  },
  {
    code: 'PL',
    name: 'Poland',
    currency: 'PLN',
    yieldPercent: 55,
    operators: ['Orange', 'Play', 'Plus', 'T-Mobile'],
    tariffs: [
      { shortCode: '7155', price: '1.23', priceUsd: '0.31' },
      { shortCode: '7355', price: '3.69', priceUsd: '0.92' },
      { shortCode: '7955', price: '11.07', priceUsd: '2.77' },
      { shortCode: '91955', price: '23.37', priceUsd: '5.84' },
      { shortCode: '92555', price: '30.75', priceUsd: '7.69' },
      { shortCode: '92555', price: '30.75', priceUsd: '7.69', operator: 'Play', yieldPercent: 48 },
    ],
  },
  {
    code: 'DE',
    name: 'Germany',
    currency: 'EUR',
    yieldPercent: 50,
    operators: ['Telekom', 'Vodafone', 'O2'],
    tariffs: [
      { shortCode: '44044', price: '0.99', priceUsd: '1.08' },
      { shortCode: '55055', price: '1.99', priceUsd: '2.16' },
      { shortCode: '66066', price: '2.99', priceUsd: '3.25' },
      { shortCode: '77077', price: '4.99', priceUsd: '5.42' },
      { shortCode: '77077', price: '4.99', priceUsd: '5.42', operator: 'O2', yieldPercent: 42 },
    ],
  },
  {
    code: 'GB',
    name: 'United Kingdom',
    currency: 'GBP',
    yieldPercent: 55,
    operators: ['EE', 'O2', 'Vodafone', 'Three'],
    tariffs: [
      { shortCode: '88000', price: '1.00', priceUsd: '1.27' },
      { shortCode: '88150', price: '1.50', priceUsd: '1.90' },
      { shortCode: '88300', price: '3.00', priceUsd: '3.80' },
      { shortCode: '88500', price: '5.00', priceUsd: '6.33' },
      { shortCode: '88500', price: '5.00', priceUsd: '6.33', operator: 'Three', yieldPercent: 45 },
    ],
  },
  {
    code: 'US',
    name: 'United States',
    currency: 'USD',
    yieldPercent: 60,
    operators: ['AT&T', 'Verizon', 'T-Mobile'],
    tariffs: [
      { shortCode: '24000', price: '0.99', priceUsd: '0.99' },
      { shortCode: '24001', price: '1.99', priceUsd: '1.99' },
      { shortCode: '24002', price: '4.99', priceUsd: '4.99' },
      { shortCode: '24002', price: '4.99', priceUsd: '4.99', operator: 'Verizon', yieldPercent: 52 },
    ],
  },
  {
    code: 'TR',
    name: 'Türkiye',
    currency: 'TRY',
    yieldPercent: 35,
    operators: ['Turkcell', 'Vodafone', 'Türk Telekom'],
    tariffs: [
      { shortCode: '4010', price: '10', priceUsd: '0.29' },
      { shortCode: '4020', price: '30', priceUsd: '0.88' },
      { shortCode: '4050', price: '75', priceUsd: '2.21' },
      { shortCode: '4050', price: '79', priceUsd: '2.32', operator: 'Türk Telekom' },
    ],
  },
  {
    code: 'CZ',
    name: 'Czechia',
    currency: 'CZK',
    yieldPercent: 50,
    operators: ['O2', 'T-Mobile', 'Vodafone'],
    tariffs: [
      { shortCode: '9033', price: '30', priceUsd: '1.30' },
      { shortCode: '9035', price: '50', priceUsd: '2.17' },
      { shortCode: '9039', price: '99', priceUsd: '4.30' },
    ],
  },
  {
    code: 'RO',
    name: 'Romania',
    currency: 'RON',
    yieldPercent: 45,
    operators: ['Orange', 'Vodafone', 'Telekom', 'Digi'],
    tariffs: [
      { shortCode: '1424', price: '5', priceUsd: '1.09' },
      { shortCode: '1434', price: '10', priceUsd: '2.17' },
      { shortCode: '1444', price: '20', priceUsd: '4.35' },
    ],
  },
  {
    code: 'IN',
    name: 'India',
    currency: 'INR',
    yieldPercent: 30,
    operators: ['Jio', 'Airtel', 'Vi'],
    tariffs: [
      { shortCode: '56161', price: '10', priceUsd: '0.12' },
      { shortCode: '56162', price: '30', priceUsd: '0.36' },
      { shortCode: '56163', price: '99', priceUsd: '1.19' },
      { shortCode: '56163', price: '99', priceUsd: '1.19', operator: 'Vi', yieldPercent: 25 },
    ],
  },
];

/**
 * Adds what is missing of the demo catalogue and changes nothing that exists, so it is safe to run again and never
 * undoes an admin's edits (a deactivated demo tariff stays deactivated; a country whose currency an admin changed
 * gets no demo tariffs in the old one).
 */
export async function seedTariffCatalogue(em: EntityManager): Promise<void> {
  const [countries, operators, tariffs] = await Promise.all([
    em.find(Country, {}),
    em.find(MobileOperator, {}),
    em.find(SmsTariff, {}),
  ]);
  const countryOf = new Map(countries.map((country) => [country.code, country]));
  const operatorOf = new Map(operators.map((operator) => [`${operator.countryCode}|${operator.name}`, operator]));
  const tariffKeys = new Set(tariffs.map((t) => `${t.countryCode}|${t.operatorId ?? ''}|${t.shortCode}`));

  for (const seed of SEED_COUNTRIES) {
    let country = countryOf.get(seed.code);
    if (!country) {
      country = build(Country, { code: seed.code, name: seed.name, currency: seed.currency });
      em.persist(country);
    }
    if (country.currency !== seed.currency) continue;
    for (const name of seed.operators) {
      const key = `${seed.code}|${name}`;
      if (!operatorOf.has(key)) {
        const operator = build(MobileOperator, { countryCode: seed.code, name });
        em.persist(operator);
        operatorOf.set(key, operator);
      }
    }
    for (const tariff of seed.tariffs) {
      const operatorId = tariff.operator ? operatorOf.get(`${seed.code}|${tariff.operator}`)!.id : null;
      if (tariffKeys.has(`${seed.code}|${operatorId ?? ''}|${tariff.shortCode}`)) continue;
      const priceUsdMinor = parseAmount(tariff.priceUsd, 'USD');
      const yieldUsdMinor = (priceUsdMinor * BigInt(tariff.yieldPercent ?? seed.yieldPercent)) / 100n;
      const platformFeeUsdMinor = (priceUsdMinor * PLATFORM_FEE_PERCENT) / 100n;
      em.persist(
        build(SmsTariff, {
          countryCode: seed.code,
          operatorId,
          shortCode: tariff.shortCode,
          currency: seed.currency,
          priceMinor: parseAmount(tariff.price, seed.currency),
          priceUsdMinor,
          yieldUsdMinor,
          platformFeeUsdMinor,
          // The operator takes the rest, so the parts always add up to the price exactly.
          operatorShareUsdMinor: priceUsdMinor - yieldUsdMinor - platformFeeUsdMinor,
        }),
      );
    }
  }
}
