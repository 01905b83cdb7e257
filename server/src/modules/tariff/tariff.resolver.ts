import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, isAdmin, requireViewer } from '../../common/context';
import { graphqlError, payload, UserFacingError, UserErrorCode } from '../../common/errors';
import { Money } from '../../common/money';
import { IdInput } from '../../common/mutation';
import { Country } from './country.entity';
import { MobileOperator } from './mobile-operator.entity';
import { SmsTariff } from './tariff.entity';
import { exportTariffsCsv, importTariffsCsv } from './tariff-csv';
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
} from './tariff.service';
import {
  CreateCountryInput,
  CreateCountryPayload,
  CreateTariffInput,
  CreateTariffPayload,
  DeactivateTariffPayload,
  EffectiveSmsTariff,
  ImportTariffsCsvInput,
  ImportTariffsCsvPayload,
  SmsQuote,
  SmsQuoteMode,
  UpdateCountryInput,
  UpdateCountryPayload,
  UpdateTariffInput,
  TariffYield,
  TariffYields,
  UpdateTariffPayload,
} from './tariff.types';
import { tariffTable, tariffYields } from './tariff.yields';

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
    // Quotes every country of the catalogue.
    complexity: 25,
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

  // Partners read the whole table (seed 000): any dashboard user or API key (every key has the read scope).
  @Authorized()
  @Query(() => String, {
    description:
      'Every active tariff as RFC 4180 CSV (CRLF line ends) with a header row: country, country_name, currency, ' +
      'operator (empty: all operators), short_code, price (local currency), price_usd, yield_usd, ' +
      'operator_share_usd, platform_fee_usd (USD), amounts as decimal strings. importTariffsCsv reads it back. ' +
      'Any logged-in user or API key.',
  })
  async exportTariffsCsv(@Ctx() ctx: Context): Promise<string> {
    return exportTariffsCsv(ctx.em);
  }

  @Authorized()
  @Query(() => [SmsTariff], {
    // The whole catalogue: a few hundred rows at most.
    complexity: 25,
    description:
      'Every active tariff (the rows exportTariffsCsv writes), by country code, short code, then the all-operators ' +
      'row and operators by name. Any logged-in user or API key.',
  })
  async tariffTable(@Ctx() ctx: Context): Promise<SmsTariff[]> {
    return tariffTable(ctx.em);
  }

  @Authorized()
  @Query(() => TariffYields, {
    complexity: 25,
    description:
      "What one SMS to each active tariff yields the caller's merchant under its fee plan (admins and partners name " +
      'a merchant), computed as settlement books a counted SMS.',
  })
  async tariffYields(
    @Arg('country', () => String, { nullable: true, description: 'ISO 3166-1 alpha-2 code; all countries if null.' })
    country: string | null,
    @Arg('merchantId', () => ID, { nullable: true, description: 'Admins and partners: whose yields.' })
    merchantId: string | null,
    @Ctx() ctx: Context,
  ): Promise<TariffYields> {
    const merchant = actingMerchant(requireViewer(ctx), merchantId);
    return query(async () => {
      const table = await tariffYields(ctx.em, merchant, { country, field: ['country'] });
      return Object.assign(new TariffYields(), {
        feePlanName: table.feePlanName,
        rows: table.rows.map((row) =>
          Object.assign(new TariffYield(), {
            tariffId: row.tariff.id,
            country: row.country,
            operator: row.operatorName,
            shortCode: row.tariff.shortCode,
            price: row.tariff.price,
            gross: Money.of(row.breakdown.grossMinor, 'USD'),
            operatorShare: Money.of(row.breakdown.operatorShareMinor, 'USD'),
            platformFee: Money.of(row.breakdown.platformFeeMinor, 'USD'),
            net: Money.of(row.breakdown.netMinor, 'USD'),
          }),
        ),
      });
    });
  }

  @FieldResolver(() => Country, { description: 'The country the tariff is for.' })
  async country(@Root() tariff: SmsTariff, @Ctx() ctx: Context): Promise<Country> {
    // By primary key: served from the request's identity map after the first row of a country.
    return ctx.em.findOneOrFail(Country, { code: tariff.countryCode });
  }

  @FieldResolver(() => MobileOperator, { nullable: true, description: 'Null: the tariff is for all operators.' })
  async operator(@Root() tariff: SmsTariff, @Ctx() ctx: Context): Promise<MobileOperator | null> {
    return tariff.operatorId ? ctx.em.findOne(MobileOperator, tariff.operatorId) : null;
  }

  // The shares are the terms merchants and partners are paid on (the full table, seed 000): any logged-in user or
  // API key sees them; anonymous callers (public quotes and payer pages) get null.
  @FieldResolver(() => Money, {
    nullable: true,
    description: "The operator's share of the USD price. Null for anonymous callers.",
  })
  operatorShareUsd(@Root() tariff: SmsTariff, @Ctx() ctx: Context): Money | null {
    return ctx.viewer ? Money.of(tariff.operatorShareUsdMinor, 'USD') : null;
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: "The platform's fee out of the USD price. Null for anonymous callers.",
  })
  platformFeeUsd(@Root() tariff: SmsTariff, @Ctx() ctx: Context): Money | null {
    return ctx.viewer ? Money.of(tariff.platformFeeUsdMinor, 'USD') : null;
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateCountryPayload, { description: 'Adds a country to the SMS catalogue. Admins only.' })
  async createCountry(
    @Arg('input', () => CreateCountryInput) input: CreateCountryInput,
    @Ctx() ctx: Context,
  ): Promise<CreateCountryPayload> {
    return payload(
      (country, userErrors) => ({ country, userErrors }),
      () => createCountry(ctx.em, ctx, input),
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
      () => updateCountry(ctx.em, ctx, input),
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
      () => createTariff(ctx.em, ctx, input),
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
      () => updateTariff(ctx.em, ctx, input),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => DeactivateTariffPayload, {
    description: 'Stops quoting a tariff. It is kept (payments may refer to it) and can be reactivated. Admins only.',
  })
  async deactivateTariff(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<DeactivateTariffPayload> {
    return payload(
      (tariff, userErrors) => ({ tariff, userErrors }),
      () => deactivateTariff(ctx.em, ctx, input.id),
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
    const { summary, errors } = await importTariffsCsv(ctx.em, ctx, input.csv, { replace: input.replace ?? false });
    return { summary, userErrors: errors };
  }
}
