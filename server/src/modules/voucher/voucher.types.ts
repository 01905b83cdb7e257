import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Money } from '../../common/money';
import { RangedPageArgs } from '../../common/date-range';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { PaymentStatus } from '../payment';
import {
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
import { PayloadType } from '../../common/mutation';

export const VoucherProjectConnection = ConnectionType(VoucherProject, 'VoucherProject');

export const VoucherConnection = ConnectionType(Voucher, 'Voucher');

export const VoucherOrderConnection = ConnectionType(VoucherOrder, 'VoucherOrder');

export const VoucherFeedbackConnection = ConnectionType(VoucherFeedback, 'VoucherFeedback');

@ObjectType({ description: "A project's vouchers by status." })
export class VoucherStock {
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
export class VoucherProjectsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@ArgsType()
export class VouchersArgs extends PageArgs {
  @Field(() => VoucherStatus, { nullable: true, description: 'Only vouchers in this status.' })
  status?: VoucherStatus | null;
}

@ArgsType()
export class VoucherSalesArgs extends RangedPageArgs {
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
export class VoucherFeedbackArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this project.' })
  projectId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

@InputType({ description: 'A new voucher project.' })
export class CreateVoucherProjectInput {
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

  @Field(() => Boolean, { nullable: true, description: 'Whether buyers may pay by card as well; false by default.' })
  acceptsCard?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the project is for.' })
  merchantId?: string | null;
}

@InputType({ description: 'Changes to a project; fields left out stay as they are.' })
export class UpdateVoucherProjectInput {
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

  @Field(() => Boolean, {
    nullable: true,
    description: 'Turns card payments on or off; off stops new card payments, money already arrived stays.',
  })
  acceptsCard?: boolean | null;
}

export const VoucherProjectPayload = PayloadType(() => VoucherProject, 'VoucherProject', { field: 'project' });
export type VoucherProjectPayload = InstanceType<typeof VoucherProjectPayload>;

@InputType({ description: 'Vouchers to add to a project, as CSV text (pasted or read from a file).' })
export class AddVouchersInput {
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

@ObjectType('AddVouchersPayload', {
  description:
    'Valid lines are added even when others are refused: each refused line (malformed, repeated, already in stock) ' +
    'is a userError whose field is ["input", "csv", "<line number>"]. Uploading the same file again adds nothing.',
})
export class AddVouchersPayload extends PayloadType(() => VoucherProject, 'AddVouchers', {
  field: 'project',
  extended: true,
}) {
  @Field(() => Int, { description: 'How many vouchers were added.' })
  added!: number;
}

export const WithdrawVoucherPayload = PayloadType(() => Voucher, 'WithdrawVoucher', { field: 'voucher' });
export type WithdrawVoucherPayload = InstanceType<typeof WithdrawVoucherPayload>;

@InputType()
export class PrepayVoucherBlockInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => Int, { description: 'How many available vouchers the platform buys.' })
  count!: number;

  @Field(() => String, { nullable: true, description: "USD paid per voucher; the project's price by default." })
  unitPrice?: string | null;
}

export const PrepayVoucherBlockPayload = PayloadType(() => VoucherPrepaidBlock, 'PrepayVoucherBlock', {
  field: 'block',
});
export type PrepayVoucherBlockPayload = InstanceType<typeof PrepayVoucherBlockPayload>;

@InputType({ description: 'How to resolve an UNFULFILLED order.' })
export class ResolveVoucherOrderInput {
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

export const ResolveVoucherOrderPayload = PayloadType(() => VoucherOrder, 'ResolveVoucherOrder', { field: 'order' });
export type ResolveVoucherOrderPayload = InstanceType<typeof ResolveVoucherOrderPayload>;

@ObjectType({ description: 'A country a voucher can be paid from, and what its instruction costs.' })
export class VoucherShopCountry {
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
export class VoucherShop {
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

  @Field(() => Boolean, {
    description:
      'Whether the voucher can be paid by card as well as by SMS: the page may then offer card, and start a payment ' +
      'without a country (startVoucherPayment).',
  })
  acceptsCard!: boolean;
}

@ObjectType({ description: 'One SMS of the instruction.' })
export class VoucherInstructionLine {
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
export class PurchasedVoucher {
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
export class VoucherPurchase {
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

  @Field(() => Money, {
    description:
      "Credit from the buyer's own earlier SMS to this seller, spent here once an SMS from their phone arrived (part " +
      'of amountReceived).',
  })
  creditApplied!: Money;

  @Field(() => String, {
    nullable: true,
    description: 'The country the SMS come from; null for a payment started for card, until an SMS arrives.',
  })
  country!: string | null;

  @Field(() => String, { nullable: true })
  countryName!: string | null;

  @Field(() => Boolean, {
    description:
      'Whether the rest (`remaining`) can be paid by card now: the shop accepts cards and the payment still takes ' +
      'money. The card form pays this same payment (by `token`).',
  })
  acceptsCard!: boolean;

  @Field(() => Money, { description: 'What is still missing: amount − amountReceived (zero once paid or closed).' })
  remaining!: Money;

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
export class StartVoucherPaymentInput {
  @Field(() => String)
  slug!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'ISO code of the country the SMS will be sent from; it gives the SMS instruction. Leave it out to pay by card ' +
      '(only where the shop acceptsCard): no instruction, the same payment is paid on the card form.',
  })
  country?: string | null;
}

export const StartVoucherPaymentPayload = PayloadType(() => VoucherPurchase, 'StartVoucherPayment', {
  field: 'purchase',
  fieldDescription: 'The payment with its instruction.',
});
export type StartVoucherPaymentPayload = InstanceType<typeof StartVoucherPaymentPayload>;

@InputType()
export class SendVoucherFeedbackInput {
  @Field(() => String)
  slug!: string;

  @Field(() => String, { description: 'Up to 2000 characters.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'How to answer: an email address or a phone number.' })
  contact?: string | null;

  @Field(() => String, { nullable: true, description: 'The payment number the message is about, if any.' })
  paymentNumber?: string | null;
}

export const SendVoucherFeedbackPayload = PayloadType(() => Boolean, 'SendVoucherFeedback', {
  field: 'sent',
  nullable: false,
});
export type SendVoucherFeedbackPayload = InstanceType<typeof SendVoucherFeedbackPayload>;
