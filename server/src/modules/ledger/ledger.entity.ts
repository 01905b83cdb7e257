import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { Money } from '../../common/money';
import { bigint } from '../../common/orm';

/*
 * Sign convention: an entry's amount is in minor units, positive for a credit (the account's balance grows) and
 * negative for a debit. Balances are claims: a merchant account's positive balance is what Tollgate owes the
 * merchant. Money entering Tollgate is debited from WORLD (which goes negative), so every transfer, and the whole
 * ledger per currency, sums to zero. A merchant's MERCHANT_RECEIVABLE goes negative when the merchant owes Tollgate
 * (a refund or chargeback beyond its available balance): the one claim against a merchant the ledger keeps.
 */

export enum LedgerAccountPurpose {
  MERCHANT_AVAILABLE = 'MERCHANT_AVAILABLE',
  MERCHANT_PENDING = 'MERCHANT_PENDING',
  PLATFORM_FEES = 'PLATFORM_FEES',
  OPERATOR_SHARE = 'OPERATOR_SHARE',
  PAYER_CLEARING = 'PAYER_CLEARING',
  PAYOUT_CLEARING = 'PAYOUT_CLEARING',
  WORLD = 'WORLD',
  PAYER_CREDIT = 'PAYER_CREDIT',
  SUSPENSE = 'SUSPENSE',
  MERCHANT_RESERVE = 'MERCHANT_RESERVE',
  MERCHANT_RECEIVABLE = 'MERCHANT_RECEIVABLE',
}
registerEnumType(LedgerAccountPurpose, {
  name: 'LedgerAccountPurpose',
  description: 'What a ledger account holds. Values only grow.',
  valuesConfig: {
    MERCHANT_AVAILABLE: { description: "A merchant's settled money, which it may withdraw. Never negative." },
    MERCHANT_PENDING: {
      description: "A merchant's money not yet settled (e.g. awaiting confirmation). Never negative.",
    },
    PLATFORM_FEES: { description: "Tollgate's revenue from fees. Never negative." },
    OPERATOR_SHARE: { description: 'What is owed to mobile operators for payments through them. Never negative.' },
    PAYER_CLEARING: { description: 'Money received from payers and not yet attributed. Never negative.' },
    PAYOUT_CLEARING: { description: 'Money on its way out to merchants (withdrawals in flight). Never negative.' },
    WORLD: {
      description:
        'The outside world: money entering or leaving Tollgate (SMS operators, card processors). Goes negative.',
    },
    PAYER_CREDIT: {
      description:
        "Payers' credit with a merchant: money an SMS brought after its payment closed, kept for the payer's next " +
        'payment. Never negative.',
    },
    SUSPENSE: {
      description: 'Billed SMS money no payment could take (flagged, unmatched), until an admin resolves it.',
    },
    MERCHANT_RESERVE: {
      description:
        "A merchant's rolling reserve: the share of card money its fee plan holds back until each hold's release " +
        'date, then moved to available. Never negative.',
    },
    MERCHANT_RECEIVABLE: {
      description:
        'What a merchant owes Tollgate: negative after a refund or chargeback larger than its available balance, ' +
        'covered first from the next money the merchant gets; withdrawals wait while it is negative. Never positive.',
    },
  },
});

/** Who owns each kind of account and whether it may go negative; fixed per purpose so no merchant account can. */
export const PURPOSES: Record<LedgerAccountPurpose, { owner: 'merchant' | 'platform'; allowNegative: boolean }> = {
  MERCHANT_AVAILABLE: { owner: 'merchant', allowNegative: false },
  MERCHANT_PENDING: { owner: 'merchant', allowNegative: false },
  PLATFORM_FEES: { owner: 'platform', allowNegative: false },
  OPERATOR_SHARE: { owner: 'platform', allowNegative: false },
  PAYER_CLEARING: { owner: 'platform', allowNegative: false },
  PAYOUT_CLEARING: { owner: 'platform', allowNegative: false },
  WORLD: { owner: 'platform', allowNegative: true },
  PAYER_CREDIT: { owner: 'merchant', allowNegative: false },
  SUSPENSE: { owner: 'platform', allowNegative: false },
  MERCHANT_RESERVE: { owner: 'merchant', allowNegative: false },
  // The merchant's debt: negative by design, and never above zero (checked with the settlement invariants).
  MERCHANT_RECEIVABLE: { owner: 'merchant', allowNegative: true },
};

/**
 * Stands in for a null owner in unique indexes: SQL treats NULLs as distinct, so platform accounts and platform
 * idempotency keys would otherwise never collide.
 */
export const PLATFORM_OWNER = 'platform';

export enum LedgerTransferKind {
  TRANSFER = 'TRANSFER',
  PENDING = 'PENDING',
  POST = 'POST',
  VOID = 'VOID',
  REVERSAL = 'REVERSAL',
}
registerEnumType(LedgerTransferKind, {
  name: 'LedgerTransferKind',
  description: 'How a transfer moves money. Values only grow.',
  valuesConfig: {
    TRANSFER: { description: 'Posted at once.' },
    PENDING: { description: 'A hold: reserves the debited amounts until a POST or VOID resolves it (at most once).' },
    POST: { description: 'Resolves a hold by posting all or part of it.' },
    VOID: { description: 'Resolves a hold by releasing it; has no entries.' },
    REVERSAL: { description: 'Compensates a posted transfer with opposite entries.' },
  },
});

@Entity({ tableName: 'ledger_account' })
@Unique({ properties: ['ownerKey', 'currency', 'purpose'] })
@ObjectType({
  description:
    'An account of the double-entry ledger: one per owner, currency and purpose. Its balances are sums of its entries.',
})
export class LedgerAccount {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "lac_".' })
  id: string = newId('lac');

  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The merchant that owns the account; null for platform accounts.' })
  merchantId: string | null = null;

