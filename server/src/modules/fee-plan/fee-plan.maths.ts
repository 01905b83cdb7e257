import { FeeMethod, type FeePlan, type StoredFeeRule } from './fee-plan.entity';

/*
 * Fee maths in integer minor units only: a percentage is basis points (1 bp = 0.01%), so a share of an amount is
 * amount × bps / 10 000, rounded half-up to the minor unit. Never floats.
 */

export const BPS_SCALE = 10_000n;

/** `amount × bps / 10 000`, rounded half-up (amount and bps not negative). */
export function shareOf(amountMinor: bigint, bps: number | bigint): bigint {
  const rate = BigInt(bps);
  if (amountMinor < 0n || rate < 0n) throw new Error('shareOf: the amount and the rate must not be negative');
  return (amountMinor * rate + BPS_SCALE / 2n) / BPS_SCALE;
}

/** A method's rule of a plan; a method the plan does not list costs nothing. */
export function ruleOf(plan: Pick<FeePlan, 'rules'>, method: FeeMethod): StoredFeeRule {
  return plan.rules[method] ?? { percentBps: 0, fixed: {} };
}

/**
 * The fee of one payment of `amountMinor` by `method` under `plan`: its percentage rounded half-up to the minor unit,
 * plus its fixed amount in that currency (none when the plan lists no fixed amount for the currency), never more than
 * the amount itself. SMS: 0, since the SMS tariff's operator share and platform fee price SMS.
 */
export function feeFor(
  plan: Pick<FeePlan, 'rules'>,
  method: FeeMethod | `${FeeMethod}`,
  amountMinor: bigint,
  currency: string,
): bigint {
  if (amountMinor < 0n) throw new Error('feeFor: the amount must not be negative');
  if (method === FeeMethod.SMS) return 0n;
  const rule = ruleOf(plan, method as FeeMethod);
  const fee = shareOf(amountMinor, rule.percentBps) + BigInt(rule.fixed[currency] ?? 0);
  return fee > amountMinor ? amountMinor : fee;
}

/** The plan's chargeback fee in a currency (minor units); none when the plan lists no fee for it. */
export function chargebackFeeFor(plan: Pick<FeePlan, 'chargebackFee'>, currency: string): bigint {
  return BigInt(plan.chargebackFee[currency] ?? 0);
}

/** What the rolling reserve holds back of a capture's net (half-up), never more than the net. */
export function reserveFor(plan: Pick<FeePlan, 'reserveBps'>, netMinor: bigint): bigint {
  if (netMinor <= 0n) return 0n;
  const reserve = shareOf(netMinor, plan.reserveBps);
  return reserve > netMinor ? netMinor : reserve;
}
