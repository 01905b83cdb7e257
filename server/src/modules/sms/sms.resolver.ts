import type { FilterQuery } from '@mikro-orm/core';
import { smsProductsOf } from './sms.products';
import { maskPhone, parsePhone } from '../../common/phone';
import { Repeater } from '@graphql-yoga/subscription';
import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { Context, Viewer } from '../../common/context';
import { canAccessMerchant, isAdmin, merchantFilter, requireViewer, assertMerchantAccess } from '../../common/context';
import { graphqlError, UserErrorCode, userError } from '../../common/errors';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { paginate } from '../../common/orm';
import { rangeFilter } from '../../common/date-range';
import type { Connection } from '../../common/pagination';
import { Payment } from '../payment';
import { paymentTopic } from '../payment';
import { PublicPayment } from '../payment';
import { SmsDirection, SmsMessage, SmsStatus } from './sms.entity';
import { ADMIN_SMS_TOPIC, liveView, merchantSmsTopic, paymentSmsTopic, type SmsEvent } from './sms.events';
import { PaymentSmsLine, paymentSmsLines } from './sms.lines';
import { receiveInbound, SMS_CURRENCY, SmsInputError } from './sms.pipeline';
import { SIMULATOR_PROVIDER } from './sms.replies';
import { renderReply } from './sms.secrets';
import {
  SimulateInboundSmsInput,
  SimulateInboundSmsPayload,
  SimulatorSms,
  SmsMessageConnection,
  SmsMessagesArgs,
} from './sms.types';

/** Page tokens are 27 characters of base64url (as in the payment module); anything else addresses nothing. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const MAX_FEED_BACKLOG = 50;

function toSimulatorSms(sms: SmsMessage, text = sms.text): SimulatorSms {
  return Object.assign(new SimulatorSms(), {
    id: sms.id,
    direction: sms.direction,
    from: sms.fromNumber,
    to: sms.toNumber,
    text,
    status: sms.status,
    flagReason: sms.flagReason,
    createdAt: sms.createdAt,
  });
}

/** The simulator feeds real payments in development and test only; production has real phones. */
function assertSimulatorAvailable(ctx: Context): void {
  if (ctx.config.mode === 'production') {
    throw graphqlError('NOT_AVAILABLE', 'the SMS simulator is not available in production');
  }
}

/** A payer's page with its SMS lines, as the paymentSms subscription yields it. */
type PublicPaymentWithLines = PublicPayment & { smsLines?: PaymentSmsLine[] };

function toPublicPayment(payment: Payment, lines: PaymentSmsLine[]): PublicPaymentWithLines {
  return Object.assign(new PublicPayment(), {
    reference: payment.reference,
    status: payment.status,
    kind: payment.kind,
    amount: Money.of(payment.amount, payment.currency),
    amountReceived: Money.of(payment.amountReceived, payment.currency),
    creditApplied: Money.of(payment.creditMinor, payment.currency),
    description: payment.description,
    paidAt: payment.paidAt,
    merchantId: payment.merchantId,
    smsLines: lines,
  });
}

/** Which inbound SMS a viewer's feed carries: one merchant's, all of theirs, or (admins) everything. */
function feedScope(viewer: Viewer, merchantId: string | null | undefined) {
  if (merchantId) {
    assertMerchantAccess(viewer, merchantId);
    return { topics: [merchantSmsTopic(merchantId)], visible: (sms: SmsMessage) => sms.merchantId === merchantId };
  }
  if (isAdmin(viewer)) return { topics: [ADMIN_SMS_TOPIC], visible: () => true };
  const mine = new Set(viewer.merchantIds);
  return {
    topics: [...mine].map(merchantSmsTopic),
    visible: (sms: SmsMessage) => sms.merchantId !== null && mine.has(sms.merchantId),
  };
}

