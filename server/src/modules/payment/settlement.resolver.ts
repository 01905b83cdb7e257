import type { FilterQuery } from '@mikro-orm/core';
import {
  Args,
  ArgsType,
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../common/context';
import { merchantFilter, requireViewer } from '../../common/context';
import { payload } from '../../common/errors';
import { PayloadType } from '../../common/mutation';
import { Money } from '../../common/money';
import { paginate } from '../../common/orm';
import { maskPhone } from '../../common/phone';
import { ConnectionType, PageArgs, type Connection } from '../../common/pagination';
import { LedgerTransfer } from '../ledger';
import { Payment } from './payment.entity';
import { refundPayerCredit } from './payment.settlement';
import { PayerCredit, PayerCreditStatus, SuspenseItem, SuspenseStatus } from './settlement.entity';

@ObjectType({
  description:
    'Why what a payment received became what its merchant was credited: gross − operator share − platform fee ' +
    '(+ payer credit spent on it) = net. Every part is in the payment’s currency.',
})
export class PaymentBreakdown {
  @Field(() => Money, { description: 'What payers paid for it (each counted SMS’s price).' })
  gross!: Money;

  @Field(() => Money, { description: 'The mobile operators’ part of the gross.' })
  operatorShare!: Money;

  @Field(() => Money, { description: 'Tollgate’s fee out of the gross.' })
  platformFee!: Money;

  @Field(() => Money, { description: 'Credit the payer had from earlier SMS, spent here (already net).' })
  payerCredit!: Money;

  @Field(() => Money, { description: 'The merchant’s part: booked to the merchant for this payment.' })
  net!: Money;
}

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
    });
  }

  @FieldResolver(() => [LedgerTransfer], { description: 'The ledger transfers it caused, oldest first.' })
  transfers(@Root() payment: Payment, @Ctx() ctx: Context): Promise<LedgerTransfer[]> {
    return ctx.em.find(LedgerTransfer, { paymentId: payment.id }, { orderBy: { id: 'asc' } });
  }
}

const SuspenseItemConnection = ConnectionType(SuspenseItem, 'SuspenseItem');
const PayerCreditConnection = ConnectionType(PayerCredit, 'PayerCredit');

@ArgsType()
class SuspenseItemsArgs extends PageArgs {
  @Field(() => SuspenseStatus, { nullable: true, description: 'Only items in this status (default: all).' })
  status?: SuspenseStatus | null;
}

@ArgsType()
class PayerCreditsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant’s (admins, partners).' })
  merchantId?: string | null;

  @Field(() => PayerCreditStatus, { nullable: true, description: 'Only credits in this status (default: all).' })
  status?: PayerCreditStatus | null;
}

@InputType()
class RefundPayerCreditInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Why, up to 300 characters; kept with the credit and in the audit log.' })
  reason!: string;
}

const RefundPayerCreditPayload = PayloadType(() => PayerCredit, 'RefundPayerCredit', { field: 'credit' });
type RefundPayerCreditPayload = InstanceType<typeof RefundPayerCreditPayload>;

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
