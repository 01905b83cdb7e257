import { useCallback, useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { Badge, type Tone } from '../../app/components/Badge';
import { CopyButton } from '../../app/components/CopyButton';
import { Money } from '../../app/components/Money';
import { CardPanel } from '../card/CardPanel';
import { CreditApplied } from '../pay/CreditApplied';
import { PaymentStatusBadge } from '../payments/status';
import { simulatorLink, useSimulatorAvailable } from '../simulator/availability';
import { FeedbackForm, LookupForm, ShopLayout } from './parts';

const VoucherPaymentDocument = graphql(`
  query VoucherPayment($token: String!) {
    voucherPayment(token: $token) {
      token
      reference
      status
      state
      country
      countryName
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
      instruction {
        number
        shortCode
        text
        price {
          amount
          currency
        }
      }
      voucher {
        kind
        code
        password
      }
      shop {
        slug
        name
        soldOut
      }
    }
  }
`);

// The card side of the same payment (the page token is the payment's): accepted, what is left, the latest attempt.
const VoucherPaymentCardDocument = graphql(`
  query VoucherPaymentCard($token: String!) {
    paymentByToken(token: $token) {
      ...CardPanelFields
    }
  }
`);

// The rails' live view of the payer page: the current state first, then again after every SMS (seed V7).
const VoucherPaymentSmsDocument = graphql(`
  subscription VoucherPaymentSms($token: String!) {
    paymentSms(token: $token) {
      status
      amountReceived {
        amount
        currency
      }
      sms {
        state
        shortCode
        text
        country
        receivedAt
      }
    }
  }
`);

const LINE_STATES: Record<string, { label: string; tone: Tone }> = {
  EXPECTED: { label: 'Expected', tone: 'info' },
  RECEIVED: { label: 'Received', tone: 'good' },
  NOT_COUNTED: { label: 'Not counted', tone: 'warn' },
};

/** The bought voucher, big and copyable. */
function VoucherPanel({ voucher }: { voucher: { kind: string; code: string; password?: string | null } }) {
  return (
    <section className="notice notice--good" data-testid="voucher" aria-labelledby="voucher-title">
      <h2 id="voucher-title">Your voucher</h2>
      {voucher.kind === 'LINK' ? (
        <p>
          <a href={voucher.code} target="_blank" rel="noreferrer" data-testid="voucher-code">
            {voucher.code}
          </a>
        </p>
      ) : (
        <dl className="facts">
          <dt>{voucher.kind === 'LOGIN' ? 'Login' : 'Code'}</dt>
          <dd>
            <code className="payer__reference" data-testid="voucher-code">
              {voucher.code}
            </code>{' '}
            <CopyButton text={voucher.code} />
          </dd>
          {voucher.password && (
            <>
              <dt>Password</dt>
              <dd>
                <code className="payer__reference">{voucher.password}</code> <CopyButton text={voucher.password} />
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}

/** A buyer's payment (/p/<slug>/pay/<token>): the numbered SMS, each turning received live, then the voucher. */
export function PurchasePage() {
  const { token = '' } = useParams();
  const [query, refetch] = useQuery({ query: VoucherPaymentDocument, variables: { token } });
  const { data } = query;
  const [live] = useSubscription({ query: VoucherPaymentSmsDocument, variables: { token } });
  const [cardQuery, refetchCard] = useQuery({ query: VoucherPaymentCardDocument, variables: { token } });
  const cardPayment = cardQuery.data?.paymentByToken;
  const purchase = data?.voucherPayment;
  const status = live.data?.paymentSms.status ?? purchase?.status;
  const takingMoney = status === 'OPEN' || status === 'PARTIALLY_PAID';
  const simulator = useSimulatorAvailable(takingMoney) === true;

  // Order state, the voucher and the credit applied are only in the query's answer (the server's paymentSms view
  // leaves the credit out): read it again whenever the live view moves (an SMS counted, the payment paid), so the
  // voucher and the credit notice appear as soon as the SMS is in.
  const liveKey = live.data ? `${live.data.paymentSms.status}|${live.data.paymentSms.amountReceived.amount}` : null;
  useEffect(() => {
    if (!liveKey) return;
    refetch({ requestPolicy: 'network-only' });
    refetchCard({ requestPolicy: 'network-only' });
  }, [liveKey, refetch, refetchCard]);
  // After a card answer: the order (voucher, state) and the card side both moved.
  const refreshAll = useCallback(() => {
    refetch({ requestPolicy: 'network-only' });
    refetchCard({ requestPolicy: 'network-only' });
  }, [refetch, refetchCard]);

  let body;
  if (!data) body = <QueryView query={query} refetch={refetch} />;
  else if (!purchase)
    body = <p className="muted">This payment link is not valid. Look your payment up with its number and phone.</p>;
  else {
    const priceOf = (index: number, shortCode?: string | null) =>
      (purchase.instruction[index]?.shortCode === shortCode ? purchase.instruction[index] : null) ??
      purchase.instruction.find((line) => line.shortCode === shortCode);
    const lines =
      live.data?.paymentSms.sms ??
      purchase.instruction.map((line) => ({
        state: 'EXPECTED' as const,
        shortCode: line.shortCode,
        text: line.text,
        country: purchase.country,
        receivedAt: null,
      }));
    const received = live.data?.paymentSms.amountReceived ?? purchase.amountReceived;
    const toSend = lines.filter((line) => line.state === 'EXPECTED').length;
    // Started by card: no country and no SMS to send (an SMS arriving later would still show here).
    const bySms = Boolean(purchase.country) || lines.length > 0;
    body = (
      <>
        <p className="muted">
          <Link to={`/p/${purchase.shop.slug}`}>{purchase.shop.name}</Link>
        </p>
        <h1 className="payer__amount">
          <Money money={purchase.amount} />
        </h1>
        <div className="payer__status" role="status" aria-live="polite">
          {status && <PaymentStatusBadge status={status} />}
          <span>
            Received <Money money={received} />
          </span>
        </div>
        <dl className="facts">
          <dt>Payment number</dt>
          <dd>
            <code className="payer__reference" data-testid="payment-number">
              {purchase.reference}
            </code>{' '}
            {bySms && <span className="muted small">Keep it: with your phone number it finds this page again.</span>}
          </dd>
          {bySms && (
            <>
              <dt>Country</dt>
              <dd>{purchase.countryName}</dd>
            </>
          )}
        </dl>
        <CreditApplied credit={purchase.creditApplied} />

        {purchase.voucher && <VoucherPanel voucher={purchase.voucher} />}
        {purchase.state === 'RELEASED' && takingMoney && (
          <p className="notice notice--warn">
            Your voucher was held for a day and went back on sale because no SMS arrived.{' '}
            {purchase.shop.soldOut
              ? 'None is left right now: SMS sent now are kept, and the seller will send you a voucher or a refund.'
              : 'Send your SMS now: the first one takes a voucher again.'}
          </p>
        )}
        {purchase.state === 'UNFULFILLED' && (
          <p className="notice notice--warn">
            Your money arrived when no voucher was left. The seller has been told and will send you one or refund you.
          </p>
        )}
        {purchase.state === 'REFUNDED' && <p className="notice">This payment was refunded.</p>}

        {cardPayment && !purchase.voucher && (
          <CardPanel pageToken={token} payment={cardPayment} merchantName={purchase.shop.name} refresh={refreshAll} />
        )}
        {bySms && cardPayment && takingMoney && toSend > 0 && (
          <p className="payer__or" aria-hidden="true">
            or
          </p>
        )}
        {bySms && (
          <section className="sms-lines" aria-labelledby="sms-lines-title">
            <h2 id="sms-lines-title">
              {toSend ? `Send ${toSend === 1 ? 'this SMS' : `these ${toSend} SMS`}` : 'Your SMS'}
            </h2>
            {toSend > 0 && (
              <p className="muted small">
                From one phone in {purchase.countryName}, each with exactly the text shown. They may be sent over days;
                each is ticked off here as it arrives.
              </p>
            )}
            <ol className="sms-lines__list">
              {lines.map((line, index) => {
                const state = LINE_STATES[line.state] ?? LINE_STATES.EXPECTED;
                const price = priceOf(index, line.shortCode)?.price;
                const expected = line.state === 'EXPECTED';
                return (
                  <li
                    key={`${index}-${line.state}`}
                    className={`sms-line sms-line--${line.state.toLowerCase()}`}
                    data-testid="sms-line"
                    data-state={line.state}
                  >
                    <div className="sms-line__head">
                      <Badge tone={state.tone}>{state.label}</Badge>
                      <span className="muted small">SMS {index + 1}</span>
                      {price && (
                        <span className="muted small">
                          <Money money={price} />
                        </span>
                      )}
                    </div>
                    <div className="sms-line__parts">
                      <div className="sms-line__part">
                        <span className="sms-line__label">Short code</span>
                        <span className="sms-line__value">
                          <code className={expected ? 'sms-line__big' : undefined}>{line.shortCode}</code>
                        </span>
                      </div>
                      <div className="sms-line__part">
                        <span className="sms-line__label">Text</span>
                        <span className="sms-line__value">
                          <code className={expected ? 'sms-line__big' : undefined}>{line.text}</code>
                          {expected && <CopyButton text={line.text} label="Copy text" />}
                        </span>
                      </div>
                    </div>
                    {line.state === 'NOT_COUNTED' && (
                      <p className="sms-line__note">
                        This SMS arrived but did not count: all SMS of a payment must come from the same phone, in the
                        country chosen. The reply SMS says why.
                      </p>
                    )}
                    {expected && line.shortCode && (
                      <div className="button-row">
                        <a
                          className="button button--primary sms-line__open"
                          href={`sms:${line.shortCode}?&body=${encodeURIComponent(line.text)}`}
                        >
                          Open in Messages
                        </a>
                        {simulator && (
                          <Link
                            className="button"
                            to={simulatorLink({ to: line.shortCode, text: line.text, country: purchase.country })}
                          >
                            Simulate this SMS
                          </Link>
                        )}
                      </div>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
        )}
        <p className="payer__live muted small">
          <span className={live.error ? 'dot dot--off' : 'dot'} aria-hidden="true" />
          {live.error ? 'Live updates paused; reload to refresh.' : 'This page updates by itself.'}
        </p>
        {bySms && (
          <section aria-labelledby="lookup-title">
            <h2 id="lookup-title">Find a payment</h2>
            <LookupForm paymentNumber={purchase.reference} />
          </section>
        )}
        <section aria-labelledby="feedback-title">
          <h2 id="feedback-title">Write to the seller</h2>
          <FeedbackForm slug={purchase.shop.slug} paymentNumber={purchase.reference} />
        </section>
      </>
    );
  }
  return <ShopLayout>{body}</ShopLayout>;
}
