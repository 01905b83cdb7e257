import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { useResetClient } from '../../app/client';
import { Field, FormErrors } from '../../app/components/Field';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';

const TeamInvitationDocument = graphql(`
  query TeamInvitation($token: String!) {
    teamInvitation(token: $token) {
      email
      merchantName
      role
      status
    }
  }
`);

const AcceptTeamInviteDocument = graphql(`
  mutation AcceptTeamInvite($input: AcceptTeamInviteInput!) {
    acceptTeamInvite(input: $input) {
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

const ROLE_WORDS: Record<string, string> = { OWNER: 'an owner', STAFF: 'staff', READ_ONLY: 'read-only' };

function AcceptForm({ token, email }: { token: string; email: string }) {
  const navigate = useNavigate();
  const resetClient = useResetClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { attach, ...form } = useFormMutation(AcceptTeamInviteDocument, (data) => data.acceptTeamInvite, [
    'name',
    'password',
  ]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await form.submit({ input: { token, name, password } }))?.user) {
      // Logged in by the acceptance: a fresh client, then the dashboard.
      resetClient();
      void navigate('/dashboard', { replace: true });
    }
  };
  return (
    <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Join the team">
      <FormErrors messages={form.errors.form} />
      <Field label="Email">
        {(props) => <input {...props} name="email" type="email" autoComplete="username" value={email} readOnly />}
      </Field>
      <Field label="Your name" error={form.fieldError('name')}>
        {(props) => (
          <input
            {...props}
            name="name"
            autoComplete="name"
            maxLength={200}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        )}
      </Field>
      <Field label="Password" error={form.fieldError('password')} hint="At least 10 characters.">
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
      <button type="submit" className="button button--primary button--block" disabled={form.fetching}>
        {form.fetching ? 'Joining…' : 'Join and log in'}
      </button>
    </form>
  );
}

/** `/invite/:token`: the emailed link; the invitee sets a name and password and is logged in. */
export function InvitePage() {
  const { token = '' } = useParams();
  const [query, refetch] = useQuery({ query: TeamInvitationDocument, variables: { token } });
  return (
    <main className="auth">
      <div className="auth__panel">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </div>
        <QueryView query={query} refetch={refetch}>
          {(data) => {
            const invitation = data.teamInvitation;
            if (!invitation || invitation.status !== 'PENDING') {
              const why =
                invitation?.status === 'ACCEPTED'
                  ? 'This invitation was already used.'
                  : invitation?.status === 'EXPIRED'
                    ? 'This invitation has expired. Ask the owner to send it again.'
                    : invitation?.status === 'REVOKED'
                      ? 'This invitation was revoked.'
                      : 'This invitation link is not valid.';
              return (
                <>
                  <h1>Invitation</h1>
                  <p className="notice notice--warn">{why}</p>
                  <Link to="/login" className="button">
                    Go to the login page
                  </Link>
                </>
              );
            }
            return (
              <>
                <h1>Join {invitation.merchantName}</h1>
                <p className="muted">
                  You are invited as {ROLE_WORDS[invitation.role] ?? invitation.role}. Choose your name and password.
                </p>
                <AcceptForm token={token} email={invitation.email} />
              </>
            );
          }}
        </QueryView>
      </div>
    </main>
  );
}
