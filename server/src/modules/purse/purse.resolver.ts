import type { EntityManager, FilterQuery } from '@mikro-orm/core';
// Both drivers' entity managers are knex's SqlEntityManager (the one with query builders); a type import only.
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  Arg,
  Args,
  ArgsType,
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
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { Context } from '../../common/context';
import {
  actingMerchant,
  assertMerchantAccess,
  canAccessMerchant,
  merchantFilter,
  requireViewer,
} from '../../common/context';
import { graphqlError, payload, UserError } from '../../common/errors';
import { formatAmount, Money } from '../../common/money';
import { paginate } from '../../common/orm';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { recordAudit } from '../audit/audit.service';
import { Merchant } from '../merchant/merchant.entity';
import { OutboxAttempt } from '../outbox/outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from '../outbox/outbox-message.entity';
import { listAttempts } from '../outbox/outbox.service';
import { Payment, PaymentKind, PaymentStatus } from '../payment/payment.entity';
import { merchantPaymentsTopic, type PaymentEvent } from '../payment/payment.events';
import { SmsDirection, SmsMessage } from '../sms/sms.entity';
import { liveView } from '../sms/sms.events';
import { PaymentSmsLine, paymentSmsLines } from '../sms/sms.lines';
import { maskPhone } from '../sms/sms.resolver';
import { formatCsv } from '../tariff/tariff-csv';
import { sendTestCallback } from './purse.callback';
import { Purse, PurseLanguage, PurseOperation, PursePayment } from './purse.entity';
import {
  cancelByPayer,
  confirmByPayer,
  countModeOf,
  countryChoice,
  createPurse,
  findByToken,
  payPageUrl,
  PURSE_CURRENCY,
  returnUrl,
  rotatePurseSecret,
  selectCountry,
  updatePurse,
  type CountryOption,
} from './purse.service';
import { smsText } from './purse.sms';

const PurseConnection = ConnectionType(Purse, 'Purse');
const PursePaymentConnection = ConnectionType(PursePayment, 'PursePayment');
/** An export is one response; past this many rows the caller narrows the filters. */
const MAX_CSV_ROWS = 10_000;

// --- Types --------------------------------------------------------------------------------------------------------

@ObjectType({ description: 'The Result URL callback of one operation: its delivery state and every attempt.' })
class PurseCallback {
  @Field(() => OutboxStatus, { description: 'PENDING until your handler answers 2xx; DEAD when given up.' })
  status!: OutboxStatus;

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => Date, { nullable: true, description: 'When it is next attempted, while PENDING.' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  messageId!: string;
}

@ObjectType({ description: 'One field of a protocol form, as sent.' })
class PurseFormField {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType({ description: 'What a test callback sent and what the Result URL answered.' })
class PurseTestCallback {
  @Field(() => String)
  url!: string;

  @Field(() => [PurseFormField], { description: 'The form fields sent, in order, signed with the current secret.' })
  fields!: PurseFormField[];

  @Field(() => Int, { nullable: true, description: 'The HTTP status; null when no answer came.' })
  httpStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'The start of the answer’s body.' })
  responseBody!: string | null;

  @Field(() => String, { nullable: true, description: 'Why no answer came (network error, timeout).' })
  error!: string | null;

  @Field(() => Boolean, { description: 'Whether the answer was 2xx, as real callbacks need.' })
  ok!: boolean;
}

@ObjectType({ description: 'A country a purse payment can be paid from, and the one SMS to send there.' })
class PurseCountryOption {
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code.' })
  code!: string;

  @Field(() => String, { description: 'English name; pages may show their own language’s.' })
  name!: string;

  @Field(() => String, { description: 'The short code to send the SMS to.' })
  shortCode!: string;

  @Field(() => String, { description: 'The exact text to send (it carries the payment’s reference).' })
  text!: string;

  @Field(() => Money, { description: 'What the SMS costs, in the country’s currency (the highest among operators).' })
  price!: Money;

