import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import type { PayoutsQuery } from '../../gql/graphql';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Time } from '../../app/components/Time';
import { newIdempotencyKey } from '../../app/idempotency';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { CurrencySelect } from '../../app/components/CurrencySelect';
import { CodeForm } from './CodeForm';
import type { Destination } from './Destinations';
import { describeDestination, WithdrawalStatusBadge } from './status';

const RequestWithdrawalDocument = graphql(`
  mutation RequestWithdrawal($input: RequestWithdrawalInput!) {
    requestWithdrawal(input: $input) {
      withdrawal {
        id
        status
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

const ConfirmWithdrawalDocument = graphql(`
  mutation ConfirmWithdrawal($input: ConfirmCodeInput!) {
    confirmWithdrawal(input: $input) {
      withdrawal {
        id
        status
        confirmedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const CancelWithdrawalDocument = graphql(`
  mutation CancelWithdrawal($input: IdInput!) {
    cancelWithdrawal(input: $input) {
      withdrawal {
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

export type WithdrawalRow = PayoutsQuery['withdrawals']['edges'][number]['node'];

/** Asks for a withdrawal; nothing is held until the emailed code confirms it. One idempotency key per intent. */
export function WithdrawalForm({
  destinations,
  currencies,
  onRequested,
}: {
  destinations: readonly Destination[];
  currencies: readonly string[];
  onRequested: () => void;
}) {
  const usable = destinations.filter((destination) => destination.status === 'ACTIVE');
  const [amount, setAmount] = useState('');
  // Empty until the account's currency is known: CurrencySelect fills it in (one of `currencies` when it has some).
  const [currency, setCurrency] = useState('');
  const [destinationId, setDestinationId] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const { attach, ...form } = useFormMutation(RequestWithdrawalDocument, (data) => data.requestWithdrawal, [
    'amount',
    'currency',
    'destinationId',
  ]);
  const chosen = destinationId || usable[0]?.id || '';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const canonicalAmount = parseAmountInput(amount);
    if (canonicalAmount === null) return form.setErrors({ byField: { amount: AMOUNT_HINT }, form: [] });
    const payload = await form.submit({
      input: { amount: canonicalAmount, currency, destinationId: chosen, idempotencyKey },
    });
    if (payload?.withdrawal) {
      setAmount('');
      setIdempotencyKey(newIdempotencyKey());
      onRequested();
    }
  };
  if (usable.length === 0)
    return <p className="muted">Add payout details and confirm them with the emailed code to withdraw.</p>;
  return (
    <form
      ref={attach}
      className="form"
      aria-label="Request a withdrawal"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row form__row--three">
        <Field label="Amount" error={form.fieldError('amount')} hint="At most what is available.">
          {(props) => (
            <AmountInput
              {...props}
              placeholder="100.00"
              value={amount}
              onChange={(value) => {
                // Only a different amount is a new request: the field's own rewrite ("12,50" → "12.50") is not.
                if (parseAmountInput(value) !== parseAmountInput(amount)) setIdempotencyKey(newIdempotencyKey());
                setAmount(value);
              }}
            />
          )}
        </Field>
        <Field label="Currency" error={form.fieldError('currency')}>
          {(props) => <CurrencySelect {...props} currencies={currencies} value={currency} onChange={setCurrency} />}
        </Field>
        <Field label="To" error={form.fieldError('destinationId')}>
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
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching || !amount.trim()}>
          Request withdrawal
        </button>
      </div>
    </form>
  );
}

function Cancel({ withdrawal, onDone }: { withdrawal: WithdrawalRow; onDone: () => void }) {
  const [, cancel] = useMutation(CancelWithdrawalDocument);
  return (
    <ConfirmBox
      trigger="Cancel"
      triggerClassName="button button--small button--danger-quiet"
      label={`Cancel the withdrawal of ${withdrawal.amount.amount} ${withdrawal.amount.currency}`}
      confirmLabel="Cancel withdrawal"
      cancelLabel="Keep"
      inline
      onConfirm={async () => {
        const response = await cancel({ input: { id: withdrawal.id } });
        const message = response.error?.message ?? response.data?.cancelWithdrawal.userErrors[0]?.message ?? null;
        if (!message) onDone();
        return message;
      }}
    />
  );
}

/** The merchant's withdrawals, newest first: the code to confirm a requested one, cancel before approval. */
export function WithdrawalsTable({
  withdrawals,
  owner,
  onChange,
}: {
  withdrawals: readonly WithdrawalRow[];
  owner: boolean;
  onChange: () => void;
}) {
  return (
    <DataTable<WithdrawalRow>
      caption="Withdrawals"
      rows={withdrawals}
      rowKey={(withdrawal) => withdrawal.id}
      empty="No withdrawals yet."
      columns={[
        { header: 'Requested', className: 'nowrap', render: (withdrawal) => <Time value={withdrawal.createdAt} /> },
        { header: 'Amount', className: 'num', render: (withdrawal) => <Money money={withdrawal.amount} /> },
        { header: 'Fee', className: 'num', render: (withdrawal) => <Money money={withdrawal.fee} /> },
        { header: 'You receive', className: 'num', render: (withdrawal) => <Money money={withdrawal.net} /> },
        { header: 'To', render: (withdrawal) => describeDestination(withdrawal.destination) },
        {
          header: 'Status',
          render: (withdrawal) => (
            <div className="stack">
              <WithdrawalStatusBadge status={withdrawal.status} />
              {withdrawal.reason && <span className="muted">{withdrawal.reason}</span>}
              {withdrawal.paidAt && (
                <span className="muted">
                  paid <Time value={withdrawal.paidAt} />
                </span>
              )}
            </div>
          ),
        },
        {
          header: 'Actions',
          render: (withdrawal) =>
            !owner ? null : (
              <div className="stack">
                {withdrawal.status === 'REQUESTED' && (
                  <CodeForm
                    id={withdrawal.id}
                    label={`Confirm the withdrawal of ${withdrawal.amount.amount} ${withdrawal.amount.currency}`}
                    sent={withdrawal.confirmation}
                    document={ConfirmWithdrawalDocument}
                    payloadOf={(data) => data.confirmWithdrawal}
                    submitLabel="Confirm withdrawal"
                    onDone={onChange}
                  />
                )}
                {(withdrawal.status === 'REQUESTED' || withdrawal.status === 'CONFIRMED') && (
                  <Cancel withdrawal={withdrawal} onDone={onChange} />
                )}
              </div>
            ),
        },
      ]}
    />
  );
}
