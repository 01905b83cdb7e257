import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { useResetClient } from '../../app/client';
import { homeFor } from '../../app/viewer';
import { Field, FormErrors } from '../../app/components/Field';

const LoginDocument = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
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

/** Only paths inside the SPA of the user's own area: never another origin. */
function safeNext(next: string | null, home: string): string {
  if (next && next.startsWith(home) && !next.startsWith('//')) return next;
  return home;
}

export function LoginPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const resetClient = useResetClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { attach, ...form } = useFormMutation(LoginDocument, (data) => data.login, ['email', 'password']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await form.submit({ input: { email: email.trim(), password } });
    const user = response?.user;
    if (user) {
      // A fresh client: nothing cached while logged out (such as `me: null`) may outlive the login.
      resetClient();
      void navigate(safeNext(params.get('next'), homeFor(user.role)), { replace: true });
    }
  };

  return (
    <main className="auth">
      <div className="auth__panel">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </div>
        <h1>Log in</h1>
        <p className="muted">To your merchant dashboard or the admin console.</p>
        <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Log in">
          <FormErrors messages={form.errors.form} />
          <Field label="Email" error={form.fieldError('email')}>
            {(props) => (
              <input
                {...props}
                name="email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
            )}
          </Field>
          <Field label="Password" error={form.fieldError('password')}>
            {(props) => (
              <input
                {...props}
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button button--primary button--block" disabled={form.fetching}>
            {form.fetching ? 'Logging in…' : 'Log in'}
          </button>
        </form>
      </div>
    </main>
  );
}
