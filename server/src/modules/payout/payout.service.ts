import { LockMode, type EntityManager } from '@mikro-orm/core';
import { electronicFormatIBAN, extractIBAN, isSEPACountry, isValidBIC, isValidIBAN } from '../../common/iban';
import type { Context, Viewer } from '../../common/context';
import { actingMerchant, assertMerchantAccess, requireViewer } from '../../common/context';
import { graphqlError, UserErrorCode, UserFacingError } from '../../common/errors';
import type { EventType } from '../../common/events';
import { currencyScale, formatAmount } from '../../common/money';
import { build } from '../../common/orm';
import { nextState } from '../../common/state-machine';
import { recordAudit } from '../audit';
import { User, UserRole } from '../auth';
import { cardPayoutsOf, CardToken } from '../card';
import { consumeConfirmation, issueConfirmation, verifyConfirmation, type ConfirmationCode } from '../confirmation';
import { feeFor, feePlanOf } from '../fee-plan';
import { idempotent } from '../idempotency';
import { sendMail } from '../mail';
import {
  holdWithdrawal,
  parsePositiveAmount,
  payWithdrawal,
  releaseWithdrawal,
  returnWithdrawal,
  withdrawableBalance,
  type WithdrawalMoney,
} from '../payment';
import { emitEvent } from '../webhook';
import {
  DESTINATION_TRANSITIONS,
  PaidVia,
  PayoutBatch,
  PayoutBatchStatus,
  PayoutDestination,
  PayoutDestinationKind,
  PayoutDestinationStatus,
  PayoutRail,
  PayoutSettings,
  WITHDRAWAL_TRANSITIONS,
  Withdrawal,
  WithdrawalStatus,
  type WithdrawalTransition,
} from './payout.entity';

/*
 * Payouts, the merchant's side and the named transitions of a withdrawal. Destinations and withdrawals are confirmed
 * by a code emailed to the owner (modules/confirmation); money moves only through settlement (payment/
 * payout.settlement.ts), inside the transaction that changes the withdrawal's state, so a state and its ledger effect
 * commit together (I9). Each transition is guarded by the state machine and the row's version; each emits its
 * catalogued event through the outbox.
 */

export const DESTINATION_PURPOSE = 'payout-destination';
export const WITHDRAWAL_PURPOSE = 'withdrawal';
/** How long after it was paid the bank may still send a payout back. */
export const RETURN_WINDOW_DAYS = 30;
export const MAX_COOL_OFF_HOURS = 8760;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type PayoutCtx = Pick<Context, 'em' | 'config' | 'limits' | 'viewer' | 'ip' | 'idempotencyKey'>;

// --- Who may act ---------------------------------------------------------------------------------------------------

/**
 * The merchant an owner acts for. Only an owner (or the merchant's API key, whose codes still go to an owner) moves
 * money out or changes where it goes: staff and platform admins may not.
 */
export function ownerMerchant(viewer: Viewer, requested?: string | null): string {
  if (viewer.role === 'ADMIN') throw graphqlError('FORBIDDEN', "only the merchant's owner can do this");
  const merchantId = actingMerchant(viewer, requested);
  if (viewer.kind === 'user' && viewer.role !== 'OWNER') {
    throw graphqlError('FORBIDDEN', "only the merchant's owner can do this");
  }
  return merchantId;
}

function actorId(viewer: Viewer | null): string {
  return viewer?.userId ?? viewer?.apiKeyId ?? 'system';
}

/** Emails every owner of a merchant (a change to where its money goes, a payout sent back). */
async function tellOwners(em: EntityManager, merchantId: string, subject: string, text: string): Promise<void> {
  const owners = await em.find(User, { merchantId, role: UserRole.OWNER }, { orderBy: { id: 'asc' } });
  for (const owner of owners) sendMail(em, { to: owner.email, merchantId, subject, text });
}

// --- Destinations --------------------------------------------------------------------------------------------------

