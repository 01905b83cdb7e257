import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useResetClient } from '../../app/client';
import { Field, FormErrors } from '../../app/components/Field';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import type { StartTotpEnrolmentMutation } from '../../gql/graphql';
import { useLogout } from './logout';

const StartTotpEnrolmentDocument = graphql(`
  mutation StartTotpEnrolment {
    startTotpEnrolment {
      enrolment {
        secret
        otpauthUri
        qrCodeDataUrl
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ConfirmTotpEnrolmentDocument = graphql(`
  mutation ConfirmTotpEnrolment($input: SecondFactorInput!) {
    confirmTotpEnrolment(input: $input) {
      enabled
      recoveryCodes
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const DisableTotpDocument = graphql(`
  mutation DisableTotp($input: SecondFactorInput!) {
    disableTotp(input: $input) {
      disabled
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Enrolment = NonNullable<StartTotpEnrolmentMutation['startTotpEnrolment']['enrolment']>;

/** A one-time code input: digits from an authenticator app, or a recovery code. */
export function CodeInput({
  value,
  onChange,
  label = 'Code from your authenticator app',
  error,
  hint,
}: {
  value: string;
  onChange: (value: string) => void;
  label?: string;
  error?: string;
  hint?: string;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <input
          {...props}
          name="code"
          autoComplete="one-time-code"
          inputMode="text"
          maxLength={20}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/** Enrolment: a QR code (and the secret to type), confirmed with a code; then the recovery codes, shown once. */
export function TotpEnrolment({ onDone }: { onDone: () => void }) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [starting, start] = useMutation(StartTotpEnrolmentDocument);
  const { attach, ...form } = useFormMutation(ConfirmTotpEnrolmentDocument, (data) => data.confirmTotpEnrolment, [
    'code',
  ]);

  const begin = async () => {
    setStartError(null);
    const response = await start({});
    const payload = response.data?.startTotpEnrolment;
    if (payload?.enrolment) setEnrolment(payload.enrolment);
    else setStartError(response.error?.message ?? payload?.userErrors[0]?.message ?? 'Could not start.');
  };

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { code: code.trim() } });
    if (payload?.enabled) setRecoveryCodes(payload.recoveryCodes ?? []);
  };

  if (recoveryCodes) {
    return (
      <div className="secret" role="status" aria-label="Recovery codes">
        <h3>Two-factor login is on</h3>
        <p className="notice notice--warn">
          Keep these recovery codes somewhere safe. Each one logs you in once if you lose your phone. They are shown
          only now.
        </p>
        <ul className="recovery-codes" data-testid="recovery-codes">
          {recoveryCodes.map((recovery) => (
            <li key={recovery}>
              <code>{recovery}</code>
            </li>
          ))}
        </ul>
        <button type="button" className="button button--primary" onClick={onDone}>
          I saved them
        </button>
      </div>
    );
  }

  if (!enrolment) {
    return (
      <div className="form">
        {startError && <FormErrors messages={[startError]} />}
        <button
          type="button"
          className="button button--primary"
          onClick={() => void begin()}
          disabled={starting.fetching}
        >
          {starting.fetching ? 'Starting…' : 'Set up two-factor login'}
        </button>
      </div>
    );
  }

  return (
    <form ref={attach} className="form" onSubmit={(event) => void confirm(event)} noValidate aria-label="Confirm code">
      <p>Scan this QR code with an authenticator app (Google Authenticator, 1Password, Aegis…):</p>
      <img src={enrolment.qrCodeDataUrl} alt="QR code for your authenticator app" width={200} height={200} />
      <p className="muted">
        Or type this key: <code data-testid="totp-secret">{enrolment.secret}</code>
      </p>
      <FormErrors messages={form.errors.form} />
      <CodeInput value={code} onChange={setCode} error={form.fieldError('code')} hint="The 6 digits it shows now." />
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Checking…' : 'Turn on'}
        </button>
      </div>
    </form>
  );
}

/** Turning two-factor login off, proven by a code. */
export function TotpDisable({ onDone }: { onDone: () => void }) {
  const [code, setCode] = useState('');
  const { attach, ...form } = useFormMutation(DisableTotpDocument, (data) => data.disableTotp, ['code']);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await form.submit({ input: { code: code.trim() } }))?.disabled) onDone();
  };
  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Turn off two-factor login"
    >
      <FormErrors messages={form.errors.form} />
      <CodeInput
        value={code}
        onChange={setCode}
        error={form.fieldError('code')}
        hint="Or one of your recovery codes."
      />
      <div className="form__actions">
        <button type="submit" className="button button--danger-quiet" disabled={form.fetching}>
          Turn off two-factor login
        </button>
      </div>
    </form>
  );
}

/** The logged-in user's own second factor: on (with a way to turn it off) or a way to set it up. */
export function TwoFactorSettings({ enabled }: { enabled: boolean }) {
  const resetClient = useResetClient();
  return enabled ? (
    <>
      <p>
        Two-factor login is <strong>on</strong>: every login asks for a code from your app.
      </p>
      <TotpDisable onDone={resetClient} />
    </>
  ) : (
    <>
      <p className="muted">Protect your login with a code from an authenticator app after your password.</p>
      <TotpEnrolment onDone={resetClient} />
    </>
  );
}

/** What an admin without two-factor login sees instead of the console. */
export function TotpRequiredPage() {
  const resetClient = useResetClient();
  const [leaving, logout] = useLogout();
  return (
    <main className="auth">
      <div className="auth__panel">
        <h1>Set up two-factor login</h1>
        <p className="muted">
          Platform admins log in with a code from an authenticator app after the password. Set it up to open the admin
          console.
        </p>
        <TotpEnrolment onDone={resetClient} />
        <p>
          <button
            type="button"
            className="button button--quiet"
            onClick={() => void logout()}
            disabled={leaving.fetching}
          >
            Log out
          </button>
        </p>
      </div>
    </main>
  );
}
