import { useCallback, useEffect } from 'react';
import { useParams } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { graphql, useFragment } from '../../gql';
import { Money } from '../../app/components/Money';
import { ErrorState, Loading } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { PaymentStatusBadge } from '../payments/status';
import { useSimulatorAvailable } from '../simulator/availability';
import { CardPanel, CardPanelFields } from '../card/CardPanel';
import { CreditApplied } from './CreditApplied';
import { PaymentSmsLinesFields, SmsLines, visibleSmsLines } from './SmsLines';

const PublicPaymentDocument = graphql(`
  query PublicPayment($token: String!) {
    paymentByToken(token: $token) {
      merchantName
      description
      reference
      status
      kind
      paidAt
      amount {
        amount
        currency
      }
      amountReceived {
        amount
        currency
      }
      creditApplied {
        amount
        currency
      }
      ...PaymentSmsLinesFields
      ...CardPanelFields
    }
  }
`);

// paymentSms carries everything paymentStatus does plus the SMS lines, so one subscription serves the whole page.
// Not the credit applied: the server's paymentSms view leaves it out (a non-null field it answers null), so the page
// reads it from the query, again whenever the live view moves.
const PaymentSmsDocument = graphql(`
  subscription PaymentSms($token: String!) {
    paymentSms(token: $token) {
      merchantName
      description
      reference
      status
      paidAt
      amount {
        amount
        currency
      }
      amountReceived {
        amount
        currency
      }
      ...PaymentSmsLinesFields
    }
  }
`);

const MESSAGES: Record<string, string> = {
  OPEN: 'Waiting for your payment.',
  PARTIALLY_PAID: 'Part of the amount has arrived. Please pay the rest.',
  PAID: 'Paid in full. Thank you!',
  CANCELLED: 'The merchant cancelled this payment. Nothing more can be paid.',
  EXPIRED: 'This payment expired. Ask the merchant for a new one.',
  REFUNDED: 'This payment was refunded.',
};

/** The payer's page (public, by the secret token in its URL): the payment and its SMS as they stand, updated live. */
export function PayerPage() {
  const { token = '' } = useParams();
  const [initial, refetch] = useQuery({ query: PublicPaymentDocument, variables: { token } });
  // The subscription sends the current state at once, then every change; the query paints the first frame and
  // carries the credit applied, read again whenever the live view moves (an SMS counted, a status change).
  const [live] = useSubscription({ query: PaymentSmsDocument, variables: { token } });
  const payment = live.data?.paymentSms ?? initial.data?.paymentByToken;
  const creditApplied = initial.data?.paymentByToken?.creditApplied;
  const liveKey = live.data ? `${live.data.paymentSms.status}|${live.data.paymentSms.amountReceived.amount}` : null;
  useEffect(() => {
    if (liveKey) refetch({ requestPolicy: 'network-only' });
  }, [liveKey, refetch]);
  const smsLines = useFragment(PaymentSmsLinesFields, payment);
  const cardRef = initial.data?.paymentByToken;
  const card = useFragment(CardPanelFields, cardRef);
  // A card payment (createCardPayment) is paid by card only: no SMS instructions, no reference to quote.
  const cardOnly = initial.data?.paymentByToken?.kind === 'CARD';
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const takingMoney = payment?.status === 'OPEN' || payment?.status === 'PARTIALLY_PAID';
  // Only asked while there is something to send: the helper link is for developers trying a payment out.
  const simulator = useSimulatorAvailable(takingMoney) === true;

  let body;
  if (!payment && initial.fetching) body = <Loading />;
  else if (!payment && initial.error) body = <ErrorState error={initial.error} />;
  else if (!payment) body = <p className="muted">This payment link is not valid. Check it with the merchant.</p>;
  else
    body = (
      <>
        <p className="muted">Pay {payment.merchantName}</p>
        <h1 className="payer__amount">
          <Money money={payment.amount} />
        </h1>
        <p>{payment.description}</p>
        <div className="payer__status" role="status" aria-live="polite">
          <PaymentStatusBadge status={payment.status} />
          <span>{MESSAGES[payment.status] ?? payment.status}</span>
        </div>
        <dl className="facts">
          <dt>Reference</dt>
          <dd>
            <code className="payer__reference">{payment.reference}</code>
          </dd>
          <dt>Received</dt>
          <dd>
            <Money money={payment.amountReceived} />
          </dd>
          {payment.paidAt && (
            <>
              <dt>Paid</dt>
              <dd>
                <Time value={payment.paidAt} />
              </dd>
            </>
          )}
        </dl>
        <CreditApplied credit={creditApplied} />
        {cardRef && (
          <CardPanel pageToken={token} payment={cardRef} merchantName={payment.merchantName} refresh={refresh} />
        )}
        {!cardOnly && card?.cardAccepted && takingMoney && smsLines && visibleSmsLines(smsLines).length > 0 && (
          <p className="payer__or" aria-hidden="true">
            or
          </p>
        )}
        {!cardOnly && <SmsLines payment={payment} simulator={simulator} />}
        {cardOnly && takingMoney && card?.cancelUrl && (
          <p>
            <a href={card.cancelUrl} rel="noreferrer">
              Cancel and return to {payment.merchantName}
            </a>
          </p>
        )}
        {!cardOnly && takingMoney && smsLines && visibleSmsLines(smsLines).length === 0 && (
          <p className="notice notice--warn">Quote the reference {payment.reference} when you pay.</p>
        )}
        <p className="payer__live muted small">
          <span className={live.error ? 'dot dot--off' : 'dot'} aria-hidden="true" />
          {live.error ? 'Live updates paused; reload to refresh.' : 'This page updates by itself.'}
        </p>
      </>
    );

  return (
    <main className="auth">
      <div className="auth__panel payer">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </div>
        {body}
      </div>
    </main>
  );
}
