import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type {
  AdminWithdrawalsQuery,
  ImportPayoutStatusMutation,
  PayoutBatchesQuery,
  PayoutRail,
  WithdrawalQueueQuery,
  WithdrawalStatus,
} from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { QueryView } from '../../app/components/QueryView';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { CurrencySelect } from '../../app/components/CurrencySelect';
import { describeDestination, downloadText, RAIL_LABELS, WithdrawalStatusBadge } from './status';
import { MerchantName } from '../merchants/MerchantName';

const WithdrawalQueueDocument = graphql(`
  query WithdrawalQueue {
    withdrawalQueue(first: 50) {
      totalCount
      edges {
        node {
          id
          merchantId
          rail
          confirmedAt
          amount {
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
          review {
            merchantName
            merchantSince
            destinationConfirmedAt
            previousPayouts
            flags
            paidOutLast30Days {
              amount
              currency
            }
          }
        }
      }
    }
  }
`);

const AdminWithdrawalsDocument = graphql(`
  query AdminWithdrawals($status: WithdrawalStatus, $first: Int, $after: String) {
    withdrawals(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          merchantId
          rail
          status
          batchId
          createdAt
          paidAt
          paidVia
          bankReference
          reason
          amount {
            amount
            currency
          }
          net {
            amount
            currency
          }
        }
      }
    }
  }
`);

const PayoutBatchesDocument = graphql(`
  query PayoutBatches {
    payoutBatches(first: 20) {
      totalCount
      edges {
        node {
          id
          rail
          currency
          status
          count
          exportCount
          lastExportedAt
          createdAt
          settledAt
          total {
            amount
            currency
          }
        }
      }
    }
  }
`);

