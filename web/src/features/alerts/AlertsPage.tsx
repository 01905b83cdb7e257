import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import type { AlertKind, AlertSettingsQuery } from '../../gql/graphql';

const AlertSettingsDocument = graphql(`
  query AlertSettings {
    alertSettings {
      kind
      enabled
      threshold
      recipient
    }
  }
`);

const UpdateAlertSettingDocument = graphql(`
  mutation UpdateAlertSetting($input: UpdateAlertSettingInput!) {
    updateAlertSetting(input: $input) {
      alertSetting {
        kind
        enabled
        threshold
        recipient
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`);

type Setting = AlertSettingsQuery['alertSettings'][number];

/** What each alert is about, in the merchant's words. */
const ABOUT: Record<AlertKind, { title: string; when: string }> = {
  VOUCHER_STOCK_LOW: {
    title: 'Voucher stock low',
    when: 'Email when a voucher project has this many vouchers or fewer left to sell.',
  },
  WEBHOOK_ENDPOINT_FAILING: {
    title: 'Webhook endpoint failing',
    when: 'Email when Tollgate gives up delivering an event to one of your webhook endpoints after every retry.',
  },
  CODES_GUESSED: {
    title: 'Codes being guessed',
    when: 'Email when many invalid codes are checked against one of your access-code services within a minute.',
  },
  WITHDRAWAL_PAID: {
    title: 'Withdrawal paid',
    when: 'Email when the bank has paid one of your withdrawals.',
  },
};

const FIELDS = ['threshold', 'recipient'] as const;

function AlertForm({ setting }: { setting: Setting }) {
  const about = ABOUT[setting.kind];
  const [enabled, setEnabled] = useState(setting.enabled);
  const [threshold, setThreshold] = useState(String(setting.threshold ?? 10));
  const [recipient, setRecipient] = useState(setting.recipient ?? '');
  const [saved, setSaved] = useState(false);
  const { attach, ...form } = useFormMutation(UpdateAlertSettingDocument, (data) => data.updateAlertSetting, FIELDS);
  const stock = setting.kind === 'VOUCHER_STOCK_LOW';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const wholeNumber = /^\s*\d+\s*$/.test(threshold);
    if (stock && !wholeNumber) {
      form.setErrors({ byField: { threshold: 'Enter a whole number of vouchers, like 10.' }, form: [] });
      return;
    }
    const done = await form.submit({
      input: {
        kind: setting.kind,
        enabled,
        threshold: stock ? Number(threshold) : null,
        recipient: recipient.trim() || null,
      },
    });
    if (done) setSaved(true);
  };

  return (
    <Card title={about.title}>
      <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label={about.title}>
        <FormErrors messages={form.errors.form} />
        <label className="checkbox-line">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(event) => {
              setEnabled(event.target.checked);
              setSaved(false);
            }}
          />
          {about.when}
        </label>
        <div className="form__row">
          {stock && (
            <Field label="Vouchers left" error={form.fieldError('threshold')} hint="Alert at this number or fewer.">
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  value={threshold}
                  onChange={(event) => setThreshold(event.target.value)}
                />
              )}
            </Field>
          )}
          <Field
            label="Send to"
            error={form.fieldError('recipient')}
            hint="One email address; empty sends it to every owner."
          >
            {(props) => (
              <input
                {...props}
                type="email"
                autoComplete="email"
                placeholder="Every owner"
                value={recipient}
                onChange={(event) => setRecipient(event.target.value)}
              />
            )}
          </Field>
        </div>
        <div className="form__actions">
          {saved && (
            <span className="notice notice--good" role="status">
              Saved: {enabled ? 'on' : 'off'}
            </span>
          )}
          <button type="submit" className="button button--primary" disabled={form.fetching}>
            {form.fetching ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Card>
  );
}

/** The merchant's email alerts: each switched on or off, with its threshold and recipient. */
export function AlertsPage() {
  const [query, refetch] = useQuery({ query: AlertSettingsDocument });
  return (
    <Page
      title="Alerts"
      description="Emails about things that need you. The same alert about the same thing comes at most once an hour."
    >
      <QueryView query={query} refetch={refetch} loading="Loading alerts…">
        {(data) => (
          <>
            {data.alertSettings.map((setting) => (
              <AlertForm key={setting.kind} setting={setting} />
            ))}
          </>
        )}
      </QueryView>
    </Page>
  );
}
