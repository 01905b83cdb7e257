import type { EntityManager } from '@mikro-orm/core';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';
import { TariffResolver } from './tariff.resolver';
import { seedTariffCatalogue } from './tariff.seed';

export const entities = [Country, MobileOperator, SmsTariff];
export const resolvers = [TariffResolver] as const;

/** The demo SMS tariff catalogue; adds only what is missing. */
export async function seed(em: EntityManager): Promise<void> {
  await seedTariffCatalogue(em);
}
