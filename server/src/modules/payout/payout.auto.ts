import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { assertMerchantAccess, requireViewer } from '../../common/context';
import { graphqlError, UserErrorCode, UserFacingError } from '../../common/errors';
import { log } from '../../common/log';
import { formatAmount, isCurrency, MoneyError, parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { recordAudit } from '../audit';
import { User, UserRole } from '../auth';
import { consumeConfirmation, issueConfirmation, verifyConfirmation, type ConfirmationCode } from '../confirmation';
import { feeFor, feePlanOf } from '../fee-plan';
import { sendMail } from '../mail';
import { withdrawableBalance } from '../payment';
import { emitEvent } from '../webhook';
import {
  AutoPayout,
  AutoPayoutSchedule,
  AutoPayoutStatus,
  PayoutDestination,
  PayoutDestinationStatus,
  Withdrawal,
} from './payout.entity';
import {
  describeDestination,
  minimumWithdrawal,
  ownerMerchant,
  railOf,
  transition,
  type PayoutCtx,
} from './payout.service';

/*
 * Automatic payouts. An owner asks for them per currency (schedule, reserve, destination); the request waits for the
 * code emailed to the owner, as any change to where money goes does, and only a confirmed request changes what runs.
 * The scheduler (startWorkers' sweeper) looks at each ACTIVE schedule once per period (UTC day, or ISO week): the
 * available balance above the reserve, if it is at least the minimum and more than the payout fee, becomes a
 * withdrawal that goes straight to CONFIRMED (held), the schedule having been confirmed. Each period's withdrawal is
 * made at most once per merchant and currency, whatever runs at once: schedulers skip a schedule another one has
 * locked (PostgreSQL), re-read its last period under the lock, and the withdrawal's unique
 * (merchant, currency, autoPeriod) index refuses a second one in any case.
 */

export const AUTO_PAYOUT_PURPOSE = 'auto-payout';
/** Schedules one scheduler round looks at; a full round is followed by another at once. */
export const AUTO_PAYOUT_BATCH = 100;
/** Schedules one round works on at once (PostgreSQL; SQLite has a single writer). */
export const AUTO_PAYOUT_LANES = 4;

/** The period an instant falls in: "2026-12-05" (UTC day) or "2026-W49" (ISO 8601 week). */
export function periodOf(schedule: AutoPayoutSchedule, now: Date): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (schedule === AutoPayoutSchedule.DAILY) return day.toISOString().slice(0, 10);
  // ISO week: the week's Thursday decides the year.
  const weekday = day.getUTCDay() || 7;
  const thursday = new Date(day.getTime() + (4 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((thursday.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

async function tellOwners(em: EntityManager, merchantId: string, subject: string, text: string): Promise<void> {
  const owners = await em.find(User, { merchantId, role: UserRole.OWNER }, { orderBy: { id: 'asc' } });
  for (const owner of owners) sendMail(em, { to: owner.email, merchantId, subject, text });
}

function eventData(row: AutoPayout): Record<string, unknown> {
  return {
    id: row.id,
    merchantId: row.merchantId,
    currency: row.currency,
    status: row.status,
    schedule: row.schedule,
    reserve: formatAmount(row.reserveMinor, row.currency),
    destinationId: row.destinationId,
  };
}

function describe(schedule: AutoPayoutSchedule, reserveMinor: bigint, currency: string): string {
  return `${schedule === AutoPayoutSchedule.DAILY ? 'every day' : 'every week'}, keeping ${formatAmount(reserveMinor, currency)} ${currency}`;
}

async function loadAutoPayout(ctx: PayoutCtx, id: string): Promise<AutoPayout> {
  const row = await ctx.em.findOne(AutoPayout, id, { refresh: true });
  if (!row) throw graphqlError('NOT_FOUND', 'no such object');
  assertMerchantAccess(requireViewer(ctx), row.merchantId);
  return row;
}

/** An active destination of the merchant; the cool-off is checked when a payout is made. */
async function activeDestination(em: EntityManager, merchantId: string, id: string): Promise<PayoutDestination> {
  const destination = await em.findOne(PayoutDestination, { id, merchantId });
  if (!destination || destination.status !== PayoutDestinationStatus.ACTIVE) {
    throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such active payout destination', ['input', 'destinationId']);
  }
  return destination;
}

/**
 * An owner asks to switch automatic payouts on in a currency, or to change their schedule, reserve or destination:
 * the request waits for the code emailed to the owner (confirmAutoPayout); what runs meanwhile does not change.
 */
export async function requestAutoPayout(
  ctx: PayoutCtx,
  input: {
    merchantId?: string | null;
    currency: string;
    schedule: AutoPayoutSchedule;
    reserve: string;
    destinationId: string;
  },
): Promise<{ autoPayout: AutoPayout; confirmation: ConfirmationCode }> {
  const merchantId = ownerMerchant(requireViewer(ctx), input.merchantId);
  const currency = input.currency.trim().toUpperCase();
  if (!isCurrency(currency)) {
    throw new UserFacingError(UserErrorCode.INVALID_CURRENCY, `"${input.currency}" is not a currency Tollgate takes`, [
      'input',
      'currency',
    ]);
  }
  if (!Object.values(AutoPayoutSchedule).includes(input.schedule)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'DAILY or WEEKLY', ['input', 'schedule']);
  }
  let reserve: bigint;
  try {
    reserve = parseAmount(input.reserve.trim(), currency);
  } catch (error) {
    if (error instanceof MoneyError)
      throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, error.message, ['input', 'reserve']);
    throw error;
  }
  if (reserve < 0n || reserve > 10n ** 15n) {
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'a reserve of zero or more', ['input', 'reserve']);
  }
  const destination = await activeDestination(ctx.em, merchantId, input.destinationId);
  return ctx.em.transactional(async (em) => {
    let row = await em.findOne(AutoPayout, { merchantId, currency }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) {
      row = build(AutoPayout, { merchantId, currency });
      em.persist(row);
    }
    row.requestedSchedule = input.schedule;
    row.requestedReserveMinor = reserve;
    row.requestedDestinationId = destination.id;
    row.updatedAt = new Date();
    const confirmation = await issueConfirmation(em, ctx, {
      merchantId,
      purpose: AUTO_PAYOUT_PURPOSE,
      targetId: row.id,
      viewer: ctx.viewer,
      subject: 'Confirm your automatic payouts',
      summary:
        `Someone with access to your Tollgate account asked for automatic payouts of your ${currency} balance ` +
        `${describe(input.schedule, reserve, currency)}, to ${describeDestination(destination)} (${row.id}).`,
    });
    recordAudit(em, ctx, {
      action: 'auto_payout.request',
      merchantId,
      targetId: row.id,
      details: {
        currency,
        schedule: input.schedule,
        reserve: formatAmount(reserve, currency),
        destinationId: destination.id,
      },
    });
    await em.flush();
    return { autoPayout: row, confirmation };
  });
}

/** The owner's code confirms the requested settings: they run from now on (ACTIVE); every owner is told. */
export async function confirmAutoPayout(ctx: PayoutCtx, input: { id: string; code: string }): Promise<AutoPayout> {
  const viewer = requireViewer(ctx);
  const found = await loadAutoPayout(ctx, input.id);
  ownerMerchant(viewer, found.merchantId);
  if (!found.requestedSchedule) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'no change is waiting for a code', ['input', 'id']);
  }
  const verified = await verifyConfirmation(ctx.em, ctx, {
    purpose: AUTO_PAYOUT_PURPOSE,
    targetId: found.id,
    code: input.code,
    actorKey: viewer.userId ?? viewer.apiKeyId ?? 'unknown',
  });
  return ctx.em.transactional(async (em) => {
    await consumeConfirmation(em, verified);
    const row = await em.findOneOrFail(AutoPayout, found.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!row.requestedSchedule || row.requestedReserveMinor === null || !row.requestedDestinationId) {
      throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'no change is waiting for a code', ['input', 'id']);
    }
    const destination = await activeDestination(em, row.merchantId, row.requestedDestinationId);
    const from = row.status;
    const now = new Date();
    row.schedule = row.requestedSchedule;
    row.reserveMinor = row.requestedReserveMinor;
    row.destinationId = destination.id;
    row.requestedSchedule = null;
    row.requestedReserveMinor = null;
    row.requestedDestinationId = null;
    row.status = AutoPayoutStatus.ACTIVE;
    row.confirmedAt = now;
    row.updatedAt = now;
    await tellOwners(
      em,
      row.merchantId,
      'Automatic payouts confirmed',
      `Your ${row.currency} balance is now paid out automatically ${describe(row.schedule, row.reserveMinor, row.currency)}, ` +
        `to ${describeDestination(destination)}. If you did not ask for this, switch them off and tell us.`,
    );
    await emitEvent(em, 'auto_payout.confirmed', row.merchantId, eventData(row));
    recordAudit(em, ctx, {
      action: 'auto_payout.confirm',
      merchantId: row.merchantId,
      targetId: row.id,
      details: { from, to: row.status, ...eventData(row) },
    });
    await em.flush();
    return row;
  });
}

