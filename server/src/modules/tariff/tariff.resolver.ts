import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { isAdmin } from '../../common/context';
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
  UpdateTariffPayload,
} from './tariff.types';

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
