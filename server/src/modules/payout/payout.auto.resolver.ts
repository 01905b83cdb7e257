import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, requireViewer } from '../../common/context';
import { payload } from '../../common/errors';
import { Money } from '../../common/money';
import { IdInput } from '../../common/mutation';
import { confirmAutoPayout, disableAutoPayout, requestAutoPayout } from './payout.auto';
import { AutoPayoutPayload, RequestAutoPayoutInput } from './payout.auto.types';
import { AutoPayout } from './payout.entity';
import { ConfirmCodeInput } from './payout.types';

@Resolver(() => AutoPayout)
export class AutoPayoutResolver {
  @Authorized()
  @Query(() => [AutoPayout], { description: 'A merchant’s automatic payouts, one per currency (admins: name one).' })
  autoPayouts(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: Context,
  ): Promise<AutoPayout[]> {
    const id = actingMerchant(requireViewer(ctx), merchantId);
    return ctx.em.find(AutoPayout, { merchantId: id }, { orderBy: { currency: 'asc' } });
  }

  @Authorized()
  @Mutation(() => AutoPayoutPayload, {
    description:
      'Owners: switches automatic payouts of a currency on, or changes their schedule, reserve or destination. The ' +
      'change waits for the code emailed to the owner (confirmAutoPayout); what runs meanwhile does not change.',
  })
  requestAutoPayout(
    @Arg('input', () => RequestAutoPayoutInput) input: RequestAutoPayoutInput,
    @Ctx() ctx: Context,
  ): Promise<AutoPayoutPayload> {
    return payload(
      (result, userErrors) => ({
        autoPayout: result?.autoPayout ?? null,
        confirmation: result?.confirmation ?? null,
        userErrors,
      }),
      () => requestAutoPayout(ctx, input),
    );
  }

  @Authorized()
  @Mutation(() => AutoPayoutPayload, {
    description: 'Owners: confirms the requested automatic payouts with the emailed code; they run from now on.',
  })
  confirmAutoPayout(
    @Arg('input', () => ConfirmCodeInput) input: ConfirmCodeInput,
    @Ctx() ctx: Context,
  ): Promise<AutoPayoutPayload> {
    return payload(
      (autoPayout, userErrors) => ({ autoPayout, confirmation: null, userErrors }),
      () => confirmAutoPayout(ctx, input),
    );
  }

  @Authorized()
  @Mutation(() => AutoPayoutPayload, {
    description: 'Owners: switches automatic payouts off at once (no code needed); a waiting change is dropped.',
  })
  disableAutoPayout(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context): Promise<AutoPayoutPayload> {
    return payload(
      (autoPayout, userErrors) => ({ autoPayout, confirmation: null, userErrors }),
      () => disableAutoPayout(ctx, input.id),
    );
  }

  @FieldResolver(() => Money, { description: 'What stays in the available balance (confirmed).' })
  reserve(@Root() row: AutoPayout): Money {
    return Money.of(row.reserveMinor, row.currency);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'A change waiting for its code: the reserve.' })
  requestedReserve(@Root() row: AutoPayout): Money | null {
    return row.requestedReserveMinor === null ? null : Money.of(row.requestedReserveMinor, row.currency);
  }
}
