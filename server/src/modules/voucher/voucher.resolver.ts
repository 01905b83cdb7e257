import type { FilterQuery } from '@mikro-orm/core';
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
} from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, canAccessMerchant, isAdmin, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload, UserError, userError, UserErrorCode, UserFacingError } from '../../common/errors';
import { Money } from '../../common/money';
import { paginate } from '../../common/orm';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { recordAudit } from '../audit/audit.service';
import { Merchant } from '../merchant/merchant.entity';
import { Payment, PaymentStatus } from '../payment/payment.entity';
import { maskPhone } from '../sms/sms.resolver';
import {
  VOUCHER_CURRENCY,
  Voucher,
  VoucherFeedback,
  VoucherKind,
  VoucherOrder,
  VoucherOrderState,
  VoucherPrepaidBlock,
  VoucherPricing,
  VoucherProject,
  VoucherStatus,
} from './voucher.entity';
import { quoteCountries } from './voucher.instruction';
import {
  countryName,
  lookupVoucherPayment,
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
} from './voucher.service';
import { previewOf, stockCounts, withdrawAvailable } from './voucher.stock';

const VoucherProjectConnection = ConnectionType(VoucherProject, 'VoucherProject');
const VoucherConnection = ConnectionType(Voucher, 'Voucher');
const VoucherOrderConnection = ConnectionType(VoucherOrder, 'VoucherOrder');
const VoucherFeedbackConnection = ConnectionType(VoucherFeedback, 'VoucherFeedback');

