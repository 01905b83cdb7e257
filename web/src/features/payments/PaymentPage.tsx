import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { CopyButton } from '../../app/components/CopyButton';
import { FormErrors } from '../../app/components/Field';
import { JsonView } from '../../app/components/JsonView';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Empty, ErrorState, Loading } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { newIdempotencyKey } from '../../app/idempotency';
import { humanize, isCancellable, PaymentStatusBadge } from './status';

const PaymentDocument = graphql(`
  query Payment($id: ID!) {
    payment(id: $id) {
      id
      reference
      kind
      status
      description
      externalId
      payerPhone
      payerCountry
      payerUrl
      metadata
      createdAt
      updatedAt
      paidAt
      expiresAt
      amount {
        amount
        currency
      }
      amountReceived {
        amount
        currency
      }
    }
  }
`);

const CancelPaymentDocument = graphql(`
  mutation CancelPayment($input: CancelPaymentInput!) {
    cancelPayment(input: $input) {
      payment {
        id
        status
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

function CancelPayment({ id }: { id: string }) {
  const [confirming, setConfirming] = useState(false);
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [result, cancel] = useMutation(CancelPaymentDocument);
  const failure = result.error?.message ?? result.data?.cancelPayment.userErrors[0]?.message;
  if (!confirming)
    return (
      <button type="button" className="button button--danger-quiet" onClick={() => setConfirming(true)}>
        Cancel payment
      </button>
    );
  return (
    <div className="notice notice--warn confirm-box" role="alertdialog" aria-label="Cancel payment">
      <FormErrors messages={failure ? [failure] : []} />
      <p>The payer can no longer pay. Money already received stays recorded.</p>
      <div className="button-row">
        <button
          type="button"
          className="button button--danger button--small"
          disabled={result.fetching}
          onClick={() => void cancel({ input: { id, idempotencyKey } })}
        >
          Cancel payment
        </button>
        <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
          Keep it
        </button>
      </div>
    </div>
  );
}

export function PaymentPage() {
  const { paymentId = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PaymentDocument, variables: { id: paymentId } });
  const back = (
    <Link to=".." relative="path">
      ← Payments
    </Link>
  );
  if (fetching && !data) return <Loading />;
  if (error && !data)
    return (
      <Page title="Payment" description={back}>
        <ErrorState error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      </Page>
    );
  const payment = data?.payment;
  if (!payment)
    return (
      <Page title="Payment" description={back}>
        <Empty>There is no payment {paymentId}.</Empty>
      </Page>
    );
  return (
    <Page
      title={`Payment ${payment.reference}`}
      description={back}
      actions={isCancellable(payment.status) ? <CancelPayment id={payment.id} /> : undefined}
    >
      <div className="grid grid--wide">
        <Card title="Amount">
          <div className="amount-hero">
            <Money money={payment.amount} />
            <PaymentStatusBadge status={payment.status} />
          </div>
          <dl className="facts">
            <dt>Received</dt>
            <dd>
              <Money money={payment.amountReceived} />
            </dd>
            <dt>Paid</dt>
            <dd>
              <Time value={payment.paidAt} fallback="not yet" />
            </dd>
            <dt>Expires</dt>
            <dd>
              <Time value={payment.expiresAt} fallback="never" />
            </dd>
          </dl>
        </Card>
        <Card title="Details">
          <dl className="facts">
            <dt>Description</dt>
            <dd>{payment.description}</dd>
            <dt>Product</dt>
            <dd>{humanize(payment.kind)}</dd>
            <dt>Order id</dt>
            <dd>{payment.externalId ?? '—'}</dd>
            <dt>Payer phone</dt>
            <dd>{payment.payerPhone ?? '—'}</dd>
            <dt>Payer country</dt>
            <dd>{payment.payerCountry ?? '—'}</dd>
            <dt>Created</dt>
            <dd>
              <Time value={payment.createdAt} />
            </dd>
            <dt>Last change</dt>
            <dd>
              <Time value={payment.updatedAt} />
            </dd>
            <dt>Id</dt>
            <dd>
              <code>{payment.id}</code>
            </dd>
          </dl>
        </Card>
      </div>
      <Card title="Payer page">
        <p className="muted">Send the payer here; the page follows the payment live.</p>
        <div className="secret__value">
          <code>{payment.payerUrl}</code>
          <CopyButton text={payment.payerUrl} />
        </div>
      </Card>
      {Object.keys(payment.metadata).length > 0 && (
        <Card title="Metadata">
          <JsonView value={payment.metadata} label="Metadata" />
        </Card>
      )}
    </Page>
  );
}
