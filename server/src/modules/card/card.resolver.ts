import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, canAccessMerchant, isAdmin, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload, UserFacingError } from '../../common/errors';
import { Money, parseAmount } from '../../common/money';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { Payment, PaymentStatus, PublicPayment } from '../payment';
import { CardCharge, CardChargeStatus, CardCheckout, CardOperation, CardRefund, Chargeback } from './card.entity';
import { CardDeclineCode } from './card.processor';
import {
  acceptsCard,
  addChargebackEvidence,
  captureCardPayment,
  completeCardChallenge,
  createCardPayment,
  openChargeback,
  payByCard,
  refundCardPayment,
  resolveChargeback,
  voidCardPayment,
  type PayResult,
} from './card.service';
import {
  AddChargebackEvidenceInput,
  CardChargePayload,
  CardPayResult,
  CardPaymentActionInput,
  ChargebackConnection,
  ChargebackPayload,
  ChargebacksArgs,
  CreateCardPaymentInput,
  CreateCardPaymentPayload,
  OpenChargebackInput,
  PublicCardCharge,
  RefundCardPaymentInput,
  RefundCardPaymentPayload,
  ResolveChargebackInput,
} from './card.types';

const DECLINE_MESSAGES: Record<CardDeclineCode, string> = {
  [CardDeclineCode.DECLINED]: 'Your card was declined. Try another card.',
  [CardDeclineCode.INSUFFICIENT_FUNDS]: 'Your card was declined: not enough funds. Try another card.',
  [CardDeclineCode.EXPIRED_CARD]: 'Your card has expired. Try another card.',
  [CardDeclineCode.AUTHENTICATION_FAILED]: 'Your bank could not confirm it was you. Try again or use another card.',
  [CardDeclineCode.HOLDER_NAME_REQUIRED]: 'This card cannot be used here. Try another card.',
  [CardDeclineCode.REFUND_REFUSED]: 'Your card was declined. Try another card.',
  [CardDeclineCode.CARD_NOT_SUPPORTED]: 'This card is not accepted. Try another card.',
  [CardDeclineCode.INVALID_REQUEST]: 'Your card could not be charged. Try again or use another card.',
  [CardDeclineCode.NOT_PROCESSED]: 'Your card was not charged. Try again.',
};

/** What the payer is told about a card attempt. */
export function messageOf(charge: CardCharge): string {
  switch (charge.status) {
    case CardChargeStatus.CAPTURED:
      return 'Paid. Thank you!';
    case CardChargeStatus.AUTHORISED:
      return 'Your card was accepted; the merchant will charge it shortly.';
    case CardChargeStatus.REQUIRES_ACTION:
      return charge.challenge ?? 'Your bank asks you to confirm this payment.';
    case CardChargeStatus.DECLINED:
      return DECLINE_MESSAGES[charge.declineCode ?? CardDeclineCode.DECLINED];
    case CardChargeStatus.VOIDED:
      return 'The card payment was cancelled; nothing was charged.';
    default:
      return 'Waiting for your bank’s answer. This page updates by itself; do not pay again.';
  }
}

function publicPaymentOf(payment: Payment): PublicPayment {
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
  });
}

async function payResult(ctx: Context, run: () => Promise<PayResult>): Promise<CardPayResult> {
  const empty = { status: null, message: null, chargeId: null, declineCode: null, challenge: null, payment: null };
  try {
    const { charge, payment } = await run();
    const checkout = await ctx.em.fork().findOne(CardCheckout, { paymentId: payment.id });
    return Object.assign(new CardPayResult(), {
      status: charge.status,
      message: messageOf(charge),
      chargeId: charge.id,
      declineCode: charge.declineCode,
      challenge: charge.status === CardChargeStatus.REQUIRES_ACTION ? charge.challenge : null,
      payment: publicPaymentOf(payment),
      redirectUrl: payment.status === PaymentStatus.PAID ? (checkout?.successUrl ?? null) : null,
      userErrors: [],
    });
  } catch (error) {
    if (error instanceof UserFacingError) {
      return Object.assign(new CardPayResult(), { ...empty, redirectUrl: null, userErrors: [error.toUserError()] });
    }
    throw error;
  }
}

