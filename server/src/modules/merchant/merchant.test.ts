import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { WebhookEvent } from '../webhook/webhook-event.entity';

const SUSPEND = `mutation($input: MerchantSuspensionInput!) {
  suspendMerchant(input: $input) { merchant { id suspendedAt suspensionReason } userErrors { code field } }
}`;
const RESUME = `mutation($input: MerchantSuspensionInput!) {
  resumeMerchant(input: $input) { merchant { id suspendedAt suspensionReason } userErrors { code field } }
}`;
const CREATE = `mutation($input: CreatePaymentInput!) {
  createPayment(input: $input) { payment { id reference status } userErrors { code field message } }
}`;
const SIMULATE = `mutation($input: SimulateInboundSmsInput!) {
  simulateInboundSms(input: $input) { sms { status } userErrors { code } }
}`;
const SEARCH = `query($text: String!) { searchMerchants(text: $text) { id name } }`;

describe('merchant suspension and search', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  let partner: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    const key = await t.gql(
      'mutation { createApiKey(input: { name: "shop", scopes: ["read", "write"] }) { secret } }',
      {},
      owner,
    );
    partner = { apiKey: key.data!.createApiKey.secret };
  });
  afterAll(async () => t?.close());

  const createPayment = async (amount = '2.00') =>
    (await t.gql(CREATE, { input: { amount, currency: 'USD', description: 'Top-up' } }, partner)).data!.createPayment;

  it('refuses new payments with MERCHANT_SUSPENDED while money in flight still settles, then resumes', async () => {
    const inFlight = (await createPayment('1.00')).payment;
    const byOwner = await t.gql(SUSPEND, { input: { merchantId: t.demo.merchantId, reason: 'x' } }, owner);
    expect(byOwner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const blank = await t.gql(SUSPEND, { input: { merchantId: t.demo.merchantId, reason: '  ' } }, admin);
    expect(blank.data!.suspendMerchant.userErrors).toEqual([{ code: 'REQUIRED', field: ['input', 'reason'] }]);

    const suspended = await t.gql(
      SUSPEND,
      { input: { merchantId: t.demo.merchantId, reason: 'Chargebacks under review' } },
      admin,
    );
    expect(suspended.data!.suspendMerchant).toMatchObject({
      merchant: {
        id: t.demo.merchantId,
        suspensionReason: 'Chargebacks under review',
        suspendedAt: expect.any(String),
      },
      userErrors: [],
    });
    const again = await t.gql(SUSPEND, { input: { merchantId: t.demo.merchantId, reason: 'again' } }, admin);
    expect(again.data!.suspendMerchant.userErrors).toEqual([{ code: 'INVALID_TRANSITION', field: null }]);

    // No new payment, by any caller.
    expect(await createPayment()).toMatchObject({ payment: null, userErrors: [{ code: 'MERCHANT_SUSPENDED' }] });
    // Its people may read, not act.
    expect((await t.gql('{ payments { totalCount } }', {}, owner)).data!.payments.totalCount).toBeGreaterThan(0);
    const write = await t.gql(
      'mutation { createApiKey(input: { name: "k", scopes: ["read"] }) { secret } }',
      {},
      owner,
    );
    expect(write.errors?.[0].extensions?.code).toBe('MERCHANT_SUSPENDED');

    // The payment opened before the suspension still settles when its SMS arrives.
    const sms = await t.gql(SIMULATE, {
      input: { from: '+359888700701', to: '1096', text: inFlight.reference, country: 'BG', messageId: 'susp-1' },
    });
    expect(sms.data!.simulateInboundSms).toEqual({ sms: { status: 'COUNTED' }, userErrors: [] });
    const settled = await t.gql(
      'query($id: ID!) { payment(id: $id) { status amountReceived { amount } } }',
      { id: inFlight.id },
      owner,
    );
    expect(settled.data!.payment.amountReceived.amount).not.toBe('0.00');

    const resumed = await t.gql(RESUME, { input: { merchantId: t.demo.merchantId, reason: 'Review done' } }, admin);
    expect(resumed.data!.resumeMerchant).toMatchObject({
      merchant: { suspendedAt: null, suspensionReason: null },
      userErrors: [],
    });
    expect((await createPayment()).userErrors).toEqual([]);

    const events = await t.orm.em
      .fork()
      .find(WebhookEvent, { type: { $in: ['merchant.suspended', 'merchant.resumed'] } }, { orderBy: { id: 'asc' } });
    expect(events.map((event) => [event.type, event.data.reason])).toEqual([
      ['merchant.suspended', 'Chargebacks under review'],
      ['merchant.resumed', 'Review done'],
    ]);
    const audit = await t.gql(
      '{ auditEvents(merchantId: "' + t.demo.merchantId + '") { edges { node { action details } } } }',
      {},
      admin,
    );
    const actions = audit.data!.auditEvents.edges.map((edge: { node: { action: string } }) => edge.node.action);
    expect(actions).toEqual(expect.arrayContaining(['merchant.suspend', 'merchant.resume']));
  });

  it('finds merchants by part of the name, a team email or the id, for admins only', async () => {
    const names = async (text: string) =>
      (await t.gql(SEARCH, { text }, admin)).data!.searchMerchants.map((row: { name: string }) => row.name);
    expect(await names('demo sh')).toEqual(['Demo Shop']);
    expect(await names('owner@demo')).toEqual(['Demo Shop']);
    expect(await names(t.demo.merchantId)).toEqual(['Demo Shop']);
    expect(await names('nothing like it')).toEqual([]);
    expect(await names('%')).toEqual([]);
    expect((await t.gql(SEARCH, { text: 'demo' }, owner)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