  @Field(() => Money, { description: 'The same in US dollars.' })
  priceUsd!: Money;

  @Field(() => Boolean, { description: 'Whether the price differs between mobile operators.' })
  variesByOperator!: boolean;

  static of(option: CountryOption, text: string): PurseCountryOption {
    return Object.assign(new PurseCountryOption(), {
      code: option.code,
      name: option.name,
      shortCode: option.shortCode,
      text,
      price: Money.of(option.priceMinor, option.currency),
      priceUsd: Money.of(option.priceUsdMinor, PURSE_CURRENCY),
      variesByOperator: option.variesByOperator,
    });
  }
}

@ObjectType({
  description:
    'The payer’s purse payment page, addressed by its secret page token: no ids, no payer data, nothing the ' +
    'merchant keeps to itself.',
})
class PursePaymentPage {
  @Field(() => String)
  merchantName!: string;

  @Field(() => String)
  purseName!: string;

  @Field(() => String, { description: 'What is paid for, as the shop described it (may be empty).' })
  description!: string;

  @Field(() => Money, { description: 'The amount of the shop’s form, in USD.' })
  amount!: Money;

  @Field(() => Boolean, {
    description: 'True when the amount is the shop’s net (`s_clear_amount=1`): the payer’s price differs by country.',
  })
  amountIsNet!: boolean;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => Money, { description: 'What has arrived so far, counted as the amount is (price or net).' })
  amountReceived!: Money;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;

  @Field(() => String, { description: 'The payment’s reference, which the SMS text carries.' })
  reference!: string;

  @Field(() => PurseLanguage, { description: 'The language the shop’s form asked for.' })
  language!: PurseLanguage;

  @Field(() => [PurseCountryOption], {
    description:
      'The countries one SMS can pay this amount from (seed B4), by name; empty when none can (see highestAmount).',
  })
  countries!: PurseCountryOption[];

  @Field(() => Money, {
    nullable: true,
    description: 'The most one SMS can pay in this purse’s countries; null when they have no tariffs at all.',
  })
  highestAmount!: Money | null;

  @Field(() => String, { nullable: true, description: 'The country the payer chose.' })
  country!: string | null;

  @Field(() => PurseCountryOption, { nullable: true, description: 'The chosen country’s SMS.' })
  instruction!: PurseCountryOption | null;

  @Field(() => [PaymentSmsLine], { description: 'The SMS expected and received; live through `paymentSms`.' })
  sms!: PaymentSmsLine[];

  @Field(() => Boolean, { description: 'Whether the payer may confirm now (the payment is PAID).' })
  canConfirm!: boolean;

  @Field(() => Boolean, { description: 'Whether the payer may cancel now (nothing has arrived yet).' })
  canCancel!: boolean;
}

@ArgsType()
class PursesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@ArgsType()
class PursePaymentFilterArgs {
  @Field(() => ID, { nullable: true, description: 'Only this purse’s payments.' })
  purseId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => PaymentStatus, { nullable: true })
  status?: PaymentStatus | null;

  @Field(() => Date, { nullable: true, description: 'Opened at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Opened before this time.' })
  to?: Date | null;

  @Field(() => String, { nullable: true, description: 'Chosen by, or paid from, this country (ISO code).' })
  country?: string | null;
}

