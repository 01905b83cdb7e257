import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { RangedPageArgs } from '../../common/date-range';
import { Money } from '../../common/money';
import { PayloadType } from '../../common/mutation';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { ConfirmationCode } from '../confirmation';
import { StatusLineOutcome } from './payout.batch';
import {
  PayoutBatch,
  PayoutBatchStatus,
  PayoutDestination,
  PayoutDestinationKind,
  PayoutDestinationStatus,
  PayoutRail,
  Withdrawal,
  WithdrawalStatus,
} from './payout.entity';

export const PayoutDestinationConnection = ConnectionType(PayoutDestination, 'PayoutDestination');
export const WithdrawalConnection = ConnectionType(Withdrawal, 'Withdrawal');
export const PayoutBatchConnection = ConnectionType(PayoutBatch, 'PayoutBatch');

registerEnumType(StatusLineOutcome, {
  name: 'PayoutStatusLineOutcome',
  description: 'What one line of a bank status file did.',
  valuesConfig: {
    PAID: { description: 'The withdrawal was marked paid.' },
    REJECTED: { description: 'The bank refused it: its hold was released.' },
    RETURNED: { description: 'The bank sent it back: the balance was restored.' },
    ALREADY_DONE: { description: 'Nothing to do: an earlier line or file did it (paid only once).' },
    UNKNOWN_WITHDRAWAL: { description: 'Mismatch: no withdrawal has this id (an extra line).' },
    NOT_IN_BATCH: { description: 'Mismatch: the withdrawal was never sent in a batch.' },
    AMOUNT_DIFFERS: { description: 'Mismatch: the amount differs from what was sent.' },
    CURRENCY_DIFFERS: { description: 'Mismatch: the currency differs.' },
    INVALID_LINE: { description: 'The line lacks an id or a known status.' },
    REFUSED: { description: 'The change was refused (e.g. a return after the return window).' },
  },
});

@ArgsType()
export class PayoutDestinationsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => PayoutDestinationStatus, { nullable: true })
  status?: PayoutDestinationStatus | null;
}

/** `from` and `to` bound when the withdrawals were requested (createdAt). */
@ArgsType()
export class WithdrawalsArgs extends RangedPageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => WithdrawalStatus, { nullable: true })
  status?: WithdrawalStatus | null;

  @Field(() => ID, { nullable: true, description: 'Only the withdrawals of this payout batch.' })
  batchId?: string | null;
}

@ArgsType()
export class PayoutBatchesArgs extends PageArgs {
  @Field(() => PayoutBatchStatus, { nullable: true })
  status?: PayoutBatchStatus | null;
}

@InputType({ description: 'Where payouts go; give the fields of its kind.' })
export class PayoutDestinationFieldsInput {
  @Field(() => PayoutDestinationKind)
  kind!: PayoutDestinationKind;

  @Field(() => String, { description: 'Whose account or card it is, up to 70 characters.' })
  holderName!: string;

  @Field(() => String, { nullable: true, description: 'Your own name for it, up to 100 characters.' })
  label?: string | null;

  @Field(() => String, { nullable: true, description: 'BANK_ACCOUNT: the IBAN (spaces allowed); checked.' })
  iban?: string | null;

  @Field(() => String, { nullable: true, description: 'BANK_ACCOUNT: the BIC, 8 or 11 characters; checked.' })
  bic?: string | null;

  @Field(() => ID, { nullable: true, description: 'CARD: a card token of the card rail ("ctok_…").' })
  cardTokenId?: string | null;

  @Field(() => String, { nullable: true, description: 'EWALLET: the provider, e.g. "paypal".' })
  walletProvider?: string | null;

  @Field(() => String, { nullable: true, description: 'EWALLET: the account id with the provider.' })
  walletId?: string | null;
}

@InputType()
export class AddPayoutDestinationInput extends PayoutDestinationFieldsInput {
  @Field(() => ID, { nullable: true, description: 'The merchant (partners acting for a sub-merchant).' })
  merchantId?: string | null;
}

@InputType()
export class ChangePayoutDestinationInput extends PayoutDestinationFieldsInput {
  @Field(() => ID, { description: 'The active destination to replace.' })
  id!: string;
}

@InputType()
export class ConfirmCodeInput {
  @Field(() => ID, { description: 'The destination or withdrawal the code was sent for.' })
  id!: string;

  @Field(() => String, { description: 'The 8-digit code from the email.' })
  code!: string;
}

@InputType()
export class SetPayoutCoolOffInput {
  @Field(() => ID, { nullable: true })
  merchantId?: string | null;

  @Field(() => Int, { description: 'Hours new or changed payout details wait; only ever lengthened.' })
  hours!: number;
}

@InputType()
export class RequestWithdrawalInput {
  @Field(() => ID, { nullable: true, description: 'The merchant (partners acting for a sub-merchant).' })
  merchantId?: string | null;

  @Field(() => ID, { description: 'An active payout destination past its cool-off.' })
  destinationId!: string;

  @Field(() => String, { description: 'Decimal string, e.g. "100.00": at least 1 unit, at most what is available.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code of the balance to withdraw from.' })
  currency!: string;

  @Field(() => String, { nullable: true, description: 'Makes a retry return the first withdrawal.' })
  idempotencyKey?: string | null;
}

@InputType()
export class WithdrawalIdsInput {
  @Field(() => [ID], { description: 'Up to 100 withdrawals.' })
  ids!: string[];
}

