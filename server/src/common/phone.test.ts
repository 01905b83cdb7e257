import { describe, expect, it } from 'vitest';
import { UserFacingError } from './errors';
import { parsePhone, phoneInput } from './phone';

describe('phone numbers', () => {
  it.each([
    ['+359 888-123 456', null, '+359888123456'],
    ['00359888123456', null, '+359888123456'],
    ['359888123456', null, '+359888123456'], // an MSISDN: digits alone are international
    ['0888 100 009', 'BG', '+359888100009'], // national form, in the given country
    ['(0888) 100-009', 'bg', '+359888100009'],
    ['9161234567', 'RU', '+79161234567'],
    ['79161234567', 'RU', '+79161234567'],
  ])('reads %j (country %s) as %s', (input, country, expected) => {
    expect(parsePhone(input, country)).toBe(expected);
  });

  it.each([
    ['12', null],
    ['+0 123 456 789', null],
    ['+10000000000', null], // the right length, but no such area code
    ['0888100009', null], // national, with no country to read it in
    ['+359888123456x', null], // libphonenumber would skip the letter: we don't
    ['+359888123456 ext. 12', null],
    ['+359\u0000888123456', null],
    ['', 'BG'],
  ])('refuses %j (country %s)', (input, country) => {
    expect(parsePhone(input, country)).toBeNull();
  });

  it('names the field of a typed phone it cannot read', () => {
    expect(phoneInput('0888 100 009', ['input', 'payerPhone'], 'BG')).toBe('+359888100009');
    let error: unknown;
    try {
      phoneInput('call me', ['input', 'payerPhone']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error).toMatchObject({ code: 'INVALID', field: ['input', 'payerPhone'] });
  });
});
