import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { bigint } from '../../common/orm';
import type { Transitions } from '../../common/state-machine';

// --- Destinations ------------------------------------------------------------------------------------------------

export enum PayoutDestinationKind {
  BANK_ACCOUNT = 'BANK_ACCOUNT',
  CARD = 'CARD',
  EWALLET = 'EWALLET',
}
registerEnumType(PayoutDestinationKind, {
  name: 'PayoutDestinationKind',
  description: 'Where a payout goes. Values only grow.',
  valuesConfig: {
    BANK_ACCOUNT: {
      description: 'A bank account by IBAN and BIC; EUR payouts to SEPA countries go by SEPA credit transfer.',
    },
    CARD: { description: 'A card, by a token of the card rail (never its number).' },
    EWALLET: { description: 'An account with an e-wallet provider, by its id there.' },
  },
});

export enum PayoutDestinationStatus {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  REPLACED = 'REPLACED',
  REMOVED = 'REMOVED',
}
registerEnumType(PayoutDestinationStatus, {
  name: 'PayoutDestinationStatus',
  description: 'Where a payout destination stands. Values only grow.',
  valuesConfig: {
    PENDING: { description: 'Added or changed, waiting for the emailed code.' },
    ACTIVE: { description: 'Confirmed; withdrawals may use it once its cool-off ends (usableFrom).' },
    REPLACED: { description: 'A confirmed change replaced it.' },
    REMOVED: { description: 'Removed by the merchant.' },
  },
});

export type PayoutDestinationTransition = 'confirm' | 'replace' | 'remove';
export const DESTINATION_TRANSITIONS: Transitions<PayoutDestinationStatus, PayoutDestinationTransition> = {
  confirm: { from: [PayoutDestinationStatus.PENDING], to: PayoutDestinationStatus.ACTIVE },
  replace: { from: [PayoutDestinationStatus.ACTIVE], to: PayoutDestinationStatus.REPLACED },
  remove: {
    from: [PayoutDestinationStatus.PENDING, PayoutDestinationStatus.ACTIVE],
    to: PayoutDestinationStatus.REMOVED,
  },
};

@Entity({ tableName: 'payout_destination' })
@Index({ properties: ['merchantId', 'id'] })
@ObjectType({ description: 'Where a merchant’s payouts go: a bank account, a card (by token) or an e-wallet.' })
export class PayoutDestination {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "pds_".' })
  id: string = newId('pds');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => PayoutDestinationKind)
  kind!: PayoutDestinationKind;

  @Property({ type: 'string', length: 20 })
  @Field(() => PayoutDestinationStatus)
  status: PayoutDestinationStatus = PayoutDestinationStatus.PENDING;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'The merchant’s own name for it, up to 100 characters.' })
  label: string | null = null;

  @Property({ type: 'string', length: 70 })
  @Field(() => String, { description: 'Whose account or card it is (the beneficiary), up to 70 characters.' })
  holderName!: string;

  @Property({ type: 'string', length: 34, nullable: true })
  @Field(() => String, { nullable: true, description: 'BANK_ACCOUNT: the IBAN, electronic format (no spaces).' })
  iban: string | null = null;

  @Property({ type: 'string', length: 11, nullable: true })
  @Field(() => String, { nullable: true, description: 'BANK_ACCOUNT: the bank’s BIC (8 or 11 characters).' })
  bic: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'CARD: the card rail’s token ("ctok_…").' })
  cardTokenId: string | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, { nullable: true, description: 'CARD: the brand, e.g. VISA.' })
  cardBrand: string | null = null;

  @Property({ type: 'string', length: 4, nullable: true })
  @Field(() => String, { nullable: true, description: 'CARD: the last four digits.' })
  cardLast4: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => String, { nullable: true, description: 'EWALLET: the provider, e.g. "paypal".' })
  walletProvider: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'EWALLET: the account’s id with the provider.' })
  walletId: string | null = null;

  /** The destination this one replaces once confirmed (a change), if any. */
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The destination this change replaces once confirmed.' })
  replacesId: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  confirmedAt: Date | null = null;

  /** confirmedAt + the merchant's cool-off: withdrawals may use it from then on. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When its cool-off ends and withdrawals may use it.' })
  usableFrom: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  removedAt: Date | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version: number = 1;
}

/** A merchant's payout settings; no row: the platform's. Its own table, so the merchant module knows nothing of it. */
@Entity({ tableName: 'payout_settings' })
export class PayoutSettings {
  @PrimaryKey({ type: 'string', length: 40 })
  merchantId!: string;

