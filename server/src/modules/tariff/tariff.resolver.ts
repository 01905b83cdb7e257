import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  registerEnumType,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../common/context';
import { isAdmin } from '../../common/context';
import { graphqlError, payload, UserError, UserFacingError, UserErrorCode } from '../../common/errors';
import { Money } from '../../common/money';
import { recordAudit } from '../audit/audit.service';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';
import { exportTariffsCsv, importTariffsCsv, type TariffImportSummary } from './tariff-csv';
import {
  createCountry,
  createTariff,
  deactivateTariff,
  effectiveTariffs,
  findCountry,
  listTariffs,
  parseMoneyField,
  singleSmsQuote,
  updateCountry,
  updateTariff,
  type EffectiveTariff,
} from './tariff.service';

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
class EffectiveSmsTariff {
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
class SmsQuoteOption {
  @Field(() => Country)
  country!: Country;

  @Field(() => EffectiveSmsTariff, { description: 'The cheapest tariff of the country that reaches the amount.' })
  tariff!: EffectiveSmsTariff;
}

@ObjectType({ description: 'Where and how an amount can be paid with one SMS.' })
class SmsQuote {
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
class CreateCountryInput {
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code, e.g. "DE".' })
  code!: string;

  @Field(() => String, { description: 'English name, up to 100 characters.' })
  name!: string;

  @Field(() => String, { description: 'ISO 4217 code of the local currency SMS prices are set in.' })
  currency!: string;
}

@InputType()
class UpdateCountryInput {
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

@ObjectType()
class CountryPayload {
  @Field(() => Country, { nullable: true })
  country!: Country | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
class CreateCountryPayload extends CountryPayload {}

@ObjectType()
class UpdateCountryPayload extends CountryPayload {}

@InputType()
class CreateTariffInput {
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
class UpdateTariffInput {
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

@InputType()
class DeactivateTariffInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
class TariffPayload {
  @Field(() => SmsTariff, { nullable: true })
  tariff!: SmsTariff | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
class CreateTariffPayload extends TariffPayload {}

@ObjectType()
class UpdateTariffPayload extends TariffPayload {}

@ObjectType()
class DeactivateTariffPayload extends TariffPayload {}

@InputType()
class ImportTariffsCsvInput {
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
class TariffImportSummaryType implements Omit<TariffImportSummary, 'sha256'> {
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

@ObjectType()
class ImportTariffsCsvPayload {
  @Field(() => TariffImportSummaryType, { nullable: true })
  summary!: TariffImportSummaryType | null;

  @Field(() => [UserError], {
    description: 'Every bad line, each with field ["input", "csv", "line N"]; nothing was changed if any.',
  })
  userErrors!: UserError[];
}

/** Queries answer bad input with a typed GraphQL error (mutations put it in userErrors instead). */
async function query<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UserFacingError) {
      throw graphqlError(error.code === UserErrorCode.NOT_FOUND ? 'NOT_FOUND' : 'BAD_USER_INPUT', error.message);
    }
    throw error;
  }
}

function onlyAdminsSeeInactive(ctx: Context, includeInactive: boolean): void {
  if (includeInactive && !isAdmin(ctx.viewer)) throw graphqlError('FORBIDDEN', 'only admins see inactive entries');
}

@Resolver(() => SmsTariff)
export class TariffResolver {
  @Query(() => [Country], {
    description:
      'The countries payers can pay by SMS from, by name. A plain list, not a connection: there are at most a few ' +
      'hundred countries.',
  })
  async countries(
    @Arg('includeInactive', () => Boolean, { defaultValue: false, description: 'Admins only.' })
    includeInactive: boolean,
    @Ctx() ctx: Context,
  ): Promise<Country[]> {
    onlyAdminsSeeInactive(ctx, includeInactive);
    return ctx.em.find(Country, includeInactive ? {} : { active: true }, { orderBy: { name: 'asc' } });
  }

