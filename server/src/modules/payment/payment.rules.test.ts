import { describe, expect, it } from 'vitest';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { nextState } from '../../common/state-machine';
import { PAYMENT_TRANSITIONS, PaymentStatus, type PaymentTransition } from './payment.entity';
import { newReference, normalisePhone, parsePositiveAmount, REFERENCE_ALPHABET } from './payment.service';

const ALLOWED: Record<PaymentTransition, PaymentStatus[]> = {
  markPartiallyPaid: [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID],
  markPaid: [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID],
  cancel: [PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID],
  expire: [PaymentStatus.OPEN],
  refund: [PaymentStatus.PAID],
};

function codeOf(run: () => unknown): UserErrorCode | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof UserFacingError) return error.code;
    throw error;
  }
}

describe('payment transitions', () => {
  for (const [transition, from] of Object.entries(ALLOWED) as [PaymentTransition, PaymentStatus[]][]) {
    for (const status of Object.values(PaymentStatus)) {
      const allowed = from.includes(status);
      it(`${transition} from ${status} is ${allowed ? 'allowed' : 'refused'}`, () => {
        const code = codeOf(() => nextState(PAYMENT_TRANSITIONS, status, transition));
        expect(code).toBe(allowed ? null : UserErrorCode.INVALID_TRANSITION);
      });
    }
  }

  it('leave CANCELLED, EXPIRED and REFUNDED by no transition (they are final)', () => {
    for (const final of [PaymentStatus.CANCELLED, PaymentStatus.EXPIRED, PaymentStatus.REFUNDED]) {
      for (const rule of Object.values(PAYMENT_TRANSITIONS)) expect(rule.from).not.toContain(final);
    }
  });
});

describe('payment references', () => {
  it('are 8 characters from an alphabet without look-alikes, and do not repeat', () => {
    expect(REFERENCE_ALPHABET).not.toMatch(/[01IOQL]/);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const reference = newReference();
      expect(reference).toMatch(/^[23456789ABCDEFGHJKMNPRSTUVWXYZ]{8}$/);
      seen.add(reference);
    }
    expect(seen.size).toBe(5000);
  });
});

describe('amounts from the API', () => {
  const codeFor = (amount: string, currency: string) => codeOf(() => parsePositiveAmount(amount, currency));

  it('are read exactly into minor units at the currency scale', () => {
    expect(parsePositiveAmount('12.5', 'USD')).toBe(1250n);
    expect(parsePositiveAmount('0.01', 'USD')).toBe(1n);
    expect(parsePositiveAmount('1500', 'JPY')).toBe(1500n);
    expect(parsePositiveAmount('1.234', 'KWD')).toBe(1234n);
  });

  it('are refused with typed errors when malformed, not positive, too precise, too large or in no known currency', () => {
    expect(codeFor('abc', 'USD')).toBe(UserErrorCode.INVALID_AMOUNT);
    expect(codeFor('1e3', 'USD')).toBe(UserErrorCode.INVALID_AMOUNT);
    expect(codeFor('0', 'USD')).toBe(UserErrorCode.INVALID_AMOUNT);
    expect(codeFor('-5', 'USD')).toBe(UserErrorCode.INVALID_AMOUNT);
    expect(codeFor('1.234', 'USD')).toBe(UserErrorCode.INVALID_AMOUNT);
    expect(codeFor('1.5', 'JPY')).toBe(UserErrorCode.INVALID_AMOUNT);
    expect(codeFor('99999999999999999', 'USD')).toBe(UserErrorCode.INVALID_AMOUNT);
    expect(codeFor('10', 'XXX')).toBe(UserErrorCode.INVALID_CURRENCY);
  });
});

describe('payer phones', () => {
  it('are kept in international form', () => {
    expect(normalisePhone('+359 888-123 456')).toBe('+359888123456');
    expect(normalisePhone('359888123456')).toBe('+359888123456');
    expect(normalisePhone('12')).toBeNull();
    expect(normalisePhone('+0 123 456 789')).toBeNull();
  });
});
