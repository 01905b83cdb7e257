import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../common/money';
import { PayloadType } from '../../common/mutation';
import { Country } from './country.entity';
import { SmsTariff } from './tariff.entity';
import type { TariffImportSummary } from './tariff-csv';
import type { EffectiveTariff } from './tariff.service';

export enum SmsQuoteMode {
  PRICE = 'PRICE',
  YIELD = 'YIELD',
}
registerEnumType(SmsQuoteMode, {
  name: 'SmsQuoteMode',
  description: 'What a quoted USD amount means.',
  valuesConfig: {
    PRICE: { description: "The payer's price: the SMS must cost the payer at least this much (in USD)." },
    YIELD: { description: "The merchant's net: the SMS must yield the merchant at least this much (in USD)." },
  },
});

@ObjectType('EffectiveSmsTariff', {
  description:
    "A short code's tariff as every payer in the country meets it: where operators differ, the highest price and " +
    'the lowest yield among them.',
})
export class EffectiveSmsTariff {
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code of the country.' })
  country!: string;

  @Field(() => String, { description: 'The number the payer sends the SMS to.' })
  shortCode!: string;

  @Field(() => Money, { description: "What one SMS costs the payer, in the country's local currency." })
  price!: Money;

  @Field(() => Money, { description: 'The USD equivalent of the price.' })
  priceUsd!: Money;

  @Field(() => Money, { description: 'What one SMS yields the merchant, in USD.' })
  yieldUsd!: Money;

  @Field(() => Boolean, { description: "Whether the country's operators charge or yield different amounts." })
  variesByOperator!: boolean;

  static of(tariff: EffectiveTariff): EffectiveSmsTariff {
    return Object.assign(new EffectiveSmsTariff(), {
      country: tariff.countryCode,
      shortCode: tariff.shortCode,
      price: Money.of(tariff.priceMinor, tariff.currency),
      priceUsd: Money.of(tariff.priceUsdMinor, 'USD'),
      yieldUsd: Money.of(tariff.yieldUsdMinor, 'USD'),
      variesByOperator: tariff.variesByOperator,
    });
  }
}

@ObjectType({ description: 'One way to pay the quoted amount with a single SMS, in one country.' })
export class SmsQuoteOption {
  @Field(() => Country)
  country!: Country;

  @Field(() => EffectiveSmsTariff, { description: 'The cheapest tariff of the country that reaches the amount.' })
  tariff!: EffectiveSmsTariff;
}

@ObjectType({ description: 'Where and how an amount can be paid with one SMS.' })
export class SmsQuote {
  @Field(() => Money, { description: 'The amount quoted, in USD.' })
  amount!: Money;

  @Field(() => SmsQuoteMode)
  mode!: SmsQuoteMode;

  @Field(() => [SmsQuoteOption], {
    description:
      'One option per country that can take the amount in one SMS, by country name. Countries whose highest ' +
      'tariff falls short are left out; an empty list means no country can.',
  })
  options!: SmsQuoteOption[];
}

@InputType()
export class CreateCountryInput {
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code, e.g. "DE".' })
  code!: string;

  @Field(() => String, { description: 'English name, up to 100 characters.' })
  name!: string;

  @Field(() => String, { description: 'ISO 4217 code of the local currency SMS prices are set in.' })
  currency!: string;
}

@InputType()
export class UpdateCountryInput {
  @Field(() => String, { description: 'The country to change (its code itself never changes).' })
  code!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A new local currency; refused while the country has active tariffs priced in the old one.',
  })
  currency?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether payers are offered the country.' })
  active?: boolean | null;
}

export const CreateCountryPayload = PayloadType(() => Country, 'CreateCountry', { field: 'country' });
export type CreateCountryPayload = InstanceType<typeof CreateCountryPayload>;

export const UpdateCountryPayload = PayloadType(() => Country, 'UpdateCountry', { field: 'country' });
export type UpdateCountryPayload = InstanceType<typeof UpdateCountryPayload>;

@InputType()
export class CreateTariffInput {
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code of an existing country.' })
  country!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The operator this tariff is for, by name (created on first use); null for all operators.',
  })
  operator?: string | null;

  @Field(() => String, { description: 'The short code, 3 to 15 digits.' })
  shortCode!: string;

  @Field(() => String, { description: 'The payer\'s price as a decimal string in the country\'s currency, e.g. "90".' })
  price!: string;

  @Field(() => String, { description: 'The USD equivalent of the price, decimal string, e.g. "1.00".' })
  priceUsd!: string;

  @Field(() => String, { description: "The merchant's yield in USD; with the two shares it must add up to priceUsd." })
  yieldUsd!: string;

  @Field(() => String, { description: "The operator's share in USD." })
  operatorShareUsd!: string;

  @Field(() => String, { description: "The platform's fee in USD." })
  platformFeeUsd!: string;
}

