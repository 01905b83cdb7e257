import type { EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { currencyScale, formatAmount, isCurrency, MoneyError, parseAmount } from '../../common/money';
import { build } from '../../common/orm';
import { flushAudited, type AuditActor } from '../audit';
import { Merchant } from '../merchant';
import { FEE_METHODS, FeeMethod, FeePlan, MerchantFeePlan, type StoredFeeRule } from './fee-plan.entity';

export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
/** 100%: a percentage or reserve above it is refused. */
export const MAX_BPS = 10_000;
/** A year: a longer reserve is refused. */
export const MAX_RESERVE_DAYS = 365;
/** The largest fixed or chargeback fee, in major units of any currency (100 000.00 EUR, 100 000 JPY). */
export const MAX_FIXED_MAJOR = 100_000n;

/** The value kept in `defaultKey` of the default plan. */
const DEFAULT_KEY = 'default';

// --- Reads -----------------------------------------------------------------------------------------------------

/** The default plan: the one merchants without a plan of their own have. Migration 0006 creates it. */
export async function defaultFeePlan(em: EntityManager): Promise<FeePlan> {
  const plan = await em.findOne(FeePlan, { defaultKey: DEFAULT_KEY });
  if (!plan) throw new Error('no default fee plan: apply the migrations (0006 creates it)');
  return plan;
}

/** The fee plan of a merchant: its own, or the default plan. */
export async function feePlanOf(em: EntityManager, merchantId: string): Promise<FeePlan> {
  const assigned = await em.findOne(MerchantFeePlan, { merchantId });
  if (assigned) {
    const plan = await em.findOne(FeePlan, assigned.planId);
    if (plan) return plan;
  }
  return defaultFeePlan(em);
}

/** Every plan, by name (a plain list: a platform has a handful). */
export function listFeePlans(em: EntityManager): Promise<FeePlan[]> {
  return em.find(FeePlan, {}, { orderBy: { name: 'asc' } });
}

// --- Validation: each check throws UserFacingError naming the input field -----------------------------------------

export interface FeeAmountInput {
  amount: string;
  currency: string;
}

export interface FeeRuleInput {
  method: FeeMethod;
  percentBps: number;
  fixed?: FeeAmountInput[] | null;
}

export interface FeePlanFields {
  name?: string | null;
  description?: string | null;
  rules?: FeeRuleInput[] | null;
  chargebackFee?: FeeAmountInput[] | null;
  reserveBps?: number | null;
  reserveDays?: number | null;
  isDefault?: boolean | null;
}

function checkName(value: string): string {
  const field = ['input', 'name'];
  const name = value.trim();
  if (!name) throw new UserFacingError(UserErrorCode.REQUIRED, 'give the plan a name', field);
  if (name.length > MAX_NAME_LENGTH) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${MAX_NAME_LENGTH} characters`, field);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new UserFacingError(UserErrorCode.INVALID, 'a name cannot contain line breaks or control characters', field);
  }
  return name;
}

function checkDescription(value: string): string | null {
  const description = value.trim();
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `use at most ${MAX_DESCRIPTION_LENGTH} characters`, [
      'input',
      'description',
    ]);
  }
  return description || null;
}

function checkRange(value: number, field: string[], min: number, max: number, unit: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UserFacingError(
      UserErrorCode.INVALID_AMOUNT,
      `give a whole number of ${unit} from ${min} to ${max}`,
      field,
    );
  }
  return value;
}

/** Amounts per currency (fixed fees, chargeback fees) as stored: minor units by currency, each currency once. */
function checkAmounts(list: FeeAmountInput[], field: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  list.forEach((item, index) => {
    const at = [...field, String(index)];
    const currency = item.currency.trim().toUpperCase();
    if (!isCurrency(currency)) {
      throw new UserFacingError(
        UserErrorCode.INVALID_CURRENCY,
        `"${item.currency.slice(0, 10)}" is not a currency Tollgate takes`,
        [...at, 'currency'],
      );
    }
    if (currency in out) {
      throw new UserFacingError(UserErrorCode.INVALID, `${currency} is listed twice`, [...at, 'currency']);
    }
    let minor: bigint;
    try {
      minor = parseAmount(item.amount, currency);
    } catch (error) {
      if (error instanceof MoneyError) {
        throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, error.message.slice(0, 200), [...at, 'amount']);
      }
      throw error;
    }
    if (minor < 0n) throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'cannot be negative', [...at, 'amount']);
    const max = MAX_FIXED_MAJOR * 10n ** BigInt(currencyScale(currency));
    if (minor > max) {
      throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, `at most ${formatAmount(max, currency)} ${currency}`, [
        ...at,
        'amount',
      ]);
    }
    if (minor > 0n) out[currency] = Number(minor);
  });
  return out;
}

function checkRules(list: FeeRuleInput[]): Partial<Record<FeeMethod, StoredFeeRule>> {
  const rules: Partial<Record<FeeMethod, StoredFeeRule>> = {};
  list.forEach((rule, index) => {
    const at = ['input', 'rules', String(index)];
    if (!FEE_METHODS.includes(rule.method)) {
      throw new UserFacingError(UserErrorCode.INVALID, 'unknown method', [...at, 'method']);
    }
    if (rules[rule.method]) {
      throw new UserFacingError(UserErrorCode.INVALID, `${rule.method} is listed twice`, [...at, 'method']);
    }
    const percentBps = checkRange(rule.percentBps, [...at, 'percentBps'], 0, MAX_BPS, 'basis points');
    const fixed = checkAmounts(rule.fixed ?? [], [...at, 'fixed']);
    if (rule.method === FeeMethod.SMS && (percentBps !== 0 || Object.keys(fixed).length)) {
      throw new UserFacingError(
        UserErrorCode.INVALID,
        'SMS is priced by its tariff (operator share and platform fee): its rule must be zero',
        [...at, percentBps !== 0 ? 'percentBps' : 'fixed'],
      );
    }
    rules[rule.method] = { percentBps, fixed };
  });
  return rules;
}

function checkReserve(plan: Pick<FeePlan, 'reserveBps' | 'reserveDays'>): void {
  checkRange(plan.reserveBps, ['input', 'reserveBps'], 0, MAX_BPS, 'basis points');
  checkRange(plan.reserveDays, ['input', 'reserveDays'], 0, MAX_RESERVE_DAYS, 'days');
  if (plan.reserveBps > 0 && plan.reserveDays < 1) {
    throw new UserFacingError(UserErrorCode.INVALID, 'a reserve is held for at least one day', [
      'input',
      'reserveDays',
    ]);
  }
}

async function checkNameFree(em: EntityManager, name: string, except: string | null): Promise<void> {
  const other = await em.findOne(FeePlan, { name });
  if (other && other.id !== except) {
    throw new UserFacingError(UserErrorCode.TAKEN, `a plan named "${name}" exists`, ['input', 'name']);
  }
}

/** Makes `plan` the default: the previous default loses it first, so the unique index never sees two. */
async function makeDefault(em: EntityManager, plan: FeePlan): Promise<void> {
  const previous = await em.findOne(FeePlan, { defaultKey: DEFAULT_KEY });
  if (previous && previous.id !== plan.id) {
    Object.assign(previous, { isDefault: false, defaultKey: null, updatedAt: new Date() });
    await em.flush();
  }
  Object.assign(plan, { isDefault: true, defaultKey: DEFAULT_KEY });
}

/** What the audit log keeps of a plan. */
function auditOf(plan: FeePlan): Record<string, unknown> {
  return {
    name: plan.name,
    rules: plan.rules,
    chargebackFee: plan.chargebackFee,
    reserveBps: plan.reserveBps,
    reserveDays: plan.reserveDays,
    isDefault: plan.isDefault,
  };
}

// --- Admin edits: each is audited with the change, in one transaction -------------------------------------------

export async function createFeePlan(
  em: EntityManager,
  actor: AuditActor,
  input: FeePlanFields & { name: string; rules: FeeRuleInput[] },
): Promise<FeePlan> {
  const name = checkName(input.name);
  const plan = build(FeePlan, {
    name,
    description: input.description == null ? null : checkDescription(input.description),
    rules: checkRules(input.rules),
    chargebackFee: checkAmounts(input.chargebackFee ?? [], ['input', 'chargebackFee']),
    reserveBps: input.reserveBps ?? 0,
    reserveDays: input.reserveDays ?? 0,
  });
  checkReserve(plan);
  return em.transactional(async (tx) => {
    await checkNameFree(tx, name, null);
    tx.persist(plan);
    if (input.isDefault) await makeDefault(tx, plan);
    await flushAudited(tx, actor, {
      action: 'feePlan.create',
      merchantId: null,
      targetId: plan.id,
      details: auditOf(plan),
    });
    return plan;
  });
}

export async function updateFeePlan(
  em: EntityManager,
  actor: AuditActor,
  input: FeePlanFields & { id: string },
): Promise<FeePlan> {
  return em.transactional(async (tx) => {
    const plan = await tx.findOne(FeePlan, input.id);
    if (!plan) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such fee plan', ['input', 'id']);
    if (input.name != null) {
      const name = checkName(input.name);
      await checkNameFree(tx, name, plan.id);
      plan.name = name;
    }
    if (input.description != null) plan.description = checkDescription(input.description);
    if (input.rules != null) plan.rules = { ...plan.rules, ...checkRules(input.rules) };
    if (input.chargebackFee != null) {
      plan.chargebackFee = checkAmounts(input.chargebackFee, ['input', 'chargebackFee']);
    }
    if (input.reserveBps != null) plan.reserveBps = input.reserveBps;
    if (input.reserveDays != null) plan.reserveDays = input.reserveDays;
    checkReserve(plan);
    if (input.isDefault === false && plan.isDefault) {
      throw new UserFacingError(UserErrorCode.INVALID, 'make another plan the default instead', ['input', 'isDefault']);
    }
    if (input.isDefault) await makeDefault(tx, plan);
    plan.updatedAt = new Date();
    await flushAudited(tx, actor, {
      action: 'feePlan.update',
      merchantId: null,
      targetId: plan.id,
      details: auditOf(plan),
    });
    return plan;
  });
}

/** Gives a merchant a plan (null: the default plan again); returns the plan it has now. */
export async function assignFeePlan(
  em: EntityManager,
  actor: AuditActor,
  input: { merchantId: string; planId?: string | null },
): Promise<FeePlan> {
  return em.transactional(async (tx) => {
    if (!(await tx.findOne(Merchant, input.merchantId))) {
      throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId']);
    }
    const plan = input.planId ? await tx.findOne(FeePlan, input.planId) : null;
    if (input.planId && !plan) {
      throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such fee plan', ['input', 'planId']);
    }
    const row = await tx.findOne(MerchantFeePlan, { merchantId: input.merchantId });
    const from = row?.planId ?? null;
    if (plan && row) Object.assign(row, { planId: plan.id, assignedAt: new Date() });
    else if (plan) tx.persist(build(MerchantFeePlan, { merchantId: input.merchantId, planId: plan.id }));
    else if (row) tx.remove(row);
    await flushAudited(tx, actor, {
      action: 'feePlan.assign',
      merchantId: input.merchantId,
      targetId: plan?.id ?? null,
      details: { from, to: plan?.id ?? null },
    });
    return plan ?? defaultFeePlan(tx);
  });
}
