import { useCallback, useEffect } from 'react';
import { useParams } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { graphql, useFragment } from '../../gql';
import { PayerErrorState, PayerFrame, PayerMoney, PayerStatusBadge, PayerTime, usePayer } from '../../i18n/payer';
import { useSimulatorAvailable } from '../simulator/availability';
import { CardPanel, CardPanelFields } from '../card/CardPanel';
import { CreditApplied } from './CreditApplied';
import { Overpaid } from './Overpaid';
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

const STATUSES = ['OPEN', 'PARTIALLY_PAID', 'PAID', 'CANCELLED', 'EXPIRED', 'REFUNDED'] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (value: string): value is Status => (STATUSES as readonly string[]).includes(value);

/** The payer's page (public, by the secret token in its URL): the payment and its SMS as they stand, updated live. */
export function PayerPage() {
  return (
    <PayerFrame documentTitle={({ t }) => t('titles.payment')}>
      <Payment />
    </PayerFrame>
  );
}

function Payment() {
  const { token = '' } = useParams();
  const { t } = usePayer();
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
  if (!payment && initial.fetching) body = <p className="muted">{t('common.loading')}</p>;
  else if (!payment && initial.error) body = <PayerErrorState error={initial.error} />;
  else if (!payment) body = <p className="muted">{t('payer.invalid')}</p>;
  else
    body = (
      <>
        <p className="muted">{t('payer.pay', { merchant: payment.merchantName })}</p>
        <h1 className="payer__amount">
          <PayerMoney money={payment.amount} />
        </h1>
        <p>{payment.description}</p>
        <div className="payer__status" role="status" aria-live="polite">
          <PayerStatusBadge status={payment.status} />
          <span>{isStatus(payment.status) ? t(`payer.message.${payment.status}`) : payment.status}</span>
        </div>
        <dl className="facts">
          <dt>{t('common.reference')}</dt>
          <dd>
            <code className="payer__reference">{payment.reference}</code>
          </dd>
          <dt>{t('common.received')}</dt>
          <dd>
            <PayerMoney money={payment.amountReceived} />
          </dd>
          {payment.paidAt && (
            <>
              <dt>{t('common.paid')}</dt>
              <dd>
                <PayerTime value={payment.paidAt} />
              </dd>
            </>
          )}
        </dl>
        {payment.status === 'PAID' && <Overpaid amount={payment.amount} received={payment.amountReceived} />}
        <CreditApplied credit={creditApplied} />
        {cardRef && (
          <CardPanel pageToken={token} payment={cardRef} merchantName={payment.merchantName} refresh={refresh} />
        )}
        {!cardOnly && card?.cardAccepted && takingMoney && smsLines && visibleSmsLines(smsLines).length > 0 && (
          <p className="payer__or" aria-hidden="true">
            {t('common.or')}
          </p>
        )}
        {!cardOnly && <SmsLines payment={payment} simulator={simulator} />}
        {cardOnly && takingMoney && card?.cancelUrl && (
          <p>
            <a href={card.cancelUrl} rel="noreferrer">
              {t('payer.cancelAndReturn', { merchant: payment.merchantName })}
            </a>
          </p>
        )}
        {!cardOnly && takingMoney && smsLines && visibleSmsLines(smsLines).length === 0 && (
          <p className="notice notice--warn">{t('payer.quoteReference', { reference: payment.reference })}</p>
        )}
        <p className="payer__live muted small">
          <span className={live.error ? 'dot dot--off' : 'dot'} aria-hidden="true" />
          {live.error ? t('common.paused') : t('common.live')}
        </p>
      </>
    );

  return body;
}