@Resolver(() => SmsMessage)
export class SmsResolver {
  @Authorized()
  @Query(() => SmsMessageConnection, {
    description:
      'SMS in and out, newest first: a merchant sees those attached to its payments (flagged ones included); ' +
      'platform admins see everything, and the unmatched ones with `unmatched: true`.',
  })
  smsMessages(
    @Args(() => SmsMessagesArgs) args: SmsMessagesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<SmsMessage>> {
    const viewer = requireViewer(ctx);
    if (args.unmatched && !isAdmin(viewer)) throw graphqlError('FORBIDDEN', 'only platform admins see unmatched SMS');
    const where: FilterQuery<SmsMessage> = {
      ...merchantFilter(viewer, args.merchantId),
      ...(args.direction ? { direction: args.direction } : {}),
      ...(args.status ? { status: args.status } : {}),
      ...(args.flagged === true ? { flagReason: { $ne: null } } : args.flagged === false ? { flagReason: null } : {}),
      ...(args.paymentId ? { paymentId: args.paymentId } : {}),
      ...(args.unmatched === true
        ? { status: SmsStatus.UNMATCHED }
        : args.unmatched === false
          ? { status: { $ne: SmsStatus.UNMATCHED } }
          : {}),
      ...rangeFilter('receivedAt', args),
    };
    return paginate(ctx.em, SmsMessage, where, args);
  }

  @Subscription(() => SmsMessage, {
    description:
      "A dashboard's live SMS feed: the `last` most recent inbound SMS first (oldest of them first), then each SMS as " +
      'it is received and processed (the same id again when its status changes). A merchant gets its own SMS ' +
      "only; platform admins everyone's, unmatched included. Needs a login or an API key (connection parameter " +
      '`authorization: "Bearer …"`).',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const viewer = requireViewer(ctx);
      const { merchantId, last } = args as { merchantId?: string | null; last?: number | null };
      const scope = feedScope(viewer, merchantId);
      const backlog = Math.max(0, Math.min(last ?? 10, MAX_FEED_BACKLOG));
      const where: FilterQuery<SmsMessage> = {
        direction: SmsDirection.IN,
        ...(merchantId ? { merchantId } : isAdmin(viewer) ? {} : { merchantId: { $in: [...viewer.merchantIds] } }),
      };
      return liveView<SmsMessage>(Repeater.merge(scope.topics.map((topic) => ctx.pubsub.subscribe(topic))), {
        current: async () =>
          backlog
            ? (await ctx.em.fork().find(SmsMessage, where, { orderBy: { id: 'desc' }, limit: backlog })).reverse()
            : [],
        // Read back from the database, in a fresh fork (the socket's own entity manager would serve stale rows).
        onEvent: async (event) => {
          const sms = await ctx.em
            .fork()
            .findOne(SmsMessage, { id: (event as SmsEvent).id, direction: SmsDirection.IN });
          return sms && scope.visible(sms) ? sms : null;
        },
        key: (sms) => sms.id,
        fingerprint: (sms) => `${sms.status}|${sms.flagReason ?? ''}|${sms.updatedAt.getTime()}`,
      });
    },
  })
  smsReceived(
    @Arg('merchantId', () => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
    _merchantId: string | null,
    @Arg('last', () => Int, {
      nullable: true,
      description: `How many recent SMS to send first (0 to ${MAX_FEED_BACKLOG}, default 10).`,
    })
    _last: number | null,
    @Root() sms: SmsMessage,
  ): SmsMessage {
    return sms;
  }

  @Subscription(() => PublicPayment, {
    description:
      "A payer page's live view with its SMS lines (field `sms`): the current state first, then again after each " +
      'SMS attached to the payment and each status change, so every expected SMS turns received without a reload. ' +
      'No login needed; the page token is the secret.',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const token = String((args as { token: unknown }).token);
      if (!PAGE_TOKEN.test(token)) throw graphqlError('NOT_FOUND', 'no such payment');
      const read = async (): Promise<PublicPaymentWithLines | null> => {
        const em = ctx.em.fork();
        const payment = await em.findOne(Payment, { pageToken: token });
        return payment && toPublicPayment(payment, await paymentSmsLines(em, smsProductsOf(ctx.extensions), payment));
      };
      const source = Repeater.merge([
        ctx.pubsub.subscribe(paymentTopic(token)),
        ctx.pubsub.subscribe(paymentSmsTopic(token)),
      ]);
      const view = await liveView(source, {
        current: async () => {
          const current = await read();
          if (!current) throw graphqlError('NOT_FOUND', 'no such payment');
          return [current];
        },
        onEvent: read,
        key: () => 'payment',
        fingerprint: (view) =>
          JSON.stringify([view.status, view.amountReceived.amount, view.paidAt?.getTime() ?? null, view.smsLines]),
      });
      return view;
    },
  })
  paymentSms(@Arg('token', () => String) _token: string, @Root() view: PublicPayment): PublicPayment {
    return view;
  }