  /** The merchant's own cool-off in hours; the effective one is never under the platform minimum. */
  @Property({ type: 'integer' })
  coolOffHours!: number;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}

// --- Withdrawals -------------------------------------------------------------------------------------------------

export enum PayoutRail {
  SEPA = 'SEPA',
  BANK = 'BANK',
  CARD = 'CARD',
  EWALLET = 'EWALLET',
}
registerEnumType(PayoutRail, {
  name: 'PayoutRail',
  description: 'How a payout is sent; batches group withdrawals per rail and currency. Values only grow.',
  valuesConfig: {
    SEPA: { description: 'SEPA credit transfer (EUR to a bank account in a SEPA country): pain.001.001.03 XML.' },
    BANK: { description: 'Any other bank transfer: CSV for the bank’s bulk upload.' },
    CARD: { description: 'Push to a card by its token: CSV for the card processor.' },
    EWALLET: { description: 'To an e-wallet account: CSV for the provider.' },
  },
});

export enum WithdrawalStatus {
  REQUESTED = 'REQUESTED',
  CONFIRMED = 'CONFIRMED',
  APPROVED = 'APPROVED',
  IN_BATCH = 'IN_BATCH',
  PAID = 'PAID',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
  RETURNED = 'RETURNED',
}
registerEnumType(WithdrawalStatus, {
  name: 'WithdrawalStatus',
  description: 'Where a withdrawal stands; each ends in exactly one of PAID, REJECTED, CANCELLED, RETURNED.',
  valuesConfig: {
    REQUESTED: { description: 'Asked for; waits for the code emailed to the owner. Nothing held yet.' },
    CONFIRMED: { description: 'Confirmed by code: the amount is held in the ledger; waits for an admin.' },
    APPROVED: { description: 'Approved by an admin; waits for a payout batch.' },
    IN_BATCH: { description: 'In a payout batch sent to the bank; waits for the bank’s answer.' },
    PAID: { description: 'The bank paid it: the hold was posted, the money left (final, unless the bank returns it).' },
    REJECTED: { description: 'Refused by an admin or the bank: the hold was released (final).' },
    CANCELLED: { description: 'Cancelled by the merchant before approval: the hold, if any, was released (final).' },
    RETURNED: {
      description: 'Paid, then sent back by the bank within the return window: the balance restored (final).',
    },
  },
});

export type WithdrawalTransition = 'confirm' | 'approve' | 'batch' | 'pay' | 'reject' | 'cancel' | 'return';
export const WITHDRAWAL_TRANSITIONS: Transitions<WithdrawalStatus, WithdrawalTransition> = {
  confirm: { from: [WithdrawalStatus.REQUESTED], to: WithdrawalStatus.CONFIRMED },
  approve: { from: [WithdrawalStatus.CONFIRMED], to: WithdrawalStatus.APPROVED },
  batch: { from: [WithdrawalStatus.APPROVED], to: WithdrawalStatus.IN_BATCH },
  pay: { from: [WithdrawalStatus.IN_BATCH], to: WithdrawalStatus.PAID },
  // From IN_BATCH: the bank refused the line.
  reject: {
    from: [WithdrawalStatus.CONFIRMED, WithdrawalStatus.APPROVED, WithdrawalStatus.IN_BATCH],
    to: WithdrawalStatus.REJECTED,
  },
  cancel: { from: [WithdrawalStatus.REQUESTED, WithdrawalStatus.CONFIRMED], to: WithdrawalStatus.CANCELLED },
  return: { from: [WithdrawalStatus.PAID], to: WithdrawalStatus.RETURNED },
};

