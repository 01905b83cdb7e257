import { describe, expect, it } from 'vitest';
import { formatAmount, MoneyError, parseAmount } from './money';

describe('money', () => {
  it('parses decimal strings to minor units at the currency scale, without floats', () => {
    expect(parseAmount('12.5', 'USD')).toBe(1250n);
    expect(parseAmount('0.07', 'USD')).toBe(7n);
    expect(parseAmount('2', 'USD')).toBe(200n);
    expect(parseAmount('-3.10', 'EUR')).toBe(-310n);
    expect(parseAmount('500', 'JPY')).toBe(500n);
    expect(parseAmount('1.234', 'KWD')).toBe(1234n);
    expect(parseAmount('92233720368547758.07', 'USD')).toBe(9223372036854775807n);
  });

  it('refuses what is not an exact amount of the currency', () => {
    expect(() => parseAmount('1.005', 'USD')).toThrow(MoneyError);
    expect(() => parseAmount('1.5', 'JPY')).toThrow(MoneyError);
    expect(() => parseAmount('1e3', 'USD')).toThrow(MoneyError);
    expect(() => parseAmount('', 'USD')).toThrow(MoneyError);
    expect(() => parseAmount('10', 'XYZ')).toThrow(/unsupported currency/);
  });

  it('formats minor units back to the same decimal string', () => {
    expect(formatAmount(1250n, 'USD')).toBe('12.50');
    expect(formatAmount(7n, 'USD')).toBe('0.07');
    expect(formatAmount(-310n, 'EUR')).toBe('-3.10');
    expect(formatAmount(500n, 'JPY')).toBe('500');
    expect(formatAmount(1234n, 'KWD')).toBe('1.234');
    for (const text of ['0.01', '99.99', '100000.00']) expect(formatAmount(parseAmount(text, 'USD'), 'USD')).toBe(text);
  });
});