/** Switches automatic payouts off at once (no code: it moves no money); a waiting change is dropped. */
export async function disableAutoPayout(ctx: PayoutCtx, id: string): Promise<AutoPayout> {
  const found = await loadAutoPayout(ctx, id);
  ownerMerchant(requireViewer(ctx), found.merchantId);
  return ctx.em.transactional(async (em) => {
    const row = await em.findOneOrFail(AutoPayout, found.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (row.status === AutoPayoutStatus.OFF) {
      throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'automatic payouts are already off', ['input', 'id']);
    }
    const from = row.status;
    row.status = AutoPayoutStatus.OFF;
    row.requestedSchedule = null;
    row.requestedReserveMinor = null;
    row.requestedDestinationId = null;
    row.updatedAt = new Date();
    await tellOwners(
      em,
      row.merchantId,
      'Automatic payouts switched off',
      `Automatic payouts of your ${row.currency} balance are off. Switching them on again needs a new code.`,
    );
    await emitEvent(em, 'auto_payout.disabled', row.merchantId, eventData(row));
    recordAudit(em, ctx, {
      action: 'auto_payout.disable',
      merchantId: row.merchantId,
      targetId: row.id,
      details: { from, to: row.status },
    });
    await em.flush();
    return row;
  });
}

// --- The scheduler ---------------------------------------------------------------------------------------------