/** States whose money is held in the ledger (an unresolved hold). */
export const HELD_STATES: readonly WithdrawalStatus[] = [
  WithdrawalStatus.CONFIRMED,
  WithdrawalStatus.APPROVED,
  WithdrawalStatus.IN_BATCH,
];

export enum PaidVia {
  BANK_LINE = 'BANK_LINE',
  ADMIN_OVERRIDE = 'ADMIN_OVERRIDE',
  CARD_PROCESSOR = 'CARD_PROCESSOR',
}
registerEnumType(PaidVia, {
  name: 'PaidVia',
  description: 'What marked a withdrawal paid.',
  valuesConfig: {
    BANK_LINE: { description: 'A matching line of the bank’s status file.' },
    ADMIN_OVERRIDE: { description: 'An admin’s explicit override, with a reason (audited).' },
    CARD_PROCESSOR: { description: 'The card processor approved the payout to the card (sendCardPayouts).' },
  },
});

@Entity({ tableName: 'withdrawal' })
@Index({ properties: ['merchantId', 'id'] })
@Index({ properties: ['status', 'id'] })
// An automatic payout's period is taken once per merchant and currency, however many schedulers run (NULLs differ).
@Unique({ properties: ['merchantId', 'currency', 'autoPeriod'] })
@ObjectType({ description: 'A merchant’s request to be paid out part of its available balance.' })
export class Withdrawal {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "wdr_".' })
  id: string = newId('wdr');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  destinationId!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => PayoutRail)
  rail!: PayoutRail;

  @Property({ type: 'string', length: 3 })
  @Field(() => String, { description: 'ISO 4217 code of the balance it is paid from.' })
  currency!: string;

  /** What leaves the merchant's balance, minor units. */
  @Property({ type: bigint() })
  amountMinor!: bigint;

  /** The payout fee of the merchant's plan when requested; the bank sends amount − fee. */
  @Property({ type: bigint() })
  feeMinor: bigint = 0n;

  @Property({ type: 'string', length: 10 })
  @Field(() => WithdrawalStatus)
  status: WithdrawalStatus = WithdrawalStatus.REQUESTED;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The ledger hold placed when it was confirmed.' })
  holdTransferId: string | null = null;

  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The payout batch it went out in.' })
  batchId: string | null = null;

  /** The user or API key that asked for it. */
  @Property({ type: 'string', length: 40 })
  requestedBy!: string;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  confirmedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  approvedAt: Date | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  approvedBy: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  paidAt: Date | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => PaidVia, { nullable: true })
  paidVia: PaidVia | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'The bank’s reference for the payment, from its status file.' })
  bankReference: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was rejected, cancelled or returned.' })
  closedAt: Date | null = null;

  @Property({ type: 'string', length: 300, nullable: true })
  @Field(() => String, { nullable: true, description: 'Why it was rejected or returned.' })
  reason: string | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'For an automatic payout: its period ("2026-12-05" daily, "2026-W49" weekly, UTC); null otherwise.',
  })
  autoPeriod: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version: number = 1;
}

// --- Batches -----------------------------------------------------------------------------------------------------

export enum PayoutBatchStatus {
  OPEN = 'OPEN',
  SETTLED = 'SETTLED',
}
registerEnumType(PayoutBatchStatus, {
  name: 'PayoutBatchStatus',
  description: 'Where a payout batch stands.',
  valuesConfig: {
    OPEN: { description: 'Sent (or to be sent) to the bank; some lines wait for the bank’s answer.' },
    SETTLED: { description: 'Every line was paid, rejected or returned.' },
  },
});

@Entity({ tableName: 'payout_batch' })
@ObjectType({ description: 'Approved withdrawals of one rail and currency, sent to the bank as one file.' })
export class PayoutBatch {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "pbt_"; the file’s message id.' })
  id: string = newId('pbt');

