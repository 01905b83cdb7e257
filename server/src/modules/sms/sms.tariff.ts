import type { EntityManager } from '@mikro-orm/core';
import { Country } from '../tariff';
import { MobileOperator } from '../tariff';
import { SmsTariff } from '../tariff';

/**
 * The tariff row an SMS to `shortCode` in `country` is valued by, or null when there is none (the SMS is then kept
 * but not counted). Only active rows priced in the country's currency take part, as in the tariff module's quotes.
 *
 * - A known operator with a row of its own for the short code: that row.
 * - A known operator without one: the all-operators row.
 * - Otherwise (operator unknown, or no all-operators row): the row that yields the least. The rows' parts always add
 *   up to their price, so the whole row is taken, never a mix; the lowest yield never credits more than the
 *   merchant will really be paid, which is also what quotes promise (`foldTariffs`).
 */
export async function tariffForSms(
  em: EntityManager,
  input: { country: string; shortCode: string; operator?: string | null },
): Promise<SmsTariff | null> {
  const country = await em.findOne(Country, { code: input.country });
  if (!country) return null;
  const rows = (
    await em.find(SmsTariff, { countryCode: country.code, shortCode: input.shortCode, active: true })
  ).filter((row) => row.currency === country.currency);
  if (!rows.length) return null;

  const name = input.operator?.trim().toLowerCase();
  if (name) {
    const operators = await em.find(MobileOperator, { countryCode: country.code });
    const operator = operators.find((o) => o.name.toLowerCase() === name);
    const own = operator && rows.find((row) => row.operatorId === operator.id);
    if (own) return own;
    const general = rows.find((row) => row.operatorId === null);
    if (operator && general) return general;
  }
  // Lowest yield; on a tie the dearer row (what the payer was most likely charged), then the id, to be stable.
  return rows.reduce((best, row) =>
    row.yieldUsdMinor < best.yieldUsdMinor ||
    (row.yieldUsdMinor === best.yieldUsdMinor &&
      (row.priceUsdMinor > best.priceUsdMinor || (row.priceUsdMinor === best.priceUsdMinor && row.id < best.id)))
      ? row
      : best,
  );
}
