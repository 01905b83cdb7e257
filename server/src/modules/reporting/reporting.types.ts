import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { MAX_RANGE_DAYS } from '../../common/date-range';
import { Money } from '../../common/money';
import { PaymentKind } from '../payment';

@ArgsType()
export class ReportArgs {
  @Field(() => Date, { description: 'Start of the period, inclusive.' })
  from!: Date;

  @Field(() => Date, { description: `End of the period, exclusive; after from, at most ${MAX_RANGE_DAYS} days on.` })
  to!: Date;

  @Field(() => ID, { nullable: true, description: 'The merchant reported on (admins must name one).' })
  merchantId?: string | null;
}

@ObjectType({ description: 'Revenue of one UTC day, beside the same day of the previous period.' })
export class RevenueDay {
  @Field(() => String, { description: 'The UTC day, "YYYY-MM-DD".' })
  day!: string;

  @Field(() => Money, { description: 'What payments paid that day received.' })
  revenue!: Money;

  @Field(() => Int, { description: 'How many payments were paid that day.' })
  payments!: number;

  @Field(() => String, { description: 'The day at the same place in the previous period, "YYYY-MM-DD".' })
  previousDay!: string;

  @Field(() => Money, { description: 'Revenue of previousDay.' })
  previousRevenue!: Money;
}

@ObjectType({ description: 'Revenue over time in one currency, with the previous period of the same length.' })
export class RevenueSeries {
  @Field(() => String, { description: 'ISO 4217 code of every amount in the series.' })
  currency!: string;

  @Field(() => Money, { description: 'Revenue of the whole period.' })
  total!: Money;

  @Field(() => Money, { description: 'Revenue of the previous period of the same length.' })
  previousTotal!: Money;

  @Field(() => [RevenueDay], {
    description: 'Every UTC day of the period, oldest first, days without revenue included.',
  })
  days!: RevenueDay[];
}

@ObjectType({ description: 'Started → paid: payments created in the period and how many of them are paid.' })
export class ConversionReport {
  @Field(() => Int)
  started!: number;

  @Field(() => Int)
  paid!: number;

  @Field(() => Float, { nullable: true, description: 'paid ÷ started, 0 to 1; null when none started.' })
  rate!: number | null;
}

@ObjectType({ description: 'Billed SMS (counted, or kept as payer credit) of one country or operator.' })
export class SmsReportRow {
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2; null when the provider did not say.' })
  country!: string | null;

  @Field(() => String, { nullable: true, description: 'The mobile operator (by-operator rows); null when unknown.' })
  operator!: string | null;

  @Field(() => Int)
  sms!: number;

  @Field(() => Money, { description: 'What payers paid for them.' })
  revenue!: Money;

  @Field(() => Money, { description: "The merchant's part of it, by the tariffs." })
  merchantYield!: Money;
}

@ObjectType({
  description:
    'Paid payments of the period taken by one product (a purse, voucher project or access-code service) in one ' +
    'currency; payments of no product (top-ups, card payments) count as one row per kind and currency.',
})
export class ProductReportRow {
  @Field(() => PaymentKind)
  kind!: PaymentKind;

  @Field(() => ID, {
    nullable: true,
    description: 'The purse, voucher project or access-code service; null for top-ups and card payments.',
  })
  productId!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The product's name as the merchant gave it (the purse's, project's or service's); null when the row has no " +
      'product, or the product is not found.',
  })
  name!: string | null;

  @Field(() => Boolean, {
    description: 'The product was deleted since (an access-code service): its name is kept, it has no page any more.',
  })
  productRemoved!: boolean;

  @Field(() => Int)
  payments!: number;

  @Field(() => Money, { description: 'What these payments received, in their currency.' })
  revenue!: Money;
}

@ObjectType({
  description:
    "A merchant's reporting home for a period: revenue (what paid payments received, per currency and UTC day), " +
    'conversion, SMS by country and operator, and top products.',
})
export class Report {
  @Field(() => ID)
  merchantId!: string;

  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;

  @Field(() => Date, { description: 'Start of the previous period (it ends at from).' })
  previousFrom!: Date;

  @Field(() => [RevenueSeries], { description: 'One series per currency with revenue in either period.' })
  revenue!: RevenueSeries[];

  @Field(() => ConversionReport)
  conversion!: ConversionReport;

  @Field(() => [SmsReportRow], { description: 'Largest revenue first.' })
  smsByCountry!: SmsReportRow[];

  @Field(() => [SmsReportRow], { description: 'Largest revenue first.' })
  smsByOperator!: SmsReportRow[];

  @Field(() => [ProductReportRow], { description: 'Up to ten, largest revenue first.' })
  topProducts!: ProductReportRow[];
}
