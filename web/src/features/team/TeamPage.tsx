import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import type { TeamMembersQuery, TeamRole } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { useViewer } from '../../app/viewer';

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

const AddTeamMemberDocument = graphql(`
  mutation AddTeamMember($input: AddTeamMemberInput!) {
    addTeamMember(input: $input) {
      user {
        id
        name
        email
        role
        createdAt
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
};

function AddMemberForm() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<TeamRole>('STAFF');
  const [added, setAdded] = useState<string | null>(null);
  const { attach, ...form } = useFormMutation(AddTeamMemberDocument, (data) => data.addTeamMember, [
    'name',
    'email',
    'password',
    'role',
  ]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    const response = await form.submit({ input: { name, email: email.trim(), password, role } });
    const user = response?.user;
    if (user) {
      setAdded(
        `${user.name} can now log in as ${user.email}. Give them the first password safely; they can change it.`,
      );
      setName('');
      setEmail('');
      setPassword('');
      setRole('STAFF');
    }
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Add team member"
    >
      {added && (
        <p className="notice notice--good" role="status">
          {added}
        </p>
      )}
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Name" error={form.fieldError('name')}>
          {(props) => (
            <input
              {...props}
              name="name"
              autoComplete="off"
              maxLength={200}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
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
      </div>
      <div className="form__row">
        <Field label="First password" error={form.fieldError('password')} hint="At least 10 characters.">
          {(props) => (
            <input
              {...props}
              name="password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          )}
        </Field>
        <Field label="Role" error={form.fieldError('role')} hint={ROLE_HINT[role]}>
          {(props) => (
            <select {...props} name="role" value={role} onChange={(event) => setRole(event.target.value as TeamRole)}>
              <option value="STAFF">Staff</option>
              <option value="OWNER">Owner</option>
            </select>
          )}
        </Field>
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Adding…' : 'Add member'}
        </button>
      </div>
    </form>
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
  const isOwner = viewer.user?.role === 'OWNER';
  const paging = usePaging();
  const [query, refetch] = useQuery({
    query: TeamMembersDocument,
    variables: { first: paging.first, after: paging.after },
  });
  return (
    <Page title="Team" description="The people who log in to this dashboard.">
      {isOwner && (
        <Card title="Add a member">
          <AddMemberForm />
        </Card>
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
                    render: (member) => (
                      <Badge tone={member.role === 'OWNER' ? 'info' : 'neutral'}>{member.role.toLowerCase()}</Badge>
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
    </Page>
  );
}
