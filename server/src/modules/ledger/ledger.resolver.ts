import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context, Viewer } from '../../common/context';
import { assertMerchantAccess, canAccessMerchant, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload, UserErrorCode, UserFacingError } from '../../common/errors';
import { isCurrency, Money, MoneyError, parseAmount } from '../../common/money';
import { paginate, withoutStatementTimeout } from '../../common/orm';
import { rangeFilter } from '../../common/date-range';
import type { Connection } from '../../common/pagination';
import { Merchant } from '../merchant';
import { LedgerAccount, LedgerEntry, LedgerTransfer, LedgerTransferKind, PURPOSES } from './ledger.entity';
import { transferSummary } from './ledger.describe';
import { balances, checkLedger, createAdjustment, firstAccountCurrency, type AccountBalance } from './ledger.service';
import {
  Balance,
  CreateLedgerAdjustmentInput,
  CreateLedgerAdjustmentPayload,
  LedgerAccountConnection,
  LedgerAccountsArgs,
  LedgerCheck,
  LedgerEntriesArgs,
  LedgerEntryConnection,
} from './ledger.types';

const ADJUSTMENT_KEY_LENGTH = 180;

/** Platform accounts and transfers (no merchant) are for admins only; the rest follow merchant tenancy. */
function canSee(viewer: Viewer, merchantId: string | null): boolean {
  return merchantId === null ? viewer.role === 'ADMIN' : canAccessMerchant(viewer, merchantId);
}