@ArgsType()
class PursePaymentsArgs extends PursePaymentFilterArgs {
  @Field(() => Int, { nullable: true, description: 'How many items, 1 to 100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

@InputType()
class CreatePurseInput {
  @Field(() => String, { description: 'Your name for the purse, shown to payers; up to 100 characters.' })
  name!: string;

  @Field(() => String)
  successUrl!: string;

  @Field(() => String)
  failUrl!: string;

  @Field(() => String, { description: 'Your handler for the signed callback of each paid SMS.' })
  resultUrl!: string;

  @Field(() => [String], { nullable: true, description: 'ISO codes of the countries served; empty or null: all.' })
  countries?: string[] | null;

  @Field(() => PurseLanguage, { nullable: true, description: 'The pages’ default language (default RU).' })
  language?: PurseLanguage | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the purse is for.' })
  merchantId?: string | null;
}

@InputType()
class UpdatePurseInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  successUrl?: string | null;

  @Field(() => String, { nullable: true })
  failUrl?: string | null;

  @Field(() => String, { nullable: true })
  resultUrl?: string | null;

  @Field(() => [String], { nullable: true, description: 'The full new list; empty: every country.' })
  countries?: string[] | null;

  @Field(() => PurseLanguage, { nullable: true })
  language?: PurseLanguage | null;
}

@InputType()
class PurseIdInput {
  @Field(() => ID)
  id!: string;
}

@InputType()
class PursePaymentTokenInput {
  @Field(() => String, { description: 'The page token from the payment page’s URL.' })
  token!: string;
}

@InputType()
class SelectPursePaymentCountryInput extends PursePaymentTokenInput {
  @Field(() => String, { description: 'ISO code of one of the page’s countries.' })
  country!: string;
}

@ObjectType()
class PursePayload {
  @Field(() => Purse, { nullable: true })
  purse!: Purse | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
class PurseSecretPayload {
  @Field(() => Purse, { nullable: true })
  purse!: Purse | null;

  @Field(() => String, { nullable: true, description: 'The secret code: keep it on your server only.' })
  secret!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
class SendPurseTestCallbackPayload {
  @Field(() => PurseTestCallback, { nullable: true })
  result!: PurseTestCallback | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
class PursePaymentPagePayload {
  @Field(() => PursePaymentPage, { nullable: true })
  page!: PursePaymentPage | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
class PursePaymentReturnPayload {
  @Field(() => String, {
    nullable: true,
    description: 'Send the browser here: it posts the signed return form to the shop’s Success or Fail URL.',
  })
  returnUrl!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

// --- Helpers ------------------------------------------------------------------------------------------------------

async function loadPurse(ctx: Context, id: string): Promise<Purse> {
  const viewer = requireViewer(ctx);
  const purse = await ctx.em.findOne(Purse, id);
  // One answer for "does not exist" and "another merchant's": ids of other tenants cannot be probed.
  if (!purse || !canAccessMerchant(viewer, purse.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
  return purse;
}

/** The filters of the payments list and its CSV export. */
async function pursePaymentWhere(ctx: Context, args: PursePaymentFilterArgs): Promise<FilterQuery<PursePayment>> {
  const viewer = requireViewer(ctx);
  const where: FilterQuery<PursePayment> & Record<string, unknown> = { ...merchantFilter(viewer, args.merchantId) };
  if (args.purseId) where.purseId = (await loadPurse(ctx, args.purseId)).id;
  if (args.country) where.country = args.country.trim().toUpperCase();
  if (args.from || args.to) {
    where.createdAt = { ...(args.from ? { $gte: args.from } : {}), ...(args.to ? { $lt: args.to } : {}) };
  }
  if (args.status) {
    // The status lives on the payment: a subquery keeps paging and counting in the database.
    const statusQuery = (ctx.em as SqlEntityManager)
      .createQueryBuilder(Payment, 'p')
      .select('p.id')
      .where({ kind: PaymentKind.PURSE, status: args.status, ...merchantFilter(viewer, args.merchantId) });
    where.paymentId = { $in: statusQuery.getKnexQuery() as never };
  }
  return where;
}

/**
 * Payments read together with their purse payments: a page's in one query rather than one per row, and a
 * subscription's from a fresh fork (the socket's own entity manager lives as long as the socket and would answer
 * from stale rows).
 */
const loadedPayments = new WeakMap<PursePayment, Payment>();

async function preloadPayments(em: EntityManager, rows: readonly PursePayment[]): Promise<void> {
  if (!rows.length) return;
  const payments = await em.find(Payment, { id: { $in: rows.map((row) => row.paymentId) } });
  const byId = new Map(payments.map((payment) => [payment.id, payment]));
  for (const row of rows) {
    const payment = byId.get(row.paymentId);
    if (payment) loadedPayments.set(row, payment);
  }
}

function paymentOf(ctx: Context, row: PursePayment): Promise<Payment> {
  const loaded = loadedPayments.get(row);
  return loaded ? Promise.resolve(loaded) : ctx.em.findOneOrFail(Payment, row.paymentId);
}

function csvCell(value: string): string {
  // A cell starting like a formula would run in a spreadsheet: descriptions and extra fields come from the form.
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

async function pageOf(em: EntityManager, token: string): Promise<PursePaymentPage | null> {
  const found = await findByToken(em, token);
  if (!found) return null;
  const { payment, pursePayment, purse } = found;
  const text = smsText(payment);
  const choice = await countryChoice(em, {
    amountMinor: payment.amount,
    mode: countModeOf(pursePayment.clearAmount),
    countries: purse.countries,
  });
  const countries = choice.options.map((option) => PurseCountryOption.of(option, text));
  const merchant = await em.findOneOrFail(Merchant, payment.merchantId);
  return Object.assign(new PursePaymentPage(), {
    merchantName: merchant.name,
    purseName: purse.name,
    description: pursePayment.description,
    amount: Money.of(payment.amount, payment.currency),
    amountIsNet: pursePayment.clearAmount === '1',
    status: payment.status,
    amountReceived: Money.of(payment.amountReceived, payment.currency),
    paidAt: payment.paidAt,
    reference: payment.reference,
    language: pursePayment.language,
    countries,
    highestAmount: choice.highestMinor === null ? null : Money.of(choice.highestMinor, PURSE_CURRENCY),
    country: pursePayment.country,
    instruction: countries.find((option) => option.code === pursePayment.country) ?? null,
    sms: await paymentSmsLines(em, payment),
    canConfirm: payment.status === PaymentStatus.PAID,
    canCancel: payment.status === PaymentStatus.OPEN,
  });
}

// --- Resolvers ----------------------------------------------------------------------------------------------------

@Resolver(() => Purse)
export class PurseResolver {
  @Authorized()
  @Query(() => PurseConnection, { description: 'The caller’s purses, newest first.' })
  purses(@Args(() => PursesArgs) args: PursesArgs, @Ctx() ctx: Context): Promise<Connection<Purse>> {
    return paginate(ctx.em, Purse, merchantFilter(requireViewer(ctx), args.merchantId), args);
  }

  @Authorized()
  @Query(() => Purse, { nullable: true, description: 'One purse; NOT_FOUND when it is not the caller’s.' })
  purse(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Purse> {
    return loadPurse(ctx, id);
  }

  @Authorized()
  @Query(() => PursePaymentConnection, {
    description: 'Payments opened through purses, newest first, with filters (status, date, country).',
  })
  async pursePayments(
    @Args(() => PursePaymentsArgs) args: PursePaymentsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<PursePayment>> {
    const connection = await paginate(ctx.em, PursePayment, await pursePaymentWhere(ctx, args), args);
    await preloadPayments(
      ctx.em,
      connection.edges.map((edge) => edge.node),
    );
    return connection;
  }

  @Authorized()
  @Query(() => String, {
    description:
      'The purse payments the filters select, newest first, as RFC 4180 CSV (CRLF line ends) with a header row; ' +
      `at most ${MAX_CSV_ROWS} rows (narrow the filters for more). Amounts are decimal strings in USD.`,
  })
  async exportPursePaymentsCsv(
    @Args(() => PursePaymentFilterArgs) args: PursePaymentFilterArgs,
    @Ctx() ctx: Context,
  ): Promise<string> {
    const where = await pursePaymentWhere(ctx, args);
    const rows = await ctx.em.find(PursePayment, where, { orderBy: { id: 'desc' }, limit: MAX_CSV_ROWS + 1 });
    if (rows.length > MAX_CSV_ROWS) {
      throw graphqlError('BAD_USER_INPUT', `more than ${MAX_CSV_ROWS} payments match; narrow the filters`);
    }
    const ids = rows.map((row) => row.paymentId);
    const [payments, purses, operations, smsCounts] = await Promise.all([
      ctx.em.find(Payment, { id: { $in: ids } }),
      ctx.em.find(Purse, { id: { $in: [...new Set(rows.map((row) => row.purseId))] } }),
      ctx.em.find(PurseOperation, { paymentId: { $in: ids } }, { orderBy: { number: 'asc' } }),
      ctx.em.find(SmsMessage, { paymentId: { $in: ids }, direction: SmsDirection.IN }),
    ]);
    const paymentById = new Map(payments.map((payment) => [payment.id, payment]));
    const purseById = new Map(purses.map((purse) => [purse.id, purse]));
    const header = [
      'created_at',
      'payment_id',
      'reference',
      'purse',
      'purse_name',
      's_order_id',
      's_amount',
      's_clear_amount',
      's_description',
      'status',
      'country',
      'received_usd',
      'paid_at',
      's_inv',
      'sms',
      'extra_fields',
    ];
    const lines = rows.map((row) => {
      const payment = paymentById.get(row.paymentId)!;
      const purse = purseById.get(row.purseId)!;
      return [
        row.createdAt.toISOString(),
        payment.id,
        payment.reference,
        String(purse.number),
        purse.name,
        row.orderId,
        row.amountField,
        row.clearAmount,
        row.description,
        payment.status,
        row.country ?? '',
        formatAmount(payment.amountReceived, payment.currency),
        payment.paidAt?.toISOString() ?? '',
        operations
          .filter((operation) => operation.paymentId === payment.id)
          .map((operation) => operation.number)
          .join(' '),
        String(smsCounts.filter((sms) => sms.paymentId === payment.id).length),
        new URLSearchParams(row.extraFields.map((extra): [string, string] => [extra.name, extra.value])).toString(),
      ].map(csvCell);
    });
    return formatCsv([header, ...lines]);
  }

  @Authorized()
  @Mutation(() => PurseSecretPayload, {
    description:
      'Creates a purse with a new number and secret code; the secret is in the payload (and audited as set).',
  })
  async createPurse(
    @Arg('input', () => CreatePurseInput) input: CreatePurseInput,
    @Ctx() ctx: Context,
  ): Promise<PurseSecretPayload> {
    const merchantId = actingMerchant(requireViewer(ctx), input.merchantId);
    return payload(
      (purse: Purse | null, userErrors) => ({ purse, secret: purse?.secret ?? null, userErrors }),
      () =>
        ctx.em.transactional(async (em) => {
          const purse = await createPurse(em, ctx.config, merchantId, input);
          recordAudit(em, ctx, {
            action: 'purse.create',
            merchantId,
            targetId: purse.id,
            details: {
              number: purse.number,
              name: purse.name,
              successUrl: purse.successUrl,
              failUrl: purse.failUrl,
              resultUrl: purse.resultUrl,
              countries: purse.countries,
              language: purse.language,
              secret: true,
            },
          });
          return purse;
        }),
    );
  }

  @Authorized()
  @Mutation(() => PursePayload, { description: 'Changes a purse’s settings; fields left out stay as they are.' })
  async updatePurse(
    @Arg('input', () => UpdatePurseInput) input: UpdatePurseInput,
    @Ctx() ctx: Context,
  ): Promise<PursePayload> {
    const found = await loadPurse(ctx, input.id);
    return payload(
      (purse: Purse | null, userErrors) => ({ purse: purse ?? found, userErrors }),
      () =>
        ctx.em.transactional(async (em) => {
          const purse = await em.findOneOrFail(Purse, found.id);
          const changes = await updatePurse(em, ctx.config, purse, input);
          if (Object.keys(changes).length) {
            recordAudit(em, ctx, {
              action: 'purse.update',
              merchantId: purse.merchantId,
              targetId: purse.id,
              details: changes,
            });
          }
          return purse;
        }),
    );
  }

  @Authorized()
  @Mutation(() => PurseSecretPayload, {
    description:
      'Gives the purse a new secret code and returns it. The old one stops working at once, for forms and for ' +
      'callbacks still to be delivered. Audited (the secret only as "changed").',
  })
  async rotatePurseSecret(
    @Arg('input', () => PurseIdInput) input: PurseIdInput,
    @Ctx() ctx: Context,
  ): Promise<PurseSecretPayload> {
    const found = await loadPurse(ctx, input.id);
    return ctx.em.transactional(async (em) => {
      const purse = await em.findOneOrFail(Purse, found.id);
      const secret = rotatePurseSecret(purse);
      recordAudit(em, ctx, {
        action: 'purse.rotateSecret',
        merchantId: purse.merchantId,
        targetId: purse.id,
        details: { secret: true },
      });
      return { purse, secret, userErrors: [] };
    });
  }

  @Authorized()
  @Mutation(() => PurseSecretPayload, { description: 'Shows a purse’s secret code; every reveal is in the audit log.' })
  async revealPurseSecret(
    @Arg('input', () => PurseIdInput) input: PurseIdInput,
    @Ctx() ctx: Context,
  ): Promise<PurseSecretPayload> {
    const purse = await loadPurse(ctx, input.id);
    recordAudit(ctx.em, ctx, { action: 'purse.revealSecret', merchantId: purse.merchantId, targetId: purse.id });
    // The audit row commits before the secret leaves the server.
    await ctx.em.flush();
    return { purse, secret: purse.secret, userErrors: [] };
  }

  @Authorized()
  @Mutation(() => SendPurseTestCallbackPayload, {
    description:
      'Sends a signed sample callback (`s_inv=0`, `s_order_id=0`, an extra field `test=1`) to the Result URL now, ' +
      'and returns what was sent and what it answered. Nothing is recorded.',
  })
  async sendPurseTestCallback(
    @Arg('input', () => PurseIdInput) input: PurseIdInput,
    @Ctx() ctx: Context,
  ): Promise<SendPurseTestCallbackPayload> {
    const purse = await loadPurse(ctx, input.id);
    const result = await sendTestCallback(ctx.config, purse);
    const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus <= 299;
    return {
      result: Object.assign(new PurseTestCallback(), {
        ...result,
        fields: result.fields.map(([name, value]) => Object.assign(new PurseFormField(), { name, value })),
        ok,
      }),
      userErrors: [],
    };
  }

  @FieldResolver(() => String, {
    description: 'Where your payment form posts (its `action`); `/language/english/bank/` picks English pages.',
  })
  formUrl(@Root() _purse: Purse, @Ctx() ctx: Context): string {
    return `${ctx.config.publicUrl}/bank/`;
  }

  @FieldResolver(() => Merchant)
  merchant(@Root() purse: Purse, @Ctx() ctx: Context): Promise<Merchant> {
    return ctx.em.findOneOrFail(Merchant, purse.merchantId);
  }
}

@Resolver(() => PursePayment)
export class PursePaymentResolver {
  @FieldResolver(() => Purse)
  purse(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<Purse> {
    return ctx.em.findOneOrFail(Purse, row.purseId);
  }

  @FieldResolver(() => Payment)
  payment(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<Payment> {
    return paymentOf(ctx, row);
  }

  @FieldResolver(() => PaymentStatus)
  async status(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<PaymentStatus> {
    return (await paymentOf(ctx, row)).status;
  }

  @FieldResolver(() => String, { description: 'The payment’s reference: the text of its SMS.' })
  async reference(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<string> {
    return (await paymentOf(ctx, row)).reference;
  }

  @FieldResolver(() => Money, { description: 'The amount in USD (what `s_amount` says).' })
  async amount(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<Money> {
    const payment = await paymentOf(ctx, row);
    return Money.of(payment.amount, payment.currency);
  }

  @FieldResolver(() => Money, { description: 'What has arrived, top-ups included (price or net, as the amount).' })
  async amountReceived(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<Money> {
    const payment = await paymentOf(ctx, row);
    return Money.of(payment.amountReceived, payment.currency);
  }

  @FieldResolver(() => Date, { nullable: true })
  async paidAt(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<Date | null> {
    return (await paymentOf(ctx, row)).paidAt;
  }

  @FieldResolver(() => String, { description: 'The payer’s page; keep it between you and the payer.' })
  async payPageUrl(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<string> {
    return payPageUrl(ctx.config.publicUrl, await paymentOf(ctx, row), row.language);
  }

  @FieldResolver(() => [PurseOperation], { description: 'Its paid SMS (operations, `s_inv`), oldest first.' })
  operations(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<PurseOperation[]> {
    return ctx.em.find(PurseOperation, { pursePaymentId: row.id }, { orderBy: { number: 'asc' } });
  }

  @FieldResolver(() => [SmsMessage], { description: 'Every SMS attached to it, oldest first (flagged ones too).' })
  sms(@Root() row: PursePayment, @Ctx() ctx: Context): Promise<SmsMessage[]> {
    return ctx.em.find(
      SmsMessage,
      { paymentId: row.paymentId, direction: SmsDirection.IN },
      { orderBy: { id: 'asc' } },
    );
  }

  @Subscription(() => PursePayment, {
    description:
      'A purse’s payments as they change (opened, paid, topped up, cancelled). Needs a login or an API key ' +
      '(connection parameter `authorization: "Bearer …"`).',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const viewer = requireViewer(ctx);
      const purseId = String((args as { purseId: unknown }).purseId);
      const purse = await ctx.em.fork().findOne(Purse, purseId);
      if (!purse) throw graphqlError('NOT_FOUND', 'no such object');
      assertMerchantAccess(viewer, purse.merchantId);
      return liveView<PursePayment>(ctx.pubsub.subscribe(merchantPaymentsTopic(purse.merchantId)), {
        current: () => Promise.resolve([]),
        onEvent: async (event) => {
          // A fresh fork per event: the socket's own entity manager would serve stale rows to the field resolvers.
          const em = ctx.em.fork();
          const row = await em.findOne(PursePayment, { paymentId: (event as PaymentEvent).id, purseId: purse.id });
          if (row) await preloadPayments(em, [row]);
          return row;
        },
        key: (row) => row.id,
        // The payment's version grows with every change; an event that changed nothing new is dropped.
        fingerprint: (row) => String(loadedPayments.get(row)?.version ?? ''),
      });
    },
  })
  pursePaymentChanged(@Arg('purseId', () => ID) _purseId: string, @Root() row: PursePayment): PursePayment {
    return row;
  }
}

@Resolver(() => PurseOperation)
export class PurseOperationResolver {
  @FieldResolver(() => String, { description: 'The payer’s number as sent in `s_phone`, masked here.' })
  phone(@Root() operation: PurseOperation): string {
    return maskPhone(`+${operation.phone}`);
  }

  @FieldResolver(() => Money, { description: 'What the SMS counted for (price or net, as the amount is).' })
  credited(@Root() operation: PurseOperation): Money {
    return Money.of(operation.creditedMinor, PURSE_CURRENCY);
  }

  @FieldResolver(() => PurseCallback, { description: 'Its Result URL callback.' })
  async callback(@Root() operation: PurseOperation, @Ctx() ctx: Context): Promise<PurseCallback> {
    const message = await ctx.em.findOneOrFail(OutboxMessage, operation.callbackMessageId);
    return Object.assign(new PurseCallback(), {
      status: message.status,
      attemptCount: message.attemptCount,
      nextAttemptAt: message.status === OutboxStatus.PENDING ? message.nextAttemptAt : null,
      deliveredAt: message.deliveredAt,
      lastError: message.lastError,
      messageId: message.id,
    });
  }
}

@Resolver(() => PurseCallback)
export class PurseCallbackResolver {
  @FieldResolver(() => [OutboxAttempt], { description: 'Every attempt, oldest first, with your handler’s answer.' })
  attempts(@Root() callback: PurseCallback, @Ctx() ctx: Context): Promise<OutboxAttempt[]> {
    return listAttempts(ctx.em, callback.messageId);
  }
}

@Resolver(() => PursePaymentPage)
export class PursePaymentPageResolver {
  @Query(() => PursePaymentPage, {
    nullable: true,
    description:
      'The payer’s purse payment page, by the token in its URL; no login needed. Null when the token names no ' +
      'purse payment.',
  })
  pursePaymentPage(@Arg('token', () => String) token: string, @Ctx() ctx: Context): Promise<PursePaymentPage | null> {
    return pageOf(ctx.em, token);
  }

  @Mutation(() => PursePaymentPagePayload, {
    description: 'The payer picks the country they pay from (one of the page’s countries); no login needed.',
  })
  async selectPursePaymentCountry(
    @Arg('input', () => SelectPursePaymentCountryInput) input: SelectPursePaymentCountryInput,
    @Ctx() ctx: Context,
  ): Promise<PursePaymentPagePayload> {
    return payload(
      (page: PursePaymentPage | null, userErrors) => ({ page, userErrors }),
      async () => {
        await ctx.em.transactional((em) => selectCountry(em, ctx.pubsub, input.token, input.country));
        return (await pageOf(ctx.em.fork(), input.token))!;
      },
    );
  }

  @Mutation(() => PursePaymentReturnPayload, {
    description:
      'The payer confirms a PAID payment (B3): returns the URL that takes them to the shop’s Success URL. Changes ' +
      'nothing; refused (INVALID_TRANSITION) before the SMS arrived. No login needed.',
  })
  async confirmPursePayment(
    @Arg('input', () => PursePaymentTokenInput) input: PursePaymentTokenInput,
    @Ctx() ctx: Context,
  ): Promise<PursePaymentReturnPayload> {
    return payload(
      (url: string | null, userErrors) => ({ returnUrl: url, userErrors }),
      async () => {
        const { payment, language } = await confirmByPayer(ctx.em, input.token);
        return returnUrl(ctx.config.publicUrl, payment, 'success', language);
      },
    );
  }

  @Mutation(() => PursePaymentReturnPayload, {
    description:
      'The payer cancels a payment nothing has arrived for (B3): it becomes CANCELLED, and the URL returned takes ' +
      'them to the shop’s Fail URL. Refused (INVALID_TRANSITION) once money arrived. No login needed.',
  })
  async cancelPursePayment(
    @Arg('input', () => PursePaymentTokenInput) input: PursePaymentTokenInput,
    @Ctx() ctx: Context,
  ): Promise<PursePaymentReturnPayload> {
    return payload(
      (url: string | null, userErrors) => ({ returnUrl: url, userErrors }),
      () =>
        ctx.em.transactional(async (em) => {
          const { payment, language, cancelledNow } = await cancelByPayer(em, ctx.pubsub, input.token);
          if (cancelledNow) {
            recordAudit(em, ctx, {
              action: 'purse.payment.cancel',
              merchantId: payment.merchantId,
              targetId: payment.id,
              details: { by: 'payer' },
            });
          }
          return returnUrl(ctx.config.publicUrl, payment, 'fail', language);
        }),
    );
  }
}

@Resolver(() => Payment)
export class PaymentPurseResolver {
  @FieldResolver(() => PursePayment, { nullable: true, description: 'For purse payments: the purse’s side of it.' })
  pursePayment(@Root() payment: Payment, @Ctx() ctx: Context): Promise<PursePayment | null> {
    if (payment.kind !== PaymentKind.PURSE) return Promise.resolve(null);
    return ctx.em.findOne(PursePayment, { paymentId: payment.id });
  }
}