export type AutoPayoutOutcome =
  'PAID_OUT' | 'NOTHING_TO_PAY' | 'RECEIVABLE_OPEN' | 'DESTINATION_UNUSABLE' | 'ALREADY_DONE' | 'BUSY';

const SYSTEM = { viewer: null, ip: '' };

function postgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name === 'PostgreSqlPlatform';
}

/**
 * Looks at one schedule for the period `now` falls in, in its own transaction: skipped when another scheduler holds
 * it (PostgreSQL) or the period was already handled; otherwise the period is marked handled, with a CONFIRMED
 * withdrawal when there is enough to pay.
 */
export async function runAutoPayout(
  em: EntityManager,
  id: string,
  now = new Date(),
): Promise<{ outcome: AutoPayoutOutcome; withdrawalId?: string }> {
  try {
    return await em.fork().transactional(async (tx) => {
      const row = await tx.findOne(
        AutoPayout,
        { id, status: AutoPayoutStatus.ACTIVE },
        // PostgreSQL: skip a schedule another scheduler holds. SQLite has one writer and no row locks.
        { lockMode: postgres(tx) ? LockMode.PESSIMISTIC_PARTIAL_WRITE : LockMode.NONE, refresh: true },
      );
      if (!row) return { outcome: 'BUSY' as const };
      if (!row.schedule) return { outcome: 'NOTHING_TO_PAY' as const };
      const period = periodOf(row.schedule, now);
      if (row.lastPeriod === period) return { outcome: 'ALREADY_DONE' as const };
      row.lastPeriod = period;
      row.updatedAt = now;
      const outcome = await payOut(tx, row, period, now);
      await tx.flush();
      return outcome;
    });
  } catch (error) {
    // Another scheduler made this period's withdrawal first: the unique index kept it to one.
    if (error instanceof UniqueConstraintViolationException) return { outcome: 'ALREADY_DONE' };
    throw error;
  }
}