/** Page tokens are base64url (see the payment module); anything else addresses nothing. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

// --- Seller-side types -------------------------------------------------------------------------------------------

@ObjectType({ description: "A project's vouchers by status." })
class VoucherStock {
  @Field(() => Int, { description: 'In stock, on sale.' })
  available!: number;

  @Field(() => Int, { description: 'Held by payments in progress.' })
  reserved!: number;

  @Field(() => Int)
  sold!: number;

  @Field(() => Int, { description: 'Taken off sale by the seller.' })
  withdrawn!: number;

  @Field(() => Int, { description: 'Of all the above, how many the platform bought up front.' })
  prepaid!: number;
}

@ArgsType()
class VoucherProjectsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@ArgsType()
class VouchersArgs extends PageArgs {
  @Field(() => VoucherStatus, { nullable: true, description: 'Only vouchers in this status.' })
  status?: VoucherStatus | null;
}

@ArgsType()
class VoucherSalesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this project.' })
  projectId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => VoucherOrderState, {
    nullable: true,
    description: 'Only orders in this state; UNFULFILLED lists those waiting for a resolution.',
  })
  state?: VoucherOrderState | null;
}

@ArgsType()
class VoucherFeedbackArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this project.' })
  projectId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@InputType({ description: 'A new voucher project.' })
class CreateVoucherProjectInput {
  @Field(() => String, { description: 'Shown to buyers; up to 100 characters.' })
  name!: string;

  @Field(() => String, { description: 'The public page is /p/<slug>: 3 to 40 lower-case letters, digits, dashes.' })
  slug!: string;

  @Field(() => String, { nullable: true, description: 'Shown to buyers; up to 2000 characters.' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'An http(s) URL of a logo image.' })
  logoUrl?: string | null;

  @Field(() => String, { description: 'The price in USD, e.g. "5.00".' })
  price!: string;

  @Field(() => VoucherPricing, { nullable: true, description: 'What the price means; PRICE by default.' })
  pricing?: VoucherPricing | null;

  @Field(() => [String], { nullable: true, description: 'ISO codes of the countries served; none: all that can pay.' })
  countries?: string[] | null;

  @Field(() => VoucherKind, { description: 'What one voucher is.' })
  kind!: VoucherKind;

  @Field(() => Int, {
    nullable: true,
    description: 'Minutes a voucher stays reserved for a payment with no SMS yet (default 1440, 24 hours).',
  })
  reservationMinutes?: number | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the project is for.' })
  merchantId?: string | null;
}

@InputType({ description: 'Changes to a project; fields left out stay as they are.' })
class UpdateVoucherProjectInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'A new address; the old /p/<slug> stops working.' })
  slug?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'An empty string removes the logo.' })
  logoUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'A new price; payments already started keep theirs.' })
  price?: string | null;

  @Field(() => VoucherPricing, { nullable: true })
  pricing?: VoucherPricing | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the list; [] serves every country that can pay.' })
  countries?: string[] | null;

  @Field(() => VoucherKind, { nullable: true, description: 'Only while the project has no stock.' })
  kind?: VoucherKind | null;

  @Field(() => Boolean, { nullable: true, description: 'false pauses new payments; open ones go on.' })
  active?: boolean | null;

  @Field(() => Int, { nullable: true })
  reservationMinutes?: number | null;
}

@ObjectType()
class VoucherProjectPayload {
  @Field(() => VoucherProject, { nullable: true })
  project!: VoucherProject | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType({ description: 'Vouchers to add to a project, as CSV text (pasted or read from a file).' })
class AddVouchersInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => String, {
    description:
      'One voucher per line: PIN projects a code, LOGIN projects "login,password", LINK projects an http(s) link. ' +
      'Blank lines and a header line are skipped; commas, semicolons or tabs separate fields; double quotes may ' +
      'enclose them. Up to 10000 lines.',
  })
  csv!: string;
}

@ObjectType({
  description:
    'Valid lines are added even when others are refused: each refused line (malformed, repeated, already in stock) ' +
    'is a userError whose field is ["input", "csv", "<line number>"]. Uploading the same file again adds nothing.',
})
class AddVouchersPayload {
  @Field(() => VoucherProject, { nullable: true })
  project!: VoucherProject | null;

  @Field(() => Int, { description: 'How many vouchers were added.' })
  added!: number;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
class WithdrawVoucherInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
class WithdrawVoucherPayload {
  @Field(() => Voucher, { nullable: true })
  voucher!: Voucher | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
class PrepayVoucherBlockInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => Int, { description: 'How many available vouchers the platform buys.' })
  count!: number;

  @Field(() => String, { nullable: true, description: "USD paid per voucher; the project's price by default." })
  unitPrice?: string | null;
}

@ObjectType()
class PrepayVoucherBlockPayload {
  @Field(() => VoucherPrepaidBlock, { nullable: true })
  block!: VoucherPrepaidBlock | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType({ description: 'How to resolve an UNFULFILLED order.' })
class ResolveVoucherOrderInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    description:
      'ASSIGN_VOUCHER: give the buyer a voucher from the stock (add some first); REFUND: pay back what arrived ' +
      '(every ledger posting of the payment is reversed) and close the payment.',
  })
  action!: string;

  @Field(() => String, { nullable: true, description: 'A note kept with the order, up to 500 characters.' })
  note?: string | null;
}

@ObjectType()
class ResolveVoucherOrderPayload {
  @Field(() => VoucherOrder, { nullable: true })
  order!: VoucherOrder | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

// --- Public types ------------------------------------------------------------------------------------------------

@ObjectType({ description: 'A country a voucher can be paid from, and what its instruction costs.' })
class VoucherShopCountry {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'How many SMS pay the price (the fewest possible).' })
  messages!: number;

  @Field(() => Money, { description: 'What those SMS cost at most, in the local currency.' })
  total!: Money;

  @Field(() => Money, { description: 'The same in USD.' })
  totalUsd!: Money;
}

@ObjectType({ description: "A project's public page (/p/<slug>): what is sold, for how much, and where from." })
class VoucherShop {
  /** Resolves `countries` and `merchantName`; not a field. */
  project!: VoucherProject;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  slug!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String, { nullable: true })
  logoUrl!: string | null;

  @Field(() => Money)
  price!: Money;

  @Field(() => VoucherKind)
  kind!: VoucherKind;

  @Field(() => Boolean, { description: 'False while the seller has paused sales.' })
  active!: boolean;

  @Field(() => Boolean, { description: 'True when no voucher is available: no new payment can start.' })
  soldOut!: boolean;
}

@ObjectType({ description: 'One SMS of the instruction.' })
class VoucherInstructionLine {
  @Field(() => Int, { description: '1, 2, … in the order given.' })
  number!: number;

  @Field(() => String)
  shortCode!: string;

  @Field(() => String, { description: 'The exact text to send: the payment number.' })
  text!: string;

  @Field(() => Money, { description: 'What this SMS costs at most, in the local currency.' })
  price!: Money;

