import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ChargebackStatus, ChargebacksQuery } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { QueryView } from '../../app/components/QueryView';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { useViewer } from '../../app/viewer';
import { StatusBadge } from './CardActivity';

const ChargebacksDocument = graphql(`
  query Chargebacks($first: Int, $after: String, $status: ChargebackStatus) {
    chargebacks(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          paymentId
          merchantId
          status
          reason
          evidence
          openedAt
          resolvedAt
          amount {
            amount
            currency
          }
          payment {
            id
            reference
          }
        }
      }
    }
  }
`);

const OpenChargebackDocument = graphql(`
  mutation OpenChargeback($input: OpenChargebackInput!) {
    openChargeback(input: $input) {
      chargeback {
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

const AddChargebackEvidenceDocument = graphql(`
  mutation AddChargebackEvidence($input: AddChargebackEvidenceInput!) {
    addChargebackEvidence(input: $input) {
      chargeback {
        id
        evidence
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ResolveChargebackDocument = graphql(`
  mutation ResolveChargeback($input: ResolveChargebackInput!) {
    resolveChargeback(input: $input) {
      chargeback {
        id
        status
        resolvedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Chargeback = ChargebacksQuery['chargebacks']['edges'][number]['node'];

const TONES = { OPENED: 'warn', WON: 'good', LOST: 'bad' } as const;

/** Admins: a chargeback the processor reported by other means (the dispute poll opens most by itself). */
function OpenChargebackForm({ onDone }: { onDone: () => void }) {
  const [paymentId, setPaymentId] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const { attach, ...form } = useFormMutation(OpenChargebackDocument, (data) => data.openChargeback, [
    'paymentId',
    'amount',
    'reason',
  ]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Empty: everything captured.
    const canonicalAmount = amount.trim() ? parseAmountInput(amount) : null;
    if (amount.trim() && canonicalAmount === null)
      return form.setErrors({ byField: { amount: AMOUNT_HINT }, form: [] });
    const payload = await form.submit({
      input: { paymentId: paymentId.trim(), amount: canonicalAmount, reason: reason.trim() },
    });
    if (payload?.chargeback) {
      setPaymentId('');
      setAmount('');
      setReason('');
      onDone();
    }
  };
  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Open chargeback"
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row form__row--three">
        <Field label="Payment id" error={form.fieldError('paymentId')} hint="pay_…">
          {(props) => <input {...props} value={paymentId} onChange={(event) => setPaymentId(event.target.value)} />}
        </Field>
        <Field label="Amount" error={form.fieldError('amount')} hint="Empty: everything captured.">
          {(props) => <AmountInput {...props} value={amount} onChange={setAmount} />}
        </Field>
        <Field label="Reason" error={form.fieldError('reason')}>
          {(props) => <input {...props} value={reason} onChange={(event) => setReason(event.target.value)} />}
        </Field>
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          Open chargeback
        </button>
      </div>
    </form>
  );
}

function EvidenceForm({ chargeback }: { chargeback: Chargeback }) {
  const [text, setText] = useState('');
  const [result, add] = useMutation(AddChargebackEvidenceDocument);
  const error = result.error?.message ?? result.data?.addChargebackEvidence.userErrors[0]?.message;
  return (
    <form
      className="form form--inline"
      aria-label={`Evidence for ${chargeback.id}`}
      onSubmit={(event) => {
        event.preventDefault();
        void add({ input: { id: chargeback.id, evidence: text.trim() } }).then((response) => {
          if (!response.error && !response.data?.addChargebackEvidence.userErrors.length) setText('');
        });
      }}
    >
      <input
        aria-label="Evidence"
        placeholder="Delivery proof, receipts, messages…"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button button--small" disabled={!text.trim() || result.fetching}>
        Add evidence
      </button>
      {error && (
        <span className="field__error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function Resolve({ chargeback, onDone }: { chargeback: Chargeback; onDone: () => void }) {
  const [result, resolve] = useMutation(ResolveChargebackDocument);
  const error = result.error?.message ?? result.data?.resolveChargeback.userErrors[0]?.message;
  const decide = (outcome: 'WON' | 'LOST') => void resolve({ input: { id: chargeback.id, outcome } }).then(onDone);
  return (
    <span className="button-row">
      <button type="button" className="button button--small" disabled={result.fetching} onClick={() => decide('WON')}>
        Won
      </button>
      <button
        type="button"
        className="button button--small button--danger-quiet"
        disabled={result.fetching}
        onClick={() => decide('LOST')}
      >
        Lost
      </button>
      {error && (
        <span className="field__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/**
 * Chargebacks: merchants see theirs and add evidence; platform admins also open them and record the decision
 * (WON gives the amount back, the fee stays; LOST is final).
 */
export function ChargebacksPage() {
  const viewer = useViewer();
  const admin = viewer.user?.role === 'ADMIN';
  const paging = usePaging();
  const [status, setStatus] = useState<ChargebackStatus | ''>('');
  const [query, refetch] = useQuery({
    query: ChargebacksDocument,
    variables: { first: paging.first, after: paging.after, status: status || null },
  });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  return (
    <Page
      title="Chargebacks"
      description="Card payments the payer disputed with their bank: the amount and the chargeback fee are debited until the dispute is decided."
    >
      {admin && (
        <Card title="Open a chargeback">
          <OpenChargebackForm onDone={refresh} />
        </Card>
      )}
      <Card>
        <div className="form__row">
          <Field label="Show">
            {(props) => (
              <select
                {...props}
                value={status}
                onChange={(event) => {
                  setStatus(event.target.value as ChargebackStatus | '');
                  paging.reset();
                }}
              >
                <option value="">all</option>
                <option value="OPENED">open</option>
                <option value="WON">won</option>
                <option value="LOST">lost</option>
              </select>
            )}
          </Field>
        </div>
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable<Chargeback>
                caption="Chargebacks"
                rows={data.chargebacks.edges.map((edge) => edge.node)}
                rowKey={(chargeback) => chargeback.id}
                empty="No chargebacks."
                columns={[
                  {
                    header: 'Opened',
                    className: 'nowrap',
                    render: (chargeback) => <Time value={chargeback.openedAt} />,
                  },
                  {
                    header: 'Payment',
                    render: (chargeback) =>
                      admin ? (
                        <code>{chargeback.payment.reference}</code>
                      ) : (
                        <Link to={`/dashboard/payments/${chargeback.paymentId}`}>{chargeback.payment.reference}</Link>
                      ),
                  },
                  {
                    header: 'Status',
                    render: (chargeback) => <StatusBadge status={chargeback.status} tones={TONES} />,
                  },
                  { header: 'Reason', render: (chargeback) => chargeback.reason },
                  {
                    header: 'Evidence',
                    render: (chargeback) => (
                      <div className="stack">
                        {chargeback.evidence ? (
                          <span style={{ whiteSpace: 'pre-wrap' }}>{chargeback.evidence}</span>
                        ) : (
                          <span className="muted">none yet</span>
                        )}
                        {chargeback.status === 'OPENED' && <EvidenceForm chargeback={chargeback} />}
                      </div>
                    ),
                  },
                  { header: 'Amount', className: 'num', render: (chargeback) => <Money money={chargeback.amount} /> },
                  {
                    header: 'Decision',
                    render: (chargeback) =>
                      chargeback.status === 'OPENED' ? (
                        admin ? (
                          <Resolve chargeback={chargeback} onDone={refresh} />
                        ) : (
                          <span className="muted">pending</span>
                        )
                      ) : (
                        <Time value={chargeback.resolvedAt} />
                      ),
                  },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.chargebacks.pageInfo}
                totalCount={data.chargebacks.totalCount}
                shown={data.chargebacks.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
