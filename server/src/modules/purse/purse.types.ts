import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Money } from '../../common/money';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { OutboxStatus } from '../outbox';
import { PaymentStatus } from '../payment';
import { PaymentSmsLine } from '../sms';
import { Purse, PurseLanguage, PursePayment } from './purse.entity';
import { PURSE_CURRENCY, type CountryOption } from './purse.service';
import { PayloadType } from '../../common/mutation';

export const PurseConnection = ConnectionType(Purse, 'Purse');

export const PursePaymentConnection = ConnectionType(PursePayment, 'PursePayment');

@ObjectType({ description: 'The Result URL callback of one operation: its delivery state and every attempt.' })
export class PurseCallback {
  @Field(() => OutboxStatus, { description: 'PENDING until your handler answers 2xx; DEAD when given up.' })
  status!: OutboxStatus;

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => Date, { nullable: true, description: 'When it is next attempted, while PENDING.' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  messageId!: string;
}

@ObjectType({ description: 'One field of a protocol form, as sent.' })
export class PurseFormField {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType({ description: 'What a test callback sent and what the Result URL answered.' })
export class PurseTestCallback {
  @Field(() => String)
  url!: string;

  @Field(() => [PurseFormField], { description: 'The form fields sent, in order, signed with the current secret.' })
  fields!: PurseFormField[];

  @Field(() => Int, { nullable: true, description: 'The HTTP status; null when no answer came.' })
  httpStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'The start of the answer’s body.' })
  responseBody!: string | null;

  @Field(() => String, { nullable: true, description: 'Why no answer came (network error, timeout).' })
  error!: string | null;

  @Field(() => Boolean, { description: 'Whether the answer was 2xx, as real callbacks need.' })
  ok!: boolean;
}

@ObjectType({ description: 'A country a purse payment can be paid from, and the one SMS to send there.' })
export class PurseCountryOption {
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code.' })
  code!: string;

  @Field(() => String, { description: 'English name; pages may show their own language’s.' })
  name!: string;

  @Field(() => String, { description: 'The short code to send the SMS to.' })
  shortCode!: string;

  @Field(() => String, { description: 'The exact text to send (it carries the payment’s reference).' })
  text!: string;

  @Field(() => Money, { description: 'What the SMS costs, in the country’s currency (the highest among operators).' })
  price!: Money;

  @Field(() => Money, { description: 'The same in US dollars.' })
  priceUsd!: Money;

  @Field(() => Boolean, { description: 'Whether the price differs between mobile operators.' })
  variesByOperator!: boolean;

  static of(option: CountryOption, text: string): PurseCountryOption {
    return Object.assign(new PurseCountryOption(), {
      code: option.code,
      name: option.name,
      shortCode: option.shortCode,
      text,
      price: Money.of(option.priceMinor, option.currency),
      priceUsd: Money.of(option.priceUsdMinor, PURSE_CURRENCY),
      variesByOperator: option.variesByOperator,
    });
  }
}

@ObjectType({
  description:
    'The payer’s purse payment page, addressed by its secret page token: no ids, no payer data, nothing the ' +
    'merchant keeps to itself.',
})
export class PursePaymentPage {
  @Field(() => String, { description: 'Who is being paid: the merchant’s name.' })
  merchantName!: string;

  @Field(() => String, { description: 'The purse’s name, shown to payers on this page.' })
  purseName!: string;

  @Field(() => String, { description: 'What is paid for, as the shop described it (may be empty).' })
  description!: string;

  @Field(() => Money, { description: 'The amount of the shop’s form, in USD.' })
  amount!: Money;

