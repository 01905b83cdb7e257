import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../common/ids';
import { bigint } from '../../common/orm';

export enum OperatorLineOutcome {
  BILLED = 'BILLED',
  AMOUNT_DIFFERS = 'AMOUNT_DIFFERS',
  UNBILLED_REVERSED = 'UNBILLED_REVERSED',
  ALREADY_REVERSED = 'ALREADY_REVERSED',
  UNBILLED_NOT_CREDITED = 'UNBILLED_NOT_CREDITED',
  UNBILLED_IN_SUSPENSE = 'UNBILLED_IN_SUSPENSE',
  UNBILLED_PAYMENT_OPEN = 'UNBILLED_PAYMENT_OPEN',
  BILLED_NOT_CREDITED = 'BILLED_NOT_CREDITED',
  UNKNOWN_MESSAGE = 'UNKNOWN_MESSAGE',
  DUPLICATE = 'DUPLICATE',
  INVALID_LINE = 'INVALID_LINE',
}
registerEnumType(OperatorLineOutcome, {
  name: 'OperatorSettlementOutcome',
  description: 'What one line of an operator’s settlement report found against the ledger. Values only grow.',
  valuesConfig: {
    BILLED: { description: 'Billed, and paid what the ledger expects (price less the operator’s share).' },
    AMOUNT_DIFFERS: { description: 'Billed, but the amount paid to us differs from what the ledger expects.' },
    UNBILLED_REVERSED: {
      description:
        'Not billed: what the SMS credited was reversed now (the merchant’s part, the operator share, our fee).',
    },
    ALREADY_REVERSED: { description: 'Not billed, and reversed by an earlier import (once per SMS).' },
    UNBILLED_NOT_CREDITED: { description: 'Not billed, and never credited (flagged or not counted): nothing to do.' },
    UNBILLED_IN_SUSPENSE: { description: 'Not billed; its money waits in suspense: write the suspense item off.' },
    UNBILLED_PAYMENT_OPEN: {
      description: 'Not billed; its payment still takes money: import again once the payment has closed.',
    },
    BILLED_NOT_CREDITED: { description: 'Billed, but we never credited it (flagged or not counted): check it.' },
    UNKNOWN_MESSAGE: { description: 'No SMS of ours has this message id.' },
    DUPLICATE: { description: 'The same message appears earlier in the same file: ignored.' },
    INVALID_LINE: { description: 'The line lacks a message id, a billed flag or a valid amount.' },
  },
});

/** One line of an imported operator or aggregator settlement report, and what reconciling it against the ledger did. */
@Entity({ tableName: 'operator_settlement_line' })
@Index({ properties: ['operator', 'month'] })
@Index({ properties: ['smsId'] })
@ObjectType({ description: 'One SMS of an operator’s settlement report, reconciled against the ledger.' })
export class OperatorSettlementLine {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'Opaque id, prefixed "osl_".' })
  id: string = newId('osl');

  @Property({ type: 'string', length: 40 })
  @Field(() => ID, { description: 'The import it came with ("osi_…"), one per file.' })
  importId!: string;

  @Property({ type: 'string', length: 60 })
  @Field(() => String, { description: 'The operator or aggregator whose report it is.' })
  operator!: string;

  @Property({ type: 'string', length: 7 })
  @Field(() => String, { description: 'The month reported, YYYY-MM.' })
  month!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'The line number in the file (the header is line 1).' })
  lineNo!: number;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'The message id as reported (the provider’s id, or ours "sms_…").' })
  messageId!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'Our SMS, when the message id is known.' })
  smsId: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The merchant the SMS credited.' })
  merchantId: string | null = null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true, description: 'Whether the operator billed the payer, as reported.' })
  billed: boolean | null = null;

  /** What the operator says it paid us, minor units of `currency`. */
  @Property({ type: bigint(), nullable: true })
  amountMinor: bigint | null = null;

  /** What the ledger expects for it (price less the operator's share), minor units. */
  @Property({ type: bigint(), nullable: true })
  expectedMinor: bigint | null = null;

  /** The merchant's part taken back by an unbilled SMS's reversal, minor units. */
  @Property({ type: bigint(), nullable: true })
  reversedMinor: bigint | null = null;

  @Property({ type: 'string', length: 3, nullable: true })
  @Field(() => String, { nullable: true })
  currency: string | null = null;

  @Property({ type: 'string', length: 30 })
  @Field(() => OperatorLineOutcome)
  outcome!: OperatorLineOutcome;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => ID, { nullable: true, description: 'The ledger transfer reversing an unbilled SMS.' })
  reversalTransferId: string | null = null;

  @Property({ type: 'string', length: 300 })
  @Field(() => String)
  message!: string;

  @Property({ type: 'string', length: 40 })
  importedBy!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  importedAt: Date = new Date();
}
