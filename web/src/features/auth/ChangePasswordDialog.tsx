import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { Field, FormErrors } from '../../app/components/Field';

const ChangePasswordDocument = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      changed
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** A modal form; the server ends the user's other sessions when the password changes. */
export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [changed, setChanged] = useState(false);
  const { attach, ...form } = useFormMutation(ChangePasswordDocument, (data) => data.changePassword, [
    'currentPassword',
    'newPassword',
    'confirm',
  ]);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (newPassword !== confirm) {
      form.setErrors({ byField: { confirm: 'the two new passwords differ' }, form: [] });
      return;
    }
    const response = await form.submit({ input: { currentPassword, newPassword } });
    if (response?.changed) {
      setChanged(true);
      setCurrentPassword('');
      setNewPassword('');
      setConfirm('');
    }
  };

  return (
    <dialog ref={dialog} className="dialog" onClose={onClose} aria-labelledby="change-password-title">
      <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate>
        <h2 id="change-password-title">Change password</h2>
        {changed ? (
          <p className="notice notice--good" role="status">
            Your password was changed. Your other sessions have been logged out.
          </p>
        ) : (
          <>
            <FormErrors messages={form.errors.form} />
            <Field label="Current password" error={form.fieldError('currentPassword')}>
              {(props) => (
                <input
                  {...props}
                  type="password"
                  autoComplete="current-password"
                  value={currentPassword}
                  onChange={(event) => setCurrentPassword(event.target.value)}
                />
              )}
            </Field>
            <Field label="New password" error={form.fieldError('newPassword')} hint="At least 10 characters.">
              {(props) => (
                <input
                  {...props}
                  type="password"
                  autoComplete="new-password"
                  value={newPassword}
                  onChange={(event) => setNewPassword(event.target.value)}
                />
              )}
            </Field>
            <Field label="Repeat new password" error={form.fieldError('confirm')}>
              {(props) => (
                <input
                  {...props}
                  type="password"
                  autoComplete="new-password"
                  value={confirm}
                  onChange={(event) => setConfirm(event.target.value)}
                />
              )}
            </Field>
          </>
        )}
        <div className="form__actions">
          <button type="button" className="button" onClick={onClose}>
            {changed ? 'Close' : 'Cancel'}
          </button>
          {!changed && (
            <button type="submit" className="button button--primary" disabled={form.fetching}>
              {form.fetching ? 'Saving…' : 'Change password'}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