export interface DestinationFields {
  kind: PayoutDestinationKind;
  holderName: string;
  label?: string | null;
  iban?: string | null;
  bic?: string | null;
  cardTokenId?: string | null;
  walletProvider?: string | null;
  walletId?: string | null;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(value: string | null | undefined, field: string, max: number, required: boolean): string | null {
  const trimmed = value?.trim() ?? '';
  if (!trimmed) {
    if (required) throw new UserFacingError(UserErrorCode.REQUIRED, 'this is required', ['input', field]);
    return null;
  }
  if (trimmed.length > max) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${max} characters`, ['input', field]);
  }
  if (CONTROL.test(trimmed)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'no line breaks or control characters', ['input', field]);
  }
  return trimmed;
}

/** Validates a destination's fields (IBAN and BIC with ibantools, a card by its token); the stored fields. */
async function checkDestination(
  em: EntityManager,
  input: DestinationFields,
  merchantId: string,
): Promise<Partial<PayoutDestination>> {
  if (!Object.values(PayoutDestinationKind).includes(input.kind)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'unknown destination kind', ['input', 'kind']);
  }
  const common = {
    kind: input.kind,
    holderName: text(input.holderName, 'holderName', 70, true)!,
    label: text(input.label, 'label', 100, false),
  };
  switch (input.kind) {
    case PayoutDestinationKind.BANK_ACCOUNT: {
      const iban = electronicFormatIBAN(input.iban ?? '') ?? '';
      if (!iban) throw new UserFacingError(UserErrorCode.REQUIRED, 'give the IBAN', ['input', 'iban']);
      if (!isValidIBAN(iban)) {
        throw new UserFacingError(UserErrorCode.INVALID, `"${iban.slice(0, 40)}" is not a valid IBAN`, [
          'input',
          'iban',
        ]);
      }
      const bic = (input.bic ?? '').replace(/\s/g, '').toUpperCase();
      if (!bic) throw new UserFacingError(UserErrorCode.REQUIRED, "give the bank's BIC", ['input', 'bic']);
      if (!isValidBIC(bic)) {
        throw new UserFacingError(UserErrorCode.INVALID, `"${bic.slice(0, 20)}" is not a valid BIC`, ['input', 'bic']);
      }
      return { ...common, iban, bic };
    }
    case PayoutDestinationKind.CARD: {
      const tokenId = text(input.cardTokenId, 'cardTokenId', 40, true)!;
      const token = await em.findOne(CardToken, tokenId);
      // Only the merchant's own payout card (POST /card/payout-tokens), never a payer's card or another merchant's.
      if (!token || token.merchantId !== merchantId || token.paymentId !== null) {
        throw new UserFacingError(
          UserErrorCode.NOT_FOUND,
          'no payout card of this merchant by that token: tokenise the card with POST /card/payout-tokens',
          ['input', 'cardTokenId'],
        );
      }
      const now = new Date();
      if (
        token.expYear < now.getUTCFullYear() ||
        (token.expYear === now.getUTCFullYear() && token.expMonth < now.getUTCMonth() + 1)
      ) {
        throw new UserFacingError(UserErrorCode.INVALID, 'this card has expired', ['input', 'cardTokenId']);
      }
      return { ...common, cardTokenId: token.id, cardBrand: String(token.brand), cardLast4: token.last4 };
    }
    case PayoutDestinationKind.EWALLET: {
      const provider = text(input.walletProvider, 'walletProvider', 40, true)!.toLowerCase();
      if (!/^[a-z0-9][a-z0-9-]*$/.test(provider)) {
        throw new UserFacingError(UserErrorCode.INVALID, 'a provider name like "paypal"', ['input', 'walletProvider']);
      }
      return { ...common, walletProvider: provider, walletId: text(input.walletId, 'walletId', 100, true) };
    }
  }
}

/** "bank account DE89 … 3000", "VISA card •••• 4242", "paypal wallet dana@…": for mails, never in full. */
export function describeDestination(destination: PayoutDestination): string {
  switch (destination.kind) {
    case PayoutDestinationKind.BANK_ACCOUNT:
      return `bank account ${destination.iban!.slice(0, 4)} … ${destination.iban!.slice(-4)} (${destination.holderName})`;
    case PayoutDestinationKind.CARD:
      return `${destination.cardBrand ?? 'card'} card •••• ${destination.cardLast4 ?? '????'}`;
    case PayoutDestinationKind.EWALLET:
      return `${destination.walletProvider} wallet ${destination.walletId!.slice(0, 3)}…`;
  }
}

/** The merchant's cool-off in hours: its own setting, never under the platform minimum. */
export async function coolOffHoursOf(em: EntityManager, minimum: number, merchantId: string): Promise<number> {
  const settings = await em.findOne(PayoutSettings, { merchantId });
  return Math.max(minimum, settings?.coolOffHours ?? 0);
}

async function loadDestination(ctx: PayoutCtx, id: string): Promise<PayoutDestination> {
  const destination = await ctx.em.findOne(PayoutDestination, id, { refresh: true });
  if (!destination) throw graphqlError('NOT_FOUND', 'no such object');
  assertMerchantAccess(requireViewer(ctx), destination.merchantId);
  return destination;
}

async function sendDestinationCode(
  em: EntityManager,
  ctx: PayoutCtx,
  destination: PayoutDestination,
): Promise<ConfirmationCode> {
  return issueConfirmation(em, ctx, {
    merchantId: destination.merchantId,
    purpose: DESTINATION_PURPOSE,
    targetId: destination.id,
    viewer: ctx.viewer,
    subject: 'Confirm your new payout details',
    summary:
      `Someone with access to your Tollgate account asked to ${destination.replacesId ? 'change' : 'add'} where ` +
      `your payouts go: ${describeDestination(destination)} (${destination.id}).`,
  });
}

/** Adds a destination, PENDING until the owner types the emailed code. */
export async function addDestination(
  ctx: PayoutCtx,
  input: DestinationFields & { merchantId?: string | null },
): Promise<{ destination: PayoutDestination; confirmation: ConfirmationCode }> {
  const merchantId = ownerMerchant(requireViewer(ctx), input.merchantId);
  const fields = await checkDestination(ctx.em, input, merchantId);
  return ctx.em.transactional(async (em) => {
    const destination = build(PayoutDestination, { ...fields, merchantId });
    em.persist(destination);
    const confirmation = await sendDestinationCode(em, ctx, destination);
    recordAudit(em, ctx, {
      action: 'payout_destination.add',
      merchantId,
      targetId: destination.id,
      details: { kind: destination.kind, destination: describeDestination(destination) },
    });
    await em.flush();
    return { destination, confirmation };
  });
}

/** A change is a new destination that replaces the old one once confirmed (and then waits its own cool-off). */
export async function changeDestination(
  ctx: PayoutCtx,
  input: DestinationFields & { id: string },
): Promise<{ destination: PayoutDestination; confirmation: ConfirmationCode }> {
  const old = await loadDestination(ctx, input.id);
  ownerMerchant(requireViewer(ctx), old.merchantId);
  if (old.status !== PayoutDestinationStatus.ACTIVE) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'only an active destination can be changed', [
      'input',
      'id',
    ]);
  }
  const fields = await checkDestination(ctx.em, input, old.merchantId);
  return ctx.em.transactional(async (em) => {
    const destination = build(PayoutDestination, { ...fields, merchantId: old.merchantId, replacesId: old.id });
    em.persist(destination);
    const confirmation = await sendDestinationCode(em, ctx, destination);
    recordAudit(em, ctx, {
      action: 'payout_destination.change',
      merchantId: old.merchantId,
      targetId: destination.id,
      details: { replaces: old.id, kind: destination.kind, destination: describeDestination(destination) },
    });
    await em.flush();
    return { destination, confirmation };
  });
}

/** Sends a fresh code for a pending destination or a requested withdrawal (the last one expired or was locked). */
export async function resendCode(ctx: PayoutCtx, targetId: string): Promise<ConfirmationCode> {
  const viewer = requireViewer(ctx);
  if (targetId.startsWith('pds_')) {
    const destination = await loadDestination(ctx, targetId);
    ownerMerchant(viewer, destination.merchantId);
    if (destination.status !== PayoutDestinationStatus.PENDING) {
      throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this destination needs no code', ['input', 'id']);
    }
    return ctx.em.transactional(async (em) => {
      const code = await sendDestinationCode(em, ctx, destination);
      await em.flush();
      return code;
    });
  }
  const withdrawal = await loadWithdrawal(ctx, targetId);
  ownerMerchant(viewer, withdrawal.merchantId);
  if (withdrawal.status !== WithdrawalStatus.REQUESTED) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this withdrawal needs no code', ['input', 'id']);
  }
  return ctx.em.transactional(async (em) => {
    const destination = await em.findOneOrFail(PayoutDestination, withdrawal.destinationId);
    const code = await sendWithdrawalCode(em, ctx, withdrawal, destination);
    await em.flush();
    return code;
  });
}

/**
 * Confirms a pending destination with its code: it becomes ACTIVE, usable after the merchant's cool-off; a change
 * retires the destination it replaces. Every owner is told.
 */
export async function confirmDestination(
  ctx: PayoutCtx,
  input: { id: string; code: string },
): Promise<PayoutDestination> {
  const viewer = requireViewer(ctx);
  const found = await loadDestination(ctx, input.id);
  ownerMerchant(viewer, found.merchantId);
  if (found.status !== PayoutDestinationStatus.PENDING) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this destination is already confirmed or removed', [
      'input',
      'id',
    ]);
  }
  const verified = await verifyConfirmation(ctx.em, ctx, {
    purpose: DESTINATION_PURPOSE,
    targetId: found.id,
    code: input.code,
    actorKey: actorId(viewer),
  });
  return ctx.em.transactional(async (em) => {
    await consumeConfirmation(em, verified);
    const destination = await em.findOneOrFail(PayoutDestination, found.id, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    const now = new Date();
    destination.status = nextState(DESTINATION_TRANSITIONS, destination.status, 'confirm');
    const hours = await coolOffHoursOf(em, ctx.config.payoutCoolOffHours, destination.merchantId);
    destination.confirmedAt = now;
    destination.usableFrom = new Date(now.getTime() + hours * HOUR_MS);
    destination.updatedAt = now;
    let replaced: PayoutDestination | null = null;
    if (destination.replacesId) {
      replaced = await em.findOne(PayoutDestination, destination.replacesId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (replaced?.status === PayoutDestinationStatus.ACTIVE) {
        replaced.status = nextState(DESTINATION_TRANSITIONS, replaced.status, 'replace');
        replaced.removedAt = now;
        replaced.updatedAt = now;
      } else replaced = null;
    }
    await tellOwners(
      em,
      destination.merchantId,
      replaced ? 'Your payout details were changed' : 'A payout destination was added',
      `Your payouts can now go to ${describeDestination(destination)}` +
        (replaced ? ` instead of ${describeDestination(replaced)}` : '') +
        `, from ${destination.usableFrom.toISOString()} (after a cool-off of ${hours} hours).\n\n` +
        'If this was not you, remove it at once in the dashboard and change your password.',
    );
    recordAudit(em, ctx, {
      action: 'payout_destination.confirm',
      merchantId: destination.merchantId,
      targetId: destination.id,
      details: { replaces: replaced?.id ?? null, usableFrom: destination.usableFrom.toISOString() },
    });
    await em.flush();
    return destination;
  });
}

/** Removes a destination no withdrawal in flight uses; every owner is told. */
export async function removeDestination(ctx: PayoutCtx, id: string): Promise<PayoutDestination> {
  const found = await loadDestination(ctx, id);
  ownerMerchant(requireViewer(ctx), found.merchantId);
  return ctx.em.transactional(async (em) => {
    const destination = await em.findOneOrFail(PayoutDestination, found.id, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    const inFlight = await em.count(Withdrawal, {
      destinationId: destination.id,
      status: {
        $in: [
          WithdrawalStatus.REQUESTED,
          WithdrawalStatus.CONFIRMED,
          WithdrawalStatus.APPROVED,
          WithdrawalStatus.IN_BATCH,
        ],
      },
    });
    if (inFlight) {
      throw new UserFacingError(
        UserErrorCode.INVALID_TRANSITION,
        `${inFlight} withdrawal(s) in flight use it: wait for them or cancel them`,
        ['input', 'id'],
      );
    }
    const now = new Date();
    destination.status = nextState(DESTINATION_TRANSITIONS, destination.status, 'remove');
    destination.removedAt = now;
    destination.updatedAt = now;
    await tellOwners(
      em,
      destination.merchantId,
      'A payout destination was removed',
      `Payouts will no longer go to ${describeDestination(destination)}.`,
    );
    recordAudit(em, ctx, {
      action: 'payout_destination.remove',
      merchantId: destination.merchantId,
      targetId: destination.id,
    });
    await em.flush();
    return destination;
  });
}

/** Lengthens the merchant's cool-off (never under its current value or the platform minimum); owners are told. */
export async function setCoolOff(
  ctx: PayoutCtx,
  input: { merchantId?: string | null; hours: number },
): Promise<number> {
  const merchantId = ownerMerchant(requireViewer(ctx), input.merchantId);
  const field = ['input', 'hours'];
  if (!Number.isInteger(input.hours) || input.hours < 0 || input.hours > MAX_COOL_OFF_HOURS) {
    throw new UserFacingError(UserErrorCode.INVALID, `a whole number of hours up to ${MAX_COOL_OFF_HOURS}`, field);
  }
  return ctx.em.transactional(async (em) => {
    const current = await coolOffHoursOf(em, ctx.config.payoutCoolOffHours, merchantId);
    if (input.hours < current) {
      throw new UserFacingError(
        UserErrorCode.INVALID,
        `the cool-off can only be lengthened (it is ${current} hours)`,
        field,
      );
    }
    const settings =
      (await em.findOne(PayoutSettings, { merchantId })) ??
      build(PayoutSettings, { merchantId, coolOffHours: input.hours });
    settings.coolOffHours = input.hours;
    settings.updatedAt = new Date();
    em.persist(settings);
    await tellOwners(
      em,
      merchantId,
      'Your payout cool-off was changed',
      `New or changed payout details now wait ${input.hours} hours before a payout may use them.`,
    );
    recordAudit(em, ctx, {
      action: 'payout_settings.cool_off',
      merchantId,
      details: { from: current, to: input.hours },
    });
    await em.flush();
    return input.hours;
  });
}

// --- Withdrawals ---------------------------------------------------------------------------------------------------

/** The least a withdrawal may be: one unit of the currency (1.00 EUR, 1 JPY). */
export function minimumWithdrawal(currency: string): bigint {
  return 10n ** BigInt(currencyScale(currency));
}

/** How a destination is paid in a currency: EUR to a bank in a SEPA country by SEPA, other bank money by BANK. */
export function railOf(destination: PayoutDestination, currency: string): PayoutRail {
  switch (destination.kind) {
    case PayoutDestinationKind.BANK_ACCOUNT: {
      const country = extractIBAN(destination.iban!).countryCode ?? '';
      return currency === 'EUR' && isSEPACountry(country) ? PayoutRail.SEPA : PayoutRail.BANK;
    }
    case PayoutDestinationKind.CARD:
      return PayoutRail.CARD;
    case PayoutDestinationKind.EWALLET:
      return PayoutRail.EWALLET;
  }
}

export function moneyOf(withdrawal: Withdrawal): WithdrawalMoney {
  return {
    id: withdrawal.id,
    merchantId: withdrawal.merchantId,
    currency: withdrawal.currency,
    amountMinor: withdrawal.amountMinor,
    feeMinor: withdrawal.feeMinor,
    holdTransferId: withdrawal.holdTransferId,
  };
}

const EVENTS: Record<WithdrawalTransition, EventType> = {
  confirm: 'withdrawal.confirmed',
  approve: 'withdrawal.approved',
  batch: 'withdrawal.in_batch',
  pay: 'withdrawal.paid',
  reject: 'withdrawal.rejected',
  cancel: 'withdrawal.cancelled',
  return: 'withdrawal.returned',
};

async function emitWithdrawalEvent(em: EntityManager, withdrawal: Withdrawal, type: EventType): Promise<void> {
  const money = (minor: bigint) => formatAmount(minor, withdrawal.currency);
  await emitEvent(em, type, withdrawal.merchantId, {
    id: withdrawal.id,
    merchantId: withdrawal.merchantId,
    status: withdrawal.status,
    amount: money(withdrawal.amountMinor),
    fee: money(withdrawal.feeMinor),
    currency: withdrawal.currency,
    destinationId: withdrawal.destinationId,
    rail: withdrawal.rail,
    batchId: withdrawal.batchId,
    reason: withdrawal.reason,
    createdAt: withdrawal.createdAt.toISOString(),
  });
}

/**
 * Moves a locked withdrawal through a named transition with its ledger effect, in the caller's transaction: confirm
 * holds the amount, pay posts the hold and sends the money out, reject and cancel release a hold, return books the
 * money back. Emits the transition's event and records who did it.
 */
export async function transition(
  em: EntityManager,
  actor: Pick<Context, 'viewer' | 'ip'>,
  withdrawal: Withdrawal,
  name: WithdrawalTransition,
  details: { reason?: string | null; at?: Date; audit?: Record<string, unknown> } = {},
): Promise<Withdrawal> {
  const from = withdrawal.status;
  const to = nextState(WITHDRAWAL_TRANSITIONS, from, name);
  const at = details.at ?? new Date();
  switch (name) {
    case 'confirm':
      withdrawal.holdTransferId = await holdWithdrawal(em, moneyOf(withdrawal));
      withdrawal.confirmedAt = at;
      break;
    case 'approve':
      withdrawal.approvedAt = at;
      withdrawal.approvedBy = actorId(actor.viewer);
      break;
    case 'pay':
      await payWithdrawal(em, moneyOf(withdrawal));
      withdrawal.paidAt = at;
      break;
    case 'reject':
    case 'cancel':
      if (withdrawal.holdTransferId)
        await releaseWithdrawal(em, moneyOf(withdrawal), name === 'reject' ? 'rejected' : 'cancelled');
      withdrawal.closedAt = at;
      withdrawal.reason = details.reason ?? null;
      break;
    case 'return':
      await returnWithdrawal(em, moneyOf(withdrawal));
      withdrawal.closedAt = at;
      withdrawal.reason = details.reason ?? null;
      break;
    case 'batch':
      break;
  }
  withdrawal.status = to;
  withdrawal.updatedAt = at;
  await emitWithdrawalEvent(em, withdrawal, EVENTS[name]);
  recordAudit(em, actor, {
    action: `withdrawal.${name}`,
    merchantId: withdrawal.merchantId,
    targetId: withdrawal.id,
    details: { from, to, ...(details.reason ? { reason: details.reason } : {}), ...details.audit },
  });
  return withdrawal;
}

export async function loadWithdrawal(ctx: Pick<Context, 'em' | 'viewer'>, id: string): Promise<Withdrawal> {
  const withdrawal = await ctx.em.findOne(Withdrawal, id, { refresh: true });
  if (!withdrawal) throw graphqlError('NOT_FOUND', 'no such object');
  assertMerchantAccess(requireViewer(ctx), withdrawal.merchantId);
  return withdrawal;
}

export function lockWithdrawal(em: EntityManager, id: string): Promise<Withdrawal> {
  return em.findOneOrFail(Withdrawal, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

function sendWithdrawalCode(
  em: EntityManager,
  ctx: PayoutCtx,
  withdrawal: Withdrawal,
  destination: PayoutDestination,
): Promise<ConfirmationCode> {
  const money = (minor: bigint) => `${formatAmount(minor, withdrawal.currency)} ${withdrawal.currency}`;
  return issueConfirmation(em, ctx, {
    merchantId: withdrawal.merchantId,
    purpose: WITHDRAWAL_PURPOSE,
    targetId: withdrawal.id,
    viewer: ctx.viewer,
    subject: 'Confirm your withdrawal',
    summary:
      `A withdrawal of ${money(withdrawal.amountMinor)} to ${describeDestination(destination)} was asked for ` +
      `(payout fee ${money(withdrawal.feeMinor)}, you receive ${money(withdrawal.amountMinor - withdrawal.feeMinor)}). ` +
      `Withdrawal ${withdrawal.id}.`,
  });
}

/** Whether a destination may be paid now: ACTIVE and past its cool-off. */
function checkUsable(destination: PayoutDestination | null, now: Date): PayoutDestination {
  const field = ['input', 'destinationId'];
  if (!destination || destination.status !== PayoutDestinationStatus.ACTIVE) {
    throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such active payout destination', field);
  }
  if (!destination.usableFrom || destination.usableFrom > now) {
    throw new UserFacingError(
      UserErrorCode.COOLING_OFF,
      `this destination is new: it may be used from ${destination.usableFrom?.toISOString() ?? 'its confirmation'}`,
      field,
    );
  }
  return destination;
}

/** What stops the merchant withdrawing `amount`: its receivable, its available balance. */
async function checkBalance(em: EntityManager, merchantId: string, currency: string, amount: bigint): Promise<void> {
  const { available, owed } = await withdrawableBalance(em, merchantId, currency);
  if (owed > 0n) {
    throw new UserFacingError(
      UserErrorCode.RECEIVABLE_OPEN,
      `you owe ${formatAmount(owed, currency)} ${currency} (refunds or chargebacks): withdrawals wait until it is covered`,
      ['input', 'currency'],
    );
  }
  if (amount > available) {
    throw new UserFacingError(
      UserErrorCode.INSUFFICIENT_FUNDS,
      `${formatAmount(available, currency)} ${currency} is available`,
      ['input', 'amount'],
    );
  }
}

/**
 * An owner asks to withdraw `amount` from the balance in `currency` to an active destination past its cool-off: at
 * least the minimum, at most what is available, more than the payout fee, nothing owed. REQUESTED, holding nothing
 * yet; a code goes to the owner. Idempotent with an idempotency key.
 */
export async function requestWithdrawal(
  ctx: PayoutCtx,
  input: {
    merchantId?: string | null;
    destinationId: string;
    amount: string;
    currency: string;
    idempotencyKey?: string | null;
  },
): Promise<{ withdrawalId: string }> {
  const viewer = requireViewer(ctx);
  const merchantId = ownerMerchant(viewer, input.merchantId);
  const currency = input.currency.trim().toUpperCase();
  const amount = parsePositiveAmount(input.amount, currency);
  const minimum = minimumWithdrawal(currency);
  if (amount < minimum) {
    throw new UserFacingError(
      UserErrorCode.INVALID_AMOUNT,
      `withdraw at least ${formatAmount(minimum, currency)} ${currency}`,
      ['input', 'amount'],
    );
  }
  const call = { operation: 'requestWithdrawal', merchantId, input: { ...input, merchantId } };
  return idempotent(ctx, call, async (em) => {
    const now = new Date();
    const destination = checkUsable(await em.findOne(PayoutDestination, { id: input.destinationId, merchantId }), now);
    await checkBalance(em, merchantId, currency, amount);
    const fee = feeFor(await feePlanOf(em, merchantId), 'PAYOUT', amount, currency);
    if (fee >= amount) {
      throw new UserFacingError(
        UserErrorCode.INVALID_AMOUNT,
        `the payout fee is ${formatAmount(fee, currency)} ${currency}: withdraw more`,
        ['input', 'amount'],
      );
    }
    const withdrawal = build(Withdrawal, {
      merchantId,
      destinationId: destination.id,
      rail: railOf(destination, currency),
      currency,
      amountMinor: amount,
      feeMinor: fee,
      requestedBy: actorId(viewer),
      createdAt: now,
      updatedAt: now,
    });
    em.persist(withdrawal);
    await sendWithdrawalCode(em, ctx, withdrawal, destination);
    await emitWithdrawalEvent(em, withdrawal, 'withdrawal.requested');
    recordAudit(em, ctx, {
      action: 'withdrawal.request',
      merchantId,
      targetId: withdrawal.id,
      details: { amount: formatAmount(amount, currency), currency, destinationId: destination.id },
    });
    await em.flush();
    return { withdrawalId: withdrawal.id };
  });
}

/**
 * The owner's code confirms a REQUESTED withdrawal: the code is used and the amount held in one transaction, so a
 * balance spent meanwhile (INSUFFICIENT_FUNDS) leaves the code usable and nothing held.
 */
export async function confirmWithdrawal(ctx: PayoutCtx, input: { id: string; code: string }): Promise<Withdrawal> {
  const viewer = requireViewer(ctx);
  const found = await loadWithdrawal(ctx, input.id);
  ownerMerchant(viewer, found.merchantId);
  nextState(WITHDRAWAL_TRANSITIONS, found.status, 'confirm'); // a clear answer before a code is spent
  const verified = await verifyConfirmation(ctx.em, ctx, {
    purpose: WITHDRAWAL_PURPOSE,
    targetId: found.id,
    code: input.code,
    actorKey: actorId(viewer),
  });
  return ctx.em.transactional(async (em) => {
    await consumeConfirmation(em, verified);
    const withdrawal = await lockWithdrawal(em, found.id);
    const now = new Date();
    checkUsable(await em.findOne(PayoutDestination, withdrawal.destinationId), now);
    await checkBalance(em, withdrawal.merchantId, withdrawal.currency, withdrawal.amountMinor);
    await transition(em, ctx, withdrawal, 'confirm', { at: now });
    await em.flush();
    return withdrawal;
  });
}

/** The merchant cancels a withdrawal not yet approved; a hold is released. */
export async function cancelWithdrawal(ctx: PayoutCtx, id: string): Promise<Withdrawal> {
  const found = await loadWithdrawal(ctx, id);
  ownerMerchant(requireViewer(ctx), found.merchantId);
  return ctx.em.transactional(async (em) => {
    const withdrawal = await lockWithdrawal(em, found.id);
    await transition(em, ctx, withdrawal, 'cancel');
    await em.flush();
    return withdrawal;
  });
}

function checkReason(value: string | null | undefined, field = ['input', 'reason']): string {
  const reason = value?.trim() ?? '';
  if (!reason) throw new UserFacingError(UserErrorCode.REQUIRED, 'say why', field);
  if (reason.length > 300) throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 300 characters', field);
  return reason;
}

/** Admins: one transition on many withdrawals, each in its own transaction; the refusals come back per id. */
async function eachWithdrawal(
  ctx: PayoutCtx,
  ids: readonly string[],
  work: (em: EntityManager, withdrawal: Withdrawal) => Promise<void>,
): Promise<{ done: Withdrawal[]; errors: UserFacingError[] }> {
  if (ids.length > 100) throw new UserFacingError(UserErrorCode.INVALID, 'at most 100 at a time', ['input', 'ids']);
  const done: Withdrawal[] = [];
  const errors: UserFacingError[] = [];
  for (const [index, id] of [...new Set(ids)].entries()) {
    try {
      done.push(
        await ctx.em.fork().transactional(async (em) => {
          const withdrawal = await em.findOne(Withdrawal, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
          if (!withdrawal) throw new UserFacingError(UserErrorCode.NOT_FOUND, `no withdrawal ${id}`);
          await work(em, withdrawal);
          await em.flush();
          return withdrawal;
        }),
      );
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      errors.push(new UserFacingError(error.code, `${id}: ${error.message}`, ['input', 'ids', String(index)]));
    }
  }
  return { done, errors };
}

export function approveWithdrawals(ctx: PayoutCtx, ids: readonly string[]) {
  return eachWithdrawal(ctx, ids, async (em, withdrawal) => {
    await transition(em, ctx, withdrawal, 'approve');
  });
}

/**
 * A CARD withdrawal already sent to the card processor (sendCardPayouts) is settled by the processor's answer alone:
 * no bank line, override or admin rejection may pay or release it meanwhile.
 */
export async function assertNotSentToCard(em: EntityManager, withdrawal: Withdrawal): Promise<void> {
  if (withdrawal.rail !== PayoutRail.CARD || !(await cardPayoutsOf(em, [withdrawal.id])).length) return;
  throw new UserFacingError(
    UserErrorCode.INVALID_TRANSITION,
    'sent to the card processor: its answer (or the card reconciliation) settles it',
    ['input', 'id'],
  );
}

export function rejectWithdrawals(ctx: PayoutCtx, ids: readonly string[], reason: string) {
  const why = checkReason(reason);
  return eachWithdrawal(ctx, ids, async (em, withdrawal) => {
    await assertNotSentToCard(em, withdrawal);
    await transition(em, ctx, withdrawal, 'reject', { reason: why });
  });
}

/**
 * Marks a withdrawal in a batch paid, by a matching bank line or by an admin's explicit override (its reason
 * audited). Paid once: the state machine refuses a second time, and the ledger keys would post nothing new.
 */
export async function markPaid(
  em: EntityManager,
  actor: Pick<Context, 'viewer' | 'ip'>,
  withdrawal: Withdrawal,
  via: { kind: PaidVia; bankReference?: string | null; reason?: string | null },
): Promise<void> {
  withdrawal.paidVia = via.kind;
  withdrawal.bankReference = via.bankReference ?? null;
  await transition(em, actor, withdrawal, 'pay', {
    audit: { via: via.kind, bankReference: via.bankReference ?? null, ...(via.reason ? { override: via.reason } : {}) },
  });
  await settleBatchIfDone(em, withdrawal.batchId);
}

/** A payout the bank sent back within the return window: the balance restored, the owners told. */
export async function markReturned(
  em: EntityManager,
  actor: Pick<Context, 'viewer' | 'ip'>,
  withdrawal: Withdrawal,
  reason: string,
  at = new Date(),
): Promise<void> {
  if (
    withdrawal.status === WithdrawalStatus.PAID &&
    withdrawal.paidAt &&
    at.getTime() - withdrawal.paidAt.getTime() > RETURN_WINDOW_DAYS * DAY_MS
  ) {
    throw new UserFacingError(
      UserErrorCode.INVALID_TRANSITION,
      `paid more than ${RETURN_WINDOW_DAYS} days ago: a return must be settled by hand`,
    );
  }
  await transition(em, actor, withdrawal, 'return', { reason, at });
  const money = `${formatAmount(withdrawal.amountMinor, withdrawal.currency)} ${withdrawal.currency}`;
  await tellOwners(
    em,
    withdrawal.merchantId,
    'A payout was sent back',
    `The bank sent back withdrawal ${withdrawal.id} (${money}): ${reason}. The amount, fee included, is in your ` +
      'available balance again. Check your payout details before you withdraw again.',
  );
}

/** A batch whose lines were all paid, rejected or returned is settled. */
export async function settleBatchIfDone(em: EntityManager, batchId: string | null): Promise<void> {
  if (!batchId) return;
  await em.flush();
  const open = await em.count(Withdrawal, { batchId, status: WithdrawalStatus.IN_BATCH });
  if (open) return;
  await em.nativeUpdate(
    PayoutBatch,
    { id: batchId, status: PayoutBatchStatus.OPEN },
    { status: PayoutBatchStatus.SETTLED, settledAt: new Date() },
  );
}

export { checkReason };