@InputType()
export class RejectWithdrawalsInput extends WithdrawalIdsInput {
  @Field(() => String, { description: 'Why, up to 300 characters (the merchant sees it).' })
  reason!: string;
}

@InputType()
export class CreatePayoutBatchInput {
  @Field(() => PayoutRail)
  rail!: PayoutRail;

  @Field(() => String, { description: 'ISO 4217 code.' })
  currency!: string;
}

@InputType()
export class ImportPayoutStatusInput {
  @Field(() => String, {
    description:
      'The bank status CSV: header withdrawal_id,status,amount,currency,bank_reference[,reason]; status PAID, ' +
      'REJECTED or RETURNED; amount what was sent.',
  })
  csv!: string;
}

@InputType()
export class ImportPayoutStatementInput {
  @Field(() => String, {
    description:
      'The bank’s end-of-day statement, ISO 20022 camt.053 XML (up to 5 MB): booked debits pay the withdrawal named by ' +
      'their EndToEndId; booked credits with return information (RtrInf) return it.',
  })
  xml!: string;
}

@InputType()
export class WithdrawalReasonInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Why, up to 300 characters (audited).' })
  reason!: string;

  @Field(() => String, { nullable: true, description: 'The bank’s reference, if known.' })
  bankReference?: string | null;
}

@ObjectType({ description: 'A payout file for the bank.' })
export class PayoutFile {
  @Field(() => String)
  fileName!: string;

  @Field(() => String, { description: 'application/xml (SEPA pain.001.001.03) or text/csv.' })
  contentType!: string;

  @Field(() => String, { description: 'The file itself (UTF-8).' })
  content!: string;
}

@ObjectType({ description: 'One line of an imported bank status file.' })
export class PayoutStatusLine {
  @Field(() => Int, { description: 'The line number in the file (the header is line 1).' })
  line!: number;

  @Field(() => ID, { nullable: true })
  withdrawalId!: string | null;

  @Field(() => StatusLineOutcome)
  outcome!: StatusLineOutcome;

  @Field(() => String)
  message!: string;
}

@ObjectType({ description: 'What an admin weighs before approving a withdrawal.' })
export class WithdrawalReview {
  @Field(() => String)
  merchantName!: string;

  @Field(() => Date)
  merchantSince!: Date;

  @Field(() => Date, { nullable: true, description: 'When the destination was confirmed.' })
  destinationConfirmedAt!: Date | null;

  @Field(() => Money, { description: 'What this merchant was paid out in this currency in the last 30 days.' })
  paidOutLast30Days!: Money;

  @Field(() => Int, { description: 'How many of its withdrawals were paid before.' })
  previousPayouts!: number;

  @Field(() => [String], {
    description: 'NEW_MERCHANT (under 30 days), NEW_DESTINATION (under 7 days), FIRST_PAYOUT, RETURNED_BEFORE.',
  })
  flags!: string[];
}

@ObjectType({ description: 'A merchant’s payout settings.' })
export class PayoutSettingsInfo {
  @Field(() => Int, { description: 'Hours new or changed payout details wait before use.' })
  coolOffHours!: number;

  @Field(() => Int, { description: 'The platform minimum (PAYOUT_COOL_OFF_HOURS).' })
  platformMinimumCoolOffHours!: number;
}

@ObjectType('PayoutDestinationPayload', { description: 'A destination, and the code sent to confirm it.' })
export class PayoutDestinationPayload extends PayloadType(() => PayoutDestination, 'PayoutDestination', {
  field: 'destination',
  extended: true,
}) {
  @Field(() => ConfirmationCode, { nullable: true, description: 'The code emailed to the owner, when one was sent.' })
  confirmation!: ConfirmationCode | null;
}

@ObjectType('RequestWithdrawalPayload', { description: 'The withdrawal, and the code sent to confirm it.' })
export class RequestWithdrawalPayload extends PayloadType(() => Withdrawal, 'RequestWithdrawal', {
  field: 'withdrawal',
  extended: true,
}) {
  @Field(() => ConfirmationCode, { nullable: true })
  confirmation!: ConfirmationCode | null;
}

export const WithdrawalPayload = PayloadType(() => Withdrawal, 'Withdrawal', { field: 'withdrawal' });
export const ConfirmationPayload = PayloadType(() => ConfirmationCode, 'Confirmation', { field: 'confirmation' });
export const PayoutSettingsPayload = PayloadType(() => PayoutSettingsInfo, 'PayoutSettings', { field: 'settings' });
export const PayoutBatchPayload = PayloadType(() => PayoutBatch, 'PayoutBatch', { field: 'batch' });

@ObjectType('WithdrawalsPayload', { description: 'The withdrawals changed; userErrors name the ones refused.' })
export class WithdrawalsPayload {
  @Field(() => [Withdrawal])
  withdrawals!: Withdrawal[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType('ExportPayoutBatchPayload', { description: 'The batch and its file.' })
export class ExportPayoutBatchPayload extends PayloadType(() => PayoutBatch, 'ExportPayoutBatch', {
  field: 'batch',
  extended: true,
}) {
  @Field(() => PayoutFile, { nullable: true })
  file!: PayoutFile | null;
}

@ObjectType('ImportPayoutStatusPayload', { description: 'What each line of the status file did.' })
export class ImportPayoutStatusPayload {
  @Field(() => [PayoutStatusLine], { nullable: true })
  lines!: PayoutStatusLine[] | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
