import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import type { TeamInvitesQuery, TeamMembersQuery, TeamRole } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { useCanWrite, useViewer } from '../../app/viewer';
import { TwoFactorSettings } from '../auth/TwoFactor';

const TeamMembersDocument = graphql(`
  query TeamMembers($first: Int, $after: String) {
    teamMembers(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          name
          email
          role
          createdAt
        }
      }
    }
  }
`);

const InviteTeamMemberDocument = graphql(`
  mutation InviteTeamMember($input: InviteTeamMemberInput!) {
    inviteTeamMember(input: $input) {
      invite {
        id
        email
        role
        status
        expiresAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const TeamInvitesDocument = graphql(`
  query TeamInvites {
    teamInvites {
      id
      email
      role
      status
      expiresAt
    }
  }
`);

const ResendTeamInviteDocument = graphql(`
  mutation ResendTeamInvite($input: TeamInviteIdInput!) {
    resendTeamInvite(input: $input) {
      invite {
        id
        status
        expiresAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const RevokeTeamInviteDocument = graphql(`
  mutation RevokeTeamInvite($input: TeamInviteIdInput!) {
    revokeTeamInvite(input: $input) {
      invite {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ChangeTeamMemberRoleDocument = graphql(`
  mutation ChangeTeamMemberRole($input: ChangeTeamMemberRoleInput!) {
    changeTeamMemberRole(input: $input) {
      user {
        id
        role
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const RemoveTeamMemberDocument = graphql(`
  mutation RemoveTeamMember($input: RemoveTeamMemberInput!) {
    removeTeamMember(input: $input) {
      removedUserId
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Member = TeamMembersQuery['teamMembers']['edges'][number]['node'];

const ROLE_HINT: Record<TeamRole, string> = {
  OWNER: 'Everything, including the team and API keys.',
  STAFF: 'Day-to-day work: payments, webhooks, the audit log.',
  READ_ONLY: 'Sees everything, changes nothing.',
};

const ROLE_LABEL: Record<string, string> = { OWNER: 'Owner', STAFF: 'Staff', READ_ONLY: 'Read-only' };
const TEAM_ROLES: TeamRole[] = ['OWNER', 'STAFF', 'READ_ONLY'];

function InviteForm() {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<TeamRole>('STAFF');
  const [sent, setSent] = useState<string | null>(null);
  const { attach, ...form } = useFormMutation(InviteTeamMemberDocument, (data) => data.inviteTeamMember, [
    'email',
    'role',
  ]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSent(null);
    const invite = (await form.submit({ input: { email: email.trim(), role } }))?.invite;
    if (invite) {
      setSent(`Invitation sent to ${invite.email}. The link works once, for 72 hours.`);
      setEmail('');
      setRole('STAFF');
    }
  };

  return (
    <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Invite">
      {sent && (
        <p className="notice notice--good" role="status">
          {sent}
        </p>
      )}
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Email" error={form.fieldError('email')}>
          {(props) => (
            <input
              {...props}
              name="email"
              type="email"
              autoComplete="off"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
        </Field>
        <Field label="Role" error={form.fieldError('role')} hint={ROLE_HINT[role]}>
          {(props) => (
            <select {...props} name="role" value={role} onChange={(event) => setRole(event.target.value as TeamRole)}>
              {TEAM_ROLES.map((value) => (
                <option key={value} value={value}>
                  {ROLE_LABEL[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
    </form>
  );
}

type Invite = TeamInvitesQuery['teamInvites'][number];

function PendingInvites() {
  const [query, refetch] = useQuery({ query: TeamInvitesDocument });
  const [, resend] = useMutation(ResendTeamInviteDocument);
  const [, revoke] = useMutation(RevokeTeamInviteDocument);
  return (
    <QueryView query={query} refetch={refetch}>
      {(data) => (
        <DataTable<Invite>
          caption="Pending invitations"
          rows={data.teamInvites}
          rowKey={(invite) => invite.id}
          empty="No pending invitations."
          columns={[
            { header: 'Email', render: (invite) => invite.email },
            { header: 'Role', render: (invite) => ROLE_LABEL[invite.role] },
            {
              header: 'Status',
              render: (invite) => (
                <Badge tone={invite.status === 'PENDING' ? 'info' : 'warn'}>{invite.status.toLowerCase()}</Badge>
              ),
            },
            { header: 'Link works until', render: (invite) => <Time value={invite.expiresAt} />, className: 'nowrap' },
            {
              header: '',
              className: 'actions',
              render: (invite) => (
                <span className="button-row">
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Resend invitation to ${invite.email}`}
                    onClick={() => void resend({ input: { inviteId: invite.id } })}
                  >
                    Resend
                  </button>
                  <ConfirmBox
                    inline
                    trigger="Revoke"
                    triggerClassName="button button--small button--danger-quiet"
                    triggerAriaLabel={`Revoke invitation to ${invite.email}`}
                    label={`Revoke the invitation to ${invite.email}?`}
                    confirmLabel="Confirm revoke"
                    onConfirm={async () => {
                      const response = await revoke({ input: { inviteId: invite.id } });
                      return response.error?.message ?? response.data?.revokeTeamInvite.userErrors[0]?.message;
                    }}
                  />
                </span>
              ),
            },
          ]}
        />
      )}
    </QueryView>
  );
}

