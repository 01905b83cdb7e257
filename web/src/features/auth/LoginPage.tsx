import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { useResetClient } from '../../app/client';
import { homeFor } from '../../app/viewer';
import { Field, FormErrors } from '../../app/components/Field';
import { CodeInput } from './TwoFactor';

const LoginDocument = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      user {
        id
        role
      }
      secondFactorRequired
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const LoginSecondFactorDocument = graphql(`
  mutation LoginSecondFactor($input: SecondFactorInput!) {
    loginSecondFactor(input: $input) {
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

/** The login's second step, for users with two-factor login: a code from the app or a recovery code. */
function SecondFactorForm({ onDone }: { onDone: (user: { role: string }) => void }) {
  const [code, setCode] = useState('');
  const { attach, ...form } = useFormMutation(LoginSecondFactorDocument, (data) => data.loginSecondFactor, ['code']);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const user = (await form.submit({ input: { code: code.trim() } }))?.user;
    if (user) onDone(user);
  };
  return (
    <main className="auth">
      <div className="auth__panel">
        <h1>Two-factor login</h1>
        <p className="muted">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
        <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Enter code">
          <FormErrors messages={form.errors.form} />
          <CodeInput value={code} onChange={setCode} label="Code" error={form.fieldError('code')} />
          <button type="submit" className="button button--primary button--block" disabled={form.fetching}>
            {form.fetching ? 'Checking…' : 'Continue'}
          </button>
        </form>
      </div>
    </main>
  );
}

export function LoginPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const resetClient = useResetClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [askCode, setAskCode] = useState(false);
  const { attach, ...form } = useFormMutation(LoginDocument, (data) => data.login, ['email', 'password']);

  const enter = (user: { role: string }) => {
    // A fresh client: nothing cached while logged out (such as `me: null`) may outlive the login.
    resetClient();
    void navigate(safeNext(params.get('next'), homeFor(user.role)), { replace: true });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await form.submit({ input: { email: email.trim(), password } });
    if (response?.secondFactorRequired) setAskCode(true);
    else if (response?.user) enter(response.user);
  };

  if (askCode) return <SecondFactorForm onDone={enter} />;

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
