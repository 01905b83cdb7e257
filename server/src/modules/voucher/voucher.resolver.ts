import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, canAccessMerchant, isAdmin, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload, userError } from '../../common/errors';
import { Money } from '../../common/money';
import { paginate } from '../../common/orm';
import { rangeFilter } from '../../common/date-range';
import type { Connection } from '../../common/pagination';
import { Merchant } from '../merchant';
import { normaliseReference, Payment } from '../payment';
import { TAKING_MONEY } from '../sms';
import { maskPhone } from '../../common/phone';
import {
  VOUCHER_CURRENCY,
  Voucher,
  VoucherFeedback,
  VoucherOrder,
  VoucherOrderState,
  VoucherPrepaidBlock,
  VoucherProject,
  VoucherStatus,
} from './voucher.entity';
import { quoteCountries } from './voucher.instruction';
import {
  countryName,
  lookupVoucherPayment,
  MAX_UNPAID_RESERVATIONS_PER_SOURCE,
  numberedInstruction,
  resolveVoucherOrder,
  startVoucherPayment,
  type Resolution,
} from './voucher.sales';
import {
  addVouchers,
  createVoucherProject,
  prepayVoucherBlock,
  sendVoucherFeedback,
  updateVoucherProject,
  withdrawVoucher,
} from './voucher.service';
import { previewOf, stockCounts, type LineError } from './voucher.stock';
import { IdInput } from '../../common/mutation';
import {
  AddVouchersInput,
  AddVouchersPayload,
  CreateVoucherProjectInput,
  PrepayVoucherBlockInput,
  PrepayVoucherBlockPayload,
  PurchasedVoucher,
  ResolveVoucherOrderInput,
  ResolveVoucherOrderPayload,
  SendVoucherFeedbackInput,
  SendVoucherFeedbackPayload,
  StartVoucherPaymentInput,
  StartVoucherPaymentPayload,
  UpdateVoucherProjectInput,
  VoucherConnection,
  VoucherFeedbackArgs,
  VoucherFeedbackConnection,
  VoucherInstructionLine,
  VoucherOrderConnection,
  VoucherProjectConnection,
  VoucherProjectPayload,
  VoucherProjectsArgs,
  VoucherPurchase,
  VoucherSalesArgs,
  VouchersArgs,
  VoucherShop,
  VoucherShopCountry,
  VoucherStock,
  WithdrawVoucherPayload,
} from './voucher.types';