  @Field(() => Money, { description: 'The same in USD.' })
  priceUsd!: Money;
}

@ObjectType({ description: 'The voucher bought: shown only once paid, only to the buyer.' })
class PurchasedVoucher {
  @Field(() => VoucherKind)
  kind!: VoucherKind;

  @Field(() => String, { description: 'The PIN, the login, or the activation link.' })
  code!: string;

  @Field(() => String, { nullable: true, description: 'LOGIN vouchers: the password.' })
  password!: string | null;
}

@ObjectType({
  description:
    "A buyer's view of their voucher payment. Whoever holds `token` sees it, so it is shown only to the buyer: on " +
    'starting the payment, to the page holding the token, and to a lookup with the payment number and phone.',
})
class VoucherPurchase {
  /** Resolves `shop`. */
  project!: VoucherProject;

  @Field(() => String, {
    description: 'The page token: subscribe to paymentSms(token) for live SMS lines; keep it private.',
  })
  token!: string;

  @Field(() => String, {
    description: 'The payment number: the text of every SMS, and, with the phone, the key to look the payment up.',
  })
  reference!: string;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => VoucherOrderState)
  state!: VoucherOrderState;

  @Field(() => Money)
  amount!: Money;

  @Field(() => Money)
  amountReceived!: Money;

  @Field(() => String)
  country!: string;

  @Field(() => String)
  countryName!: string;

  @Field(() => [VoucherInstructionLine], { description: 'The SMS to send, in order.' })
  instruction!: VoucherInstructionLine[];

  @Field(() => Date, { nullable: true, description: 'When the reservation lapses unless an SMS arrives first.' })
  reservationExpiresAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;

  @Field(() => PurchasedVoucher, { nullable: true, description: 'The voucher, once paid.' })
  voucher!: PurchasedVoucher | null;
}

@InputType()
class StartVoucherPaymentInput {
  @Field(() => String)
  slug!: string;

  @Field(() => String, { description: 'ISO code of the country the SMS will be sent from.' })
  country!: string;
}

@ObjectType()
class StartVoucherPaymentPayload {
  @Field(() => VoucherPurchase, { nullable: true, description: 'The payment with its instruction.' })
  purchase!: VoucherPurchase | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
class SendVoucherFeedbackInput {
  @Field(() => String)
  slug!: string;

  @Field(() => String, { description: 'Up to 2000 characters.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'How to answer: an email address or a phone number.' })
  contact?: string | null;

  @Field(() => String, { nullable: true, description: 'The payment number the message is about, if any.' })
  paymentNumber?: string | null;
}

@ObjectType()
class SendVoucherFeedbackPayload {
  @Field(() => Boolean)
  sent!: boolean;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

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
    country: order.country,
    countryName: await countryName(em, order.country),
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
      async () => {
        const project = await createVoucherProject(ctx.em, merchantId, input);
        recordAudit(ctx.em, ctx, {
          action: 'voucherProject.create',
          merchantId,
          targetId: project.id,
          details: {
            name: project.name,
            slug: project.slug,
            price: project.price.amount,
            pricing: project.pricing,
            kind: project.kind,
            countries: project.countries,
          },
        });
        await ctx.em.flush();
        return project;
      },
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
      async () => {
        const before = { slug: project.slug, price: project.price.amount, pricing: project.pricing };
        await updateVoucherProject(ctx.em, project, input);
        const changed = Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'id'));
        recordAudit(ctx.em, ctx, {
          action: 'voucherProject.update',
          merchantId: project.merchantId,
          targetId: project.id,
          details: { before, changed },
        });
        await ctx.em.flush();
        return project;
      },
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
    try {
      const { added, errors } = await addVouchers(ctx.em, project, input.csv);
      if (added) {
        // Counts only: voucher codes never enter the audit log.
        recordAudit(ctx.em, ctx, {
          action: 'voucher.add',
          merchantId: project.merchantId,
          targetId: project.id,
          details: { added, refusedLines: errors.map((e) => e.line) },
        });
        await ctx.em.flush();
      }
      return {
        project,
        added,
        userErrors: errors.map((e) => userError(e.code, e.message, ['input', 'csv', String(e.line)])),
      };
    } catch (error) {
      if (error instanceof UserFacingError) return { project, added: 0, userErrors: [error.toUserError()] };
      throw error;
    }
  }