const ApproveWithdrawalsDocument = graphql(`
  mutation ApproveWithdrawals($input: WithdrawalIdsInput!) {
    approveWithdrawals(input: $input) {
      withdrawals {
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

const RejectWithdrawalsDocument = graphql(`
  mutation RejectWithdrawals($input: RejectWithdrawalsInput!) {
    rejectWithdrawals(input: $input) {
      withdrawals {
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

const CreatePayoutBatchDocument = graphql(`
  mutation CreatePayoutBatch($input: CreatePayoutBatchInput!) {
    createPayoutBatch(input: $input) {
      batch {
        id
        count
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ExportPayoutBatchDocument = graphql(`
  mutation ExportPayoutBatch($input: IdInput!) {
    exportPayoutBatch(input: $input) {
      batch {
        id
        exportCount
        lastExportedAt
      }
      file {
        fileName
        contentType
        content
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ImportPayoutStatusDocument = graphql(`
  mutation ImportPayoutStatus($input: ImportPayoutStatusInput!) {
    importPayoutStatus(input: $input) {
      lines {
        line
        withdrawalId
        outcome
        message
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const MarkWithdrawalPaidDocument = graphql(`
  mutation MarkWithdrawalPaid($input: WithdrawalReasonInput!) {
    markWithdrawalPaid(input: $input) {
      withdrawal {
        id
        status
        paidAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const MarkWithdrawalReturnedDocument = graphql(`
  mutation MarkWithdrawalReturned($input: WithdrawalReasonInput!) {
    markWithdrawalReturned(input: $input) {
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

type QueuedWithdrawal = WithdrawalQueueQuery['withdrawalQueue']['edges'][number]['node'];
type AnyWithdrawal = AdminWithdrawalsQuery['withdrawals']['edges'][number]['node'];
type Batch = PayoutBatchesQuery['payoutBatches']['edges'][number]['node'];
type StatusLine = NonNullable<ImportPayoutStatusMutation['importPayoutStatus']['lines']>[number];

const FLAG_LABELS: Record<string, string> = {
  NEW_MERCHANT: 'new merchant',
  NEW_DESTINATION: 'new payout details',
  FIRST_PAYOUT: 'first payout',
  RETURNED_BEFORE: 'returned before',
};

/** Confirmed withdrawals waiting for a decision, with what to weigh; approve or reject one or many. */
function Queue({ rows, onDone }: { rows: readonly QueuedWithdrawal[]; onDone: () => void }) {
  const [selected, setSelected] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [approveResult, approve] = useMutation(ApproveWithdrawalsDocument);
  const [rejectResult, reject] = useMutation(RejectWithdrawalsDocument);
  const [messages, setMessages] = useState<string[]>([]);
  const chosen = selected.filter((id) => rows.some((row) => row.id === id));
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => (on ? [...current, id] : current.filter((other) => other !== id)));
  const finish = (response: {
    error?: { message: string };
    data?: { [key: string]: { userErrors: readonly { message: string }[] } };
  }) => {
    const payload = response.data ? Object.values(response.data)[0] : null;
    setMessages(response.error ? [response.error.message] : (payload?.userErrors.map((error) => error.message) ?? []));
    setSelected([]);
    onDone();
  };
  const approveIds = async (ids: string[]) => finish(await approve({ input: { ids } }));
  const rejectIds = async (ids: string[]) => {
    if (!reason.trim()) {
      setMessages(['Give a reason to reject: the merchant sees it.']);
      return;
    }
    finish(await reject({ input: { ids, reason: reason.trim() } }));
    setReason('');
  };
  const busy = approveResult.fetching || rejectResult.fetching;
  return (
    <div className="stack">
      <FormErrors messages={messages} />
      <DataTable<QueuedWithdrawal>
        caption="Withdrawal queue"
        rows={rows}
        rowKey={(row) => row.id}
        empty="No confirmed withdrawals wait for approval."
        columns={[
          {
            header: 'Select',
            render: (row) => (
              <input
                type="checkbox"
                aria-label={`Select ${row.id}`}
                checked={chosen.includes(row.id)}
                onChange={(event) => toggle(row.id, event.target.checked)}
              />
            ),
          },
          {
            header: 'Merchant',
            render: (row) => (
              <div className="stack">
                <strong>{row.review?.merchantName ?? row.merchantId}</strong>
                {row.review && (
                  <span className="muted">
                    since <Time value={row.review.merchantSince} />
                  </span>
                )}
              </div>
            ),
          },
          {
            header: 'Withdrawal',
            render: (row) => (
              <div className="stack">
                <code>{row.id}</code>
                <span className="muted">
                  confirmed <Time value={row.confirmedAt} />
                </span>
              </div>
            ),
          },
          { header: 'Amount', className: 'num', render: (row) => <Money money={row.amount} /> },
          {
            header: 'To',
            render: (row) => (
              <div className="stack">
                <span>{describeDestination(row.destination)}</span>
                <span className="muted">
                  {row.destination.holderName} · confirmed <Time value={row.review?.destinationConfirmedAt} />
                </span>
              </div>
            ),
          },
          {
            header: 'Review',
            render: (row) =>
              row.review ? (
                <div className="stack">
                  <span>
                    {row.review.previousPayouts} paid before · <Money money={row.review.paidOutLast30Days} /> in 30 days
                  </span>
                  <span className="button-row">
                    {row.review.flags.map((flag) => (
                      <Badge key={flag} tone="warn">
                        {FLAG_LABELS[flag] ?? flag}
                      </Badge>
                    ))}
                  </span>
                </div>
              ) : null,
          },
          {
            header: 'Decision',
            render: (row) => (
              <span className="button-row">
                <button
                  type="button"
                  className="button button--small button--primary"
                  aria-label={`Approve ${row.id}`}
                  disabled={busy}
                  onClick={() => void approveIds([row.id])}
                >
                  Approve
                </button>
                <button
                  type="button"
                  className="button button--small button--danger-quiet"
                  aria-label={`Reject ${row.id}`}
                  disabled={busy}
                  onClick={() => void rejectIds([row.id])}
                >
                  Reject
                </button>
              </span>
            ),
          },
        ]}
      />
      {rows.length > 0 && (
        <div className="form form--inline" role="group" aria-label="Decide the selected withdrawals">
          <Field label="Reason to reject" hint="The merchant sees it; up to 300 characters.">
            {(props) => <input {...props} value={reason} onChange={(event) => setReason(event.target.value)} />}
          </Field>
          <div className="button-row">
            <button
              type="button"
              className="button button--primary"
              disabled={busy || chosen.length === 0}
              onClick={() => void approveIds(chosen)}
            >
              Approve selected ({chosen.length})
            </button>
            <button
              type="button"
              className="button button--danger-quiet"
              disabled={busy || chosen.length === 0}
              onClick={() => void rejectIds(chosen)}
            >
              Reject selected ({chosen.length})
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function CreateBatchForm({ onDone }: { onDone: () => void }) {
  const [rail, setRail] = useState<PayoutRail>('SEPA');
  // Empty until the account's currency is known: CurrencySelect fills it in.
  const [currency, setCurrency] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const { attach, ...form } = useFormMutation(CreatePayoutBatchDocument, (data) => data.createPayoutBatch, [
    'rail',
    'currency',
  ]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { rail, currency } });
    if (payload?.batch) {
      setCreated(`Batch ${payload.batch.id} holds ${payload.batch.count} withdrawals.`);
      onDone();
    }
  };
  return (
    <form
      ref={attach}
      className="form"
      aria-label="Create payout batch"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Rail" error={form.fieldError('rail')}>
          {(props) => (
            <select {...props} value={rail} onChange={(event) => setRail(event.target.value as PayoutRail)}>
              {Object.entries(RAIL_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Currency" error={form.fieldError('currency')}>
          {(props) => <CurrencySelect {...props} value={currency} onChange={setCurrency} />}
        </Field>
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          Create batch
        </button>
      </div>
      {created && (
        <p className="notice notice--good" role="status">
          {created}
        </p>
      )}
    </form>
  );
}

function DownloadButton({ batch }: { batch: Batch }) {
  const [result, exportBatch] = useMutation(ExportPayoutBatchDocument);
  const error = result.error?.message ?? result.data?.exportPayoutBatch.userErrors[0]?.message;
  return (
    <span className="button-row">
      <button
        type="button"
        className="button button--small"
        aria-label={`Download the file of ${batch.id}`}
        disabled={result.fetching}
        onClick={() =>
          void exportBatch({ input: { id: batch.id } }).then((response) => {
            const file = response.data?.exportPayoutBatch.file;
            if (file) downloadText(file.fileName, file.contentType, file.content);
          })
        }
      >
        Download {batch.rail === 'SEPA' ? 'XML' : 'CSV'}
      </button>
      {error && (
        <span className="field__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

function Batches({ rows }: { rows: readonly Batch[] }) {
  return (
    <DataTable<Batch>
      caption="Payout batches"
      rows={rows}
      rowKey={(batch) => batch.id}
      empty="No batches yet: approve withdrawals, then create a batch for their rail and currency."
      columns={[
        { header: 'Created', className: 'nowrap', render: (batch) => <Time value={batch.createdAt} /> },
        { header: 'Batch', render: (batch) => <code>{batch.id}</code> },
        { header: 'Rail', render: (batch) => RAIL_LABELS[batch.rail] ?? batch.rail },
        { header: 'Withdrawals', className: 'num', render: (batch) => batch.count },
        { header: 'To send', className: 'num', render: (batch) => <Money money={batch.total} /> },
        {
          header: 'Status',
          render: (batch) =>
            batch.status === 'SETTLED' ? <Badge tone="good">Settled</Badge> : <Badge tone="info">Open</Badge>,
        },
        {
          header: 'File',
          render: (batch) => (
            <div className="stack">
              <DownloadButton batch={batch} />
              <span className="muted">
                exported {batch.exportCount}× {batch.lastExportedAt && <Time value={batch.lastExportedAt} />}
              </span>
            </div>
          ),
        },
      ]}
    />
  );
}

const OUTCOME_TONES: Record<string, 'good' | 'bad' | 'warn' | 'neutral'> = {
  PAID: 'good',
  REJECTED: 'warn',
  RETURNED: 'warn',
  ALREADY_DONE: 'neutral',
};

/** The bank's status CSV, uploaded or pasted; each line's outcome, mismatches included (they change nothing). */
function ImportStatus({ onDone }: { onDone: () => void }) {
  const [csv, setCsv] = useState('');
  const [lines, setLines] = useState<readonly StatusLine[] | null>(null);
  const { attach, ...form } = useFormMutation(ImportPayoutStatusDocument, (data) => data.importPayoutStatus, ['csv']);
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { csv } });
    if (payload) {
      setLines(payload.lines ?? []);
      onDone();
    }
  };
  const matched = lines?.filter((line) => OUTCOME_TONES[line.outcome] !== undefined).length ?? 0;
  return (
    <div className="stack">
      <form
        ref={attach}
        className="form"
        aria-label="Import bank status"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        <FormErrors messages={form.errors.form} />
        <Field label="Status file" hint="The bank's CSV: withdrawal_id,status,amount,currency,bank_reference[,reason].">
          {(props) => (
            <input {...props} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void readFile(e)} />
          )}
        </Field>
        <Field label="Status CSV" error={form.fieldError('csv')} hint="Or paste it here.">
          {(props) => (
            <textarea
              {...props}
              rows={5}
              spellCheck={false}
              value={csv}
              onChange={(event) => setCsv(event.target.value)}
            />
          )}
        </Field>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={form.fetching || !csv.trim()}>
            Import
          </button>
        </div>
      </form>
      {lines && (
        <>
          <p role="status">
            {matched} of {lines.length} lines matched; {lines.length - matched} mismatched or refused.
          </p>
          <DataTable<StatusLine>
            caption="Import report"
            rows={lines}
            rowKey={(line) => String(line.line)}
            empty="The file had no lines."
            columns={[
              { header: 'Line', className: 'num', render: (line) => line.line },
              { header: 'Withdrawal', render: (line) => <code>{line.withdrawalId ?? '—'}</code> },
              {
                header: 'Outcome',
                render: (line) => (
                  <Badge tone={OUTCOME_TONES[line.outcome] ?? 'bad'}>
                    {line.outcome.toLowerCase().replace(/_/g, ' ')}
                  </Badge>
                ),
              },
              { header: 'Message', render: (line) => line.message },
            ]}
          />
        </>
      )}
    </div>
  );
}

/** Mark paid without a bank line (IN_BATCH), or record a return (PAID): an audited reason each. */
function OverrideForm({
  withdrawal,
  returning,
  onClose,
}: {
  withdrawal: AnyWithdrawal;
  returning: boolean;
  onClose: (changed: boolean) => void;
}) {
  const [reason, setReason] = useState('');
  const [bankReference, setBankReference] = useState('');
  const paid = useFormMutation(MarkWithdrawalPaidDocument, (data) => data.markWithdrawalPaid, [
    'reason',
    'bankReference',
  ]);
  const returned = useFormMutation(MarkWithdrawalReturnedDocument, (data) => data.markWithdrawalReturned, [
    'reason',
    'bankReference',
  ]);
  const { attach, submit, errors, fieldError, fetching } = returning ? returned : paid;
  const action = returning ? 'Mark returned' : 'Mark paid';
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await submit({
      input: { id: withdrawal.id, reason: reason.trim(), bankReference: bankReference.trim() || null },
    });
    if (payload) onClose(true);
  };
  return (
    <form
      ref={attach}
      className="form"
      aria-label={`${action}: ${withdrawal.id}`}
      onSubmit={(event) => void send(event)}
      noValidate
    >
      <FormErrors messages={errors.form} />
      <Field label="Reason" error={fieldError('reason')} hint="Audited; up to 300 characters.">
        {(props) => <input {...props} value={reason} onChange={(event) => setReason(event.target.value)} />}
      </Field>
      <Field label="Bank reference" error={fieldError('bankReference')} hint="Optional.">
        {(props) => (
          <input {...props} value={bankReference} onChange={(event) => setBankReference(event.target.value)} />
        )}
      </Field>
      <div className="button-row">
        <button type="submit" className="button button--small button--danger" disabled={fetching}>
          {action}
        </button>
        <button type="button" className="button button--small" onClick={() => onClose(false)}>
          Keep
        </button>
      </div>
    </form>
  );
}

function Override({ withdrawal, onDone }: { withdrawal: AnyWithdrawal; onDone: () => void }) {
  const returning = withdrawal.status === 'PAID';
  const [open, setOpen] = useState(false);
  const action = returning ? 'Mark returned' : 'Mark paid';
  if (open)
    return (
      <OverrideForm
        withdrawal={withdrawal}
        returning={returning}
        onClose={(changed) => {
          setOpen(false);
          if (changed) onDone();
        }}
      />
    );
  return (
    <button
      type="button"
      className="button button--small"
      aria-label={`${action}: ${withdrawal.id}`}
      onClick={() => setOpen(true)}
    >
      {action}
    </button>
  );
}

const STATUSES: WithdrawalStatus[] = [
  'REQUESTED',
  'CONFIRMED',
  'APPROVED',
  'IN_BATCH',
  'PAID',
  'REJECTED',
  'CANCELLED',
  'RETURNED',
];

function AllWithdrawals() {
  const paging = usePaging();
  const [status, setStatus] = useState<WithdrawalStatus | ''>('');
  const [query, refetch] = useQuery({
    query: AdminWithdrawalsDocument,
    variables: { status: status || null, first: paging.first, after: paging.after },
  });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  return (
    <div className="stack">
      <div className="form__row">
        <Field label="Show">
          {(props) => (
            <select
              {...props}
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as WithdrawalStatus | '');
                paging.reset();
              }}
            >
              <option value="">all</option>
              {STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value.toLowerCase().replace('_', ' ')}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <QueryView query={query} refetch={refetch}>
        {({ withdrawals: data }) => (
          <>
            <DataTable<AnyWithdrawal>
              caption="All withdrawals"
              rows={data.edges.map((edge) => edge.node)}
              rowKey={(row) => row.id}
              empty="No withdrawals."
              columns={[
                { header: 'Requested', className: 'nowrap', render: (row) => <Time value={row.createdAt} /> },
                { header: 'Withdrawal', render: (row) => <code>{row.id}</code> },
                { header: 'Merchant', render: (row) => <MerchantName id={row.merchantId} /> },
                { header: 'Amount', className: 'num', render: (row) => <Money money={row.amount} /> },
                { header: 'Sent', className: 'num', render: (row) => <Money money={row.net} /> },
                {
                  header: 'Status',
                  render: (row) => (
                    <div className="stack">
                      <WithdrawalStatusBadge status={row.status} />
                      {row.batchId && <span className="muted">in {row.batchId}</span>}
                      {row.paidVia === 'ADMIN_OVERRIDE' && <span className="muted">paid by override</span>}
                      {row.bankReference && <span className="muted">ref {row.bankReference}</span>}
                      {row.reason && <span className="muted">{row.reason}</span>}
                    </div>
                  ),
                },
                {
                  header: 'Actions',
                  render: (row) =>
                    row.status === 'IN_BATCH' || row.status === 'PAID' ? (
                      <Override withdrawal={row} onDone={refresh} />
                    ) : null,
                },
              ]}
            />
            <Pager paging={paging} pageInfo={data.pageInfo} totalCount={data.totalCount} shown={data.edges.length} />
          </>
        )}
      </QueryView>
    </div>
  );
}

function QueueCard() {
  const [query, refetch] = useQuery({ query: WithdrawalQueueDocument });
  return (
    <Card title={query.data ? `Withdrawal queue (${query.data.withdrawalQueue.totalCount})` : 'Withdrawal queue'}>
      <QueryView query={query} refetch={refetch}>
        {(data) => (
          <Queue
            rows={data.withdrawalQueue.edges.map((edge) => edge.node)}
            onDone={() => refetch({ requestPolicy: 'network-only' })}
          />
        )}
      </QueryView>
    </Card>
  );
}

function BatchesCard() {
  const [query, refetch] = useQuery({ query: PayoutBatchesDocument });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  return (
    <Card title="Batches">
      <div className="stack">
        <CreateBatchForm onDone={refresh} />
        <QueryView query={query} refetch={refetch}>
          {(data) => <Batches rows={data.payoutBatches.edges.map((edge) => edge.node)} />}
        </QueryView>
      </div>
    </Card>
  );
}

/**
 * Admins: payouts from approval to the bank's answer — the queue of confirmed withdrawals, batches per rail and
 * currency with their bank file, the bank's status file, and the audited overrides.
 */
export function AdminPayoutsPage() {
  return (
    <Page
      title="Payouts"
      description="Approve confirmed withdrawals, send them to the bank in batches, and import the bank's answer."
    >
      <QueueCard />
      <BatchesCard />
      <Card title="Bank status file">
        <ImportStatus onDone={() => undefined} />
      </Card>
      <Card title="All withdrawals">
        <AllWithdrawals />
      </Card>
    </Page>
  );
}
