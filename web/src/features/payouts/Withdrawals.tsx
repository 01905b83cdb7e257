import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { WithdrawalsQuery, WithdrawalStatus } from '../../gql/graphql';
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
import { DateRangeFilter, rangeProblem, rangeVariables, type DayRange } from '../../app/components/DateRangeFilter';
import { Pager, usePaging } from '../../app/components/Pager';
import { QueryView } from '../../app/components/QueryView';
import { SelectFilter } from '../../app/components/SelectFilter';
import { csvMoney, csvTime, useCsvDownload, type CsvColumn } from '../../app/csv';
import { oneOf, useUrlFilters } from '../../app/useUrlFilters';
import { describeDestination, WITHDRAWAL_STATUSES, WithdrawalStatusBadge, withdrawalStatusLabel } from './status';

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

const WithdrawalsDocument = graphql(`
  query Withdrawals($first: Int, $after: String, $status: WithdrawalStatus, $from: DateTimeISO, $to: DateTimeISO) {
    withdrawals(first: $first, after: $after, status: $status, from: $from, to: $to) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          status
          createdAt
          paidAt
          reason
          amount {
            amount
            currency
          }
          fee {
            amount
            currency
          }
          net {
            amount
            currency
          }
          destination {
            id
            kind
            label
            holderName
            iban
            bic
            cardBrand
            cardLast4
            walletProvider
            walletId
          }
          confirmation {
            id
            sentTo
            expiresAt
          }
        }
      }
    }
  }
`);

export type WithdrawalRow = WithdrawalsQuery['withdrawals']['edges'][number]['node'];

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
function WithdrawalsTable({
  withdrawals,
  owner,
  onChange,
  empty = 'No withdrawals yet.',
}: {
  withdrawals: readonly WithdrawalRow[];
  owner: boolean;
  onChange: () => void;
  empty?: string;
}) {
  return (
    <DataTable<WithdrawalRow>
      caption="Withdrawals"
      rows={withdrawals}
      rowKey={(withdrawal) => withdrawal.id}
      empty={empty}
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

/** The table's columns as text, cell for cell as shown (the actions hold forms and buttons, not data). */
const WITHDRAWAL_CSV_COLUMNS: CsvColumn<WithdrawalRow>[] = [
  { header: 'Requested', value: (withdrawal) => csvTime(withdrawal.createdAt) },
  { header: 'Amount', value: (withdrawal) => csvMoney(withdrawal.amount) },
  { header: 'Fee', value: (withdrawal) => csvMoney(withdrawal.fee) },
  { header: 'You receive', value: (withdrawal) => csvMoney(withdrawal.net) },
  { header: 'To', value: (withdrawal) => describeDestination(withdrawal.destination) },
  {
    header: 'Status',
    value: (withdrawal) =>
      [
        withdrawalStatusLabel(withdrawal.status),
        withdrawal.reason,
        withdrawal.paidAt ? `paid ${csvTime(withdrawal.paidAt)}` : null,
      ]
        .filter(Boolean)
        .join('\n'),
  },
];

const FILTERS = ['status', 'from', 'to'] as const;

/**
 * The merchant's withdrawals filtered by status and request dates (kept in the URL), paged, with a CSV of exactly
 * what the list shows. `reloadKey` changes when the page knows the list changed (a withdrawal was requested).
 */
export function WithdrawalsList({
  owner,
  onChange,
  reloadKey,
}: {
  owner: boolean;
  onChange: () => void;
  reloadKey: number;
}) {
  const paging = usePaging();
  const filters = useUrlFilters(FILTERS);
  const status = oneOf(
    filters.values.status,
    WITHDRAWAL_STATUSES.map((option) => option.value),
  ) as WithdrawalStatus | '';
  const range: DayRange = { from: filters.values.from, to: filters.values.to };
  const variables = useMemo(
    () => ({ first: paging.first, after: paging.after, status: status || null, ...rangeVariables(range) }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the range's two strings stand for it
    [paging.first, paging.after, status, range.from, range.to],
  );
  const [query, refetch] = useQuery({ query: WithdrawalsDocument, variables, pause: Boolean(rangeProblem(range)) });
  useEffect(() => {
    if (reloadKey > 0) refetch({ requestPolicy: 'network-only' });
  }, [reloadKey, refetch]);
  const changed = () => {
    refetch({ requestPolicy: 'network-only' });
    onChange();
  };
  const csv = useCsvDownload({
    query: WithdrawalsDocument,
    variables,
    page: (data) => ({
      nodes: data.withdrawals.edges.map((edge) => edge.node),
      endCursor: data.withdrawals.pageInfo.endCursor,
      hasNextPage: data.withdrawals.pageInfo.hasNextPage,
    }),
    columns: WITHDRAWAL_CSV_COLUMNS,
    filename: 'withdrawals.csv',
  });
  const change = (patch: Partial<Record<(typeof FILTERS)[number], string | null>>) => {
    filters.set(patch);
    paging.reset();
  };
  return (
    <>
      <div className="toolbar" role="search" aria-label="Filter withdrawals">
        <SelectFilter
          label="Status"
          anyLabel="Any status"
          value={status}
          options={WITHDRAWAL_STATUSES}
          onChange={(next) => change({ status: next })}
        />
        <DateRangeFilter
          label="Requested"
          value={range}
          onChange={(next) => change({ from: next.from, to: next.to })}
        />
        <button
          type="button"
          className="button button--small"
          disabled={csv.busy || Boolean(rangeProblem(range))}
          onClick={() => void csv.download()}
        >
          {csv.busy ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      </div>
      {csv.error && (
        <p className="field__error" role="alert">
          {csv.error}
        </p>
      )}
      <QueryView query={query} refetch={refetch}>
        {(data) => (
          <>
            <WithdrawalsTable
              withdrawals={data.withdrawals.edges.map((edge) => edge.node)}
              owner={owner}
              onChange={changed}
              empty={filters.active ? 'No withdrawals match.' : undefined}
            />
            <Pager
              paging={paging}
              pageInfo={data.withdrawals.pageInfo}
              totalCount={data.withdrawals.totalCount}
              shown={data.withdrawals.edges.length}
            />
          </>
        )}
      </QueryView>
    </>
  );
}
