import type { DomainModule } from '../../common/module';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';
import { TariffResolver } from './tariff.resolver';
import { seedTariffCatalogue } from './tariff.seed';

export const tariffModule: DomainModule = {
  name: 'tariff',
  entities: [Country, MobileOperator, SmsTariff],
  resolvers: [TariffResolver],
  /** The demo SMS tariff catalogue; adds only what is missing. */
  seed: (em) => seedTariffCatalogue(em),
};
