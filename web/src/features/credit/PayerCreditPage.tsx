import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { PayerCreditsQuery, PayerCreditStatus } from '../../gql/graphql';
import { Badge, type Tone } from '../../app/components/Badge';
import { DataTable, type Column } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SelectFilter } from '../../app/components/SelectFilter';
import { QueryView } from '../../app/components/QueryView';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { useViewer } from '../../app/viewer';
import { useSettlementChanges } from '../suspense/live';
import { MerchantName } from '../merchants/MerchantName';

const PayerCreditsDocument = graphql(`
  query PayerCredits($status: PayerCreditStatus, $first: Int, $after: String) {
    payerCredits(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          merchantId
          phone
          status
          sourceSmsId
          sourcePaymentId
          spentPaymentId
          releaseAt
          note
          createdAt
          amount {
            amount
            currency
          }
        }
      }
    }
  }
`);

const RefundPayerCreditDocument = graphql(`
  mutation RefundPayerCredit($input: RefundPayerCreditInput!) {
    refundPayerCredit(input: $input) {
      credit {
        id
        status
        note
        updatedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const PayerCreditPeriodDocument = graphql(`
  query PayerCreditPeriod($id: ID!) {
    merchant(id: $id) {
      id
      payerCreditDays
    }
  }
`);

const UpdatePayerCreditPeriodDocument = graphql(`
  mutation UpdatePayerCreditPeriod($input: UpdatePayerCreditPeriodInput!) {
    updatePayerCreditPeriod(input: $input) {
      merchant {
        id
        payerCreditDays
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** The platform minimum, as the server enforces it; shown so the owner knows the floor. */
const MIN_DAYS = 30;

type Credit = PayerCreditsQuery['payerCredits']['edges'][number]['node'];

/** The owner sets how long unused credit waits for its payer before it is released to the merchant. */
function CreditPeriodForm({ merchantId }: { merchantId: string }) {
  const [query] = useQuery({ query: PayerCreditPeriodDocument, variables: { id: merchantId } });
  const [days, setDays] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const { attach, ...form } = useFormMutation(UpdatePayerCreditPeriodDocument, (data) => data.updatePayerCreditPeriod, [
    'days',
  ]);
  const current = query.data?.merchant?.payerCreditDays ?? MIN_DAYS;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const payload = await form.submit({ input: { days: Number((days ?? String(current)).trim()) } });
    if (payload?.merchant) setSaved(true);
  };
  return (
    <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Credit period">
      <FormErrors messages={form.errors.form} />
      <Field
        label="Keep unused credit for (days)"
        error={form.fieldError('days')}
        hint={`At least ${MIN_DAYS} days, so payers can come back; then it is released to you.`}
      >
        {(props) => (
          <input
            {...props}
            name="days"
            inputMode="numeric"
            value={days ?? String(current)}
            onChange={(event) => setDays(event.target.value)}
          />
        )}
      </Field>
      <div className="button-row">
        <button type="submit" className="button button--small" disabled={form.fetching}>
          {form.fetching ? 'Saving…' : 'Save period'}
        </button>
        {saved && (
          <span role="status" className="muted small">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}

const STATUSES: { value: PayerCreditStatus; label: string; tone: Tone; explain: string }[] = [
  { value: 'AVAILABLE', label: 'Available', tone: 'info', explain: 'waits for the payer’s next payment' },
  { value: 'SPENT', label: 'Spent', tone: 'good', explain: 'counted on a later payment' },
  { value: 'RELEASED', label: 'Released to you', tone: 'neutral', explain: 'unused in time, now yours' },
  { value: 'REFUNDED', label: 'Refunded', tone: 'warn', explain: 'given back to the payer' },
];

function CreditStatusBadge({ status }: { status: string }) {
  const entry = STATUSES.find((candidate) => candidate.value === status);
  return <Badge tone={entry?.tone ?? 'neutral'}>{entry?.label ?? status}</Badge>;
}

/** An admin gives an available credit back to its payer, with a reason kept in the audit log. */
function RefundForm({ credit, onClose }: { credit: Credit; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const { attach, ...form } = useFormMutation(RefundPayerCreditDocument, (data) => data.refundPayerCredit, ['reason']);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { id: credit.id, reason: reason.trim() } });
    if (payload?.credit) onClose();
  };
  return (
    <form
      ref={attach}
      className="form notice notice--warn"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={`Refund credit ${credit.id}`}
    >
      <p>
        Refund <Money money={credit.amount} /> of credit to {credit.phone}: it leaves the payer’s credit and can no
        longer be spent or released to the merchant.
      </p>
      <FormErrors messages={form.errors.form} />
      <Field label="Reason" error={form.fieldError('reason')} hint="Kept with the credit and in the audit log.">
        {(props) => (
          <input
            {...props}
            name="reason"
            maxLength={300}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        )}
      </Field>
      <div className="button-row">
        <button type="submit" className="button button--danger button--small" disabled={form.fetching}>
          {form.fetching ? 'Refunding…' : 'Refund credit'}
        </button>
        <button type="button" className="button button--small" onClick={onClose}>
          Keep it
        </button>
      </div>
    </form>
  );
}

/**
 * Payer credit: money from SMS that arrived after the payment they named had closed. It counts towards the same
 * payer's next payment to the merchant, or is released to the merchant when unused by its release date.
 */
export function PayerCreditPage() {
  const viewer = useViewer();
  const isAdmin = viewer.user?.role === 'ADMIN';
  const paging = usePaging();
  const [status, setStatus] = useState<PayerCreditStatus | ''>('');
  const [refunding, setRefunding] = useState<string | null>(null);
  useSettlementChanges();
  const [query, refetch] = useQuery({
    query: PayerCreditsDocument,
    variables: { status: status || null, first: paging.first, after: paging.after },
  });

  const columns: Column<Credit>[] = [
    { header: 'Received', render: (credit) => <Time value={credit.createdAt} />, className: 'nowrap' },
    { header: 'Payer', render: (credit) => <code>{credit.phone}</code>, className: 'nowrap' },
    ...(isAdmin ? [{ header: 'Merchant', render: (credit: Credit) => <MerchantName id={credit.merchantId} /> }] : []),
    {
      header: 'Status',
      render: (credit) => (
        <span>
          <CreditStatusBadge status={credit.status} />
          {credit.note && (
            <>
              <br />
              <span className="muted small">{credit.note}</span>
            </>
          )}
        </span>
      ),
    },
    { header: 'Amount', render: (credit) => <Money money={credit.amount} />, className: 'num' },
    {
      header: 'Released on',
      render: (credit) =>
        credit.status === 'AVAILABLE' || credit.status === 'RELEASED' ? (
          <Time value={credit.releaseAt} />
        ) : (
          <span className="muted">—</span>
        ),
      className: 'nowrap',
    },
    ...(isAdmin
      ? [
          {
            header: 'Actions',
            render: (credit: Credit) =>
              credit.status === 'AVAILABLE' && refunding !== credit.id ? (
                <button
                  type="button"
                  className="button button--danger-quiet button--small"
                  aria-label={`Refund credit of ${credit.phone}`}
                  onClick={() => setRefunding(credit.id)}
                >
                  Refund
                </button>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Page
      title="Payer credit"
      description="Money from SMS sent after the payment they named had closed. It counts towards the same payer’s next payment; unused by its release date, it is yours."
    >
      {viewer.user?.role === 'OWNER' && viewer.merchant && (
        <Card>
          <CreditPeriodForm merchantId={viewer.merchant.id} />
        </Card>
      )}
      <Card>
        <div className="toolbar" role="search" aria-label="Filter payer credit">
          <SelectFilter
            label="Status"
            anyLabel="Any status"
            value={status}
            options={STATUSES}
            onChange={(next) => {
              setStatus(next);
              paging.reset();
            }}
          />
        </div>
        <QueryView query={query} refetch={refetch}>
          {(data) => {
            const credits = data.payerCredits.edges.map((edge) => edge.node);
            const refundingCredit = credits.find((credit) => credit.id === refunding);
            return (
              <>
                {refundingCredit && <RefundForm credit={refundingCredit} onClose={() => setRefunding(null)} />}
                <DataTable<Credit>
                  caption="Payer credit"
                  rows={credits}
                  rowKey={(credit) => credit.id}
                  empty={status ? 'No credit matches.' : 'No payer credit yet.'}
                  columns={columns}
                />
                <Pager
                  paging={paging}
                  pageInfo={data.payerCredits.pageInfo}
                  totalCount={data.payerCredits.totalCount}
                  shown={data.payerCredits.edges.length}
                />
              </>
            );
          }}
        </QueryView>
      </Card>
    </Page>
  );
}