  @Query(() => [SmsTariff], {
    description: "A country's tariff rows (per operator where they differ), by short code.",
  })
  async tariffs(
    @Arg('country', () => String, { description: 'ISO 3166-1 alpha-2 code.' }) code: string,
    @Arg('includeInactive', () => Boolean, { defaultValue: false, description: 'Admins only.' })
    includeInactive: boolean,
    @Ctx() ctx: Context,
  ): Promise<SmsTariff[]> {
    onlyAdminsSeeInactive(ctx, includeInactive);
    return query(async () => {
      const country = await findCountry(ctx.em, code, ['country']);
      if (!country.active && !isAdmin(ctx.viewer))
        throw graphqlError('NOT_FOUND', `no country "${country.code}" is served`);
      return listTariffs(ctx.em, country.code, { includeInactive });
    });
  }

  @Query(() => [EffectiveSmsTariff], {
    description: "A country's tariffs as payers meet them, operator differences folded, cheapest first.",
  })
  async effectiveTariffs(
    @Arg('country', () => String, { description: 'ISO 3166-1 alpha-2 code.' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<EffectiveSmsTariff[]> {
    return query(async () => (await effectiveTariffs(ctx.em, code)).map(EffectiveSmsTariff.of));
  }

  @Query(() => SmsQuote, {
    description: 'For each country, the cheapest single SMS that reaches the amount (seed B4: others are left out).',
  })
  async smsQuote(
    @Arg('amount', () => String, { description: 'Decimal string, e.g. "2.50".' }) amount: string,
    @Arg('currency', () => String, { defaultValue: 'USD', description: 'Only "USD" is quoted.' }) currency: string,
    @Arg('mode', () => SmsQuoteMode, { defaultValue: SmsQuoteMode.PRICE }) mode: SmsQuoteMode,
    @Ctx() ctx: Context,
  ): Promise<SmsQuote> {
    if (currency !== 'USD') throw graphqlError('BAD_USER_INPUT', `amounts are quoted in USD, not "${currency}"`);
    return query(async () => {
      const amountUsdMinor = parseMoneyField(amount, 'USD', ['amount']);
      const options = await singleSmsQuote(ctx.em, { amountUsdMinor, mode });
      return {
        amount: Money.of(amountUsdMinor, 'USD'),
        mode,
        options: options.map((option) => ({ country: option.country, tariff: EffectiveSmsTariff.of(option.tariff) })),
      };
    });
  }

  @Authorized('ADMIN')
  @Query(() => String, {
    description:
      'Every active tariff as RFC 4180 CSV (CRLF line ends) with a header row: country, country_name, currency, ' +
      'operator (empty: all operators), short_code, price (local currency), price_usd, yield_usd, ' +
      'operator_share_usd, platform_fee_usd (USD), amounts as decimal strings. importTariffsCsv reads it back.',
  })
  async exportTariffsCsv(@Ctx() ctx: Context): Promise<string> {
    return exportTariffsCsv(ctx.em);
  }

  @FieldResolver(() => MobileOperator, { nullable: true, description: 'Null: the tariff is for all operators.' })
  async operator(@Root() tariff: SmsTariff, @Ctx() ctx: Context): Promise<MobileOperator | null> {
    return tariff.operatorId ? ctx.em.findOne(MobileOperator, tariff.operatorId) : null;
  }

  // The shares are commercial terms between the platform and operators: admins see them, others get null.
  @FieldResolver(() => Money, { nullable: true, description: "The operator's share of the USD price. Admins only." })
  operatorShareUsd(@Root() tariff: SmsTariff, @Ctx() ctx: Context): Money | null {
    return isAdmin(ctx.viewer) ? Money.of(tariff.operatorShareUsdMinor, 'USD') : null;
  }

  @FieldResolver(() => Money, { nullable: true, description: "The platform's fee out of the USD price. Admins only." })
  platformFeeUsd(@Root() tariff: SmsTariff, @Ctx() ctx: Context): Money | null {
    return isAdmin(ctx.viewer) ? Money.of(tariff.platformFeeUsdMinor, 'USD') : null;
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateCountryPayload, { description: 'Adds a country to the SMS catalogue. Admins only.' })
  async createCountry(
    @Arg('input', () => CreateCountryInput) input: CreateCountryInput,
    @Ctx() ctx: Context,
  ): Promise<CreateCountryPayload> {
    return payload(
      (country, userErrors) => ({ country, userErrors }),
      async () => {
        const country = await createCountry(ctx.em, input);
        recordAudit(ctx.em, ctx, {
          action: 'tariff.createCountry',
          merchantId: null,
          targetId: country.code,
          details: { name: country.name, currency: country.currency },
        });
        await ctx.em.flush();
        return country;
      },
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => UpdateCountryPayload, {
    description: "Renames a country, changes its currency or whether it's offered.",
  })
  async updateCountry(
    @Arg('input', () => UpdateCountryInput) input: UpdateCountryInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateCountryPayload> {
    return payload(
      (country, userErrors) => ({ country, userErrors }),
      async () => {
        const country = await updateCountry(ctx.em, input);
        recordAudit(ctx.em, ctx, {
          action: 'tariff.updateCountry',
          merchantId: null,
          targetId: country.code,
          details: { name: country.name, currency: country.currency, active: country.active },
        });
        await ctx.em.flush();
        return country;
      },
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateTariffPayload, { description: 'Adds a tariff. Admins only.' })
  async createTariff(
    @Arg('input', () => CreateTariffInput) input: CreateTariffInput,
    @Ctx() ctx: Context,
  ): Promise<CreateTariffPayload> {
    return payload(
      (tariff, userErrors) => ({ tariff, userErrors }),
      async () => {
        const tariff = await createTariff(ctx.em, input);
        recordAudit(ctx.em, ctx, {
          action: 'tariff.create',
          merchantId: null,
          targetId: tariff.id,
          details: auditOf(tariff),
        });
        await ctx.em.flush();
        return tariff;
      },
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => UpdateTariffPayload, { description: "Changes a tariff's amounts, or reactivates it. Admins only." })
  async updateTariff(
    @Arg('input', () => UpdateTariffInput) input: UpdateTariffInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateTariffPayload> {
    return payload(
      (tariff, userErrors) => ({ tariff, userErrors }),
      async () => {
        const tariff = await updateTariff(ctx.em, input);
        recordAudit(ctx.em, ctx, {
          action: 'tariff.update',
          merchantId: null,
          targetId: tariff.id,
          details: auditOf(tariff),
        });
        await ctx.em.flush();
        return tariff;
      },
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => DeactivateTariffPayload, {
    description: 'Stops quoting a tariff. It is kept (payments may refer to it) and can be reactivated. Admins only.',
  })
  async deactivateTariff(
    @Arg('input', () => DeactivateTariffInput) input: DeactivateTariffInput,
    @Ctx() ctx: Context,
  ): Promise<DeactivateTariffPayload> {
    return payload(
      (tariff, userErrors) => ({ tariff, userErrors }),
      async () => {
        const tariff = await deactivateTariff(ctx.em, input.id);
        recordAudit(ctx.em, ctx, { action: 'tariff.deactivate', merchantId: null, targetId: tariff.id });
        await ctx.em.flush();
        return tariff;
      },
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => ImportTariffsCsvPayload, {
    description:
      'Imports tariffs from CSV (see exportTariffsCsv for the format). Every line is checked first; if any is bad, ' +
      'all bad lines are reported and nothing changes. Otherwise all rows apply in one transaction. Admins only.',
  })
  async importTariffsCsv(
    @Arg('input', () => ImportTariffsCsvInput) input: ImportTariffsCsvInput,
    @Ctx() ctx: Context,
  ): Promise<ImportTariffsCsvPayload> {
    // Checks and changes run in one transaction: the file applies as a whole or, on any failure, not at all.
    return ctx.em.transactional(async (em) => {
      const result = await importTariffsCsv(em, input.csv, { replace: input.replace ?? false });
      if (!result.summary) return { summary: null, userErrors: result.errors };
      const { sha256, ...counts } = result.summary;
      recordAudit(em, ctx, {
        action: 'tariff.importCsv',
        merchantId: null,
        details: { ...counts, replace: input.replace ?? false, fileSha256: sha256 },
      });
      return { summary: counts, userErrors: [] };
    });
  }
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
    operatorShareUsd: Money.of(tariff.operatorShareUsdMinor, 'USD').amount,
    platformFeeUsd: Money.of(tariff.platformFeeUsdMinor, 'USD').amount,
    active: tariff.active,
  };
}