  @Field(() => Boolean, {
    description: 'True when the amount is the shop’s net (`s_clear_amount=1`): the payer’s price differs by country.',
  })
  amountIsNet!: boolean;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => Money, { description: 'What has arrived so far, counted as the amount is (price or net).' })
  amountReceived!: Money;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;

  @Field(() => String, { description: 'The payment’s reference, which the SMS text carries.' })
  reference!: string;

  @Field(() => PurseLanguage, { description: 'The language the shop’s form asked for.' })
  language!: PurseLanguage;

  @Field(() => [PurseCountryOption], {
    description:
      'The countries one SMS can pay this amount from (seed B4), by name; empty when none can (see highestAmount).',
  })
  countries!: PurseCountryOption[];

  @Field(() => Money, {
    nullable: true,
    description: 'The most one SMS can pay in this purse’s countries; null when they have no tariffs at all.',
  })
  highestAmount!: Money | null;

  @Field(() => String, { nullable: true, description: 'The country the payer chose.' })
  country!: string | null;

  @Field(() => PurseCountryOption, { nullable: true, description: 'The chosen country’s SMS.' })
  instruction!: PurseCountryOption | null;

  @Field(() => [PaymentSmsLine], { description: 'The SMS expected and received; live through `paymentSms`.' })
  sms!: PaymentSmsLine[];

  @Field(() => Boolean, { description: 'Whether the payer may confirm now (the payment is PAID).' })
  canConfirm!: boolean;

  @Field(() => Boolean, { description: 'Whether the payer may cancel now (nothing has arrived yet).' })
  canCancel!: boolean;
}

@ArgsType()
export class PursesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@ArgsType()
export class PursePaymentFilterArgs {
  @Field(() => ID, { nullable: true, description: 'Only this purse’s payments.' })
  purseId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => PaymentStatus, { nullable: true })
  status?: PaymentStatus | null;

  @Field(() => Date, { nullable: true, description: 'Opened at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Opened before this time.' })
  to?: Date | null;

  @Field(() => String, { nullable: true, description: 'Chosen by, or paid from, this country (ISO code).' })
  country?: string | null;
}

@ArgsType()
export class PursePaymentsArgs extends PursePaymentFilterArgs {
  @Field(() => Int, { nullable: true, description: 'How many items, 1 to 100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

@InputType()
export class CreatePurseInput {
  @Field(() => String, { description: 'Your name for the purse, shown to payers; up to 100 characters.' })
  name!: string;

  @Field(() => String)
  successUrl!: string;

  @Field(() => String)
  failUrl!: string;

  @Field(() => String, { description: 'Your handler for the signed callback of each paid SMS.' })
  resultUrl!: string;

  @Field(() => [String], { nullable: true, description: 'ISO codes of the countries served; empty or null: all.' })
  countries?: string[] | null;

  @Field(() => PurseLanguage, { nullable: true, description: 'The pages’ default language (default RU).' })
  language?: PurseLanguage | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the purse is for.' })
  merchantId?: string | null;
}

@InputType()
export class UpdatePurseInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  successUrl?: string | null;

  @Field(() => String, { nullable: true })
  failUrl?: string | null;

  @Field(() => String, { nullable: true })
  resultUrl?: string | null;

  @Field(() => [String], { nullable: true, description: 'The full new list; empty: every country.' })
  countries?: string[] | null;

  @Field(() => PurseLanguage, { nullable: true })
  language?: PurseLanguage | null;
}

@InputType()
export class PursePaymentTokenInput {
  @Field(() => String, { description: 'The page token from the payment page’s URL.' })
  token!: string;
}

@InputType()
export class SelectPursePaymentCountryInput extends PursePaymentTokenInput {
  @Field(() => String, { description: 'ISO code of one of the page’s countries.' })
  country!: string;
}

export const PursePayload = PayloadType(() => Purse, 'Purse', { field: 'purse' });
export type PursePayload = InstanceType<typeof PursePayload>;

export const PurseSecretPayload = PayloadType(() => Purse, 'PurseSecret', {
  field: 'purse',
  secret: 'The secret code: keep it on your server only.',
});
export type PurseSecretPayload = InstanceType<typeof PurseSecretPayload>;

export const SendPurseTestCallbackPayload = PayloadType(() => PurseTestCallback, 'SendPurseTestCallback', {
  field: 'result',
});
export type SendPurseTestCallbackPayload = InstanceType<typeof SendPurseTestCallbackPayload>;

export const PursePaymentPagePayload = PayloadType(() => PursePaymentPage, 'PursePaymentPage', { field: 'page' });
export type PursePaymentPagePayload = InstanceType<typeof PursePaymentPagePayload>;

export const PursePaymentReturnPayload = PayloadType(() => String, 'PursePaymentReturn', {
  field: 'returnUrl',
  fieldDescription: 'Send the browser here: it posts the signed return form to the shop’s Success or Fail URL.',
});
export type PursePaymentReturnPayload = InstanceType<typeof PursePaymentReturnPayload>;
