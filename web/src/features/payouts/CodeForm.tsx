import { useState, type FormEvent } from 'react';
import { useMutation, type TypedDocumentNode } from 'urql';
import { graphql } from '../../gql';
import { Field, FormErrors } from '../../app/components/Field';
import { Time } from '../../app/components/Time';
import { useFormMutation, type UserErrorLike } from '../../app/useFormMutation';

const ResendConfirmationCodeDocument = graphql(`
  mutation ResendConfirmationCode($input: IdInput!) {
    resendConfirmationCode(input: $input) {
      confirmation {
        id
        sentTo
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

export interface SentCode {
  sentTo: string;
  expiresAt: string;
}

interface ConfirmVariables {
  input: { id: string; code: string };
}

/**
 * The emailed code for a pending destination, a requested withdrawal or requested automatic payouts: typed in, sent
 * with its id; a new code on request where the API resends one (the old one stops working).
 */
export function CodeForm<Data>({
  id,
  label,
  sent,
  document,
  payloadOf,
  submitLabel,
  resendable = true,
  onDone,
}: {
  id: string;
  /** The form's accessible name. */
  label: string;
  sent: SentCode | null | undefined;
  document: TypedDocumentNode<Data, ConfirmVariables>;
  payloadOf: (data: Data) => { userErrors: readonly UserErrorLike[] } | null | undefined;
  submitLabel: string;
  /** Whether "Send a new code" is offered (resendConfirmationCode takes destinations and withdrawals only). */
  resendable?: boolean;
  onDone: () => void;
}) {
  const [code, setCode] = useState('');
  const [resent, setResent] = useState<SentCode | null>(null);
  const { attach, ...form } = useFormMutation(document, payloadOf, ['code']);
  const [resendResult, resend] = useMutation(ResendConfirmationCodeDocument);
  const resendError =
    resendResult.error?.message ?? resendResult.data?.resendConfirmationCode.userErrors[0]?.message ?? null;
  const shown = resent ?? sent;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { id, code: code.replace(/\s+/g, '') } });
    if (payload) {
      setCode('');
      onDone();
    }
  };
  return (
    <form
      ref={attach}
      className="form form--inline"
      aria-label={label}
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <FormErrors messages={[...form.errors.form, ...(resendError ? [resendError] : [])]} />
      <Field
        label="Code from the email"
        error={form.fieldError('code')}
        hint={
          shown ? `Sent to ${shown.sentTo}; valid until ${new Date(shown.expiresAt).toLocaleTimeString()}.` : undefined
        }
      >
        {(props) => (
          <input
            {...props}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={12}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        )}
      </Field>
      <div className="button-row">
        <button type="submit" className="button button--primary button--small" disabled={form.fetching || !code.trim()}>
          {submitLabel}
        </button>
        {resendable && (
          <button
            type="button"
            className="button button--small"
            disabled={resendResult.fetching}
            onClick={() =>
              void resend({ input: { id } }).then((response) => {
                const confirmation = response.data?.resendConfirmationCode.confirmation;
                if (confirmation) setResent(confirmation);
              })
            }
          >
            Send a new code
          </button>
        )}
      </div>
      {resent && (
        <p className="muted" role="status">
          A new code was sent at <Time value={new Date().toISOString()} />.
        </p>
      )}
    </form>
  );
}
