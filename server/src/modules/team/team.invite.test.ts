import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { OutboxMessage } from '../outbox';
import { TeamInvite } from './team-invite.entity';
import { teamInviteMailSecret } from './team.service';

const INVITE = `mutation($input: InviteTeamMemberInput!) {
  inviteTeamMember(input: $input) { invite { id email role status expiresAt } userErrors { code field } }
}`;
const RESEND = `mutation($input: TeamInviteIdInput!) {
  resendTeamInvite(input: $input) { invite { id status } userErrors { code field } }
}`;
const REVOKE = `mutation($input: TeamInviteIdInput!) {
  revokeTeamInvite(input: $input) { invite { id status } userErrors { code field } }
}`;
const INVITATION = `query($token: String!) { teamInvitation(token: $token) { email merchantName role status } }`;
const ACCEPT = `mutation($input: AcceptTeamInviteInput!) {
  acceptTeamInvite(input: $input) { user { email name role merchant { name } } userErrors { code field message } }
}`;
const ROLE = `mutation($input: ChangeTeamMemberRoleInput!) {
  changeTeamMemberRole(input: $input) { user { id role } userErrors { code field } }
}`;

describe('team invitations and roles', () => {
  let t: TestApp;
  let owner: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  const invite = async (email: string, role = 'STAFF') =>
    (await t.gql(INVITE, { input: { email, role } }, owner)).data!.inviteTeamMember;
  /** The link the queued mail carries, as the mail module renders it at sending. */
  const linkOf = async (inviteId: string) => teamInviteMailSecret.reveal(t.orm.em.fork(), t.app.config, inviteId);
  const tokenOf = (link: string) => link.split('/invite/')[1];
  const accept = async (token: string, name = 'Ivy Invitee', password = 'invitee-password-1') => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ACCEPT, variables: { input: { token, name, password } } }),
    });
    const body = (await response.json()) as { data: { acceptTeamInvite: any } };
    const cookie = response.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');
    return { result: body.data.acceptTeamInvite, auth: { cookie } };
  };

  it('mails a single-use link that sets a password and logs the invitee in, storing only its hash', async () => {
    const { invite: created, userErrors } = await invite('Ivy@Example.test');
    expect(userErrors).toEqual([]);
    expect(created).toMatchObject({ email: 'ivy@example.test', role: 'STAFF', status: 'PENDING' });
    const hours = (Date.parse(created.expiresAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThanOrEqual(72);

    const link = (await linkOf(created.id))!;
    expect(link).toMatch(new RegExp(`^${t.app.config.publicUrl}/invite/[A-Za-z0-9_-]{43}$`));
    const token = tokenOf(link);
    // Neither the row nor the queued mail holds the token in clear.
    const row = await t.orm.em.fork().findOneOrFail(TeamInvite, created.id);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const mails = await t.orm.em.fork().find(OutboxMessage, { kind: 'mail' });
    expect(mails.some((mail) => JSON.stringify(mail.payload).includes('ivy@example.test'))).toBe(true);
    expect(mails.some((mail) => JSON.stringify(mail.payload).includes(token))).toBe(false);

    expect((await t.gql(INVITATION, { token })).data!.teamInvitation).toEqual({
      email: 'ivy@example.test',
      merchantName: 'Demo Shop',
      role: 'STAFF',
      status: 'PENDING',
    });
    const accepted = await accept(token);
    expect(accepted.result).toEqual({
      user: { email: 'ivy@example.test', name: 'Ivy Invitee', role: 'STAFF', merchant: { name: 'Demo Shop' } },
      userErrors: [],
    });
    expect((await t.gql('{ me { user { email } } }', {}, accepted.auth)).data!.me.user.email).toBe('ivy@example.test');
    await expect(t.login('ivy@example.test', 'invitee-password-1')).resolves.toHaveProperty('cookie');

    // Single use: the same link again is refused, and the mail could no longer be rendered.
    const again = await accept(token, 'Mallory', 'mallory-password-1');
    expect(again.result.userErrors).toEqual([
      { code: 'INVITE_EXPIRED', field: ['input', 'token'], message: expect.stringContaining('already used') },
    ]);
    expect(await linkOf(created.id)).toBeNull();
    const audit = await t.gql('{ auditEvents(action: "team.invite_accept") { totalCount } }', {}, owner);
    expect(audit.data!.auditEvents.totalCount).toBe(1);
  });

  it('refuses an expired link, and a resend gives a new link that works while the old one does not', async () => {
    const { invite: created } = await invite('late@example.test', 'READ_ONLY');
    const oldToken = tokenOf((await linkOf(created.id))!);
    await t.orm.em.fork().nativeUpdate(TeamInvite, created.id, { expiresAt: new Date(Date.now() - 1000) });
    expect((await t.gql(INVITATION, { token: oldToken })).data!.teamInvitation.status).toBe('EXPIRED');
    const expired = await accept(oldToken);
    expect(expired.result).toMatchObject({ user: null, userErrors: [{ code: 'INVITE_EXPIRED' }] });

    const resent = await t.gql(RESEND, { input: { inviteId: created.id } }, owner);
    expect(resent.data!.resendTeamInvite).toEqual({ invite: { id: created.id, status: 'PENDING' }, userErrors: [] });
    const newToken = tokenOf((await linkOf(created.id))!);
    expect(newToken).not.toBe(oldToken);
    expect((await accept(oldToken)).result.userErrors[0].code).toBe('NOT_FOUND');
    expect((await accept(newToken)).result.user).toMatchObject({ email: 'late@example.test', role: 'READ_ONLY' });
  });

  it('lets an owner revoke a link, which then stops working', async () => {
    const { invite: created } = await invite('gone@example.test');
    const token = tokenOf((await linkOf(created.id))!);
    const revoked = await t.gql(REVOKE, { input: { inviteId: created.id } }, owner);
    expect(revoked.data!.revokeTeamInvite).toEqual({ invite: { id: created.id, status: 'REVOKED' }, userErrors: [] });
    expect((await accept(token)).result).toMatchObject({
      user: null,
      userErrors: [{ code: 'INVITE_EXPIRED', message: expect.stringContaining('revoked') }],
    });
    const pending = await t.gql('{ teamInvites { email status } }', {}, owner);
    expect(pending.data!.teamInvites.map((row: { email: string }) => row.email)).not.toContain('gone@example.test');
  });

  it('refuses bad input with typed errors and changes nothing', async () => {
    expect(await invite('not-an-email')).toEqual({
      invite: null,
      userErrors: [{ code: 'INVALID', field: ['input', 'email'] }],
    });
    expect(await invite('owner@demo.tollgate.test')).toEqual({
      invite: null,
      userErrors: [{ code: 'TAKEN', field: ['input', 'email'] }],
    });
    const { invite: created } = await invite('weak@example.test');
    const token = tokenOf((await linkOf(created.id))!);
    const weak = await accept(token, 'Weak', 'short');
    expect(weak.result.userErrors).toEqual([
      { code: 'WEAK_PASSWORD', field: ['input', 'password'], message: expect.any(String) },
    ]);
    // The refused attempt did not use the link up.
    expect((await accept(token)).result.user).toMatchObject({ email: 'weak@example.test' });
    expect((await t.gql(INVITATION, { token: 'nonsense' })).data!.teamInvitation).toBeNull();
  });

  it('changes roles; READ_ONLY is refused on every mutation and the last owner cannot be demoted', async () => {
    const { invite: created } = await invite('reader@example.test');
    const { auth: reader, result } = await accept(tokenOf((await linkOf(created.id))!));
    expect(result.user.role).toBe('STAFF');
    const readerId = (await t.gql('{ me { user { id } } }', {}, reader)).data!.me.user.id;

    const demoted = await t.gql(ROLE, { input: { userId: readerId, role: 'READ_ONLY' } }, owner);
    expect(demoted.data!.changeTeamMemberRole).toEqual({ user: { id: readerId, role: 'READ_ONLY' }, userErrors: [] });
    // Takes effect on the very next request of the same session: reads work, every mutation is refused.
    expect((await t.gql('{ payments { totalCount } }', {}, reader)).errors).toBeUndefined();
    const write = await t.gql(
      'mutation { createPayment(input: { amount: "5.00", currency: "USD", description: "x" }) { payment { id } } }',
      {},
      reader,
    );
    expect(write.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(write.errors?.[0].message).toContain('read-only');
    const key = await t.gql('mutation { createApiKey(input: { name: "k", scopes: ["read"] }) { secret } }', {}, reader);
    expect(key.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // Their own login stays theirs to secure.
    const enrol = await t.gql(
      'mutation { startTotpEnrolment { enrolment { secret } userErrors { code } } }',
      {},
      reader,
    );
    expect(enrol.data!.startTotpEnrolment.enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);

    // Names where ids were recorded: a member's team and admins see them, nobody sees an admin's from a merchant.
    const USER = 'query($id: ID!) { user(id: $id) { name } }';
    expect((await t.gql(USER, { id: readerId }, owner)).data!.user).toEqual({ name: 'Ivy Invitee' });
    expect((await t.gql(USER, { id: readerId }, await t.adminAuth())).data!.user).toEqual({ name: 'Ivy Invitee' });
    expect((await t.gql(USER, { id: t.demo.adminUserId }, owner)).data!.user).toBeNull();

    const lastOwner = await t.gql(ROLE, { input: { userId: t.demo.ownerUserId, role: 'STAFF' } }, owner);
    expect(lastOwner.data!.changeTeamMemberRole).toEqual({
      user: null,
      userErrors: [{ code: 'LAST_OWNER', field: ['input', 'role'] }],
    });
    const audit = await t.gql('{ auditEvents(action: "team.role_change") { edges { node { details } } } }', {}, owner);
    expect(audit.data!.auditEvents.edges[0].node.details).toEqual({
      email: 'reader@example.test',
      from: 'STAFF',
      to: 'READ_ONLY',
    });
  });
});
