import type { EntityManager, FilterQuery } from '@mikro-orm/core';
// Both drivers' entity managers are knex's SqlEntityManager (the one with query builders); a type import only.
import { smsProductsOf, type SmsProduct } from '../sms';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
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
import { graphqlError, payload } from '../../common/errors';
import { formatAmount, Money } from '../../common/money';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { Merchant } from '../merchant';
import { OutboxAttempt } from '../outbox';
import { OutboxMessage, OutboxStatus } from '../outbox';
import { listAttempts } from '../outbox';
import { Payment, PaymentKind, PaymentStatus } from '../payment';
import { merchantPaymentsTopic, type PaymentEvent } from '../payment';
import { SmsDirection, SmsMessage } from '../sms';
import { liveView } from '../sms';
import { paymentSmsLines } from '../sms';
import { maskPhone } from '../../common/phone';
import { formatCsv } from '../tariff';
import { sendTestCallback } from './purse.callback';
import { Purse, PurseOperation, PursePayment } from './purse.entity';
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
  revealPurseSecret,
  rotatePurseSecret,
  selectCountry,
  updatePurse,
} from './purse.service';
import { smsText } from './purse.sms';
import { IdInput } from '../../common/mutation';
import {
  CreatePurseInput,
  PurseCallback,
  PurseConnection,
  PurseCountryOption,
  PurseFormField,
  PursePayload,
  PursePaymentConnection,
  PursePaymentFilterArgs,
  PursePaymentPage,
  PursePaymentPagePayload,
  PursePaymentReturnPayload,
  PursePaymentsArgs,
  PursePaymentTokenInput,
  PursesArgs,
  PurseSecretPayload,
  PurseTestCallback,
  SelectPursePaymentCountryInput,
  SendPurseTestCallbackPayload,
  UpdatePurseInput,
} from './purse.types';

/** An export is one response; past this many rows the caller narrows the filters. */
const MAX_CSV_ROWS = 10_000;

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

async function pageOf(
  em: EntityManager,
  products: readonly SmsProduct[],
  token: string,
): Promise<PursePaymentPage | null> {
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
    sms: await paymentSmsLines(em, products, payment),
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
      () => createPurse(ctx.em, ctx, ctx.config, merchantId, input),
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
      () => updatePurse(ctx.em, ctx, ctx.config, found.id, input),
    );
  }

  @Authorized()
  @Mutation(() => PurseSecretPayload, {
    description:
      'Gives the purse a new secret code and returns it. The old one stops working at once, for forms and for ' +
      'callbacks still to be delivered. Audited (the secret only as "changed").',
  })
  async rotatePurseSecret(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<PurseSecretPayload> {
    const found = await loadPurse(ctx, input.id);
    const { purse, secret } = await rotatePurseSecret(ctx.em, ctx, found.id);
    return { purse, secret, userErrors: [] };
  }

  @Authorized()
  @Mutation(() => PurseSecretPayload, { description: 'Shows a purse’s secret code; every reveal is in the audit log.' })
  async revealPurseSecret(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<PurseSecretPayload> {
    const purse = await loadPurse(ctx, input.id);
    return { purse, secret: await revealPurseSecret(ctx.em, ctx, purse), userErrors: [] };
  }

  @Authorized()
  @Mutation(() => SendPurseTestCallbackPayload, {
    description:
      'Sends a signed sample callback (`s_inv=0`, `s_order_id=0`, an extra field `test=1`) to the Result URL now, ' +
      'and returns what was sent and what it answered. Nothing is recorded.',
  })
  async sendPurseTestCallback(
    @Arg('input', () => IdInput) input: IdInput,
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
  async pursePaymentPage(
    @Arg('token', () => String) token: string,
    @Ctx() ctx: Context,
  ): Promise<PursePaymentPage | null> {
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    return pageOf(ctx.em, smsProductsOf(ctx.extensions), token);
  }

  @Mutation(() => PursePaymentPagePayload, {
    description: 'The payer picks the country they pay from (one of the page’s countries); no login needed.',
  })
  async selectPursePaymentCountry(
    @Arg('input', () => SelectPursePaymentCountryInput) input: SelectPursePaymentCountryInput,
    @Ctx() ctx: Context,
  ): Promise<PursePaymentPagePayload> {
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    return payload(
      (page: PursePaymentPage | null, userErrors) => ({ page, userErrors }),
      async () => {
        await selectCountry(ctx.em, ctx.pubsub, input.token, input.country);
        return (await pageOf(ctx.em.fork(), smsProductsOf(ctx.extensions), input.token))!;
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
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
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
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    return payload(
      (url: string | null, userErrors) => ({ returnUrl: url, userErrors }),
      async () => {
        const { payment, language } = await cancelByPayer(ctx.em, ctx, ctx.pubsub, input.token);
        return returnUrl(ctx.config.publicUrl, payment, 'fail', language);
      },
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
