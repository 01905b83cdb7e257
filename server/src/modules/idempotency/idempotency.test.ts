import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { AuditEvent } from '../audit/audit-event.entity';
import { Payment } from '../payment/payment.entity';
import { canonicalJson, hashRequest } from './idempotency.service';
import { IdempotencyRecord } from './idempotency-record.entity';

const CREATE = `mutation($input: CreatePaymentInput!) {
  createPayment(input: $input) { payment { id amount { amount } } userErrors { code field } }
}`;

describe('canonical requests', () => {
  it('hash equal whatever the key order, with absent and null members alike', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: null }], c: 'x' }, z: undefined })).toBe(
      '{"a":{"c":"x","d":[1,{"f":2}]},"b":1}',
    );
    expect(hashRequest('op', { a: 1, b: null })).toBe(hashRequest('op', { a: 1 }));
    expect(hashRequest('op', { a: 1 })).not.toBe(hashRequest('other', { a: 1 }));
    expect(hashRequest('op', { a: '1' })).not.toBe(hashRequest('op', { a: 1 }));
  });
});

describe('idempotent mutations', () => {
  let t: TestApp;
  let partner: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    const key = await t.gql(
      'mutation { createApiKey(input: { name: "shop", scopes: ["read", "write"] }) { secret } }',
      {},
      await t.ownerAuth(),
    );
    partner = { apiKey: key.data!.createApiKey.secret };
  });
  afterAll(async () => t?.close());

  const withKey = (auth: Auth, key: string): Auth => ({ ...auth, headers: { 'idempotency-key': key } });
  const create = async (auth: Auth, input: Record<string, unknown> = {}) =>
    (await t.gql(CREATE, { input: { amount: '5.00', currency: 'USD', description: 'Top-up', ...input } }, auth)).data!
      .createPayment;
  const count = (entity: typeof Payment | typeof AuditEvent, where: object = {}) =>
    t.orm.em.fork().count(entity as typeof Payment, where);

  it('replays a retry with the same key and input: one payment, one audit row, the same answer', async () => {
    const before = await count(Payment);
    const first = await create(withKey(partner, 'order-1'));
    const retry = await create(withKey(partner, 'order-1'));
    expect(first.userErrors).toEqual([]);
    expect(retry).toEqual(first);
    expect(await count(Payment)).toBe(before + 1);
    expect(await count(AuditEvent, { action: 'payment.create', targetId: first.payment.id })).toBe(1);
  });

  it('takes the key from the input as well as from the header, and they are the same key', async () => {
    const viaInput = await create(partner, { idempotencyKey: 'order-2' });
    const viaHeader = await create(withKey(partner, 'order-2'));
    expect(viaHeader.payment.id).toBe(viaInput.payment.id);
    const both = await create(withKey(partner, 'order-2'), { idempotencyKey: 'order-2-other' });
    expect(both).toEqual({ payment: null, userErrors: [{ code: 'INVALID', field: ['input', 'idempotencyKey'] }] });
  });

  it('refuses the same key with a different input, creating nothing', async () => {
    await create(withKey(partner, 'order-3'));
    const before = await count(Payment);
    const other = await create(withKey(partner, 'order-3'), { amount: '6.00' });
    expect(other).toEqual({
      payment: null,
      userErrors: [{ code: 'IDEMPOTENCY_CONFLICT', field: ['input', 'idempotencyKey'] }],
    });
    expect(await count(Payment)).toBe(before);
  });

  it('stores nothing for a refused input, so the corrected retry may reuse the key', async () => {
    const bad = await create(withKey(partner, 'order-4'), { amount: '5.001' });
    expect(bad.userErrors).toEqual([{ code: 'INVALID_AMOUNT', field: ['input', 'amount'] }]);
    expect(await t.orm.em.fork().count(IdempotencyRecord, { key: 'order-4' })).toBe(0);
    const good = await create(withKey(partner, 'order-4'));
    expect(good.payment.amount).toEqual({ amount: '5.00' });
  });

  it('keeps each merchant its own keys', async () => {
    const admin = await t.adminAuth();
    const other = await t.gql(
      `mutation { createMerchant(input: { name: "Other", ownerEmail: "o@other.test", ownerName: "O",
                  ownerPassword: "other-owner-password" }) { merchant { id } userErrors { code } } }`,
      {},
      admin,
    );
    expect(other.data!.createMerchant.userErrors).toEqual([]);
    const otherOwner = await t.login('o@other.test', 'other-owner-password');
    const mine = await create(withKey(partner, 'shared-key'));
    const theirs = await create(withKey(otherOwner, 'shared-key'));
    expect(theirs.userErrors).toEqual([]);
    expect(theirs.payment.id).not.toBe(mine.payment.id);
  });

  it('makes cancelling safe to retry', async () => {
    const { payment } = await create(partner);
    const cancel = () =>
      t.gql(
        'mutation($input: CancelPaymentInput!) { cancelPayment(input: $input) { payment { status } userErrors { code } } }',
        { input: { id: payment.id, idempotencyKey: `cancel-${payment.id}` } },
        partner,
      );
    const first = await cancel();
    const retry = await cancel();
    expect(first.data!.cancelPayment).toEqual({ payment: { status: 'CANCELLED' }, userErrors: [] });
    expect(retry.data!.cancelPayment).toEqual(first.data!.cancelPayment);
  });

  it('lets exactly one of 20 concurrent calls with one key create the payment; all get it', async () => {
    const before = await count(Payment);
    const results = await Promise.all(Array.from({ length: 20 }, () => create(withKey(partner, 'burst'))));
    for (const result of results) expect(result.userErrors).toEqual([]);
    expect(new Set(results.map((result) => result.payment.id)).size).toBe(1);
    expect(await count(Payment)).toBe(before + 1);
    expect(await count(AuditEvent, { action: 'payment.create', targetId: results[0].payment.id })).toBe(1);
  });

  it('refuses over-long keys', async () => {
    const result = await create(withKey(partner, 'k'.repeat(256)));
    expect(result).toEqual({ payment: null, userErrors: [{ code: 'TOO_LONG', field: ['input', 'idempotencyKey'] }] });
  });
});
