import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { Money } from '../../common/money';
import { RangedPageArgs } from '../../common/date-range';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { LedgerAccount, LedgerAccountPurpose, LedgerEntry, LedgerTransfer } from './ledger.entity';
import { PayloadType } from '../../common/mutation';

export const LedgerAccountConnection = ConnectionType(LedgerAccount, 'LedgerAccount');

export const LedgerEntryConnection = ConnectionType(LedgerEntry, 'LedgerEntry');

@ObjectType({ description: "One of a merchant's ledger accounts, as balances." })
export class Balance {
  @Field(() => ID, { description: 'The ledger account these balances are of.' })
  accountId!: string;

  @Field(() => LedgerAccountPurpose, { description: 'What the account holds.' })
  purpose!: LedgerAccountPurpose;

  @Field(() => Money, { description: 'What may be withdrawn or spent now: posted less what holds reserve.' })
  available!: Money;

  @Field(() => Money, { description: 'Incoming money held by pending transfers, not yet available.' })
  pending!: Money;

  @Field(() => Money, { description: 'Outgoing money reserved by pending transfers (e.g. withdrawals in flight).' })
  held!: Money;

  @Field(() => Money, { description: 'Sum of the posted entries.' })
  posted!: Money;
}

@ObjectType({ description: 'A broken ledger invariant, found by ledgerCheck.' })
export class LedgerViolation {
  @Field(() => String, {
    description: '"I1" zero sum, "I2" stored balance equals its entries, "I3" no overdraft (docs: invariants).',
  })
  invariant!: string;

  @Field(() => String, { description: 'What is wrong, with the amounts in minor units.' })
  message!: string;

  @Field(() => ID, { nullable: true, description: 'The account concerned, if the violation is about one.' })
  accountId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The transfer concerned, if the violation is about one.' })
  transferId!: string | null;

  @Field(() => String, { nullable: true, description: 'The ISO 4217 currency concerned.' })
  currency!: string | null;
}

@ObjectType({ description: 'The result of checking the whole ledger against its invariants.' })
export class LedgerCheck {
  @Field(() => Boolean, { description: 'True when no invariant is broken.' })
  consistent!: boolean;

  @Field(() => [LedgerViolation], { description: 'Every broken invariant found; empty when consistent.' })
  violations!: LedgerViolation[];

  @Field(() => Date, { description: 'When the check ran.' })
  checkedAt!: Date;
}

@ArgsType()
export class LedgerAccountsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this ISO 4217 currency.' })
  currency?: string | null;

  @Field(() => LedgerAccountPurpose, { nullable: true, description: 'Only accounts of this purpose.' })
  purpose?: LedgerAccountPurpose | null;
}

@ArgsType()
export class LedgerEntriesArgs extends RangedPageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this account.' })
  accountId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only accounts of this merchant (admins and partners).' })
  merchantId?: string | null;
}

@InputType({ description: 'One leg of an adjustment, on an account named by its purpose and owner.' })
export class LedgerAdjustmentEntryInput {
  @Field(() => LedgerAccountPurpose, { description: 'Names the account, with its merchant and the currency.' })
  purpose!: LedgerAccountPurpose;

  @Field(() => ID, {
    nullable: true,
    description:
      "The account's merchant, for merchant purposes (default: the adjustment's merchantId); null for the platform's.",
  })
  merchantId?: string | null;

  @Field(() => String, {
    description:
      'Signed decimal at the currency\'s scale, e.g. "-12.50": positive credits the account, negative debits it.',
  })
  amount!: string;
}

@InputType({ description: 'A manual, balanced transfer between named accounts, e.g. to correct a mistake.' })
export class CreateLedgerAdjustmentInput {
  @Field(() => String, {
    description:
      'The adjustment is made once per key (and merchant): a retry returns the first, with its description; the same ' +
      'key moving other money is IDEMPOTENCY_CONFLICT. Up to 180 characters.',
  })
  idempotencyKey!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The merchant the adjustment concerns: it can see the transfer. Null for platform-only adjustments.',
  })
  merchantId?: string | null;

  @Field(() => String, { description: 'ISO 4217 currency code of every entry.' })
  currency!: string;

  @Field(() => String, { description: 'Why the money moves; kept with the transfer and in the audit log.' })
  description!: string;

  @Field(() => [LedgerAdjustmentEntryInput], { description: 'At least two, on distinct accounts, summing to zero.' })
  entries!: LedgerAdjustmentEntryInput[];
}

export const CreateLedgerAdjustmentPayload = PayloadType(() => LedgerTransfer, 'CreateLedgerAdjustment', {
  field: 'transfer',
  description: 'The adjustment made (or, for a repeated key, the one made first), or why not.',
  fieldDescription: 'The adjustment; null when refused.',
  userErrorsDescription: 'Why nothing was written; empty on success.',
});
export type CreateLedgerAdjustmentPayload = InstanceType<typeof CreateLedgerAdjustmentPayload>;
