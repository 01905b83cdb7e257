import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { AuditEvent } from '../audit/audit-event.entity';
import { FeeMethod } from './fee-plan.entity';
import { feeFor } from './fee-plan.maths';
import { feePlanOf } from './fee-plan.service';

/* Fee plans through the API: admins list, create, change and assign them; a merchant reads its own plan. */

const PLAN = `id name description isDefault reserveBps reserveDays
  rules { method percentBps fixed { amount currency } fromTariff }
  chargebackFee { amount currency }`;

const CREATE = `mutation($input: CreateFeePlanInput!) {
  createFeePlan(input: $input) { feePlan { ${PLAN} } userErrors { code field message } } }`;
const UPDATE = `mutation($input: UpdateFeePlanInput!) {
  updateFeePlan(input: $input) { feePlan { ${PLAN} } userErrors { code field message } } }`;
const ASSIGN = `mutation($input: AssignFeePlanInput!) {
  assignFeePlan(input: $input) { feePlan { id name } userErrors { code field message } } }`;

describe('fee plans', () => {
  let t: TestApp;
  let admin: Auth;
  let owner: Auth;
  let counter = 0;
  const name = (prefix: string) => `${prefix} ${Date.now().toString(36)}-${++counter}`;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminAuth();
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  it('has the default plan and the demo high-risk plan, as the design prices them', async () => {
    const result = await t.gql(`{ feePlans { ${PLAN} } }`, {}, admin);
    expect(result.errors).toBeUndefined();
    const plans = result.data!.feePlans as any[];
    const standard = plans.find((plan) => plan.isDefault);
    expect(standard).toMatchObject({ id: 'fpl_default', name: 'Standard', reserveBps: 0, reserveDays: 0 });
    expect(standard.rules).toEqual([
      {
        method: 'CARD_ONLINE',
        percentBps: 190,
        fixed: [
          { amount: '0.25', currency: 'EUR' },
          { amount: '0.25', currency: 'GBP' },
          { amount: '0.25', currency: 'USD' },
        ],
        fromTariff: false,
      },
      { method: 'CARD_PRESENT', percentBps: 270, fixed: [], fromTariff: false },
      { method: 'SMS', percentBps: 0, fixed: [], fromTariff: true },
      {
        method: 'PAYOUT',
        percentBps: 0,
        fixed: [
          { amount: '1.00', currency: 'EUR' },
          { amount: '1.00', currency: 'GBP' },
          { amount: '1.00', currency: 'USD' },
        ],
        fromTariff: false,
      },
    ]);
    expect(standard.chargebackFee).toContainEqual({ amount: '15.00', currency: 'EUR' });
    expect(plans.find((plan) => plan.name === 'High risk')).toMatchObject({
      isDefault: false,
      reserveBps: 1000,
      reserveDays: 90,
    });
  });

  it('lets a merchant read its own plan only; plans are for admins to list and change', async () => {
    const own = await t.gql(`{ feePlan { name isDefault } me { merchant { feePlan { name } } } }`, {}, owner);
    expect(own.errors).toBeUndefined();
    expect(own.data).toEqual({
      feePlan: { name: 'Standard', isDefault: true },
      me: { merchant: { feePlan: { name: 'Standard' } } },
    });

    const listed = await t.gql(`{ feePlans { id } }`, {}, owner);
    expect(listed.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const created = await t.gql(CREATE, { input: { name: name('Mine'), rules: [] } }, owner);
    expect(created.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const other = await t.gql(`query($id: ID) { feePlan(merchantId: $id) { id } }`, { id: 'mch_other' }, owner);
    expect(other.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('creates a plan, assigns it to a merchant, whose fees then follow it; null assigns the default again', async () => {
    const created = await t.gql(
      CREATE,
      {
        input: {
          name: name('Marketplace'),
          description: 'Store orders',
          rules: [
            { method: 'CARD_ONLINE', percentBps: 250, fixed: [{ amount: '0.30', currency: 'eur' }] },
            { method: 'PAYOUT', percentBps: 0, fixed: [{ amount: '0.50', currency: 'EUR' }] },
          ],
          chargebackFee: [{ amount: '20', currency: 'EUR' }],
          reserveBps: 500,
          reserveDays: 30,
        },
      },
      admin,
    );
    expect(created.data!.createFeePlan.userErrors).toEqual([]);
    const plan = created.data!.createFeePlan.feePlan;
    expect(plan).toMatchObject({ isDefault: false, reserveBps: 500, reserveDays: 30 });
    expect(plan.rules[0]).toEqual({
      method: 'CARD_ONLINE',
      percentBps: 250,
      fixed: [{ amount: '0.30', currency: 'EUR' }],
      fromTariff: false,
    });
    expect(plan.rules[1]).toMatchObject({ method: 'CARD_PRESENT', percentBps: 0, fixed: [] });
    expect(plan.chargebackFee).toEqual([{ amount: '20.00', currency: 'EUR' }]);

    const assigned = await t.gql(ASSIGN, { input: { merchantId: t.demo.merchantId, planId: plan.id } }, admin);
    expect(assigned.data!.assignFeePlan).toEqual({ feePlan: { id: plan.id, name: plan.name }, userErrors: [] });
    const mine = await feePlanOf(t.orm.em.fork(), t.demo.merchantId);
    expect(mine.id).toBe(plan.id);
    // 2.5% of 12.34 = 0.3085 → 0.31, + 0.30.
    expect(feeFor(mine, FeeMethod.CARD_ONLINE, 1234n, 'EUR')).toBe(61n);
    expect((await t.gql(`{ feePlan { id } }`, {}, owner)).data!.feePlan.id).toBe(plan.id);

    const audits = await t.orm.em
      .fork()
      .find(AuditEvent, { action: { $like: 'feePlan.%' } }, { orderBy: { id: 'asc' } });
    expect(audits.map((audit) => audit.action)).toEqual(expect.arrayContaining(['feePlan.create', 'feePlan.assign']));
    expect(audits.find((audit) => audit.action === 'feePlan.assign')).toMatchObject({
      merchantId: t.demo.merchantId,
      targetId: plan.id,
    });

    const back = await t.gql(ASSIGN, { input: { merchantId: t.demo.merchantId, planId: null } }, admin);
    expect(back.data!.assignFeePlan.feePlan.name).toBe('Standard');
    expect((await feePlanOf(t.orm.em.fork(), t.demo.merchantId)).isDefault).toBe(true);
  });

  it('updates a plan in part, and moves the default from one plan to another', async () => {
    const created = await t.gql(CREATE, { input: { name: name('Terminal'), rules: [] } }, admin);
    const plan = created.data!.createFeePlan.feePlan;
    const updated = await t.gql(
      UPDATE,
      {
        input: {
          id: plan.id,
          rules: [{ method: 'CARD_PRESENT', percentBps: 270 }],
          description: 'Seed 004',
          isDefault: true,
        },
      },
      admin,
    );
    expect(updated.data!.updateFeePlan.userErrors).toEqual([]);
    expect(updated.data!.updateFeePlan.feePlan).toMatchObject({ isDefault: true, description: 'Seed 004' });
    expect(updated.data!.updateFeePlan.feePlan.rules[1]).toMatchObject({ method: 'CARD_PRESENT', percentBps: 270 });
    let plans = (await t.gql(`{ feePlans { id isDefault } }`, {}, admin)).data!.feePlans as any[];
    expect(plans.filter((p) => p.isDefault)).toEqual([{ id: plan.id, isDefault: true }]);

    const unset = await t.gql(UPDATE, { input: { id: plan.id, isDefault: false } }, admin);
    expect(unset.data!.updateFeePlan.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID', field: ['input', 'isDefault'] }),
    ]);
    const restored = await t.gql(UPDATE, { input: { id: 'fpl_default', isDefault: true } }, admin);
    expect(restored.data!.updateFeePlan.userErrors).toEqual([]);
    plans = (await t.gql(`{ feePlans { id isDefault } }`, {}, admin)).data!.feePlans as any[];
    expect(plans.filter((p) => p.isDefault)).toEqual([{ id: 'fpl_default', isDefault: true }]);
  });

  it('refuses every bad input with a typed error naming the field, changing nothing', async () => {
    const rule = (extra: Record<string, unknown>) => ({ method: 'CARD_ONLINE', percentBps: 100, ...extra });
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ name: '  ' }, 'REQUIRED', ['input', 'name']],
      [{ name: 'x'.repeat(101) }, 'TOO_LONG', ['input', 'name']],
      [{ name: 'a\nb' }, 'INVALID', ['input', 'name']],
      [{ description: 'd'.repeat(501) }, 'TOO_LONG', ['input', 'description']],
      [{ rules: [rule({ percentBps: -1 })] }, 'INVALID_AMOUNT', ['input', 'rules', '0', 'percentBps']],
      [{ rules: [rule({ percentBps: 10_001 })] }, 'INVALID_AMOUNT', ['input', 'rules', '0', 'percentBps']],
      [{ rules: [rule({}), rule({})] }, 'INVALID', ['input', 'rules', '1', 'method']],
      [
        { rules: [rule({ fixed: [{ amount: '-0.10', currency: 'EUR' }] })] },
        'INVALID_AMOUNT',
        ['input', 'rules', '0', 'fixed', '0', 'amount'],
      ],
      [
        { rules: [rule({ fixed: [{ amount: '0.001', currency: 'EUR' }] })] },
        'INVALID_AMOUNT',
        ['input', 'rules', '0', 'fixed', '0', 'amount'],
      ],
      [
        { rules: [rule({ fixed: [{ amount: '100000.01', currency: 'EUR' }] })] },
        'INVALID_AMOUNT',
        ['input', 'rules', '0', 'fixed', '0', 'amount'],
      ],
      [
        { rules: [rule({ fixed: [{ amount: '1', currency: 'XXX' }] })] },
        'INVALID_CURRENCY',
        ['input', 'rules', '0', 'fixed', '0', 'currency'],
      ],
      [
        {
          rules: [
            rule({
              fixed: [
                { amount: '1', currency: 'EUR' },
                { amount: '2', currency: 'eur' },
              ],
            }),
          ],
        },
        'INVALID',
        ['input', 'rules', '0', 'fixed', '1', 'currency'],
      ],
      [{ rules: [{ method: 'SMS', percentBps: 50 }] }, 'INVALID', ['input', 'rules', '0', 'percentBps']],
      [
        { chargebackFee: [{ amount: 'lots', currency: 'EUR' }] },
        'INVALID_AMOUNT',
        ['input', 'chargebackFee', '0', 'amount'],
      ],
      [{ reserveBps: -5 }, 'INVALID_AMOUNT', ['input', 'reserveBps']],
      [{ reserveBps: 20_000 }, 'INVALID_AMOUNT', ['input', 'reserveBps']],
      [{ reserveDays: 366 }, 'INVALID_AMOUNT', ['input', 'reserveDays']],
      [{ reserveBps: 500 }, 'INVALID', ['input', 'reserveDays']],
      [{ name: 'Standard' }, 'TAKEN', ['input', 'name']],
    ];
    const before = (await t.gql(`{ feePlans { id } }`, {}, admin)).data!.feePlans.length;
    for (const [input, code, field] of cases) {
      const result = await t.gql(CREATE, { input: { name: name('Bad'), rules: [], ...input } }, admin);
      expect(result.errors, JSON.stringify(input)).toBeUndefined();
      expect(result.data!.createFeePlan, JSON.stringify(input)).toMatchObject({
        feePlan: null,
        userErrors: [expect.objectContaining({ code, field })],
      });
    }
    expect((await t.gql(`{ feePlans { id } }`, {}, admin)).data!.feePlans.length).toBe(before);

    const update = await t.gql(UPDATE, { input: { id: 'fpl_default', reserveBps: 100 } }, admin);
    expect(update.data!.updateFeePlan.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID', field: ['input', 'reserveDays'] }),
    ]);
    const missing = await t.gql(UPDATE, { input: { id: 'fpl_nope', name: 'x' } }, admin);
    expect(missing.data!.updateFeePlan.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] }),
    ]);
    const noMerchant = await t.gql(ASSIGN, { input: { merchantId: 'mch_nope', planId: 'fpl_default' } }, admin);
    expect(noMerchant.data!.assignFeePlan.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'merchantId'] }),
    ]);
    const noPlan = await t.gql(ASSIGN, { input: { merchantId: t.demo.merchantId, planId: 'fpl_nope' } }, admin);
    expect(noPlan.data!.assignFeePlan.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'planId'] }),
    ]);
    const tooBig = await t.gql(CREATE, { input: { name: name('Big'), rules: [], reserveDays: 2 ** 40 } }, admin);
    expect(tooBig.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