async function payOut(
  em: EntityManager,
  row: AutoPayout,
  period: string,
  now: Date,
): Promise<{ outcome: AutoPayoutOutcome; withdrawalId?: string }> {
  const destination = row.destinationId
    ? await em.findOne(PayoutDestination, { id: row.destinationId, merchantId: row.merchantId })
    : null;
  if (
    !destination ||
    destination.status !== PayoutDestinationStatus.ACTIVE ||
    !destination.usableFrom ||
    destination.usableFrom > now
  ) {
    return { outcome: 'DESTINATION_UNUSABLE' };
  }
  const { available, owed } = await withdrawableBalance(em, row.merchantId, row.currency);
  if (owed > 0n) return { outcome: 'RECEIVABLE_OPEN' };
  const amount = available - row.reserveMinor;
  if (amount < minimumWithdrawal(row.currency)) return { outcome: 'NOTHING_TO_PAY' };
  const fee = feeFor(await feePlanOf(em, row.merchantId), 'PAYOUT', amount, row.currency);
  if (fee >= amount) return { outcome: 'NOTHING_TO_PAY' };
  const withdrawal = build(Withdrawal, {
    merchantId: row.merchantId,
    destinationId: destination.id,
    rail: railOf(destination, row.currency),
    currency: row.currency,
    amountMinor: amount,
    feeMinor: fee,
    autoPeriod: period,
    requestedBy: row.id,
    createdAt: now,
    updatedAt: now,
  });
  em.persist(withdrawal);
  await em.flush(); // the unique (merchant, currency, autoPeriod) index answers here, before anything is held
  await transition(em, SYSTEM, withdrawal, 'confirm', {
    at: now,
    audit: { automatic: true, autoPayoutId: row.id, period },
  });
  return { outcome: 'PAID_OUT', withdrawalId: withdrawal.id };
}

/**
 * One scheduler round: the ACTIVE schedules whose current period is not handled yet, up to `limit`, each in its own
 * transaction. Returns how many were looked at, how many payouts were made and how many schedules failed.
 */
export async function runDueAutoPayouts(
  em: EntityManager,
  now = new Date(),
  limit = AUTO_PAYOUT_BATCH,
): Promise<{ seen: number; paidOut: number; failed: number }> {
  const daily = periodOf(AutoPayoutSchedule.DAILY, now);
  const weekly = periodOf(AutoPayoutSchedule.WEEKLY, now);
  const due = await em.fork().find(
    AutoPayout,
    {
      status: AutoPayoutStatus.ACTIVE,
      $or: [
        { schedule: AutoPayoutSchedule.DAILY, $or: [{ lastPeriod: null }, { lastPeriod: { $ne: daily } }] },
        { schedule: AutoPayoutSchedule.WEEKLY, $or: [{ lastPeriod: null }, { lastPeriod: { $ne: weekly } }] },
      ],
    },
    { fields: ['id'], orderBy: { id: 'asc' }, limit },
  );
  let paidOut = 0;
  let failed = 0;
  // A few schedules at a time, each in its own transaction: they touch different merchants' rows.
  let next = 0;
  const lane = async () => {
    while (next < due.length) {
      const { id } = due[next++];
      try {
        const { outcome } = await runAutoPayout(em, id, now);
        if (outcome === 'PAID_OUT') paidOut += 1;
      } catch (error) {
        // One schedule's failure does not stop the others; it is tried again next round.
        failed += 1;
        log.error({ err: error, autoPayoutId: id }, 'automatic payout failed');
      }
    }
  };
  await Promise.all(Array.from({ length: postgres(em) ? AUTO_PAYOUT_LANES : 1 }, lane));
  return { seen: due.length, paidOut, failed };
}