  /** `merchantId`, or PLATFORM_OWNER: the non-null owner the unique index needs. */
  @Property({ type: 'string', length: 40, hidden: true })
  ownerKey!: string;

  @Property({ type: 'string', length: 3 })
  @Field(() => String, { description: 'ISO 4217 currency code; every entry of the account is in it.' })
  currency!: string;

  // A plain string column: SQLite's check constraints are invisible to schema diffs, so enums are checked in code.
  @Property({ type: 'string', length: 40 })
  @Field(() => LedgerAccountPurpose, { description: 'What the account holds; fixes its owner kind and allowNegative.' })
  purpose!: LedgerAccountPurpose;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, {
    description: 'Whether the balance may go below zero (WORLD, and a merchant’s MERCHANT_RECEIVABLE).',
  })
  allowNegative: boolean = false;

  /** Sum of the posted entries. Written only by the ledger service (and checked against the entries by checkLedger). */
  @Property({ type: bigint() })
  balance: bigint = 0n;

  /** Sum of the debit (negative) entries of unresolved holds: money reserved, not yet gone. Never positive. */
  @Property({ type: bigint() })
  pendingDebits: bigint = 0n;

  /** Sum of the credit (positive) entries of unresolved holds: money on its way, not yet spendable. Never negative. */
  @Property({ type: bigint() })
  pendingCredits: bigint = 0n;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When the account was opened (on its first use).' })
  createdAt: Date = new Date();

  @Field(() => Money, { description: 'Sum of the posted entries.' })
  get posted(): Money {
    return Money.of(this.balance, this.currency);
  }

  @Field(() => Money, { description: 'What may be debited now: the posted balance less what holds reserve.' })
  get available(): Money {
    return Money.of(this.balance + this.pendingDebits, this.currency);
  }

  @Field(() => Money, { description: 'Incoming money held by pending transfers, not yet spendable.' })
  get pending(): Money {
    return Money.of(this.pendingCredits, this.currency);
  }

  @Field(() => Money, { description: 'Outgoing money reserved by pending transfers (a positive amount).' })
  get held(): Money {
    return Money.of(-this.pendingDebits, this.currency);
  }
}

/** Append-only (invariant I8): database triggers refuse UPDATE and DELETE. Corrections are new transfers. */
@Entity({ tableName: 'ledger_transfer' })
@Unique({ properties: ['ownerKey', 'idempotencyKey'] })
@ObjectType({ description: 'A balanced set of ledger entries in one currency, written at once or not at all.' })
export class LedgerTransfer {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "ltr_".' })
  id: string = newId('ltr');

  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, {
    nullable: true,
    description: 'The merchant the transfer belongs to (its idempotency keys are scoped to it); null for the platform.',
  })
  merchantId: string | null = null;

  /** `merchantId`, or PLATFORM_OWNER: the non-null owner the idempotency index needs. */
  @Property({ type: 'string', length: 40, hidden: true })
  ownerKey!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: "The caller's key: the same key posts once, up to 200 characters." })
  idempotencyKey!: string;

  /** SHA-256 of what the transfer does, to tell a retry from a different request reusing its key. */
  @Property({ type: 'string', length: 64, hidden: true })
  fingerprint!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => LedgerTransferKind, {
    description: 'How the transfer moves money: at once, as a hold, or resolving one.',
  })
  kind!: LedgerTransferKind;

  @Property({ type: 'string', length: 3 })
  @Field(() => String, { description: 'ISO 4217 currency code of every entry.' })
  currency!: string;

  /** Sum of the credits; for a VOID, the amount released. */
  @Property({ type: bigint() })
  amount!: bigint;

  /** The hold a POST or VOID resolves; unique, so a hold resolves at most once. */
  @Property({ type: 'string', length: 40, nullable: true, unique: true })
  @Field(() => ID, { nullable: true, description: 'For a POST or VOID: the pending transfer it resolves.' })
  pendingId: string | null = null;

  /** Unique: a transfer is reversed at most once. */
  @Property({ type: 'string', length: 40, nullable: true, unique: true })
  @Field(() => ID, { nullable: true, description: 'For a REVERSAL: the transfer it compensates.' })
  reversesId: string | null = null;

  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The payment this transfer belongs to, if any.' })
  paymentId: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the money moved, up to 500 characters.' })
  description: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When the transfer was written.' })
  createdAt: Date = new Date();

  @Field(() => Money, { name: 'amount', description: 'Total credited (for a VOID: the amount released).' })
  get amountMoney(): Money {
    return Money.of(this.amount, this.currency);
  }
}

/** Append-only (invariant I8): database triggers refuse UPDATE and DELETE. */
@Entity({ tableName: 'ledger_entry' })
@ObjectType({ description: 'One leg of a transfer: a signed amount on one account (credit positive, debit negative).' })
export class LedgerEntry {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "len_".' })
  id: string = newId('len');

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The transfer the entry belongs to.' })
  transferId!: string;

  @Index()
  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The account the entry credits or debits.' })
  accountId!: string;

  /** The account's owner, copied so tenancy filters need no join. */
  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: "The account's merchant; null for platform accounts." })
  merchantId: string | null = null;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: bigint() })
  amount!: bigint;

  /** Part of a hold: counts in the account's pending columns until the hold resolves, never in its balance. */
  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Whether the entry belongs to a pending transfer (a hold), not a posted one.' })
  pending: boolean = false;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When the entry was written, with its transfer.' })
  createdAt: Date = new Date();

  @Field(() => Money, { name: 'amount', description: 'Signed: positive credits the account, negative debits it.' })
  get amountMoney(): Money {
    return Money.of(this.amount, this.currency);
  }
}
