import { GraphQLError } from 'graphql';
import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, requireViewer } from '../../common/context';
import { Money } from '../../common/money';
import {
  buildStatement,
  LINK_TTL_SECONDS,
  parseCurrency,
  parsePeriod,
  signedStatementPath,
  StatementInputError,
  type StatementData,
} from './statement.service';
import { Statement, StatementLine, StatementProductTotal } from './statement.types';

/** The GraphQL view of a statement, with its signed download links. */
export function toStatement(data: StatementData, secret: string, now = new Date()): Statement {
  const money = (minor: bigint) => Money.of(minor, data.currency);
  const expires = Math.floor(now.getTime() / 1000) + LINK_TTL_SECONDS;
  const link = { merchantId: data.merchantId, currency: data.currency, from: data.from, to: data.to, expires };
  return Object.assign(new Statement(), {
    merchantId: data.merchantId,
    merchantName: data.merchantName,
    currency: data.currency,
    from: data.from,
    to: data.to,
    openingBalance: money(data.openingBalance),
    credits: money(data.credits),
    creditsByProduct: data.creditsByProduct.map((total) =>
      Object.assign(new StatementProductTotal(), {
        product: total.product,
        amount: money(total.amount),
        count: total.count,
      }),
    ),
    fees: money(data.fees),
    refunds: money(data.refunds),
    chargebacks: money(data.chargebacks),
    payouts: money(data.payouts),
    adjustments: money(data.adjustments),
    closingBalance: money(data.closingBalance),
    lines: data.lines.map((line) =>
      Object.assign(new StatementLine(), {
        at: line.at,
        transferId: line.transferId,
        type: line.type,
        product: line.product,
        description: line.description,
        gross: money(line.gross),
        fee: money(line.fee),
        net: money(line.net),
        balance: money(line.balance),
      }),
    ),
    csvUrl: signedStatementPath(secret, { ...link, format: 'csv' }),
    pdfUrl: signedStatementPath(secret, { ...link, format: 'pdf' }),
    linksExpireAt: new Date(expires * 1000),
  });
}

@Resolver(() => Statement)
export class StatementResolver {
  @Authorized()
  @Query(() => Statement, {
    description:
      'A merchant’s statement for a currency and a period of whole UTC days (from and to included, at most 366 ' +
      'days): merchants their own, admins any (naming merchantId). Also as CSV and PDF through its signed links.',
  })
  async statement(
    @Arg('merchantId', () => ID, { nullable: true, description: 'Required for admins.' }) merchantId: string | null,
    @Arg('currency', () => String, { description: 'ISO 4217 code, e.g. "EUR".' }) currency: string,
    @Arg('from', () => String, { description: 'First day, YYYY-MM-DD (UTC).' }) from: string,
    @Arg('to', () => String, { description: 'Last day, YYYY-MM-DD (UTC).' }) to: string,
    @Ctx() ctx: Context,
  ): Promise<Statement> {
    const id = actingMerchant(requireViewer(ctx), merchantId);
    try {
      const data = await buildStatement(ctx.em, {
        merchantId: id,
        currency: parseCurrency(currency),
        period: parsePeriod(from, to),
      });
      return toStatement(data, ctx.config.sessionSecret);
    } catch (error) {
      if (error instanceof StatementInputError) {
        throw new GraphQLError(`${error.field}: ${error.message}`, {
          extensions: { code: error.field === 'merchantId' ? 'NOT_FOUND' : 'BAD_USER_INPUT', field: [error.field] },
        });
      }
      throw error;
    }
  }
}