  @Authorized()
  @Mutation(() => WithdrawVoucherPayload, {
    description:
      'Takes an available voucher off sale. Sold vouchers, vouchers held by a payment in progress and vouchers the ' +
      'platform prepaid cannot be withdrawn.',
  })
  async withdrawVoucher(
    @Arg('input', () => WithdrawVoucherInput) input: WithdrawVoucherInput,
    @Ctx() ctx: Context,
  ): Promise<WithdrawVoucherPayload> {
    const viewer = requireViewer(ctx);
    const found = await ctx.em.findOne(Voucher, input.id);
    if (!found || !canAccessMerchant(viewer, found.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (voucher, userErrors) => ({ voucher: voucher ?? found, userErrors }),
      () =>
        ctx.em.transactional(async (tx) => {
          if ((await withdrawAvailable(tx, found.id, new Date())) === 0) {
            const current = await tx.findOneOrFail(Voucher, found.id, { refresh: true });
            const why =
              current.status === VoucherStatus.SOLD
                ? 'this voucher is sold'
                : current.status === VoucherStatus.RESERVED
                  ? 'a payment in progress holds this voucher'
                  : current.status === VoucherStatus.WITHDRAWN
                    ? 'this voucher is already withdrawn'
                    : 'the platform prepaid this voucher';
            throw new UserFacingError(
              current.status === VoucherStatus.WITHDRAWN ? UserErrorCode.ALREADY_RESOLVED : UserErrorCode.INVALID,
              `${why}; it cannot be withdrawn`,
              ['input', 'id'],
            );
          }
          recordAudit(tx, ctx, {
            action: 'voucher.withdraw',
            merchantId: found.merchantId,
            targetId: found.id,
            details: { projectId: found.projectId },
          });
          return tx.findOneOrFail(Voucher, found.id, { refresh: true });
        }),
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
      () =>
        ctx.em.transactional(async (tx) => {
          const block = await prepayVoucherBlock(tx, project, input);
          recordAudit(tx, ctx, {
            action: 'voucher.prepay',
            merchantId: project.merchantId,
            targetId: block.id,
            details: {
              projectId: project.id,
              count: block.count,
              unitPrice: block.unitPrice.amount,
              total: block.total.amount,
              transferId: block.transferId,
            },
          });
          return block;
        }),
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
      () =>
        resolveVoucherOrder(
          ctx.em,
          { viewer: ctx.viewer, ip: ctx.ip, pubsub: ctx.pubsub },
          { order: found, action, note: input.note },
        ),
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
    description: "A project's public page (/p/<slug>): no login needed. Null when there is no such page.",
  })
  async voucherShop(@Arg('slug', () => String) slug: string, @Ctx() ctx: Context): Promise<VoucherShop | null> {
    const project = await ctx.em.findOne(VoucherProject, { slug: slug.trim().toLowerCase() });
    if (!project) return null;
    return toShop(project, (await stockCounts(ctx.em, project.id)).available);
  }

  @FieldResolver(() => [VoucherShopCountry], {
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
      'payment with its fewest-SMS instruction. Refused when sold out or when the country cannot pay the price.',
  })
  async startVoucherPayment(
    @Arg('input', () => StartVoucherPaymentInput) input: StartVoucherPaymentInput,
    @Ctx() ctx: Context,
  ): Promise<StartVoucherPaymentPayload> {
    return payload(
      (purchase, userErrors) => ({ purchase, userErrors }),
      async () => {
        const order = await startVoucherPayment(ctx.em, ctx.pubsub, input);
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
      'Null when they do not match; a payment that has received no SMS yet has no phone to match.',
  })
  async voucherPaymentLookup(
    @Arg('paymentNumber', () => String) paymentNumber: string,
    @Arg('phone', () => String) phone: string,
    @Ctx() ctx: Context,
  ): Promise<VoucherPurchase | null> {
    const found = await lookupVoucherPayment(ctx.em.fork(), { paymentNumber, phone });
    return found && toPurchase(ctx, found.order, found.payment);
  }

  @FieldResolver(() => VoucherShop)
  async shop(@Root() purchase: VoucherPurchase, @Ctx() ctx: Context): Promise<VoucherShop> {
    return toShop(purchase.project, (await stockCounts(ctx.em, purchase.project.id)).available);
  }
}