  @Mutation(() => SimulateInboundSmsPayload, {
    description:
      'Development and test only (NOT_AVAILABLE in production): a simulated phone sends an SMS, which goes through ' +
      "the same pipeline as a real one (provider 'simulator'). No login needed: the simulator plays the payer, who " +
      'has none. Replies show in simulatorOutbox.',
  })
  async simulateInboundSms(
    @Arg('input', () => SimulateInboundSmsInput) input: SimulateInboundSmsInput,
    @Ctx() ctx: Context,
  ): Promise<SimulateInboundSmsPayload> {
    assertSimulatorAvailable(ctx);
    try {
      const { smsId, duplicate } = await receiveInbound(
        { ...ctx, products: smsProductsOf(ctx.extensions) },
        {
          provider: SIMULATOR_PROVIDER,
          messageId: input.messageId?.trim() || newId('sim'),
          from: input.from,
          to: input.to,
          text: input.text,
          country: input.country,
          operator: input.operator ?? null,
        },
      );
      const sms = await ctx.em.fork().findOneOrFail(SmsMessage, smsId);
      return { sms: toSimulatorSms(sms), duplicate, userErrors: [] };
    } catch (error) {
      if (!(error instanceof SmsInputError)) throw error;
      return {
        sms: null,
        duplicate: false,
        userErrors: [userError(UserErrorCode.INVALID, error.message, ['input', error.field])],
      };
    }
  }

  @Query(() => [SimulatorSms], {
    description:
      'Development and test only: the simulator phone view, the replies sent to a simulated phone (and with ' +
      '`includeSent` what it sent), oldest first, at most the 100 latest. No login needed.',
  })
  async simulatorOutbox(
    @Arg('phone', () => String) phone: string,
    @Arg('includeSent', () => Boolean, { nullable: true, defaultValue: false }) includeSent: boolean,
    @Ctx() ctx: Context,
  ): Promise<SimulatorSms[]> {
    assertSimulatorAvailable(ctx);
    const normalised = parsePhone(phone);
    if (!normalised) throw graphqlError('BAD_USER_INPUT', 'phone: enter a valid phone number, e.g. +359888123456');
    const rows = await ctx.em.find(
      SmsMessage,
      {
        provider: SIMULATOR_PROVIDER,
        $or: [
          { direction: SmsDirection.OUT, toNumber: normalised },
          ...(includeSent ? [{ direction: SmsDirection.IN, fromNumber: normalised }] : []),
        ],
      },
      { orderBy: { id: 'desc' }, limit: 100 },
    );
    // The simulated phone is the payer's: it shows a reply's secret (an access code) as the real phone gets it.
    const shown = rows
      .reverse()
      .map(async (sms) =>
        toSimulatorSms(sms, await renderReply(ctx.em, ctx.config, ctx.extensions, sms).catch(() => sms.text)),
      );
    return Promise.all(shown);
  }

  @FieldResolver(() => String, {
    description:
      'Who sent it: inbound, the payer\'s phone (masked for merchants, e.g. "+359******456"); outbound, the short code.',
  })
  from(@Root() sms: SmsMessage, @Ctx() ctx: Context): string {
    return sms.direction === SmsDirection.IN && !isAdmin(ctx.viewer) ? maskPhone(sms.fromNumber) : sms.fromNumber;
  }

