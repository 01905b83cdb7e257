import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { Money } from '../../common/money';
import { RangedPageArgs } from '../../common/date-range';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { Payment, PaymentKind, PaymentStatus } from './payment.entity';
import { PayloadType } from '../../common/mutation';
import { PayerCredit, PayerCreditStatus, SuspenseItem, SuspenseStatus } from './settlement.entity';

export const PaymentConnection = ConnectionType(Payment, 'Payment');

@ObjectType({
  description:
    'What a payer sees on the payment page, addressed by its secret token: no ids, no payer data, nothing the ' +
    'merchant keeps to itself (external id, metadata).',
})
export class PublicPayment {
  @Field(() => String, { description: 'The code to quote in the SMS.' })
  reference!: string;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => PaymentKind, {
    description: 'What it pays for: the page offers what fits (a CARD payment is paid by card only).',
  })
  kind!: PaymentKind;

  @Field(() => Money, { description: 'The price.' })
  amount!: Money;

  @Field(() => Money, { description: 'What has arrived so far.' })
  amountReceived!: Money;

  @Field(() => Money, {
    description:
      'Credit the payer had with this merchant from earlier SMS, spent on this payment (part of amountReceived). It ' +
      'is spent only once an SMS from the same phone has arrived on the payment.',
  })
  creditApplied!: Money;

  @Field(() => String)
  description!: string;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;

  /** Resolves `merchantName`; not a field, the payer has no use for the id. */
  merchantId!: string;
}

@ArgsType()
export class PaymentsArgs extends RangedPageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => PaymentStatus, { nullable: true })
  status?: PaymentStatus | null;

  @Field(() => PaymentKind, { nullable: true })
  kind?: PaymentKind | null;

  @Field(() => String, { nullable: true, description: "Only payments with this merchant's own id (order id)." })
  externalId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only the payment with this public reference.' })
  reference?: string | null;
}

@InputType()
export class CreatePaymentInput {
  @Field(() => String, { description: 'Decimal string in the currency\'s units, e.g. "12.50"; positive.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code, e.g. "USD".' })
  currency!: string;

  @Field(() => String, { description: 'What is paid for, shown to the payer; up to 255 characters.' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'Your own id for it (order id), up to 100 characters.' })
  externalId?: string | null;

  @Field(() => String, { nullable: true, description: "The payer's phone in international form, if known." })
  payerPhone?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Your data, returned as given; under 4 KB of JSON.' })
  metadata?: Record<string, unknown> | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the payment is for.' })
  merchantId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Makes retries safe, like the Idempotency-Key header: up to 255 characters, unique per request.',
  })
  idempotencyKey?: string | null;
}

export const CreatePaymentPayload = PayloadType(() => Payment, 'CreatePayment', {
  field: 'payment',
  fieldDescription: 'The new payment; send the payer to its payerUrl.',
});
export type CreatePaymentPayload = InstanceType<typeof CreatePaymentPayload>;

@InputType()
export class CancelPaymentInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'Makes retries safe, like the Idempotency-Key header.' })
  idempotencyKey?: string | null;
}

export const CancelPaymentPayload = PayloadType(() => Payment, 'CancelPayment', { field: 'payment' });
export type CancelPaymentPayload = InstanceType<typeof CancelPaymentPayload>;

// --- Settlement ---------------------------------------------------------------------------------------------------

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

  @Field(() => Money, {
    description: 'Refunded to the payer so far (card refunds; the fee is not given back). Not deducted from net.',
  })
  refunded!: Money;
}

export const SuspenseItemConnection = ConnectionType(SuspenseItem, 'SuspenseItem');
export const PayerCreditConnection = ConnectionType(PayerCredit, 'PayerCredit');

@ArgsType()
export class SuspenseItemsArgs extends PageArgs {
  @Field(() => SuspenseStatus, { nullable: true, description: 'Only items in this status (default: all).' })
  status?: SuspenseStatus | null;
}

@ArgsType()
export class PayerCreditsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant’s (admins, partners).' })
  merchantId?: string | null;

  @Field(() => PayerCreditStatus, { nullable: true, description: 'Only credits in this status (default: all).' })
  status?: PayerCreditStatus | null;
}

@InputType()
export class RefundPayerCreditInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Why, up to 300 characters; kept with the credit and in the audit log.' })
  reason!: string;
}

export const RefundPayerCreditPayload = PayloadType(() => PayerCredit, 'RefundPayerCredit', { field: 'credit' });
export type RefundPayerCreditPayload = InstanceType<typeof RefundPayerCreditPayload>;
