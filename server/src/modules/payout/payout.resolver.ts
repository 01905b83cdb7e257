import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { rangeFilter } from '../../common/date-range';
import { isAdmin, merchantFilter, requireViewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { Money } from '../../common/money';
import { IdInput } from '../../common/mutation';
import { paginate } from '../../common/orm';
import type { Connection } from '../../common/pagination';
import { ConfirmationCode, latestConfirmation, maskEmail } from '../confirmation';
import { Merchant } from '../merchant';
import {
  createBatch,
  exportBatch,
  importStatementXml,
  importStatusCsv,
  overridePaid,
  overrideReturned,
} from './payout.batch';
import { PayoutBatch, PayoutDestination, Withdrawal, WithdrawalStatus } from './payout.entity';
import {
  addDestination,
  approveWithdrawals,
  cancelWithdrawal,
  changeDestination,
  confirmDestination,
  confirmWithdrawal,
  coolOffHoursOf,
  loadWithdrawal,
  rejectWithdrawals,
  removeDestination,
  requestWithdrawal,
  resendCode,
  setCoolOff,
  WITHDRAWAL_PURPOSE,
} from './payout.service';
import {
  AddPayoutDestinationInput,
  ChangePayoutDestinationInput,
  ConfirmationPayload,
  ConfirmCodeInput,
  CreatePayoutBatchInput,
  ExportPayoutBatchPayload,
  ImportPayoutStatementInput,
  ImportPayoutStatusInput,
  ImportPayoutStatusPayload,
  PayoutBatchConnection,
  PayoutBatchesArgs,
  PayoutBatchPayload,
  PayoutDestinationConnection,
  PayoutDestinationPayload,
  PayoutDestinationsArgs,
  PayoutSettingsInfo,
  PayoutSettingsPayload,
  RejectWithdrawalsInput,
  RequestWithdrawalInput,
  RequestWithdrawalPayload,
  SetPayoutCoolOffInput,
  WithdrawalConnection,
  WithdrawalIdsInput,
  WithdrawalPayload,
  WithdrawalReasonInput,
  WithdrawalReview,
  WithdrawalsArgs,
  WithdrawalsPayload,
} from './payout.types';

const DAY_MS = 86_400_000;

@Resolver(() => PayoutDestination)
export class PayoutDestinationResolver {
  @Authorized()
  @Query(() => PayoutDestinationConnection, {
    description: 'Payout destinations of the caller’s merchants (admins: every merchant’s), newest first.',
  })
  payoutDestinations(
    @Args() args: PayoutDestinationsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<PayoutDestination>> {
    const where: FilterQuery<PayoutDestination> = {
      ...merchantFilter(requireViewer(ctx), args.merchantId),
      ...(args.status ? { status: args.status } : {}),
    };
    return paginate(ctx.em, PayoutDestination, where, args);
  }

  @Authorized()
  @Query(() => PayoutSettingsInfo, { description: 'The merchant’s payout settings (cool-off).' })
  async payoutSettings(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: Context,
  ): Promise<PayoutSettingsInfo> {
    const viewer = requireViewer(ctx);
    const id = merchantId ?? viewer.merchantId;
    if (!id) throw graphqlError('BAD_USER_INPUT', 'merchantId is required for platform admins');
    merchantFilter(viewer, id);
    return Object.assign(new PayoutSettingsInfo(), {
      coolOffHours: await coolOffHoursOf(ctx.em, ctx.config.payoutCoolOffHours, id),
      platformMinimumCoolOffHours: ctx.config.payoutCoolOffHours,
    });
  }

  @Authorized()
  @Mutation(() => PayoutDestinationPayload, {
    description:
      'Owners: adds a payout destination, PENDING until the code emailed to the owner confirms it ' +
      '(confirmPayoutDestination); usable after the cool-off.',
  })
  addPayoutDestination(
    @Arg('input', () => AddPayoutDestinationInput) input: AddPayoutDestinationInput,
    @Ctx() ctx: Context,
  ): Promise<PayoutDestinationPayload> {
    return payload(
      (result, userErrors) => ({
        destination: result?.destination ?? null,
        confirmation: result?.confirmation ?? null,
        userErrors,
      }),
      () => addDestination(ctx, input),
    );
  }

  @Authorized()
  @Mutation(() => PayoutDestinationPayload, {
    description:
      'Owners: changes an active destination. The change is a new destination, PENDING until its code confirms it; ' +
      'then it replaces the old one and waits its own cool-off.',
  })
  changePayoutDestination(
    @Arg('input', () => ChangePayoutDestinationInput) input: ChangePayoutDestinationInput,
    @Ctx() ctx: Context,
  ): Promise<PayoutDestinationPayload> {
    return payload(
      (result, userErrors) => ({
        destination: result?.destination ?? null,
        confirmation: result?.confirmation ?? null,
        userErrors,
      }),
      () => changeDestination(ctx, input),
    );
  }

  @Authorized()
  @Mutation(() => PayoutDestinationPayload, {
    description: 'Owners: confirms a pending destination with the emailed code; every owner is told.',
  })
  confirmPayoutDestination(
    @Arg('input', () => ConfirmCodeInput) input: ConfirmCodeInput,
    @Ctx() ctx: Context,
  ): Promise<PayoutDestinationPayload> {
    return payload(
      (destination, userErrors) => ({ destination, confirmation: null, userErrors }),
      () => confirmDestination(ctx, input),
    );
  }

  @Authorized()
  @Mutation(() => PayoutDestinationPayload, {
    description: 'Owners: removes a destination no withdrawal in flight uses; every owner is told.',
  })
  removePayoutDestination(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<PayoutDestinationPayload> {
    return payload(
      (destination, userErrors) => ({ destination, confirmation: null, userErrors }),
      () => removeDestination(ctx, input.id),
    );
  }

  @Authorized()
  @Mutation(() => ConfirmationPayload, {
    description: 'Owners: emails a new code for a pending destination or a requested withdrawal (by its id).',
  })
  resendConfirmationCode(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context) {
    return payload(
      (confirmation, userErrors) => ({ confirmation, userErrors }),
      () => resendCode(ctx, input.id),
    );
  }

  @Authorized()
  @Mutation(() => PayoutSettingsPayload, {
    description: 'Owners: lengthens the cool-off of new payout details (never shortens it); every owner is told.',
  })
  setPayoutCoolOff(@Arg('input', () => SetPayoutCoolOffInput) input: SetPayoutCoolOffInput, @Ctx() ctx: Context) {
    return payload(
      (hours, userErrors) => ({
        settings:
          hours === null
            ? null
            : Object.assign(new PayoutSettingsInfo(), {
                coolOffHours: hours,
                platformMinimumCoolOffHours: ctx.config.payoutCoolOffHours,
              }),
        userErrors,
      }),
      () => setCoolOff(ctx, input),
    );
  }
}

@Resolver(() => ConfirmationCode)
export class ConfirmationFieldsResolver {
  @FieldResolver(() => String, { description: 'Whom the code was sent to, masked: "d•••@example.com".' })
  sentTo(@Root() confirmation: ConfirmationCode): string {
    return maskEmail(confirmation.email);
  }
}

@Resolver(() => Withdrawal)
export class WithdrawalResolver {
  @Authorized()
  @Query(() => WithdrawalConnection, {
    description: 'Withdrawals of the caller’s merchants (admins: every merchant’s), newest first.',
  })
  withdrawals(@Args() args: WithdrawalsArgs, @Ctx() ctx: Context): Promise<Connection<Withdrawal>> {
    const where: FilterQuery<Withdrawal> = {
      ...merchantFilter(requireViewer(ctx), args.merchantId),
      ...(args.status ? { status: args.status } : {}),
      ...(args.batchId ? { batchId: args.batchId } : {}),
      ...rangeFilter('createdAt', args),
    };
    return paginate(ctx.em, Withdrawal, where, args);
  }

  @Authorized()
  @Query(() => Withdrawal, { nullable: true, description: "One withdrawal; NOT_FOUND when it is not the caller's." })
  withdrawal(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Withdrawal> {
    return loadWithdrawal(ctx, id);
  }

  @Authorized('ADMIN')
  @Query(() => WithdrawalConnection, {
    description: 'Admins: confirmed withdrawals waiting for approval (each with its review), newest first.',
  })
  withdrawalQueue(@Args() args: WithdrawalsArgs, @Ctx() ctx: Context): Promise<Connection<Withdrawal>> {
    return paginate(
      ctx.em,
      Withdrawal,
      { status: WithdrawalStatus.CONFIRMED, ...(args.merchantId ? { merchantId: args.merchantId } : {}) },
      args,
    );
  }

  @Authorized()
  @Mutation(() => RequestWithdrawalPayload, {
    description:
      'Owners: asks to withdraw from the available balance to an active destination past its cool-off. Nothing is ' +
      'held until the code emailed to the owner confirms it (confirmWithdrawal). Idempotent with an idempotency key.',
  })
  async requestWithdrawal(
    @Arg('input', () => RequestWithdrawalInput) input: RequestWithdrawalInput,
    @Ctx() ctx: Context,
  ): Promise<RequestWithdrawalPayload> {
    return payload(
      (result, userErrors) => ({ withdrawal: result?.[0] ?? null, confirmation: result?.[1] ?? null, userErrors }),
      async () => {
        const { withdrawalId } = await requestWithdrawal(ctx, input);
        const em = ctx.em.fork();
        return [
          await em.findOneOrFail(Withdrawal, withdrawalId),
          await latestConfirmation(em, WITHDRAWAL_PURPOSE, withdrawalId),
        ] as const;
      },
    );
  }

  @Authorized()
  @Mutation(() => WithdrawalPayload, {
    description: 'Owners: confirms a requested withdrawal with the emailed code; its amount is held in the ledger.',
  })
  confirmWithdrawal(@Arg('input', () => ConfirmCodeInput) input: ConfirmCodeInput, @Ctx() ctx: Context) {
    return payload(
      (withdrawal, userErrors) => ({ withdrawal, userErrors }),
      () => confirmWithdrawal(ctx, input),
    );
  }

  @Authorized()
  @Mutation(() => WithdrawalPayload, {
    description: 'Owners: cancels a withdrawal not yet approved; a held amount is available again.',
  })
  cancelWithdrawal(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context) {
    return payload(
      (withdrawal, userErrors) => ({ withdrawal, userErrors }),
      () => cancelWithdrawal(ctx, input.id),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => WithdrawalsPayload, { description: 'Admins: approves confirmed withdrawals (one or many).' })
  async approveWithdrawals(
    @Arg('input', () => WithdrawalIdsInput) input: WithdrawalIdsInput,
    @Ctx() ctx: Context,
  ): Promise<WithdrawalsPayload> {
    return payload(
      (result, userErrors) => ({
        withdrawals: result?.done ?? [],
        userErrors: [...userErrors, ...(result?.errors ?? []).map((error) => error.toUserError())],
      }),
      () => approveWithdrawals(ctx, input.ids),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => WithdrawalsPayload, {
    description: 'Admins: rejects withdrawals (confirmed, approved, or in a batch the bank refused), releasing holds.',
  })
  async rejectWithdrawals(
    @Arg('input', () => RejectWithdrawalsInput) input: RejectWithdrawalsInput,
    @Ctx() ctx: Context,
  ): Promise<WithdrawalsPayload> {
    return payload(
      (result, userErrors) => ({
        withdrawals: result?.done ?? [],
        userErrors: [...userErrors, ...(result?.errors ?? []).map((error) => error.toUserError())],
      }),
      () => rejectWithdrawals(ctx, input.ids, input.reason),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => WithdrawalPayload, {
    description: 'Admins: marks a withdrawal in a batch paid without a bank line; the reason is audited.',
  })
  markWithdrawalPaid(@Arg('input', () => WithdrawalReasonInput) input: WithdrawalReasonInput, @Ctx() ctx: Context) {
    return payload(
      (withdrawal, userErrors) => ({ withdrawal, userErrors }),
      () => overridePaid(ctx, input),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => WithdrawalPayload, {
    description: 'Admins: records a paid withdrawal the bank sent back (within 30 days); the balance is restored.',
  })
  markWithdrawalReturned(@Arg('input', () => WithdrawalReasonInput) input: WithdrawalReasonInput, @Ctx() ctx: Context) {
    return payload(
      (withdrawal, userErrors) => ({ withdrawal, userErrors }),
      () => overrideReturned(ctx, input),
    );
  }

  @FieldResolver(() => Money, { description: 'What leaves the balance.' })
  amount(@Root() withdrawal: Withdrawal): Money {
    return Money.of(withdrawal.amountMinor, withdrawal.currency);
  }

  @FieldResolver(() => Money, { description: 'The payout fee of the merchant’s plan, taken from the amount.' })
  fee(@Root() withdrawal: Withdrawal): Money {
    return Money.of(withdrawal.feeMinor, withdrawal.currency);
  }

  @FieldResolver(() => Money, { description: 'What the bank sends: amount less fee.' })
  net(@Root() withdrawal: Withdrawal): Money {
    return Money.of(withdrawal.amountMinor - withdrawal.feeMinor, withdrawal.currency);
  }

  @FieldResolver(() => PayoutDestination)
  destination(@Root() withdrawal: Withdrawal, @Ctx() ctx: Context): Promise<PayoutDestination> {
    return ctx.em.findOneOrFail(PayoutDestination, withdrawal.destinationId);
  }

  @FieldResolver(() => ConfirmationCode, {
    nullable: true,
    description: 'While REQUESTED: the code last sent to confirm it (whom to, until when).',
  })
  async confirmation(@Root() withdrawal: Withdrawal, @Ctx() ctx: Context): Promise<ConfirmationCode | null> {
    if (withdrawal.status !== WithdrawalStatus.REQUESTED) return null;
    return latestConfirmation(ctx.em, WITHDRAWAL_PURPOSE, withdrawal.id);
  }

  @FieldResolver(() => WithdrawalReview, {
    nullable: true,
    description: 'Admins only: what to weigh before approving.',
  })
  async review(@Root() withdrawal: Withdrawal, @Ctx() ctx: Context): Promise<WithdrawalReview | null> {
    if (!isAdmin(ctx.viewer)) return null;
    const merchant = await ctx.em.findOneOrFail(Merchant, withdrawal.merchantId);
    const destination = await ctx.em.findOne(PayoutDestination, withdrawal.destinationId);
    const now = Date.now();
    const paid = await ctx.em.find(Withdrawal, {
      merchantId: withdrawal.merchantId,
      currency: withdrawal.currency,
      status: WithdrawalStatus.PAID,
    });
    const recent = paid
      .filter((w) => w.paidAt && now - w.paidAt.getTime() < 30 * DAY_MS)
      .reduce((sum, w) => sum + w.amountMinor, 0n);
    const returned = await ctx.em.count(Withdrawal, {
      merchantId: withdrawal.merchantId,
      status: WithdrawalStatus.RETURNED,
    });
    const flags: string[] = [];
    if (now - merchant.createdAt.getTime() < 30 * DAY_MS) flags.push('NEW_MERCHANT');
    if (!destination?.confirmedAt || now - destination.confirmedAt.getTime() < 7 * DAY_MS)
      flags.push('NEW_DESTINATION');
    if (!paid.length) flags.push('FIRST_PAYOUT');
    if (returned) flags.push('RETURNED_BEFORE');
    return Object.assign(new WithdrawalReview(), {
      merchantName: merchant.name,
      merchantSince: merchant.createdAt,
      destinationConfirmedAt: destination?.confirmedAt ?? null,
      paidOutLast30Days: Money.of(recent, withdrawal.currency),
      previousPayouts: paid.length,
      flags,
    });
  }
}

@Resolver(() => PayoutBatch)
export class PayoutBatchResolver {
  @Authorized('ADMIN')
  @Query(() => PayoutBatchConnection, { description: 'Admins: payout batches, newest first.' })
  payoutBatches(@Args() args: PayoutBatchesArgs, @Ctx() ctx: Context): Promise<Connection<PayoutBatch>> {
    return paginate(ctx.em, PayoutBatch, args.status ? { status: args.status } : {}, args);
  }

  @Authorized('ADMIN')
  @Query(() => PayoutBatch, { nullable: true, description: 'Admins: one payout batch.' })
  payoutBatch(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<PayoutBatch | null> {
    return ctx.em.findOne(PayoutBatch, id);
  }

  @Authorized('ADMIN')
  @Mutation(() => PayoutBatchPayload, {
    description: 'Admins: puts every approved withdrawal of a rail and currency (up to 1000) into a new batch.',
  })
  createPayoutBatch(@Arg('input', () => CreatePayoutBatchInput) input: CreatePayoutBatchInput, @Ctx() ctx: Context) {
    return payload(
      (batch, userErrors) => ({ batch, userErrors }),
      () => createBatch(ctx, input),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => ExportPayoutBatchPayload, {
    description:
      'Admins: the batch’s bank file — SEPA pain.001.001.03 XML, or CSV for other rails. Exporting again gives the ' +
      'same file; a batch is paid only once, line by line, by the bank’s status file.',
  })
  exportPayoutBatch(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context) {
    return payload(
      (result, userErrors) => ({ batch: result?.batch ?? null, file: result?.file ?? null, userErrors }),
      () => exportBatch(ctx, input.id),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => ImportPayoutStatusPayload, {
    description:
      'Admins: imports the bank’s status CSV, marking each matching line paid, rejected or returned; mismatches ' +
      '(unknown id, not in a batch, amount or currency differs) change nothing and are reported.',
  })
  importPayoutStatus(@Arg('input', () => ImportPayoutStatusInput) input: ImportPayoutStatusInput, @Ctx() ctx: Context) {
    return payload(
      (lines, userErrors) => ({ lines, userErrors }),
      () => importStatusCsv(ctx, input.csv),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => ImportPayoutStatusPayload, {
    description:
      'Admins: imports the bank’s camt.053 end-of-day statement; each booked payout transaction is matched and ' +
      'applied as a status CSV line is (same outcomes), and kept for payoutReconciliation.',
  })
  importPayoutStatement(
    @Arg('input', () => ImportPayoutStatementInput) input: ImportPayoutStatementInput,
    @Ctx() ctx: Context,
  ) {
    return payload(
      (lines, userErrors) => ({ lines, userErrors }),
      () => importStatementXml(ctx, input.xml),
    );
  }

  @FieldResolver(() => Money, { description: 'What the bank is asked to send in all (amounts less fees).' })
  total(@Root() batch: PayoutBatch): Money {
    return Money.of(batch.totalMinor, batch.currency);
  }

  @FieldResolver(() => [Withdrawal], { description: 'Its withdrawals, oldest first.' })
  withdrawals(@Root() batch: PayoutBatch, @Ctx() ctx: Context): Promise<Withdrawal[]> {
    return ctx.em.find(Withdrawal, { batchId: batch.id }, { orderBy: { id: 'asc' } });
  }
}