/** Page tokens are base64url (see the payment module); anything else addresses nothing. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

// --- Helpers -----------------------------------------------------------------------------------------------------

/** A project the caller may see; NOT_FOUND otherwise, the same for other tenants' ids as for unknown ones. */
async function loadProject(ctx: Context, id: string): Promise<VoucherProject> {
  const viewer = requireViewer(ctx);
  const project = await ctx.em.findOne(VoucherProject, id);
  if (!project || !canAccessMerchant(viewer, project.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
  return project;
}

function toShop(project: VoucherProject, available: number): VoucherShop {
  return Object.assign(new VoucherShop(), {
    project,
    name: project.name,
    slug: project.slug,
    description: project.description,
    logoUrl: project.logoUrl,
    price: project.price,
    kind: project.kind,
    active: project.active,
    soldOut: available === 0,
    acceptsCard: project.acceptsCard,
  });
}

async function toPurchase(ctx: Context, order: VoucherOrder, payment: Payment): Promise<VoucherPurchase> {
  const em = ctx.em.fork();
  const project = await em.findOneOrFail(VoucherProject, order.projectId);
  let voucher: PurchasedVoucher | null = null;
  if (order.state === VoucherOrderState.SOLD) {
    const row = await em.findOne(Voucher, { paymentId: payment.id, status: VoucherStatus.SOLD });
    if (row)
      voucher = Object.assign(new PurchasedVoucher(), { kind: project.kind, code: row.code, password: row.password });
  }
  return Object.assign(new VoucherPurchase(), {
    project,
    token: payment.pageToken,
    reference: payment.reference,
    status: payment.status,
    state: order.state,
    amount: Money.of(payment.amount, payment.currency),
    amountReceived: Money.of(payment.amountReceived, payment.currency),
    creditApplied: Money.of(payment.creditMinor, payment.currency),
    country: order.country ?? payment.payerCountry,
    countryName: await countryName(em, order.country ?? payment.payerCountry),
    acceptsCard: project.acceptsCard && TAKING_MONEY.includes(payment.status),
    remaining: Money.of(
      TAKING_MONEY.includes(payment.status) && payment.amount > payment.amountReceived
        ? payment.amount - payment.amountReceived
        : 0n,
      payment.currency,
    ),
    instruction: numberedInstruction(order).map((line) =>
      Object.assign(new VoucherInstructionLine(), {
        number: line.number,
        shortCode: line.shortCode,
        text: payment.reference,
        price: Money.of(line.priceMinor, line.currency),
        priceUsd: Money.of(line.priceUsdMinor, VOUCHER_CURRENCY),
      }),
    ),
    reservationExpiresAt: order.reservationExpiresAt,
    createdAt: order.createdAt,
    paidAt: payment.paidAt,
    voucher,
  });
}

function parseResolution(action: string): Resolution {
  if (action === 'ASSIGN_VOUCHER' || action === 'REFUND') return action;
  throw graphqlError('BAD_USER_INPUT', 'action must be ASSIGN_VOUCHER or REFUND');
}

// --- Resolvers ---------------------------------------------------------------------------------------------------

@Resolver(() => VoucherProject)
export class VoucherProjectResolver {
  @Authorized()
  @Query(() => VoucherProjectConnection, { description: 'Voucher projects the caller may see, newest first.' })
  voucherProjects(
    @Args(() => VoucherProjectsArgs) args: VoucherProjectsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<VoucherProject>> {
    return paginate(ctx.em, VoucherProject, merchantFilter(requireViewer(ctx), args.merchantId), args);
  }

  @Authorized()
  @Query(() => VoucherProject, { description: "One voucher project; NOT_FOUND when it is not the caller's." })
  voucherProject(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<VoucherProject> {
    return loadProject(ctx, id);
  }

  @Authorized()
  @Mutation(() => VoucherProjectPayload, { description: 'Creates a voucher project; add stock with addVouchers.' })
  async createVoucherProject(
    @Arg('input', () => CreateVoucherProjectInput) input: CreateVoucherProjectInput,
    @Ctx() ctx: Context,
  ): Promise<VoucherProjectPayload> {
    const merchantId = actingMerchant(requireViewer(ctx), input.merchantId);
    return payload(
      (project, userErrors) => ({ project, userErrors }),
      () => createVoucherProject(ctx.em, ctx, merchantId, input),
    );
  }

  @Authorized()
  @Mutation(() => VoucherProjectPayload, { description: "Changes a project's settings." })
  async updateVoucherProject(
    @Arg('input', () => UpdateVoucherProjectInput) input: UpdateVoucherProjectInput,
    @Ctx() ctx: Context,
  ): Promise<VoucherProjectPayload> {
    const project = await loadProject(ctx, input.id);
    return payload(
      (updated, userErrors) => ({ project: updated ?? project, userErrors }),
      () => updateVoucherProject(ctx.em, ctx, project, input),
    );
  }

  @Authorized()
  @Mutation(() => AddVouchersPayload, {
    description:
      "Adds vouchers to a project's stock from CSV text. Valid lines are added; refused lines come back as " +
      'userErrors, one per line (field ["input", "csv", "<line>"]).',
  })
  async addVouchers(
    @Arg('input', () => AddVouchersInput) input: AddVouchersInput,
    @Ctx() ctx: Context,
  ): Promise<AddVouchersPayload> {
    const project = await loadProject(ctx, input.projectId);
    return payload(
      (result: { added: number; errors: LineError[] } | null, userErrors) => ({
        project,
        added: result?.added ?? 0,
        userErrors: result
          ? result.errors.map((e) => userError(e.code, e.message, ['input', 'csv', String(e.line)]))
          : userErrors,
      }),
      () => addVouchers(ctx.em, ctx, project, input.csv),
    );
  }

  @Authorized()
  @Mutation(() => WithdrawVoucherPayload, {
    description:
      'Takes an available voucher off sale. Sold vouchers, vouchers held by a payment in progress and vouchers the ' +
      'platform prepaid cannot be withdrawn.',
  })
  async withdrawVoucher(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<WithdrawVoucherPayload> {
    const viewer = requireViewer(ctx);
    const found = await ctx.em.findOne(Voucher, input.id);
    if (!found || !canAccessMerchant(viewer, found.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (voucher, userErrors) => ({ voucher: voucher ?? found, userErrors }),
      () => withdrawVoucher(ctx.em, ctx, found),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => PrepayVoucherBlockPayload, {
    description:
      "Prepaid settlement, admins only: the platform buys `count` of a project's available vouchers and pays the " +
      'seller at once (a ledger transfer to its available balance); their sales then credit the platform.',
  })
  async prepayVoucherBlock(
    @Arg('input', () => PrepayVoucherBlockInput) input: PrepayVoucherBlockInput,
    @Ctx() ctx: Context,
  ): Promise<PrepayVoucherBlockPayload> {
    const project = await loadProject(ctx, input.projectId);
    return payload(
      (block, userErrors) => ({ block, userErrors }),
      () => prepayVoucherBlock(ctx.em, ctx, project, input),
    );
  }

  @FieldResolver(() => VoucherStock, { description: 'The stock by status, as it is now.' })
  async stock(@Root() project: VoucherProject, @Ctx() ctx: Context): Promise<VoucherStock> {
    return Object.assign(new VoucherStock(), await stockCounts(ctx.em, project.id));
  }

  @FieldResolver(() => String, { description: 'The public page to link to: the whole integration (seed V2).' })
  publicUrl(@Root() project: VoucherProject, @Ctx() ctx: Context): string {
    return `${ctx.config.publicUrl}/p/${project.slug}`;
  }

  @FieldResolver(() => VoucherConnection, { description: "The project's vouchers, newest first." })
  vouchers(
    @Root() project: VoucherProject,
    @Args(() => VouchersArgs) args: VouchersArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<Voucher>> {
    return paginate(ctx.em, Voucher, { projectId: project.id, ...(args.status ? { status: args.status } : {}) }, args);
  }

  @FieldResolver(() => Int, { description: 'Orders that received money while no voucher was left: to resolve.' })
  unfulfilled(@Root() project: VoucherProject, @Ctx() ctx: Context): Promise<number> {
    return ctx.em.count(VoucherOrder, { projectId: project.id, state: VoucherOrderState.UNFULFILLED });
  }

  @FieldResolver(() => [VoucherPrepaidBlock], { description: 'Blocks the platform bought up front, newest first.' })
  prepaidBlocks(@Root() project: VoucherProject, @Ctx() ctx: Context): Promise<VoucherPrepaidBlock[]> {
    return ctx.em.find(VoucherPrepaidBlock, { projectId: project.id }, { orderBy: { id: 'desc' } });
  }
}

@Resolver(() => Voucher)
export class VoucherResolver {
  @FieldResolver(() => String, { description: 'Enough of the code to recognise it, e.g. "AB••••••YZ"; never all.' })
  async preview(@Root() voucher: Voucher, @Ctx() ctx: Context): Promise<string> {
    const project = await ctx.em.findOneOrFail(VoucherProject, voucher.projectId);
    return previewOf(project.kind, voucher.code);
  }
}

@Resolver(() => VoucherOrder)
export class VoucherOrderResolver {
  @Authorized()
  @Query(() => VoucherOrderConnection, {
    description:
      'Voucher sales and payments in progress, newest first; `state: UNFULFILLED` lists those waiting for a ' +
      "resolution. A merchant sees its own; admins everyone's.",
  })
  async voucherSales(
    @Args(() => VoucherSalesArgs) args: VoucherSalesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<VoucherOrder>> {
    const viewer = requireViewer(ctx);
    if (args.projectId) await loadProject(ctx, args.projectId);
    const where: FilterQuery<VoucherOrder> = {
      ...merchantFilter(viewer, args.merchantId),
      ...(args.projectId ? { projectId: args.projectId } : {}),
      ...(args.state ? { state: args.state } : {}),
      ...rangeFilter('createdAt', args),
    };
    return paginate(ctx.em, VoucherOrder, where, args);
  }

  @Authorized()
  @Mutation(() => ResolveVoucherOrderPayload, {
    description:
      'Resolves an UNFULFILLED order (money arrived while the stock was empty): ASSIGN_VOUCHER or REFUND. The seller ' +
      'or an admin.',
  })
  async resolveVoucherOrder(
    @Arg('input', () => ResolveVoucherOrderInput) input: ResolveVoucherOrderInput,
    @Ctx() ctx: Context,
  ): Promise<ResolveVoucherOrderPayload> {
    const viewer = requireViewer(ctx);
    const action = parseResolution(input.action);
    const found = await ctx.em.findOne(VoucherOrder, input.id);
    if (!found || !canAccessMerchant(viewer, found.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (order, userErrors) => ({ order: order ?? found, userErrors }),
      () => resolveVoucherOrder(ctx.em, ctx, { order: found, action, note: input.note }),
    );
  }

  @FieldResolver(() => String, { description: 'The payment number (the SMS text).' })
  async reference(@Root() order: VoucherOrder, @Ctx() ctx: Context): Promise<string> {
    return (await ctx.em.findOneOrFail(Payment, order.paymentId)).reference;
  }

  @FieldResolver(() => Payment)
  payment(@Root() order: VoucherOrder, @Ctx() ctx: Context): Promise<Payment> {
    return ctx.em.findOneOrFail(Payment, order.paymentId);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The buyer\'s phone, once an SMS arrived: masked for merchants, e.g. "+359******456".',
  })
  async payerPhone(@Root() order: VoucherOrder, @Ctx() ctx: Context): Promise<string | null> {
    const phone = (await ctx.em.findOneOrFail(Payment, order.paymentId)).payerPhone;
    return phone && (isAdmin(ctx.viewer) ? phone : maskPhone(phone));
  }

  @FieldResolver(() => Voucher, { nullable: true, description: 'The voucher held or sold (seen as a preview).' })
  voucher(@Root() order: VoucherOrder, @Ctx() ctx: Context): Promise<Voucher | null> {
    return ctx.em.findOne(Voucher, { paymentId: order.paymentId });
  }

  @FieldResolver(() => VoucherProject)
  project(@Root() order: VoucherOrder, @Ctx() ctx: Context): Promise<VoucherProject> {
    return ctx.em.findOneOrFail(VoucherProject, order.projectId);
  }
}

@Resolver(() => VoucherFeedback)
export class VoucherFeedbackResolver {
  @Authorized()
  @Query(() => VoucherFeedbackConnection, { description: "Buyers' messages, newest first." })
  async voucherFeedback(
    @Args(() => VoucherFeedbackArgs) args: VoucherFeedbackArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<VoucherFeedback>> {
    const viewer = requireViewer(ctx);
    if (args.projectId) await loadProject(ctx, args.projectId);
    const where: FilterQuery<VoucherFeedback> = {
      ...merchantFilter(viewer, args.merchantId),
      ...(args.projectId ? { projectId: args.projectId } : {}),
    };
    return paginate(ctx.em, VoucherFeedback, where, args);
  }

  @Mutation(() => SendVoucherFeedbackPayload, {
    description: "A buyer's message to the seller from the public page (seed V9). No login needed.",
  })
  sendVoucherFeedback(
    @Arg('input', () => SendVoucherFeedbackInput) input: SendVoucherFeedbackInput,
    @Ctx() ctx: Context,
  ): Promise<SendVoucherFeedbackPayload> {
    return payload(
      (feedback, userErrors) => ({ sent: !!feedback, userErrors }),
      () => sendVoucherFeedback(ctx.em, input),
    );
  }
}

@Resolver(() => VoucherShop)
export class VoucherShopResolver {
  @Query(() => VoucherShop, {
    nullable: true,
    complexity: 5,
    description: "A project's public page (/p/<slug>): no login needed. Null when there is no such page.",
  })
  async voucherShop(@Arg('slug', () => String) slug: string, @Ctx() ctx: Context): Promise<VoucherShop | null> {
    const project = await ctx.em.findOne(VoucherProject, { slug: slug.trim().toLowerCase() });
    if (!project) return null;
    return toShop(project, (await stockCounts(ctx.em, project.id)).available);
  }

  @FieldResolver(() => [VoucherShopCountry], {
    // Quotes every country of the catalogue: the heaviest public field.
    complexity: 25,
    description:
      'The countries that can pay the price by SMS, by name, each with its fewest-SMS count; countries whose ' +
      'tariffs cannot reach it are left out.',
  })
  async countries(@Root() shop: VoucherShop, @Ctx() ctx: Context): Promise<VoucherShopCountry[]> {
    const quotes = await quoteCountries(ctx.em, {
      target: shop.project.priceMinor,
      mode: shop.project.pricing,
      codes: shop.project.countries,
    });
    return quotes.map((quote) =>
      Object.assign(new VoucherShopCountry(), {
        code: quote.country.code,
        name: quote.country.name,
        messages: quote.messages,
        total: Money.of(quote.totalPriceMinor, quote.country.currency),
        totalUsd: Money.of(quote.totalPriceUsdMinor, VOUCHER_CURRENCY),
      }),
    );
  }

  @FieldResolver(() => String, { description: 'Who sells.' })
  async merchantName(@Root() shop: VoucherShop, @Ctx() ctx: Context): Promise<string> {
    return (await ctx.em.findOneOrFail(Merchant, shop.project.merchantId)).name;
  }
}

@Resolver(() => VoucherPurchase)
export class VoucherPurchaseResolver {
  @Mutation(() => StartVoucherPaymentPayload, {
    description:
      'Starts paying for a voucher by SMS from a country (public, no login): reserves a voucher and returns the ' +
      'payment with its fewest-SMS instruction. Refused when sold out or when the country cannot pay the price. ' +
      'Without a country (shops that acceptsCard only) the payment is meant for card: no instruction; pay it on ' +
      'the card form by its token. Any payment of such a shop can be finished by card for what is missing. ' +
      `One address holds at most ${MAX_UNPAID_RESERVATIONS_PER_SOURCE} unpaid reservations per shop: a further ` +
      'start releases its oldest. Budgets per address and per shop: past them, RATE_LIMITED (HTTP 429).',
  })
  async startVoucherPayment(
    @Arg('input', () => StartVoucherPaymentInput) input: StartVoucherPaymentInput,
    @Ctx() ctx: Context,
  ): Promise<StartVoucherPaymentPayload> {
    await ctx.limits.consume(['voucher-start:ip', ctx.ip], ['voucher-start:shop', input.slug.trim().toLowerCase()]);
    return payload(
      (purchase, userErrors) => ({ purchase, userErrors }),
      async () => {
        const order = await startVoucherPayment(ctx.em, ctx.pubsub, { ...input, buyerIp: ctx.ip });
        const payment = await ctx.em.fork().findOneOrFail(Payment, order.paymentId);
        return toPurchase(ctx, order, payment);
      },
    );
  }

  @Query(() => VoucherPurchase, {
    nullable: true,
    description: "A buyer's voucher payment by its page token (public, no login). Shows the voucher once paid.",
  })
  async voucherPayment(
    @Arg('token', () => String) token: string,
    @Ctx() ctx: Context,
  ): Promise<VoucherPurchase | null> {
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    if (!PAGE_TOKEN.test(token)) return null;
    const em = ctx.em.fork();
    const payment = await em.findOne(Payment, { pageToken: token });
    const order = payment && (await em.findOne(VoucherOrder, { paymentId: payment.id }));
    return order && payment ? toPurchase(ctx, order, payment) : null;
  }

  @Query(() => VoucherPurchase, {
    nullable: true,
    description:
      'Finds a voucher payment again by its payment number and the phone its SMS came from (public, seed V8). ' +
      'Null when they do not match; a payment that has received no SMS yet has no phone to match. A few tries per ' +
      'address and per payment number: past them, RATE_LIMITED (HTTP 429).',
  })
  async voucherPaymentLookup(
    @Arg('paymentNumber', () => String) paymentNumber: string,
    @Arg('phone', () => String) phone: string,
    @Ctx() ctx: Context,
  ): Promise<VoucherPurchase | null> {
    // The phone is the secret here: guesses are counted per address and per payment number.
    await ctx.limits.consume(
      ['payment-lookup:ip', ctx.ip],
      ['payment-lookup:payment', normaliseReference(paymentNumber)],
    );
    const found = await lookupVoucherPayment(ctx.em.fork(), { paymentNumber, phone });
    return found && toPurchase(ctx, found.order, found.payment);
  }

  @FieldResolver(() => VoucherShop)
  async shop(@Root() purchase: VoucherPurchase, @Ctx() ctx: Context): Promise<VoucherShop> {
    return toShop(purchase.project, (await stockCounts(ctx.em, purchase.project.id)).available);
  }
}
