import { LockMode, type EntityManager } from '@mikro-orm/core';
import { Arg, Authorized, Ctx, Field, FieldResolver, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { isAdmin, requireViewer } from '../../common/context';
import { payload, UserError, UserErrorCode, UserFacingError } from '../../common/errors';
import { IdInput } from '../../common/mutation';
import { recordAudit } from '../audit';
import {
  CardPayout,
  CardPayoutStatus,
  cardPayoutsOf,
  sendCardPayout,
  type CardPayoutActor,
  type CardPayoutHandler,
} from '../card';
import { PaidVia, PayoutBatch, PayoutDestination, PayoutRail, Withdrawal, WithdrawalStatus } from './payout.entity';
import { markPaid, settleBatchIfDone, transition } from './payout.service';

/*
 * Card payouts. A CARD batch is not a file for a bank: an admin sends it ("send card payouts"), and each withdrawal's
 * money goes to the merchant's payout card through the card processor's `payout` (the card rail records the attempt
 * under the withdrawal's key, so sending again never pays twice). The processor's answer settles the withdrawal
 * through its named transitions: approved → PAID (hold posted, the money out: withdrawal-post/out), declined →
 * REJECTED (hold voided). No answer leaves the attempt UNKNOWN: the card rail's reconciliation job looks it up and
 * settles it the same way, through `cardPayoutHandler`.
 */

/** The card rail's answer, applied to the withdrawal in the transaction that records it. */
export const cardPayoutHandler: CardPayoutHandler = {
  async settled(em: EntityManager, payout: CardPayout, actor: CardPayoutActor): Promise<void> {
    const withdrawal = await em.findOne(Withdrawal, payout.withdrawalId, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    // Settled meanwhile by an admin's override: the attempt is recorded (and audited), the withdrawal left alone.
    if (!withdrawal || withdrawal.status !== WithdrawalStatus.IN_BATCH) return;
    if (payout.status === CardPayoutStatus.SUCCEEDED) {
      await markPaid(em, actor, withdrawal, { kind: PaidVia.CARD_PROCESSOR, bankReference: payout.processorReference });
    } else {
      await transition(em, actor, withdrawal, 'reject', {
        reason: `the card processor declined the payout (${payout.declineCode ?? 'DECLINED'})`,
        audit: { cardPayoutId: payout.id },
      });
      await settleBatchIfDone(em, withdrawal.batchId);
    }
  },
};

/**
 * Admins: sends every withdrawal of a CARD batch still in it to its payout card, one after another; each is settled
 * by the processor's answer (or later by reconciliation). Sending again retries nothing already answered.
 */
export async function sendCardPayouts(
  ctx: Context,
  batchId: string,
): Promise<{ batch: PayoutBatch; payouts: CardPayout[] }> {
  const em = ctx.em.fork();
  const batch = await em.findOne(PayoutBatch, batchId);
  if (!batch) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such payout batch', ['input', 'id']);
  if (batch.rail !== PayoutRail.CARD) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `a ${batch.rail} batch goes to the bank as a file (exportPayoutBatch); only CARD batches are sent`,
      ['input', 'id'],
    );
  }
  const withdrawals = await em.find(
    Withdrawal,
    { batchId: batch.id, status: WithdrawalStatus.IN_BATCH },
    { orderBy: { id: 'asc' } },
  );
  const destinations = await em.find(PayoutDestination, { id: { $in: withdrawals.map((w) => w.destinationId) } });
  const byId = new Map(destinations.map((d) => [d.id, d]));
  const audit = ctx.em.fork();
  recordAudit(audit, ctx, {
    action: 'payout_batch.send_card_payouts',
    merchantId: null,
    targetId: batch.id,
    details: { count: withdrawals.length },
  });
  await audit.flush();
  const payouts: CardPayout[] = [];
  for (const withdrawal of withdrawals) {
    payouts.push(
      await sendCardPayout(
        { em: ctx.em, pubsub: ctx.pubsub, config: ctx.config, extensions: ctx.extensions, limits: ctx.limits },
        ctx,
        {
          withdrawalId: withdrawal.id,
          merchantId: withdrawal.merchantId,
          tokenId: byId.get(withdrawal.destinationId)?.cardTokenId ?? '',
          amountMinor: withdrawal.amountMinor - withdrawal.feeMinor,
          currency: withdrawal.currency,
        },
      ),
    );
  }
  return { batch: await ctx.em.fork().findOneOrFail(PayoutBatch, batch.id), payouts };
}

@ObjectType('SendCardPayoutsPayload', { description: 'The batch, and each of its payouts to a card as it stands.' })
export class SendCardPayoutsPayload {
  @Field(() => PayoutBatch, { nullable: true })
  batch!: PayoutBatch | null;

  @Field(() => [CardPayout], {
    description: 'One per withdrawal sent: SUCCEEDED (paid), FAILED (rejected), UNKNOWN (left to reconciliation).',
  })
  payouts!: CardPayout[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@Resolver(() => Withdrawal)
export class CardPayoutResolver {
  @Authorized('ADMIN')
  @Mutation(() => SendCardPayoutsPayload, {
    description:
      'Admins: sends a CARD batch’s withdrawals to the merchants’ payout cards through the card processor. Each is ' +
      'paid (PAID) or refused (REJECTED, hold released) by the processor’s answer; one left unanswered is settled ' +
      'by the card reconciliation job. Sending again never pays twice.',
  })
  sendCardPayouts(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context) {
    return payload(
      (result, userErrors) => ({ batch: result?.batch ?? null, payouts: result?.payouts ?? [], userErrors }),
      () => sendCardPayouts(ctx, input.id),
    );
  }

  @FieldResolver(() => CardPayout, {
    nullable: true,
    description: 'CARD rail: the payout to the card, once sent (admins and the merchant).',
  })
  async cardPayout(@Root() withdrawal: Withdrawal, @Ctx() ctx: Context): Promise<CardPayout | null> {
    const viewer = requireViewer(ctx);
    if (!isAdmin(viewer) && !viewer.merchantIds.includes(withdrawal.merchantId)) return null;
    if (withdrawal.rail !== PayoutRail.CARD) return null;
    const [found] = await cardPayoutsOf(ctx.em, [withdrawal.id]);
    return found ?? null;
  }
}