@Resolver(() => LedgerAccount)
export class LedgerAccountResolver {
  @Authorized()
  @Query(() => LedgerAccountConnection, {
    description: "Ledger accounts the caller may see, newest first: its merchants' (admins: all, platform included).",
  })
  ledgerAccounts(
    @Args(() => LedgerAccountsArgs) args: LedgerAccountsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<LedgerAccount>> {
    const where = {
      ...merchantFilter(requireViewer(ctx), args.merchantId),
      ...(args.currency ? { currency: args.currency } : {}),
      ...(args.purpose ? { purpose: args.purpose } : {}),
    };
    return paginate(ctx.em, LedgerAccount, where, args);
  }
}

@Resolver(() => LedgerEntry)
export class LedgerEntryResolver {
  @Authorized()
  @Query(() => LedgerEntryConnection, {
    description: "Ledger entries on accounts the caller may see, newest first: its merchants' (admins: all).",
  })
  async ledgerEntries(
    @Args(() => LedgerEntriesArgs) args: LedgerEntriesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<LedgerEntry>> {
    const viewer = requireViewer(ctx);
    const where: Record<string, unknown> = {
      ...merchantFilter(viewer, args.merchantId),
      ...rangeFilter('createdAt', args),
    };
    if (args.accountId) {
      const account = await ctx.em.findOne(LedgerAccount, args.accountId);
      if (!account || !canSee(viewer, account.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
      where.accountId = account.id;
    }
    return paginate(ctx.em, LedgerEntry, where, args);
  }

  @FieldResolver(() => String, {
    description: 'What the money was for, in plain words: its transfer\'s description ("Refund of payment …", "Fee").',
  })
  async description(@Root() entry: LedgerEntry, @Ctx() ctx: Context): Promise<string> {
    return transferSummary(ctx.em, await ctx.em.findOneOrFail(LedgerTransfer, entry.transferId));
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The payment its transfer belongs to, if any.' })
  async paymentId(@Root() entry: LedgerEntry, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.em.findOneOrFail(LedgerTransfer, entry.transferId)).paymentId;
  }
}

@Resolver(() => LedgerTransfer)
export class LedgerTransferResolver {
  @Authorized()
  @Query(() => LedgerTransfer, {
    description: 'A ledger transfer of a merchant the caller may see (admins: any); NOT_FOUND otherwise.',
  })
  async ledgerTransfer(
    @Arg('id', () => ID, { description: 'The transfer\'s id ("ltr_…").' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<LedgerTransfer> {
    const transfer = await ctx.em.findOne(LedgerTransfer, id);
    // The same answer for "missing" and "someone else's", so ids of other tenants cannot be probed.
    if (!transfer || !canSee(requireViewer(ctx), transfer.merchantId))
      throw graphqlError('NOT_FOUND', 'no such object');
    return transfer;
  }

  @FieldResolver(() => String, {
    description:
      'What the money was for, in plain words: the description its poster gave, else one from its kind and the ' +
      'purposes of its accounts ("Fee", "Payout", "Money received").',
  })
  summary(@Root() transfer: LedgerTransfer, @Ctx() ctx: Context): Promise<string> {
    return transferSummary(ctx.em, transfer);
  }

  @FieldResolver(() => [LedgerEntry], {
    description:
      "The entries, debits first. Entries on another merchant's accounts are left out for non-admins, so the sum " +
      'seen may not be zero.',
  })
  async entries(@Root() transfer: LedgerTransfer, @Ctx() ctx: Context): Promise<LedgerEntry[]> {
    const viewer = requireViewer(ctx);
    const entries = await ctx.em.find(
      LedgerEntry,
      { transferId: transfer.id },
      { orderBy: { amount: 'asc', id: 'asc' } },
    );
    // The platform's legs of a merchant's own transfer (fees, the outside world) are part of its story.
    return entries.filter((entry) => entry.merchantId === null || canAccessMerchant(viewer, entry.merchantId));
  }

  @FieldResolver(() => LedgerTransfer, {
    nullable: true,
    description: 'For a PENDING transfer: the POST or VOID that resolved it, if any.',
  })
  async resolvedBy(@Root() transfer: LedgerTransfer, @Ctx() ctx: Context): Promise<LedgerTransfer | null> {
    if (transfer.kind !== LedgerTransferKind.PENDING) return null;
    return ctx.em.findOne(LedgerTransfer, { pendingId: transfer.id });
  }

  @FieldResolver(() => LedgerTransfer, { nullable: true, description: 'The REVERSAL that compensated it, if any.' })
  async reversedBy(@Root() transfer: LedgerTransfer, @Ctx() ctx: Context): Promise<LedgerTransfer | null> {
    return ctx.em.findOne(LedgerTransfer, { reversesId: transfer.id });
  }

  @Authorized('ADMIN')
  @Query(() => LedgerCheck, {
    description:
      'Admins: checks the whole ledger (I1 zero sum, I2 balances equal entries, I3 no overdraft). Scans every entry.',
  })
  async ledgerCheck(@Ctx() ctx: Context): Promise<LedgerCheck> {
    const violations = await withoutStatementTimeout(ctx.em, checkLedger);
    return { consistent: violations.length === 0, violations, checkedAt: new Date() };
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateLedgerAdjustmentPayload, {
    description: 'Admins: moves money between named accounts by a balanced, idempotent, audited transfer.',
  })
  async createLedgerAdjustment(
    @Arg('input', () => CreateLedgerAdjustmentInput) input: CreateLedgerAdjustmentInput,
    @Ctx() ctx: Context,
  ): Promise<CreateLedgerAdjustmentPayload> {
    return payload(
      (result, userErrors) => ({ transfer: result?.transfer ?? null, userErrors }),
      async () => {
        if (input.idempotencyKey.length > ADJUSTMENT_KEY_LENGTH) {
          throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${ADJUSTMENT_KEY_LENGTH} characters`, [
            'input',
            'idempotencyKey',
          ]);
        }
        if (!isCurrency(input.currency)) {
          throw new UserFacingError(UserErrorCode.INVALID_CURRENCY, `unsupported currency "${input.currency}"`, [
            'input',
            'currency',
          ]);
        }
        const merchantId = input.merchantId ?? null;
        const entries = input.entries.map((entry, index) => ({
          purpose: entry.purpose,
          merchantId: entry.merchantId ?? (PURPOSES[entry.purpose].owner === 'merchant' ? merchantId : null),
          amount: amountOf(entry.amount, input.currency, ['input', 'entries', String(index), 'amount']),
        }));
        return createAdjustment(ctx.em, ctx, { ...input, merchantId, entries });
      },
    );
  }
}

@Resolver(() => Merchant)
export class MerchantBalancesResolver {
  @FieldResolver(() => [Balance], {
    description: "The merchant's ledger balances, one per account (purpose and currency).",
  })
  async balances(@Root() merchant: Merchant, @Ctx() ctx: Context): Promise<Balance[]> {
    assertMerchantAccess(requireViewer(ctx), merchant.id);
    return (await balances(ctx.em, merchant.id)).map(toBalance);
  }

  @FieldResolver(() => String, {
    description:
      "The merchant's account currency, ISO 4217: the one its money first arrived in; USD (SMS money's) before any. Forms start from it.",
  })
  async currency(@Root() merchant: Merchant, @Ctx() ctx: Context): Promise<string> {
    assertMerchantAccess(requireViewer(ctx), merchant.id);
    return (await firstAccountCurrency(ctx.em, merchant.id)) ?? ACCOUNT_CURRENCY_FALLBACK;
  }
}

/** SMS money is booked in USD: the account currency of a merchant that has had no money yet. */
const ACCOUNT_CURRENCY_FALLBACK = 'USD';

function toBalance(balance: AccountBalance): Balance {
  const money = (minor: bigint) => Money.of(minor, balance.currency);
  return {
    accountId: balance.accountId,
    purpose: balance.purpose,
    available: money(balance.available),
    pending: money(balance.pending),
    held: money(balance.held),
    posted: money(balance.posted),
  };
}

function amountOf(decimal: string, currency: string, field: string[]): bigint {
  try {
    return parseAmount(decimal, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, error.message, field);
    throw error;
  }
}
