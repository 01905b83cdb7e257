import { describe, expect, it } from 'vitest';
import { FeeMethod } from './fee-plan.entity';
import { chargebackFeeFor, feeFor, reserveFor, shareOf } from './fee-plan.maths';

const plan = {
  rules: {
    [FeeMethod.CARD_ONLINE]: { percentBps: 190, fixed: { EUR: 25, USD: 30 } },
    [FeeMethod.CARD_PRESENT]: { percentBps: 270, fixed: {} },
    [FeeMethod.PAYOUT]: { percentBps: 0, fixed: { EUR: 100 } },
  },
  chargebackFee: { EUR: 1500 },
  reserveBps: 1000,
};

describe('fee maths', () => {
  it('rounds a percentage half-up to the minor unit, in integers', () => {
    // 1.9% of 0.50 = 0.0095 → 0.01; of 0.25 = 0.00475 → 0.00; of 10.00 = 0.19 exactly.
    expect(shareOf(50n, 190)).toBe(1n);
    expect(shareOf(25n, 190)).toBe(0n);
    expect(shareOf(1000n, 190)).toBe(19n);
    // Exactly half rounds up: 2.7% of 0.50 = 1.35 minor → 1; 2.7% of 5.00 = 13.5 → 14.
    expect(shareOf(50n, 270)).toBe(1n);
    expect(shareOf(500n, 270)).toBe(14n);
    // Far beyond what floats hold exactly.
    expect(shareOf(10n ** 15n + 1n, 190)).toBe(19000000000000n);
  });

  it('adds the fixed part of the currency, none for a currency the plan does not list', () => {
    expect(feeFor(plan, FeeMethod.CARD_ONLINE, 1000n, 'EUR')).toBe(19n + 25n);
    expect(feeFor(plan, FeeMethod.CARD_ONLINE, 1000n, 'USD')).toBe(19n + 30n);
    expect(feeFor(plan, 'CARD_ONLINE', 1000n, 'GBP')).toBe(19n);
    expect(feeFor(plan, FeeMethod.CARD_PRESENT, 1000n, 'EUR')).toBe(27n);
    expect(feeFor(plan, FeeMethod.PAYOUT, 123456n, 'EUR')).toBe(100n);
  });

  it('never charges more than the amount', () => {
    expect(feeFor(plan, FeeMethod.CARD_ONLINE, 10n, 'EUR')).toBe(10n);
    expect(feeFor(plan, FeeMethod.PAYOUT, 60n, 'EUR')).toBe(60n);
    expect(feeFor(plan, FeeMethod.CARD_ONLINE, 0n, 'EUR')).toBe(0n);
    expect(
      feeFor({ rules: { CARD_ONLINE: { percentBps: 10_000, fixed: { EUR: 5 } } } }, 'CARD_ONLINE', 7n, 'EUR'),
    ).toBe(7n);
  });

  it('leaves SMS to its tariff and a method the plan does not list free', () => {
    expect(feeFor(plan, FeeMethod.SMS, 1000n, 'EUR')).toBe(0n);
    expect(feeFor({ rules: {} }, FeeMethod.CARD_ONLINE, 1000n, 'EUR')).toBe(0n);
  });

  it('refuses a negative amount', () => {
    expect(() => feeFor(plan, FeeMethod.CARD_ONLINE, -1n, 'EUR')).toThrow();
  });

  it('takes the chargeback fee per currency and the reserve half-up, never above the net', () => {
    expect(chargebackFeeFor(plan, 'EUR')).toBe(1500n);
    expect(chargebackFeeFor(plan, 'USD')).toBe(0n);
    expect(reserveFor(plan, 955n)).toBe(96n); // 95.5 → 96
    expect(reserveFor(plan, 0n)).toBe(0n);
    expect(reserveFor({ reserveBps: 10_000 }, 955n)).toBe(955n);
  });
});
