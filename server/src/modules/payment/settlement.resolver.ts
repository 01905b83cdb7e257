import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { merchantFilter, requireViewer } from '../../common/context';
import { payload } from '../../common/errors';
import { Money } from '../../common/money';
import { paginate } from '../../common/orm';
import { maskPhone } from '../../common/phone';
import type { Connection } from '../../common/pagination';
import { LedgerTransfer } from '../ledger';
import { Payment } from './payment.entity';
import { refundPayerCredit } from './payment.settlement';
import { PayerCredit, SuspenseItem } from './settlement.entity';
import {
  PayerCreditConnection,
  PayerCreditsArgs,
  PaymentBreakdown,
  RefundPayerCreditInput,
  RefundPayerCreditPayload,
  SuspenseItemConnection,
  SuspenseItemsArgs,
} from './payment.types';

@Resolver(() => Payment)
export class PaymentMoneyResolver {
  @FieldResolver(() => PaymentBreakdown, { description: 'How the money it received splits, as settlement booked it.' })
  breakdown(@Root() payment: Payment): PaymentBreakdown {
    const money = (minor: bigint) => Money.of(minor, payment.currency);
    return Object.assign(new PaymentBreakdown(), {
      gross: money(payment.grossMinor),
      operatorShare: money(payment.operatorShareMinor),
      platformFee: money(payment.platformFeeMinor),
      // Credit is net already: whatever of the net the SMS counted here did not bring.
      payerCredit: money(
        payment.netMinor - (payment.grossMinor - payment.operatorShareMinor - payment.platformFeeMinor),
      ),
      net: money(payment.netMinor),
      refunded: money(payment.refundedMinor),
    });
  }

  @FieldResolver(() => [LedgerTransfer], { description: 'The ledger transfers it caused, oldest first.' })
  transfers(@Root() payment: Payment, @Ctx() ctx: Context): Promise<LedgerTransfer[]> {
    return ctx.em.find(LedgerTransfer, { paymentId: payment.id }, { orderBy: { id: 'asc' } });
  }
}

@Resolver(() => SuspenseItem)
export class SuspenseResolver {
  @Authorized('ADMIN')
  @Query(() => SuspenseItemConnection, {
    description: 'Billed SMS no payment took, newest first: each waits for an admin to attach, credit or write it off.',
  })
  suspenseItems(@Args() args: SuspenseItemsArgs, @Ctx() ctx: Context): Promise<Connection<SuspenseItem>> {
    const where: FilterQuery<SuspenseItem> = args.status ? { status: args.status } : {};
    return paginate(ctx.em, SuspenseItem, where, args);
  }
}

@Resolver(() => PayerCredit)
export class PayerCreditResolver {
  @Authorized()
  @Query(() => PayerCreditConnection, {
    description: 'Payer credit held for the caller’s merchants (admins: every merchant’s), newest first.',
  })
  payerCredits(@Args() args: PayerCreditsArgs, @Ctx() ctx: Context): Promise<Connection<PayerCredit>> {
    const viewer = requireViewer(ctx);
    const where: FilterQuery<PayerCredit> = {
      ...merchantFilter(viewer, args.merchantId),
      ...(args.status ? { status: args.status } : {}),
    };
    return paginate(ctx.em, PayerCredit, where, args);
  }

  @Authorized('ADMIN')
  @Mutation(() => RefundPayerCreditPayload, {
    description: 'Pays an available credit back to its payer (outside Tollgate); it is no longer spendable.',
  })
  refundPayerCredit(
    @Arg('input', () => RefundPayerCreditInput) input: RefundPayerCreditInput,
    @Ctx() ctx: Context,
  ): Promise<RefundPayerCreditPayload> {
    return payload(
      (credit, userErrors) => ({ credit, userErrors }),
      () => refundPayerCredit(ctx.em, ctx, input),
    );
  }

  @FieldResolver(() => String, { description: 'The payer’s phone, masked for merchants: "+359******456".' })
  phone(@Root() credit: PayerCredit, @Ctx() ctx: Context): string {
    return ctx.viewer?.role === 'ADMIN' ? credit.phone : maskPhone(credit.phone);
  }
}
