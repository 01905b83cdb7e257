import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import type { AutoPayoutSchedule, PayoutsQuery } from '../../gql/graphql';
import { Badge, type Tone } from '../../app/components/Badge';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { CurrencySelect } from '../../app/components/CurrencySelect';
import { CodeForm, type SentCode } from './CodeForm';
import type { Destination } from './Destinations';
import { describeDestination } from './status';

const RequestAutoPayoutDocument = graphql(`
  mutation RequestAutoPayout($input: RequestAutoPayoutInput!) {
    requestAutoPayout(input: $input) {
      autoPayout {
        id
        status
        requestedSchedule
        requestedDestinationId
        requestedReserve {
          amount
          currency
        }
      }
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

const ConfirmAutoPayoutDocument = graphql(`
  mutation ConfirmAutoPayout($input: ConfirmCodeInput!) {
    confirmAutoPayout(input: $input) {
      autoPayout {
        id
        status
        schedule
        destinationId
        confirmedAt
        requestedSchedule
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const DisableAutoPayoutDocument = graphql(`
  mutation DisableAutoPayout($input: IdInput!) {
    disableAutoPayout(input: $input) {
      autoPayout {
        id
        status
        requestedSchedule
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export type AutoPayoutRow = PayoutsQuery['autoPayouts'][number];

const SCHEDULE_LABELS: Record<AutoPayoutSchedule, string> = {
  DAILY: 'Daily (UTC day)',
  WEEKLY: 'Weekly (Monday to Sunday, UTC)',
};

const STATUS: Record<string, { label: string; tone: Tone }> = {
  ACTIVE: { label: 'On', tone: 'good' },
  PENDING: { label: 'Waiting for the code', tone: 'warn' },
  OFF: { label: 'Off', tone: 'neutral' },
};

function destinationName(destinations: readonly Destination[], id: string | null | undefined): string {
  if (!id) return '—';
  const found = destinations.find((destination) => destination.id === id);
  return found ? describeDestination(found) : id;
}

function Settings({
  schedule,
  reserve,
  destination,
}: {
  schedule: AutoPayoutSchedule | null | undefined;
  reserve: { amount: string; currency: string } | null | undefined;
  destination: string;
}) {
  if (!schedule || !reserve) return <span className="muted">—</span>;
  return (
    <span>
      {SCHEDULE_LABELS[schedule]}, keeping <Money money={reserve} />, to {destination}
    </span>
  );
}

/** Switches automatic payouts of a currency on, or changes them; nothing changes until the emailed code. */
function AutoPayoutForm({
  destinations,
  currencies,
  onRequested,
}: {
  destinations: readonly Destination[];
  currencies: readonly string[];
  onRequested: (id: string, sent: SentCode | null) => void;
}) {
  const usable = destinations.filter((destination) => destination.status === 'ACTIVE');
  // Empty until the account's currency is known: CurrencySelect fills it in (one of `currencies` when it has some).
  const [currency, setCurrency] = useState('');
  const [schedule, setSchedule] = useState<AutoPayoutSchedule>('WEEKLY');
  const [reserve, setReserve] = useState('0');
  const [destinationId, setDestinationId] = useState('');
  const { attach, ...form } = useFormMutation(RequestAutoPayoutDocument, (data) => data.requestAutoPayout, [
    'currency',
    'schedule',
    'reserve',
    'destinationId',
  ]);
  const chosen = destinationId || usable[0]?.id || '';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const canonicalReserve = parseAmountInput(reserve);
    if (canonicalReserve === null) return form.setErrors({ byField: { reserve: AMOUNT_HINT }, form: [] });
    const payload = await form.submit({
      input: { currency, schedule, reserve: canonicalReserve, destinationId: chosen },
    });
    if (payload?.autoPayout) onRequested(payload.autoPayout.id, payload.confirmation ?? null);
  };
  if (usable.length === 0)
    return <p className="muted">Add payout details and confirm them with the emailed code to pay out automatically.</p>;
  return (
    <form
      ref={attach}
      className="form"
      aria-label="Set up automatic payouts"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row form__row--three">
        <Field label="Currency" error={form.fieldError('currency')}>
          {(props) => <CurrencySelect {...props} currencies={currencies} value={currency} onChange={setCurrency} />}
        </Field>
        <Field label="Schedule" error={form.fieldError('schedule')}>
          {(props) => (
            <select
              {...props}
              value={schedule}
              onChange={(event) => setSchedule(event.target.value as AutoPayoutSchedule)}
            >
              {(Object.keys(SCHEDULE_LABELS) as AutoPayoutSchedule[]).map((option) => (
                <option key={option} value={option}>
                  {SCHEDULE_LABELS[option]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Reserve"
          error={form.fieldError('reserve')}
          hint="What stays in the available balance; 0 pays out everything."
        >
          {(props) => <AmountInput {...props} placeholder="0" value={reserve} onChange={setReserve} />}
        </Field>
      </div>
      <Field label="Pay out to" error={form.fieldError('destinationId')}>
        {(props) => (
          <select {...props} value={chosen} onChange={(event) => setDestinationId(event.target.value)}>
            {usable.map((destination) => (
              <option key={destination.id} value={destination.id}>
                {describeDestination(destination)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching || !reserve.trim()}>
          Request and send code
        </button>
      </div>
    </form>
  );
}

function Disable({ autoPayout, onDone }: { autoPayout: AutoPayoutRow; onDone: () => void }) {
  const [, disable] = useMutation(DisableAutoPayoutDocument);
  return (
    <ConfirmBox
      trigger="Switch off"
      triggerClassName="button button--small button--danger-quiet"
      label={`Switch off automatic ${autoPayout.currency} payouts`}
      confirmLabel="Switch off"
      inline
      onConfirm={async () => {
        const response = await disable({ input: { id: autoPayout.id } });
        const message = response.error?.message ?? response.data?.disableAutoPayout.userErrors[0]?.message ?? null;
        if (!message) onDone();
        return message;
      }}
    />
  );
}

/**
 * Automatic payouts, one schedule per currency: the available balance above a reserve goes to a destination daily
 * or weekly. A change waits for the code emailed to the owner; switching off takes effect at once.
 */
export function AutoPayouts({
  autoPayouts,
  destinations,
  currencies,
  owner,
  onChange,
}: {
  autoPayouts: readonly AutoPayoutRow[];
  destinations: readonly Destination[];
  currencies: readonly string[];
  owner: boolean;
  onChange: () => void;
}) {
  const [sent, setSent] = useState<Record<string, SentCode>>({});
  return (
    <div className="stack">
      <DataTable<AutoPayoutRow>
        caption="Automatic payouts"
        rows={autoPayouts}
        rowKey={(row) => row.id}
        empty="No automatic payouts: withdrawals happen only when you ask for them."
        columns={[
          { header: 'Currency', render: (row) => row.currency },
          {
            header: 'Status',
            render: (row) => {
              const shown = STATUS[row.status] ?? { label: row.status, tone: 'neutral' as const };
              return <Badge tone={shown.tone}>{shown.label}</Badge>;
            },
          },
          {
            header: 'Runs',
            render: (row) => (
              <div className="stack">
                <Settings
                  schedule={row.schedule}
                  reserve={row.reserve}
                  destination={destinationName(destinations, row.destinationId)}
                />
                {row.confirmedAt && (
                  <span className="muted">
                    confirmed <Time value={row.confirmedAt} />
                  </span>
                )}
                {row.lastPeriod && <span className="muted">last period handled: {row.lastPeriod}</span>}
              </div>
            ),
          },
          {
            header: 'Waiting for the code',
            render: (row) =>
              row.requestedSchedule ? (
                <Settings
                  schedule={row.requestedSchedule}
                  reserve={row.requestedReserve}
                  destination={destinationName(destinations, row.requestedDestinationId)}
                />
              ) : (
                <span className="muted">nothing</span>
              ),
          },
          {
            header: 'Actions',
            render: (row) =>
              !owner ? null : (
                <div className="stack">
                  {row.requestedSchedule && (
                    <CodeForm
                      id={row.id}
                      label={`Confirm automatic ${row.currency} payouts`}
                      sent={sent[row.id]}
                      document={ConfirmAutoPayoutDocument}
                      payloadOf={(data) => data.confirmAutoPayout}
                      submitLabel="Confirm"
                      resendable={false}
                      onDone={onChange}
                    />
                  )}
                  {(row.status !== 'OFF' || row.requestedSchedule) && <Disable autoPayout={row} onDone={onChange} />}
                </div>
              ),
          },
        ]}
      />
      {owner ? (
        <AutoPayoutForm
          destinations={destinations}
          currencies={currencies}
          onRequested={(id, confirmation) => {
            if (confirmation) setSent((current) => ({ ...current, [id]: confirmation }));
            onChange();
          }}
        />
      ) : (
        <p className="muted">Only the merchant’s owners may set up automatic payouts.</p>
      )}
    </div>
  );
}