function RoleSelect({ member }: { member: Member }) {
  const [state, change] = useMutation(ChangeTeamMemberRoleDocument);
  const [error, setError] = useState<string | null>(null);
  return (
    <span>
      <select
        aria-label={`Role of ${member.name}`}
        value={member.role}
        disabled={state.fetching}
        onChange={(event) => {
          setError(null);
          void change({ input: { userId: member.id, role: event.target.value as TeamRole } }).then((response) =>
            setError(response.error?.message ?? response.data?.changeTeamMemberRole.userErrors[0]?.message ?? null),
          );
        }}
      >
        {TEAM_ROLES.map((value) => (
          <option key={value} value={value}>
            {ROLE_LABEL[value]}
          </option>
        ))}
      </select>
      {error && (
        <span className="field__error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}

function RemoveButton({ member }: { member: Member }) {
  const [, remove] = useMutation(RemoveTeamMemberDocument);
  return (
    <ConfirmBox
      inline
      trigger="Remove"
      triggerClassName="button button--small button--danger-quiet"
      triggerAriaLabel={`Remove ${member.name}`}
      label={`Remove ${member.name}?`}
      confirmLabel="Confirm remove"
      onConfirm={async () => {
        const response = await remove({ input: { userId: member.id } });
        return response.error?.message ?? response.data?.removeTeamMember.userErrors[0]?.message;
      }}
    />
  );
}

export function TeamPage() {
  const viewer = useViewer();
  const canWrite = useCanWrite();
  // Only owners manage people; a READ_ONLY member or a suspended merchant's owner sees no write action.
  const isOwner = viewer.user?.role === 'OWNER' && canWrite;
  const paging = usePaging();
  const [query, refetch] = useQuery({
    query: TeamMembersDocument,
    variables: { first: paging.first, after: paging.after },
  });
  return (
    <Page title="Team" description="The people who log in to this dashboard, and how they prove it is them.">
      {isOwner && (
        <>
          <Card title="Invite a member">
            <InviteForm />
          </Card>
          <Card title="Pending invitations">
            <PendingInvites />
          </Card>
        </>
      )}
      <Card title="Members">
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable<Member>
                caption="Team members"
                rows={data.teamMembers.edges.map((edge) => edge.node)}
                rowKey={(member) => member.id}
                empty="No team members."
                columns={[
                  {
                    header: 'Name',
                    render: (member) => (
                      <span>
                        <strong>{member.name}</strong>
                        {member.id === viewer.user?.id && <span className="muted"> (you)</span>}
                      </span>
                    ),
                  },
                  { header: 'Email', render: (member) => member.email },
                  {
                    header: 'Role',
                    render: (member) =>
                      isOwner && member.id !== viewer.user?.id ? (
                        <RoleSelect member={member} />
                      ) : (
                        <Badge tone={member.role === 'OWNER' ? 'info' : 'neutral'}>
                          {ROLE_LABEL[member.role] ?? member.role}
                        </Badge>
                      ),
                  },
                  { header: 'Since', render: (member) => <Time value={member.createdAt} />, className: 'nowrap' },
                  {
                    header: '',
                    className: 'actions',
                    render: (member) =>
                      isOwner && member.id !== viewer.user?.id ? <RemoveButton member={member} /> : null,
                  },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.teamMembers.pageInfo}
                totalCount={data.teamMembers.totalCount}
                shown={data.teamMembers.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
      {viewer.user && (
        <div className="self-service">
          <Card title="Your two-factor login">
            <TwoFactorSettings enabled={viewer.user.twoFactorEnabled} />
          </Card>
        </div>
      )}
    </Page>
  );
}
