import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './harness';

/** Every place a person types a payer's phone reads it with libphonenumber and names the field it refuses. */
describe('typed phone numbers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('createPayment: the payer phone is kept in international form; anything else is refused, naming it', async () => {
    const create = async (payerPhone: string) =>
      (
        await t.gql(
          `mutation($input: CreatePaymentInput!) {
            createPayment(input: $input) { payment { payerPhone } userErrors { code field } }
          }`,
          { input: { amount: '1.00', currency: 'USD', description: 'Phone check', payerPhone } },
          await t.ownerAuth(),
        )
      ).data!.createPayment;
    expect(await create('+359 888 100-009')).toEqual({ payment: { payerPhone: '+359888100009' }, userErrors: [] });
    // National form needs a country, which a merchant's payment does not name.
    for (const bad of ['0888 100 009', '+359 888 123', 'ask me']) {
      expect(await create(bad)).toEqual({
        payment: null,
        userErrors: [{ code: 'INVALID', field: ['input', 'payerPhone'] }],
      });
    }
  });

  it('the simulator: its phone must be a number, in international form or national in its country', async () => {
    const simulate = async (from: string) =>
      (
        await t.gql(
          `mutation($input: SimulateInboundSmsInput!) {
            simulateInboundSms(input: $input) { sms { from } userErrors { code field } }
          }`,
          { input: { from, to: '1096', text: 'HELLO', country: 'BG' } },
        )
      ).data!.simulateInboundSms;
    expect(await simulate('0888 100 012')).toEqual({ sms: { from: '+359888100012' }, userErrors: [] });
    expect(await simulate('+359 12')).toEqual({
      sms: null,
      userErrors: [{ code: 'INVALID', field: ['input', 'from'] }],
    });

    const outbox = await t.gql(`query { simulatorOutbox(phone: "not a phone") { id } }`);
    expect(outbox.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^phone: /),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    // The web app's probe for the simulator asks with this number.
    expect((await t.gql(`query { simulatorOutbox(phone: "+12025550100") { id } }`)).errors).toBeUndefined();
  });

  it('the voucher payment lookup: a phone it cannot read is an error naming it, not a quiet miss', async () => {
    const lookup = (phone: string) =>
      t.gql(`query($p: String!) { voucherPaymentLookup(paymentNumber: "K7M2XR9D", phone: $p) { token } }`, {
        p: phone,
      });
    const bad = await lookup('12345');
    expect(bad.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^phone: /),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const miss = await lookup('+359 888 100 013');
    expect(miss.errors).toBeUndefined();
    expect(miss.data!.voucherPaymentLookup).toBeNull();
  });
});