@InputType()
export class UpdateTariffInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: "A new payer's price, in the country's current currency." })
  price?: string | null;

  @Field(() => String, { nullable: true, description: 'USD.' })
  priceUsd?: string | null;

  @Field(() => String, { nullable: true, description: 'USD; the USD parts must still add up to priceUsd.' })
  yieldUsd?: string | null;

  @Field(() => String, { nullable: true, description: 'USD.' })
  operatorShareUsd?: string | null;

  @Field(() => String, { nullable: true, description: 'USD.' })
  platformFeeUsd?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'True reactivates a deactivated tariff.' })
  active?: boolean | null;
}

export const CreateTariffPayload = PayloadType(() => SmsTariff, 'CreateTariff', { field: 'tariff' });
export type CreateTariffPayload = InstanceType<typeof CreateTariffPayload>;

export const UpdateTariffPayload = PayloadType(() => SmsTariff, 'UpdateTariff', { field: 'tariff' });
export type UpdateTariffPayload = InstanceType<typeof UpdateTariffPayload>;

export const DeactivateTariffPayload = PayloadType(() => SmsTariff, 'DeactivateTariff', { field: 'tariff' });
export type DeactivateTariffPayload = InstanceType<typeof DeactivateTariffPayload>;

@InputType()
export class ImportTariffsCsvInput {
  @Field(() => String, {
    description:
      'RFC 4180 CSV with a header row naming country, country_name, currency, operator, short_code, price, ' +
      'price_usd, yield_usd, operator_share_usd, platform_fee_usd (the format exportTariffsCsv returns).',
  })
  csv!: string;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Deactivate every active tariff the file does not list, so the file becomes the whole catalogue.',
  })
  replace?: boolean | null;
}

@ObjectType({ description: 'What an import changed.' })
export class TariffImportSummaryType implements Omit<TariffImportSummary, 'sha256'> {
  @Field(() => Int, { description: 'Data rows in the file.' })
  rows!: number;

  @Field(() => Int)
  created!: number;

  @Field(() => Int, { description: 'Tariffs whose amounts changed or that were made active again.' })
  updated!: number;

  @Field(() => Int)
  unchanged!: number;

  @Field(() => Int, { description: 'Active tariffs the file left out, deactivated because of replace.' })
  deactivated!: number;

  @Field(() => Int)
  countriesCreated!: number;

  @Field(() => Int, { description: 'Countries whose name or currency the file changed.' })
  countriesUpdated!: number;
}

export const ImportTariffsCsvPayload = PayloadType(() => TariffImportSummaryType, 'ImportTariffsCsv', {
  field: 'summary',
  userErrorsDescription: 'Every bad line, each with field ["input", "csv", "line N"]; nothing was changed if any.',
});
export type ImportTariffsCsvPayload = InstanceType<typeof ImportTariffsCsvPayload>;

@ObjectType('TariffYield', {
  description:
    'One active tariff as a merchant meets it: what the payer pays for one SMS and what that SMS settles to, the ' +
    'same parts a counted SMS adds to a payment’s breakdown (gross = operator share + platform fee + net, in USD).',
})
export class TariffYield {
  @Field(() => ID, { description: 'The tariff’s id ("trf_…").' })
  tariffId!: string;

  @Field(() => Country)
  country!: Country;

  @Field(() => String, { nullable: true, description: 'The mobile operator; null: every operator of the country.' })
  operator!: string | null;

  @Field(() => String, { description: 'The number the payer sends the SMS to.' })
  shortCode!: string;

  @Field(() => Money, { description: "What the payer pays for one SMS, in the country's local currency." })
  price!: Money;

  @Field(() => Money, { description: 'The gross in USD: the price as settlement counts it.' })
  gross!: Money;

  @Field(() => Money, { description: "The mobile operator's share of the gross, in USD." })
  operatorShare!: Money;

  @Field(() => Money, { description: 'Tollgate’s fee out of the gross under the merchant’s fee plan, in USD.' })
  platformFee!: Money;

  @Field(() => Money, { description: 'What one SMS yields the merchant, in USD: the gross less the share and fee.' })
  net!: Money;
}

@ObjectType('TariffYields', { description: "A merchant's yield per tariff, under its fee plan." })
export class TariffYields {
  @Field(() => String, {
    description: 'The name of the merchant’s fee plan. SMS fees come from the tariff under every plan.',
  })
  feePlanName!: string;

  @Field(() => [TariffYield], {
    description: 'By country name, short code, then the all-operators row and operators by name.',
  })
  rows!: TariffYield[];
}
