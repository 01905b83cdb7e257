import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { PaymentQuery } from '../../gql/graphql';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { CopyButton } from '../../app/components/CopyButton';
import { JsonView } from '../../app/components/JsonView';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { Empty } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { newIdempotencyKey } from '../../app/idempotency';
import { CardActivity } from '../card/CardActivity';
import { SmsTable } from '../sms/SmsCells';
import { usePaymentChanges } from './live';
import { PaymentMoney } from './PaymentMoney';
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
      sms {
        id
        ...SmsMessageFields
      }
      ...PaymentMoneyFields
      ...PaymentCardFields
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
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [, cancel] = useMutation(CancelPaymentDocument);
  return (
    <ConfirmBox
      trigger="Cancel payment"
      label="Cancel payment"
      confirmLabel="Cancel payment"
      cancelLabel="Keep it"
      onConfirm={async () => {
        const response = await cancel({ input: { id, idempotencyKey } });
        return response.error?.message ?? response.data?.cancelPayment.userErrors[0]?.message;
      }}
    >
      <p>The payer can no longer pay. Money already received stays recorded.</p>
    </ConfirmBox>
  );
}

export function PaymentPage() {
  const { paymentId = '' } = useParams();
  const [query, refetch] = useQuery({ query: PaymentDocument, variables: { id: paymentId } });
  usePaymentChanges();
  // The live SMS feed moves the status and the amount received; the split and the transfers are only in the
  // query's answer: read it again whenever they move.
  const current = query.data?.payment;
  const liveKey = current ? `${current.status}|${current.amountReceived.amount}` : null;
  const seenKey = useRef<string | null>(null);
  useEffect(() => {
    if (!liveKey) return;
    if (seenKey.current !== null && seenKey.current !== liveKey) refetch({ requestPolicy: 'network-only' });
    seenKey.current = liveKey;
  }, [liveKey, refetch]);
  const back = (
    <Link to=".." relative="path">
      ← Payments
    </Link>
  );
  return (
    <QueryView
      query={query}
      refetch={refetch}
      errorWrap={(error) => (
        <Page title="Payment" description={back}>
          {error}
        </Page>
      )}
    >
      {(data) => <PaymentView payment={data.payment} paymentId={paymentId} back={back} />}
    </QueryView>
  );
}

function PaymentView({
  payment,
  paymentId,
  back,
}: {
  payment: PaymentQuery['payment'];
  paymentId: string;
  back: ReactNode;
}) {
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
      <PaymentMoney payment={payment} />
      <CardActivity payment={payment} />
      <Card title="Payer page">
        <p className="muted">Send the payer here; the page follows the payment live.</p>
        <div className="secret__value">
          <code>{payment.payerUrl}</code>
          <CopyButton text={payment.payerUrl} />
        </div>
      </Card>
      <Card title="SMS">
        <SmsTable
          caption="SMS of this payment"
          messages={payment.sms}
          empty="No SMS for this payment yet. They appear here as they arrive."
          inDashboard
          withDirection
        />
      </Card>
      {Object.keys(payment.metadata).length > 0 && (
        <Card title="Metadata">
          <JsonView value={payment.metadata} label="Metadata" />
        </Card>
      )}
    </Page>
  );
}