  @FieldResolver(() => String, {
    description: "Where it went: inbound, the short code; outbound, the payer's phone (masked for merchants).",
  })
  to(@Root() sms: SmsMessage, @Ctx() ctx: Context): string {
    return sms.direction === SmsDirection.OUT && !isAdmin(ctx.viewer) ? maskPhone(sms.toNumber) : sms.toNumber;
  }

  @FieldResolver(() => Boolean, { description: 'Whether it added to its payment (inbound, status COUNTED).' })
  counted(@Root() sms: SmsMessage): boolean {
    return sms.status === SmsStatus.COUNTED;
  }

  @FieldResolver(() => Boolean, { description: 'Whether it was kept but not counted (flagReason says why).' })
  flagged(@Root() sms: SmsMessage): boolean {
    return sms.flagReason !== null;
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: "What the payer was charged, in USD, by the SMS's tariff.",
  })
  price(@Root() sms: SmsMessage): Money | null {
    return sms.priceUsdMinor === null ? null : Money.of(sms.priceUsdMinor, SMS_CURRENCY);
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: 'What the SMS yields the merchant, in USD, by its tariff (booked only when counted).',
  })
  yield(@Root() sms: SmsMessage): Money | null {
    return sms.yieldUsdMinor === null ? null : Money.of(sms.yieldUsdMinor, SMS_CURRENCY);
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: "What it added to the payment's amountReceived; null when not counted.",
  })
  credited(@Root() sms: SmsMessage): Money | null {
    return sms.creditedMinor === null ? null : Money.of(sms.creditedMinor, SMS_CURRENCY);
  }

  @FieldResolver(() => Money, { nullable: true, description: "The operator's share, in USD. Platform admins only." })
  operatorShare(@Root() sms: SmsMessage, @Ctx() ctx: Context): Money | null {
    return isAdmin(ctx.viewer) && sms.operatorShareUsdMinor !== null
      ? Money.of(sms.operatorShareUsdMinor, SMS_CURRENCY)
      : null;
  }

  @FieldResolver(() => Money, { nullable: true, description: "The platform's fee, in USD. Platform admins only." })
  platformFee(@Root() sms: SmsMessage, @Ctx() ctx: Context): Money | null {
    return isAdmin(ctx.viewer) && sms.platformFeeUsdMinor !== null
      ? Money.of(sms.platformFeeUsdMinor, SMS_CURRENCY)
      : null;
  }

  @FieldResolver(() => Payment, { nullable: true, description: 'The payment it was attached to, if any.' })
  async payment(@Root() sms: SmsMessage, @Ctx() ctx: Context): Promise<Payment | null> {
    if (!sms.paymentId || !ctx.viewer) return null;
    // A fresh fork: under a subscription the context's entity manager lives as long as the socket.
    const payment = await ctx.em.fork().findOne(Payment, sms.paymentId);
    return payment && canAccessMerchant(ctx.viewer, payment.merchantId) ? payment : null;
  }
}

@Resolver(() => Payment)
export class PaymentSmsResolver {
  @FieldResolver(() => [SmsMessage], {
    description: 'The SMS attached to this payment, oldest first: counted and flagged (kept, not counted) ones.',
  })
  sms(@Root() payment: Payment, @Ctx() ctx: Context): Promise<SmsMessage[]> {
    return ctx.em.find(SmsMessage, { paymentId: payment.id, direction: SmsDirection.IN }, { orderBy: { id: 'asc' } });
  }
}

@Resolver(() => PublicPayment)
export class PublicPaymentSmsResolver {
  @FieldResolver(() => [PaymentSmsLine], {
    description: 'The SMS the payer is asked to send, each expected or received (seed V7).',
  })
  async sms(@Root() view: PublicPaymentWithLines, @Ctx() ctx: Context): Promise<PaymentSmsLine[]> {
    if (view.smsLines) return view.smsLines;
    const em = ctx.em.fork();
    const payment = await em.findOne(Payment, { reference: view.reference });
    return payment ? paymentSmsLines(em, smsProductsOf(ctx.extensions), payment) : [];
  }
}
