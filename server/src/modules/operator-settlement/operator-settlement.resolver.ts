import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../common/context';
import { graphqlError, payload, UserError, UserFacingError } from '../../common/errors';
import { Money } from '../../common/money';
import { OperatorSettlementLine } from './operator-settlement.entity';
import { importOperatorReport, operatorReport } from './operator-settlement.service';

@InputType({ description: 'An operator’s or SMS aggregator’s settlement report for one month.' })
export class ImportOperatorSettlementInput {
  @Field(() => String, { description: 'Whose report it is (operator or aggregator), up to 60 characters.' })
  operator!: string;

  @Field(() => String, { description: 'The month it covers, YYYY-MM.' })
  month!: string;

  @Field(() => String, {
    description:
      'The report as CSV: header message_id,billed,amount[,currency]; message_id the provider’s id of the SMS (or ' +
      'ours, "sms_…"); billed yes or no; amount what the operator paid us for it, a decimal string (currency: the ' +
      'SMS’s booking currency when absent). Up to 20,000 lines.',
  })
  csv!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Only SMS that came through this provider ("http:<aggregator>", "smpp:<smsc>"), when ids may clash.',
  })
  provider?: string | null;
}

@ObjectType('ImportOperatorSettlementPayload', { description: 'What each line of the report found and did.' })
export class ImportOperatorSettlementPayload {
  @Field(() => [OperatorSettlementLine], { nullable: true })
  lines!: OperatorSettlementLine[] | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType('OperatorSettlementReport', {
  description: 'An operator’s month, reconciled per SMS: the latest line per message over every import of the month.',
})
export class OperatorSettlementReportType {
  @Field(() => String)
  operator!: string;

  @Field(() => String, { description: 'YYYY-MM.' })
  month!: string;

  @Field(() => Int, { description: 'Messages the operator billed.' })
  billedCount!: number;

  @Field(() => Money, { nullable: true, description: 'What the operator says it paid for the billed messages.' })
  billedAmount!: Money | null;

  @Field(() => Money, { nullable: true, description: 'What the ledger expected for them (price less operator share).' })
  expectedAmount!: Money | null;

  @Field(() => Int, { description: 'Messages of ours the operator did not bill.' })
  unbilledCount!: number;

  @Field(() => Money, { nullable: true, description: 'What was taken back from merchants for unbilled messages.' })
  reversedAmount!: Money | null;

  @Field(() => Int, { description: 'Billed messages paid another amount than expected.' })
  differingCount!: number;

  @Field(() => Money, { nullable: true, description: 'Paid less expected over those (negative: paid less).' })
  difference!: Money | null;

  @Field(() => [String], { description: 'Message ids of the report that are no SMS of ours.' })
  unknownIds!: string[];

  @Field(() => [OperatorSettlementLine], { description: 'Every message of the month, latest line each.' })
  lines!: OperatorSettlementLine[];
}

@Resolver(() => OperatorSettlementLine)
export class OperatorSettlementResolver {
  @Authorized('ADMIN')
  @Mutation(() => ImportOperatorSettlementPayload, {
    description:
      'Admins: imports an operator’s settlement report and reconciles it per SMS against the ledger: billed, billed ' +
      'with another amount (reported), not billed (what the SMS credited is reversed, once, and the merchant told ' +
      'by sms.unbilled), unknown ids.',
  })
  importOperatorSettlement(
    @Arg('input', () => ImportOperatorSettlementInput) input: ImportOperatorSettlementInput,
    @Ctx() ctx: Context,
  ) {
    return payload(
      (lines, userErrors) => ({ lines, userErrors }),
      () => importOperatorReport(ctx, input),
    );
  }

  @Authorized('ADMIN')
  @Query(() => OperatorSettlementReportType, { description: 'Admins: the settlement report of an operator’s month.' })
  async operatorSettlementReport(
    @Arg('operator', () => String) operator: string,
    @Arg('month', () => String, { description: 'YYYY-MM.' }) month: string,
    @Ctx() ctx: Context,
  ): Promise<OperatorSettlementReportType> {
    const report = await operatorReport(ctx.em, operator, month).catch((error: unknown) => {
      // A query has no userErrors: a bad argument is BAD_USER_INPUT, naming it.
      if (error instanceof UserFacingError) {
        throw graphqlError('BAD_USER_INPUT', `${error.field?.at(-1) ?? 'input'}: ${error.message}`);
      }
      throw error;
    });
    const money = (minor: bigint) => (report.currency ? Money.of(minor, report.currency) : null);
    return {
      operator: report.operator,
      month: report.month,
      billedCount: report.billedCount,
      billedAmount: money(report.billedMinor),
      expectedAmount: money(report.expectedMinor),
      unbilledCount: report.unbilledCount,
      reversedAmount: money(report.reversedMinor),
      differingCount: report.differingCount,
      difference: money(report.differenceMinor),
      unknownIds: report.unknownIds,
      lines: report.lines,
    };
  }

  @FieldResolver(() => Money, { nullable: true, description: 'What the operator says it paid us for it.' })
  amount(@Root() line: OperatorSettlementLine): Money | null {
    return line.amountMinor !== null && line.currency ? Money.of(line.amountMinor, line.currency) : null;
  }

  @FieldResolver(() => Money, { nullable: true, description: 'What the ledger expected (price less operator share).' })
  expected(@Root() line: OperatorSettlementLine): Money | null {
    return line.expectedMinor !== null && line.currency ? Money.of(line.expectedMinor, line.currency) : null;
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Unbilled: the merchant’s part taken back.' })
  reversed(@Root() line: OperatorSettlementLine): Money | null {
    return line.reversedMinor !== null && line.currency ? Money.of(line.reversedMinor, line.currency) : null;
  }
}
