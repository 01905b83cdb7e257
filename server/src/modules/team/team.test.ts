import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';

const ADD = `mutation($input: AddTeamMemberInput!) {
  addTeamMember(input: $input) { user { id email role merchant { name } } userErrors { code field } }
}`;
const REMOVE = `mutation($input: RemoveTeamMemberInput!) {
  removeTeamMember(input: $input) { removedUserId userErrors { code field } }
}`;
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) {
  createMerchant(input: $input) { merchant { id name parentId } owner { id email role } userErrors { code field } }
}`;
const TEAM = '{ teamMembers { totalCount edges { node { email role } } } }';

describe('team', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
  });
  afterAll(async () => t?.close());

  const member = (email: string, role = 'STAFF') => ({ email, name: 'Sam Staff', role, password: 'staff-password-1' });
  const add = async (input: Record<string, unknown>, auth: Auth = owner) =>
    (await t.gql(ADD, { input }, auth)).data!.addTeamMember;

  it('lets an owner add staff, who can then log in, audited', async () => {
    const result = await add(member('Sam@Demo.test'));
    expect(result).toMatchObject({
      user: { email: 'sam@demo.test', role: 'STAFF', merchant: { name: 'Demo Shop' } },
      userErrors: [],
    });
    const team = await t.gql(TEAM, {}, owner);
    expect(team.data!.teamMembers.edges.map((edge: any) => edge.node)).toEqual([
      { email: 'sam@demo.test', role: 'STAFF' },
      { email: 'owner@demo.tollgate.test', role: 'OWNER' },
    ]);
    await expect(t.login('sam@demo.test', 'staff-password-1')).resolves.toHaveProperty('cookie');
    const audit = await t.gql('{ auditEvents(action: "team.add") { edges { node { targetId details } } } }', {}, owner);
    expect(audit.data!.auditEvents.edges[0].node).toEqual({
      targetId: result.user.id,
      details: { email: 'sam@demo.test', role: 'STAFF' },
    });
  });

  it('refuses taken emails and weak passwords with typed errors', async () => {
    expect(await add(member('owner@demo.tollgate.test'))).toEqual({
      user: null,
      userErrors: [{ code: 'TAKEN', field: ['input', 'email'] }],
    });
    expect(await add({ ...member('weak@demo.test'), password: 'short' })).toEqual({
      user: null,
      userErrors: [{ code: 'WEAK_PASSWORD', field: ['input', 'password'] }],
    });
  });

  it('lets neither staff nor API keys manage the team', async () => {
    await add(member('staff2@demo.test'));
    const staff = await t.login('staff2@demo.test', 'staff-password-1');
    const byStaff = await t.gql(ADD, { input: member('x@demo.test') }, staff);
    expect(byStaff.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const key = await t.gql(
      'mutation { createApiKey(input: { name: "k", scopes: ["read", "write"] }) { secret } }',
      {},
      owner,
    );
    const byKey = await t.gql(ADD, { input: member('y@demo.test') }, { apiKey: key.data!.createApiKey.secret });
    expect(byKey.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('removes a member and ends their sessions, but never yourself or the last owner', async () => {
    const { user } = await add(member('leaver@demo.test'));
    const leaver = await t.login('leaver@demo.test', 'staff-password-1');
    expect((await t.gql('{ me { user { email } } }', {}, leaver)).data!.me.user.email).toBe('leaver@demo.test');
    const removed = await t.gql(REMOVE, { input: { userId: user.id } }, owner);
    expect(removed.data!.removeTeamMember).toEqual({ removedUserId: user.id, userErrors: [] });
    expect((await t.gql('{ me { user { email } } }', {}, leaver)).data!.me).toBeNull();

    const self = await t.gql(REMOVE, { input: { userId: t.demo.ownerUserId } }, owner);
    expect(self.data!.removeTeamMember.userErrors).toEqual([
      { code: 'CANNOT_REMOVE_SELF', field: ['input', 'userId'] },
    ]);
    const lastOwner = await t.gql(REMOVE, { input: { userId: t.demo.ownerUserId } }, admin);
    expect(lastOwner.data!.removeTeamMember.userErrors).toEqual([{ code: 'LAST_OWNER', field: ['input', 'userId'] }]);

    // With a second owner, one owner may go.
    const second = await add(member('co-owner@demo.test', 'OWNER'));
    const gone = await t.gql(REMOVE, { input: { userId: second.user.id } }, owner);
    expect(gone.data!.removeTeamMember.userErrors).toEqual([]);
    // Admins are nobody's team member.
    const adminRemoval = await t.gql(REMOVE, { input: { userId: t.demo.adminUserId } }, owner);
    expect(adminRemoval.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('lets only admins create merchants, with their first owner, optionally under a partner', async () => {
    const input = {
      name: 'Sub Shop',
      ownerEmail: 'sub@shop.test',
      ownerName: 'Sub',
      ownerPassword: 'sub-owner-password',
    };
    const byOwner = await t.gql(CREATE_MERCHANT, { input }, owner);
    expect(byOwner.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const created = await t.gql(CREATE_MERCHANT, { input: { ...input, parentId: t.demo.merchantId } }, admin);
    expect(created.data!.createMerchant).toMatchObject({
      merchant: { name: 'Sub Shop', parentId: t.demo.merchantId },
      owner: { email: 'sub@shop.test', role: 'OWNER' },
      userErrors: [],
    });
    const subOwner = await t.login('sub@shop.test', 'sub-owner-password');
    expect((await t.gql('{ me { merchant { name } } }', {}, subOwner)).data!.me.merchant.name).toBe('Sub Shop');

    const unknownParent = await t.gql(
      CREATE_MERCHANT,
      { input: { ...input, ownerEmail: 'other@shop.test', parentId: 'mch_00000000000000000000000000' } },
      admin,
    );
    expect(unknownParent.data!.createMerchant.userErrors).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'parentId'] },
    ]);
    const taken = await t.gql(CREATE_MERCHANT, { input }, admin);
    expect(taken.data!.createMerchant).toEqual({
      merchant: null,
      owner: null,
      userErrors: [{ code: 'TAKEN', field: ['input', 'ownerEmail'] }],
    });
    const merchants = await t.gql('{ merchants { totalCount } }', {}, admin);
    expect(merchants.data!.merchants.totalCount).toBe(2);
  });
});
