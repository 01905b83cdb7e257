import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { PayloadType } from '../../common/mutation';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { Payment, PublicPayment } from '../payment';
import { CardBrand } from './card.numbers';
import { CardDeclineCode } from './card.processor';
import { CardCaptureMode, CardCharge, CardChargeStatus, CardRefund, Chargeback, ChargebackStatus } from './card.entity';

@InputType()
export class CreateCardPaymentInput {
  @Field(() => String, { description: 'Decimal string in the currency’s units, e.g. "12.50"; positive.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code, e.g. "EUR" or "USD". No conversion: the card pays this.' })
  currency!: string;

  @Field(() => String, { description: 'What is paid for, shown to the payer; up to 255 characters.' })
  description!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Where the payer’s browser goes once paid (http or https; https in production; up to 2000).',
  })
  successUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'Where the payer’s browser goes when giving up.' })
  cancelUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'Your own id for it (order id), up to 100 characters.' })
  externalId?: string | null;

  @Field(() => CardCaptureMode, { nullable: true, description: 'AUTOMATIC (default) or MANUAL.' })
  captureMode?: CardCaptureMode | null;

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

@ObjectType('CreateCardPaymentPayload')
export class CreateCardPaymentPayload {
  @Field(() => Payment, { nullable: true, description: 'The new payment (kind CARD).' })
  payment!: Payment | null;

  @Field(() => String, {
    nullable: true,
    description: 'The hosted payer page (`/pay/<pageToken>`): send the payer here. Keep it between you two.',
  })
  payUrl!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType({ description: 'Names a card payment (its payment id).' })
export class CardPaymentActionInput {
  @Field(() => ID)
  paymentId!: string;
}

@ObjectType('CardChargePayload')
export class CardChargePayload {
  @Field(() => CardCharge, { nullable: true, description: 'The charge after the action.' })
  charge!: CardCharge | null;

  @Field(() => Payment, { nullable: true })
  payment!: Payment | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class RefundCardPaymentInput {
  @Field(() => ID)
  paymentId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Decimal string, e.g. "2.50"; omitted: everything paid by card not yet refunded.',
  })
  amount?: string | null;

  @Field(() => String, {
    description: 'Required: one key per refund, reused on retries (a retry answers the first refund).',
  })
  idempotencyKey!: string;
}

@ObjectType('RefundCardPaymentPayload')
export class RefundCardPaymentPayload {
  @Field(() => CardRefund, { nullable: true, description: 'SUCCEEDED, FAILED, or UNKNOWN until reconciled.' })
  refund!: CardRefund | null;

  @Field(() => Payment, { nullable: true })
  payment!: Payment | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ description: 'A card attempt as the payer sees it on the payment page.' })
export class PublicCardCharge {
  @Field(() => ID)
  id!: string;

  @Field(() => CardChargeStatus)
  status!: CardChargeStatus;

  @Field(() => CardBrand)
  brand!: CardBrand;

  @Field(() => String)
  last4!: string;

  @Field(() => CardDeclineCode, { nullable: true })
  declineCode!: CardDeclineCode | null;

  @Field(() => String, { description: 'What to tell the payer, in a sentence.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'REQUIRES_ACTION: the question to ask the payer.' })
  challenge!: string | null;
}

@ObjectType({ description: 'What became of a payByCard or completeCardChallenge.' })
export class CardPayResult {
  @Field(() => CardChargeStatus, {
    nullable: true,
    description:
      'CAPTURED (paid) or AUTHORISED (MANUAL capture): done. DECLINED: show the message, let the payer try again. ' +
      'REQUIRES_ACTION: ask `challenge`, then completeCardChallenge. UNKNOWN or PENDING: the bank has not answered; ' +
      'the page updates when it does (paymentStatus). Null when refused (userErrors).',
  })
  status!: CardChargeStatus | null;

  @Field(() => String, { nullable: true, description: 'What to tell the payer, in a sentence.' })
  message!: string | null;

  @Field(() => ID, { nullable: true, description: 'The attempt; completeCardChallenge names it.' })
  chargeId!: string | null;

  @Field(() => CardDeclineCode, { nullable: true })
  declineCode!: CardDeclineCode | null;

  @Field(() => String, { nullable: true, description: 'REQUIRES_ACTION: the question to ask the payer.' })
  challenge!: string | null;

  @Field(() => PublicPayment, { nullable: true, description: 'The payment as the page shows it, after the attempt.' })
  payment!: PublicPayment | null;

  @Field(() => String, {
    nullable: true,
    description: 'Once paid, where to send the payer (the merchant’s successUrl), if any.',
  })
  redirectUrl!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

export enum ChargebackOutcome {
  WON = 'WON',
  LOST = 'LOST',
}
registerEnumType(ChargebackOutcome, { name: 'ChargebackOutcome', description: 'How a chargeback was decided.' });

@InputType()
export class OpenChargebackInput {
  @Field(() => ID)
  paymentId!: string;

  @Field(() => String, { nullable: true, description: 'Decimal string; omitted: all of the captured card money.' })
  amount?: string | null;

  @Field(() => String, { description: 'Why the payer disputes it; up to 300 characters.' })
  reason!: string;
}

@InputType()
export class AddChargebackEvidenceInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Evidence text (receipts, delivery, correspondence); up to 5000 characters.' })
  evidence!: string;
}

@InputType()
export class ResolveChargebackInput {
  @Field(() => ID)
  id!: string;

  @Field(() => ChargebackOutcome)
  outcome!: ChargebackOutcome;
}

export const ChargebackPayload = PayloadType(() => Chargeback, 'Chargeback', { field: 'chargeback' });
export type ChargebackPayload = InstanceType<typeof ChargebackPayload>;

export const ChargebackConnection = ConnectionType(Chargeback, 'Chargeback');

@ArgsType()
export class ChargebacksArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant’s (admins, partners).' })
  merchantId?: string | null;

  @Field(() => ChargebackStatus, { nullable: true })
  status?: ChargebackStatus | null;
}
