import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../common/money';
import { StatementLineType } from './statement.service';

registerEnumType(StatementLineType, {
  name: 'StatementLineType',
  description: 'What moved a merchant’s money on its statement. Values only grow.',
  valuesConfig: {
    CREDIT: { description: 'Money from a payment (product in `product`), before fees.' },
    REFUND: { description: 'Money given back to a payer.' },
    CHARGEBACK: { description: 'A card chargeback: the disputed amount taken, or given back when won.' },
    PAYOUT: { description: 'A withdrawal paid out (its payout fee included), or returned by the bank.' },
    ADJUSTMENT: { description: 'Anything else: an admin’s adjustment, money attributed or written off.' },
  },
});

@ObjectType({ description: 'One movement of a merchant’s money on its statement.' })
export class StatementLine {
  @Field(() => Date, { description: 'When the ledger posted it.' })
  at!: Date;

  @Field(() => ID, { description: 'The ledger transfer behind it.' })
  transferId!: string;

  @Field(() => StatementLineType)
  type!: StatementLineType;

  @Field(() => String, {
    nullable: true,
    description: 'For a payment’s money: the payment’s kind (PURSE, VOUCHER, ACCESS_CODE, STORE_ORDER, TOP_UP, CARD).',
  })
  product!: string | null;

  @Field(() => String, { description: 'The ledger’s description of the transfer.' })
  description!: string;

  @Field(() => Money, { description: 'Before fees (for a payout: what left the balance).' })
  gross!: Money;

  @Field(() => Money, { description: 'Tollgate’s fee: negative when taken, positive when given back.' })
  fee!: Money;

  @Field(() => Money, { description: 'gross + fee: what the balance changed by.' })
  net!: Money;

  @Field(() => Money, { description: 'The balance after this movement.' })
  balance!: Money;
}

@ObjectType({ description: 'Credits of one product in a statement.' })
export class StatementProductTotal {
  @Field(() => String, { description: 'The payment kind, or OTHER.' })
  product!: string;

  @Field(() => Money, { description: 'Before fees.' })
  amount!: Money;

  @Field(() => Int, { description: 'How many movements.' })
  count!: number;
}

@ObjectType({
  description:
    'A merchant’s statement for one currency and period of whole UTC days: its balance is the sum of its available, ' +
    'pending, reserve and receivable ledger accounts; openingBalance + credits + fees + refunds + chargebacks + ' +
    'payouts + adjustments = closingBalance, which is what the ledger held at the end of the period. Withdrawals ' +
    'count when paid, not while held.',
})
export class Statement {
  @Field(() => ID)
  merchantId!: string;

  @Field(() => String)
  merchantName!: string;

  @Field(() => String, { description: 'ISO 4217 code.' })
  currency!: string;

  @Field(() => String, { description: 'First day, YYYY-MM-DD (UTC), included.' })
  from!: string;

  @Field(() => String, { description: 'Last day, YYYY-MM-DD (UTC), included.' })
  to!: string;

  @Field(() => Money, { description: 'The balance at the start of `from`.' })
  openingBalance!: Money;

  @Field(() => Money, { description: 'Payments’ money before fees.' })
  credits!: Money;

  @Field(() => [StatementProductTotal], { description: 'Credits per product, by product name.' })
  creditsByProduct!: StatementProductTotal[];

  @Field(() => Money, { description: 'Tollgate’s fees on credits, refunds and chargebacks (negative when taken).' })
  fees!: Money;

  @Field(() => Money, { description: 'Refunds to payers (negative), before fees.' })
  refunds!: Money;

  @Field(() => Money, { description: 'Chargebacks (negative; positive when won back), before fees.' })
  chargebacks!: Money;

  @Field(() => Money, { description: 'Withdrawals paid out (negative), net of any the bank returned.' })
  payouts!: Money;

  @Field(() => Money, { description: 'Everything else.' })
  adjustments!: Money;

  @Field(() => Money, { description: 'The balance at the end of `to`: what the ledger held.' })
  closingBalance!: Money;

  @Field(() => [StatementLine], { description: 'Every movement, oldest first (at most 10,000 per statement).' })
  lines!: StatementLine[];

  @Field(() => String, {
    description: 'A signed link (a path on this server) to the statement as CSV; valid 15 minutes, no login needed.',
  })
  csvUrl!: string;

  @Field(() => String, { description: 'A signed link to the statement as PDF; valid 15 minutes.' })
  pdfUrl!: string;

  @Field(() => Date, { description: 'When csvUrl and pdfUrl stop working.' })
  linksExpireAt!: Date;
}
