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

// The public face: what other modules use.
export { Country } from './country.entity';
export { MobileOperator } from './mobile-operator.entity';
export { formatCsv } from './tariff-csv';
export { SmsTariff } from './tariff.entity';
export { compareShortCodes } from './tariff.service';