/** A payment the caller may change; NOT_FOUND for another tenant's as for a missing one. */
async function ownPayment(ctx: Context, id: string): Promise<Payment> {
  const viewer = requireViewer(ctx);
  const payment = await ctx.em.findOne(Payment, id);
  if (!payment || !canAccessMerchant(viewer, payment.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
  return payment;
}

@Resolver(() => Payment)
export class CardPaymentResolver {
  @Authorized()
  @Mutation(() => CreateCardPaymentPayload, {
    description:
      'Creates a card payment (kind CARD) and returns it with payUrl, the hosted page where the payer types the ' +
      'card. Idempotent with an Idempotency-Key header or input.idempotencyKey: a retry returns the first payment.',
  })
  async createCardPayment(
    @Arg('input', () => CreateCardPaymentInput) input: CreateCardPaymentInput,
    @Ctx() ctx: Context,
  ): Promise<CreateCardPaymentPayload> {
    const merchantId = actingMerchant(requireViewer(ctx), input.merchantId);
    return payload(
      (payment, userErrors) =>
        Object.assign(new CreateCardPaymentPayload(), {
          payment,
          payUrl: payment ? `${ctx.config.publicUrl}/pay/${payment.pageToken}` : null,
          userErrors,
        }),
      () => createCardPayment(ctx, merchantId, input),
    );
  }

  @Authorized()
  @Mutation(() => CardChargePayload, {
    description:
      'Captures the authorised card of a MANUAL-capture payment: the money is taken and booked. A second call ' +
      'finds it captured.',
  })
  async captureCardPayment(
    @Arg('input', () => CardPaymentActionInput) input: CardPaymentActionInput,
    @Ctx() ctx: Context,
  ): Promise<CardChargePayload> {
    const payment = await ownPayment(ctx, input.paymentId);
    return payload(
      (result, userErrors) => ({ charge: result?.charge ?? null, payment: result?.payment ?? payment, userErrors }),
      () => captureCardPayment(ctx, payment),
    );
  }

  @Authorized()
  @Mutation(() => CardChargePayload, {
    description: 'Voids the authorised card of a MANUAL-capture payment: nothing is charged; the payer may pay again.',
  })
  async voidCardPayment(
    @Arg('input', () => CardPaymentActionInput) input: CardPaymentActionInput,
    @Ctx() ctx: Context,
  ): Promise<CardChargePayload> {
    const payment = await ownPayment(ctx, input.paymentId);
    return payload(
      (result, userErrors) => ({ charge: result?.charge ?? null, payment: result?.payment ?? payment, userErrors }),
      () => voidCardPayment(ctx, payment),
    );
  }

  @Authorized()
  @Mutation(() => RefundCardPaymentPayload, {
    description:
      'Refunds card money of a payment to the card, in full (no amount) or in part; never more than was captured ' +
      'and not yet refunded, even with concurrent calls. A refund larger than the merchant’s available balance ' +
      'leaves a receivable. Idempotent by input.idempotencyKey.',
  })
  async refundCardPayment(
    @Arg('input', () => RefundCardPaymentInput) input: RefundCardPaymentInput,
    @Ctx() ctx: Context,
  ): Promise<RefundCardPaymentPayload> {
    const payment = await ownPayment(ctx, input.paymentId);
    return payload(
      (result, userErrors) => ({ refund: result?.refund ?? null, payment: result?.payment ?? payment, userErrors }),
      () => refundCardPayment(ctx, payment, input),
    );
  }

  @FieldResolver(() => [CardCharge], { description: 'Its card attempts, oldest first.' })
  cardCharges(@Root() payment: Payment, @Ctx() ctx: Context): Promise<CardCharge[]> {
    return ctx.em.find(CardCharge, { paymentId: payment.id }, { orderBy: { id: 'asc' }, limit: 100 });
  }

  @FieldResolver(() => [CardRefund], { description: 'Refunds to the card, oldest first.' })
  refunds(@Root() payment: Payment, @Ctx() ctx: Context): Promise<CardRefund[]> {
    return ctx.em.find(CardRefund, { paymentId: payment.id }, { orderBy: { id: 'asc' }, limit: 100 });
  }

  @FieldResolver(() => [Chargeback], { description: 'Chargebacks of its card money.' })
  chargebacks(@Root() payment: Payment, @Ctx() ctx: Context): Promise<Chargeback[]> {
    return ctx.em.find(Chargeback, { paymentId: payment.id }, { orderBy: { id: 'asc' }, limit: 100 });
  }
}

@Resolver(() => CardCharge)
export class CardChargeResolver {
  @FieldResolver(() => [CardOperation], { description: 'Every call to the processor for it, oldest first.' })
  operations(@Root() charge: CardCharge, @Ctx() ctx: Context): Promise<CardOperation[]> {
    return ctx.em.find(CardOperation, { chargeId: charge.id }, { orderBy: { id: 'asc' }, limit: 100 });
  }
}

@Resolver(() => PublicPayment)
export class PublicCardResolver {
  @Mutation(() => CardPayResult, {
    description:
      'The payer pays what remains of a payment (amount − amountReceived) with a card tokenised by ' +
      '`POST /card/tokens` on this page. No login: the page token is the secret. One idempotencyKey per attempt, ' +
      'reused on retries. Declines are limited per address, payment and card: past that, RATE_LIMITED.',
  })
  async payByCard(
    @Arg('pageToken', () => String) pageToken: string,
    @Arg('cardToken', () => String) cardToken: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Arg('email', () => String, { nullable: true, description: 'For products that deliver by email.' })
    email: string | null,
    @Ctx() ctx: Context,
  ): Promise<CardPayResult> {
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    return payResult(ctx, () => payByCard(ctx, { pageToken, cardToken, idempotencyKey, email }));
  }

  @Mutation(() => CardPayResult, {
    description: 'The payer’s answer to the challenge of a payByCard that answered REQUIRES_ACTION.',
  })
  async completeCardChallenge(
    @Arg('pageToken', () => String) pageToken: string,
    @Arg('chargeId', () => ID) chargeId: string,
    @Arg('answer', () => String) answer: string,
    @Ctx() ctx: Context,
  ): Promise<CardPayResult> {
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    return payResult(ctx, () => completeCardChallenge(ctx, { pageToken, chargeId, answer }));
  }

  @FieldResolver(() => Boolean, { description: 'Whether this payment may be paid (or finished) by card.' })
  async cardAccepted(@Root() view: PublicPayment, @Ctx() ctx: Context): Promise<boolean> {
    const payment = await ctx.em.findOne(Payment, { reference: view.reference });
    if (!payment || (payment.status !== PaymentStatus.OPEN && payment.status !== PaymentStatus.PARTIALLY_PAID)) {
      return false;
    }
    return acceptsCard(ctx.em, ctx.extensions, payment);
  }

  @FieldResolver(() => Money, { description: 'What is left to pay (what a card would pay): amount − amountReceived.' })
  remaining(@Root() view: PublicPayment): Money {
    const currency = view.amount.currency;
    const left = parseAmount(view.amount.amount, currency) - parseAmount(view.amountReceived.amount, currency);
    return Money.of(left > 0n ? left : 0n, currency);
  }

  @FieldResolver(() => PublicCardCharge, { nullable: true, description: 'The latest card attempt, if any.' })
  async cardCharge(@Root() view: PublicPayment, @Ctx() ctx: Context): Promise<PublicCardCharge | null> {
    const payment = await ctx.em.findOne(Payment, { reference: view.reference });
    if (!payment) return null;
    const charge = await ctx.em.findOne(CardCharge, { paymentId: payment.id }, { orderBy: { id: 'desc' } });
    if (!charge) return null;
    return Object.assign(new PublicCardCharge(), {
      id: charge.id,
      status: charge.status,
      brand: charge.brand,
      last4: charge.last4,
      declineCode: charge.declineCode,
      message: messageOf(charge),
      challenge: charge.status === CardChargeStatus.REQUIRES_ACTION ? charge.challenge : null,
    });
  }

  @FieldResolver(() => String, { nullable: true, description: 'Card payments: where to send the payer once paid.' })
  async successUrl(@Root() view: PublicPayment, @Ctx() ctx: Context): Promise<string | null> {
    return (await this.checkout(view, ctx))?.successUrl ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Card payments: where to send a payer who gives up.' })
  async cancelUrl(@Root() view: PublicPayment, @Ctx() ctx: Context): Promise<string | null> {
    return (await this.checkout(view, ctx))?.cancelUrl ?? null;
  }

  private async checkout(view: PublicPayment, ctx: Context): Promise<CardCheckout | null> {
    const payment = await ctx.em.findOne(Payment, { reference: view.reference });
    return payment ? ctx.em.findOne(CardCheckout, { paymentId: payment.id }) : null;
  }
}

async function ownChargeback(ctx: Context, id: string): Promise<Chargeback> {
  const viewer = requireViewer(ctx);
  const chargeback = await ctx.em.findOne(Chargeback, id);
  if (!chargeback || !canAccessMerchant(viewer, chargeback.merchantId)) {
    throw graphqlError('NOT_FOUND', 'no such object');
  }
  return chargeback;
}

@Resolver(() => Chargeback)
export class ChargebackResolver {
  @Authorized()
  @Query(() => ChargebackConnection, { description: 'Chargebacks the caller may see, newest first.' })
  chargebacks(
    @Args(() => ChargebacksArgs) args: ChargebacksArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<Chargeback>> {
    const where: FilterQuery<Chargeback> = {
      ...merchantFilter(requireViewer(ctx), args.merchantId),
      ...(args.status ? { status: args.status } : {}),
    };
    return paginate(ctx.em, Chargeback, where, args);
  }

  @Authorized('ADMIN')
  @Mutation(() => ChargebackPayload, {
    description:
      'Platform admins: opens a chargeback on a payment’s captured card money. The amount and the merchant’s ' +
      'chargeback fee are debited (available balance first, the rest as a receivable).',
  })
  async openChargeback(
    @Arg('input', () => OpenChargebackInput) input: OpenChargebackInput,
    @Ctx() ctx: Context,
  ): Promise<ChargebackPayload> {
    const payment = await ctx.em.findOne(Payment, input.paymentId);
    if (!payment) throw graphqlError('NOT_FOUND', 'no such object');
    return payload(
      (chargeback, userErrors) => ({ chargeback, userErrors }),
      () => openChargeback(ctx, ctx, { paymentId: payment.id, amount: input.amount, reason: input.reason }),
    );
  }

  @Authorized()
  @Mutation(() => ChargebackPayload, {
    description: 'Adds evidence to an open chargeback (its merchant or a platform admin); texts are kept in order.',
  })
  async addChargebackEvidence(
    @Arg('input', () => AddChargebackEvidenceInput) input: AddChargebackEvidenceInput,
    @Ctx() ctx: Context,
  ): Promise<ChargebackPayload> {
    const chargeback = await ownChargeback(ctx, input.id);
    return payload(
      (result, userErrors) => ({ chargeback: result ?? chargeback, userErrors }),
      () => addChargebackEvidence(ctx, ctx, chargeback, input.evidence),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => ChargebackPayload, {
    description: 'Platform admins: records the decision. WON gives the amount back (the fee stays); LOST is final.',
  })
  async resolveChargeback(
    @Arg('input', () => ResolveChargebackInput) input: ResolveChargebackInput,
    @Ctx() ctx: Context,
  ): Promise<ChargebackPayload> {
    if (!isAdmin(ctx.viewer)) throw graphqlError('FORBIDDEN', 'platform admins only');
    const chargeback = await ownChargeback(ctx, input.id);
    return payload(
      (result, userErrors) => ({ chargeback: result ?? chargeback, userErrors }),
      () => resolveChargeback(ctx, ctx, chargeback, input.outcome),
    );
  }

  @FieldResolver(() => Payment)
  payment(@Root() chargeback: Chargeback, @Ctx() ctx: Context): Promise<Payment> {
    return ctx.em.findOneOrFail(Payment, chargeback.paymentId);
  }
}