  @Property({ type: 'string', length: 10 })
  @Field(() => PayoutRail)
  rail!: PayoutRail;

  @Property({ type: 'string', length: 3 })
  @Field(() => String)
  currency!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => PayoutBatchStatus)
  status: PayoutBatchStatus = PayoutBatchStatus.OPEN;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'How many withdrawals it carries.' })
  count!: number;

  /** What the bank is asked to send in all (the withdrawals' amounts less fees), minor units. */
  @Property({ type: bigint() })
  totalMinor!: bigint;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'How many times its file was exported (exporting again gives the same file).' })
  exportCount: number = 0;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  lastExportedAt: Date | null = null;

  @Property({ type: 'string', length: 40 })
  createdBy!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  settledAt: Date | null = null;
}

// --- Automatic payouts -------------------------------------------------------------------------------------------

export enum AutoPayoutSchedule {
  DAILY = 'DAILY',
  WEEKLY = 'WEEKLY',
}
registerEnumType(AutoPayoutSchedule, {
  name: 'AutoPayoutSchedule',
  description: 'How often an automatic payout runs (UTC). Values only grow.',
  valuesConfig: {
    DAILY: { description: 'Once a day, at the first scheduler run of the day.' },
    WEEKLY: { description: 'Once an ISO week (Monday to Sunday), at the first scheduler run of the week.' },
  },
});

export enum AutoPayoutStatus {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  OFF = 'OFF',
}
registerEnumType(AutoPayoutStatus, {
  name: 'AutoPayoutStatus',
  description: 'Whether automatic payouts run. Values only grow.',
  valuesConfig: {
    PENDING: { description: 'Asked for, never confirmed: waits for the code emailed to the owner. Nothing runs.' },
    ACTIVE: { description: 'Confirmed: runs on its schedule.' },
    OFF: { description: 'Switched off by the merchant (switching on again needs a code).' },
  },
});

/**
 * A merchant's automatic payouts in one currency: each period, the available balance above the reserve goes to the
 * destination as a withdrawal, CONFIRMED (held) at once because the schedule itself was confirmed by code. A change
 * (switching on, another reserve, schedule or destination) waits in the `requested*` fields for its code, while the
 * confirmed settings keep running.
 */
@Entity({ tableName: 'auto_payout' })
@Unique({ properties: ['merchantId', 'currency'] })
@Index({ properties: ['status', 'id'] })
@ObjectType({ description: 'A merchant’s automatic payouts in one currency.' })
export class AutoPayout {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "apo_".' })
  id: string = newId('apo');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID)
  merchantId!: string;

  @Property({ type: 'string', length: 3 })
  @Field(() => String, { description: 'ISO 4217 code of the balance paid out.' })
  currency!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => AutoPayoutStatus)
  status: AutoPayoutStatus = AutoPayoutStatus.PENDING;

  @Property({ type: 'string', length: 10, nullable: true })
  @Field(() => AutoPayoutSchedule, { nullable: true, description: 'The confirmed schedule; null before the first.' })
  schedule: AutoPayoutSchedule | null = null;

  /** The confirmed reserve: what stays in the available balance, minor units. */
  @Property({ type: bigint() })
  reserveMinor: bigint = 0n;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The confirmed destination.' })
  destinationId: string | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  @Field(() => AutoPayoutSchedule, { nullable: true, description: 'A change waiting for its code: the schedule.' })
  requestedSchedule: AutoPayoutSchedule | null = null;

  @Property({ type: bigint(), nullable: true })
  requestedReserveMinor: bigint | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'A change waiting for its code: the destination.' })
  requestedDestinationId: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the current settings were confirmed.' })
  confirmedAt: Date | null = null;

  /** The last period the scheduler handled (paid out, or nothing to pay): each period is looked at once. */
  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, { nullable: true, description: 'The last period the scheduler handled.' })
  lastPeriod: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version: number = 1;
}
