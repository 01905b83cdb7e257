import type { FilterQuery } from '@mikro-orm/core';
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
import { rangeFilter } from '../../common/date-range';
import { actingMerchant, canAccessMerchant, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { Money } from '../../common/money';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { Merchant } from '../merchant';
import { Payment } from './payment.entity';
import { currentThenChanges, paymentEvent, paymentTopic, type PaymentEvent } from './payment.events';
import { cancelPayment, createTopUp, normaliseReference, payerUrl } from './payment.service';
import {
  CancelPaymentInput,
  CancelPaymentPayload,
  CreatePaymentInput,
  CreatePaymentPayload,
  PaymentConnection,
  PaymentsArgs,
  PublicPayment,
} from './payment.types';

/** Page tokens are 27 characters of base64url; anything else cannot address a payment. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

function toPublicPayment(event: PaymentEvent): PublicPayment {
  return Object.assign(new PublicPayment(), {
    reference: event.reference,
    status: event.status,
    kind: event.kind,
    amount: Money.of(event.amount, event.currency),
    amountReceived: Money.of(event.amountReceived, event.currency),
    creditApplied: Money.of(event.credit, event.currency),
    description: event.description,
    paidAt: event.paidAt ? new Date(event.paidAt) : null,
    merchantId: event.merchantId,
  });
}

@Resolver(() => Payment)
export class PaymentResolver {
  @Authorized()
  @Query(() => PaymentConnection, { description: 'Payments of every product the caller may see, newest first.' })
  payments(@Args(() => PaymentsArgs) args: PaymentsArgs, @Ctx() ctx: Context): Promise<Connection<Payment>> {
    const where: FilterQuery<Payment> = {
      ...merchantFilter(requireViewer(ctx), args.merchantId),
      ...(args.status ? { status: args.status } : {}),
      ...(args.kind ? { kind: args.kind } : {}),
      ...(args.externalId ? { externalId: args.externalId } : {}),
      ...(args.reference ? { reference: normaliseReference(args.reference) } : {}),
      ...rangeFilter('createdAt', args),
    };
    return paginate(ctx.em, Payment, where, args);
  }

  @Authorized()
  @Query(() => Payment, { nullable: true, description: "One payment; NOT_FOUND when it is not the caller's." })
  async payment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Payment> {
    const viewer = requireViewer(ctx);
    const payment = await ctx.em.findOne(Payment, id);
    // One answer for "does not exist" and "another merchant's": ids of other tenants cannot be probed.
    if (!payment || !canAccessMerchant(viewer, payment.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payment;
  }

  @Query(() => PublicPayment, {
    nullable: true,
    description: "The payer's view of a payment, by the token in its payer page URL; no login needed.",
  })
  async paymentByToken(@Arg('token', () => String) token: string, @Ctx() ctx: Context): Promise<PublicPayment | null> {
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    if (!PAGE_TOKEN.test(token)) return null;
    const payment = await ctx.em.findOne(Payment, { pageToken: token });
    return payment && toPublicPayment(paymentEvent(payment));
  }

  @Subscription(() => PublicPayment, {
    description:
      "A payer page's live view: the payment's current state at once, then every change. A reconnecting page " +
      'loses nothing. No login needed; the token is the secret.',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const token = String((args as { token: unknown }).token);
      const iterator = PAGE_TOKEN.test(token)
        ? await currentThenChanges(ctx.pubsub.subscribe(paymentTopic(token)), async () => {
            // A fresh fork: the connection's entity manager lives as long as the socket and would serve stale rows.
            const payment = await ctx.em.fork().findOne(Payment, { pageToken: token });
            return payment && paymentEvent(payment);
          })
        : null;
      if (!iterator) throw graphqlError('NOT_FOUND', 'no such payment');
      return iterator;
    },
  })
  paymentStatus(@Arg('token', () => String) _token: string, @Root() event: PaymentEvent): PublicPayment {
    return toPublicPayment(event);
  }

  @Authorized()
  @Mutation(() => CreatePaymentPayload, {
    description:
      'Creates a balance top-up payment and returns it with its payerUrl. Idempotent with an Idempotency-Key ' +
      'header or input.idempotencyKey: a retry returns the first payment.',
  })
  async createPayment(
    @Arg('input', () => CreatePaymentInput) input: CreatePaymentInput,
    @Ctx() ctx: Context,
  ): Promise<CreatePaymentPayload> {
    const merchantId = actingMerchant(requireViewer(ctx), input.merchantId);
    return payload(
      (payment, userErrors) => ({ payment, userErrors }),
      () => createTopUp(ctx, merchantId, input),
    );
  }

  @Authorized()
  @Mutation(() => CancelPaymentPayload, {
    description:
      'Cancels a payment that is still taking money (OPEN or PARTIALLY_PAID); refused with INVALID_TRANSITION ' +
      'otherwise. Idempotent with an idempotency key.',
  })
  async cancelPayment(
    @Arg('input', () => CancelPaymentInput) input: CancelPaymentInput,
    @Ctx() ctx: Context,
  ): Promise<CancelPaymentPayload> {
    const viewer = requireViewer(ctx);
    const found = await ctx.em.findOne(Payment, input.id);
    if (!found || !canAccessMerchant(viewer, found.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (payment, userErrors) => ({ payment: payment ?? found, userErrors }),
      () => cancelPayment(ctx, found, input),
    );
  }

  @FieldResolver(() => String, { description: "The payer's page: send the payer here. Keep it between you two." })
  payerUrl(@Root() payment: Payment, @Ctx() ctx: Context): string {
    return payerUrl(ctx.config.publicUrl, payment);
  }

  @FieldResolver(() => Merchant)
  merchant(@Root() payment: Payment, @Ctx() ctx: Context): Promise<Merchant> {
    return ctx.em.findOneOrFail(Merchant, payment.merchantId);
  }
}

@Resolver(() => PublicPayment)
export class PublicPaymentResolver {
  @FieldResolver(() => String, { description: 'Who is being paid.' })
  async merchantName(@Root() payment: PublicPayment, @Ctx() ctx: Context): Promise<string> {
    return (await ctx.em.findOneOrFail(Merchant, payment.merchantId)).name;
  }
}
