import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { RangedPageArgs } from '../../common/date-range';
import { ConnectionType } from '../../common/pagination';
import { SmsDirection, SmsFlag, SmsMessage, SmsStatus } from './sms.entity';
import { PayloadType } from '../../common/mutation';
import { SuspenseItem } from '../payment';
import { SMS_CURRENCY } from './sms.pipeline';

export const SmsMessageConnection = ConnectionType(SmsMessage, 'SmsMessage');

@ArgsType()
export class SmsMessagesArgs extends RangedPageArgs {
  @Field(() => SmsDirection, { nullable: true, description: 'Only inbound (IN) or only replies (OUT).' })
  direction?: SmsDirection | null;

  @Field(() => SmsStatus, { nullable: true, description: 'Only SMS in this status.' })
  status?: SmsStatus | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only flagged (kept, not counted); false: only unflagged.',
  })
  flagged?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Only the SMS of this payment (and the replies about it).' })
  paymentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Platform admins only: true lists the SMS whose text matched no payment (they belong to nobody).',
  })
  unmatched?: boolean | null;
}

@InputType()
export class SimulateInboundSmsInput {
  @Field(() => String, { description: 'The simulated phone, in international form, e.g. "+359888123456".' })
  from!: string;

  @Field(() => String, { description: 'The short code, e.g. "1096".' })
  to!: string;

  @Field(() => String, { description: 'The SMS text, e.g. the payment reference.' })
  text!: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2 country of the phone, e.g. "BG".' })
  country!: string;

  @Field(() => String, { nullable: true, description: 'The phone\'s operator, e.g. "A1"; unknown if omitted.' })
  operator?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The provider message id; a fresh one if omitted. Reuse one to simulate a redelivery.',
  })
  messageId?: string | null;
}

@ObjectType({ description: "An SMS as the development simulator's phone view shows it." })
export class SimulatorSms {
  @Field(() => ID, { description: 'The SMS id, prefixed "sms_".' })
  id!: string;

  @Field(() => SmsDirection, { description: 'IN: the simulated phone sent it; OUT: a reply to the phone.' })
  direction!: SmsDirection;

  @Field(() => String, { description: 'The sending phone (IN) or short code (OUT).' })
  from!: string;

  @Field(() => String, { description: 'The short code (IN) or the phone (OUT).' })
  to!: string;

  @Field(() => String)
  text!: string;

  @Field(() => SmsStatus, { description: 'IN: how the pipeline took it; OUT: QUEUED until the outbox sends it.' })
  status!: SmsStatus;

  @Field(() => SmsFlag, { nullable: true, description: 'Why an inbound SMS was not counted.' })
  flagReason!: SmsFlag | null;

  @Field(() => Date, { description: 'When it was stored.' })
  createdAt!: Date;
}

@ObjectType('SimulateInboundSmsPayload')
export class SimulateInboundSmsPayload extends PayloadType(() => SimulatorSms, 'SimulateInboundSms', {
  field: 'sms',
  fieldDescription: 'The stored SMS, as processed.',
  extended: true,
}) {
  @Field(() => Boolean, { description: 'True when this message id was already delivered: counted once.' })
  duplicate!: boolean;
}

// --- Suspense resolution (sms.suspense.ts) ---

export enum SuspenseAction {
  ATTACH = 'ATTACH',
  CREDIT = 'CREDIT',
  WRITE_OFF = 'WRITE_OFF',
}
registerEnumType(SuspenseAction, {
  name: 'SuspenseAction',
  description:
    'ATTACH: count it on a payment taking money; CREDIT: make it the payer’s credit with a merchant; WRITE_OFF: ' +
    'close it with a reason (its money becomes platform income).',
});

export interface SuspenseResolution {
  id: string;
  action: SuspenseAction;
  paymentReference?: string | null;
  merchantId?: string | null;
  amount?: string | null;
  reason?: string | null;
}

@InputType()
export class ResolveSuspenseItemInput implements SuspenseResolution {
  @Field(() => ID)
  id!: string;

  @Field(() => SuspenseAction)
  action!: SuspenseAction;

  @Field(() => String, { nullable: true, description: 'ATTACH: the reference of the payment to count it on.' })
  paymentReference?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'CREDIT: the merchant the payer gets credit with, when the SMS named no payment.',
  })
  merchantId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `ATTACH or CREDIT of an SMS whose value is unknown (no tariff): the merchant's part, in ${SMS_CURRENCY}.`,
  })
  amount?: string | null;

  @Field(() => String, { nullable: true, description: 'WRITE_OFF: why, up to 300 characters.' })
  reason?: string | null;
}

export const ResolveSuspenseItemPayload = PayloadType(() => SuspenseItem, 'ResolveSuspenseItem', { field: 'item' });
export type ResolveSuspenseItemPayload = InstanceType<typeof ResolveSuspenseItemPayload>;
