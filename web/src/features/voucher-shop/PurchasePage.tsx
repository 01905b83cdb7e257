import { useCallback, useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import { Badge, type Tone } from '../../app/components/Badge';
import type { MoneyValue } from '../../app/components/Money';
import { CardPanel } from '../card/CardPanel';
import { CreditApplied } from '../pay/CreditApplied';
import { Overpaid } from '../pay/Overpaid';
import { countryName } from '../../i18n/format';
import { PayerCopyButton, PayerMoney, PayerQueryView, PayerStatusBadge, usePayer } from '../../i18n/payer';
import { fromMinor, scaleOf, toMinor } from '../sms/decimal';
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

const LINE_STATES: Record<string, { key: 'EXPECTED' | 'RECEIVED' | 'NOT_COUNTED'; tone: Tone }> = {
  EXPECTED: { key: 'EXPECTED', tone: 'info' },
  RECEIVED: { key: 'RECEIVED', tone: 'good' },
  NOT_COUNTED: { key: 'NOT_COUNTED', tone: 'warn' },
};

/**
 * What the payer's SMS cost together, in their own currency: the instruction's local prices (the tariff table's, one
 * currency per country) added up exactly as integers of minor units. Null when there is no line or the lines mix
 * currencies, which one country's tariffs never do.
 */
function localTotal(lines: readonly { price: MoneyValue }[]): MoneyValue | null {
  const currency = lines[0]?.price.currency;
  if (!currency || lines.some((line) => line.price.currency !== currency)) return null;
  const scale = Math.max(...lines.map((line) => scaleOf(line.price.amount)));
  let total = 0n;
  for (const line of lines) {
    const minor = toMinor(line.price.amount, scale);
    if (minor === null) return null;
    total += minor;
  }
  return { amount: fromMinor(total, scale), currency };
}

/** The bought voucher, big and copyable. */
function VoucherPanel({ voucher }: { voucher: { kind: string; code: string; password?: string | null } }) {
  const { t } = usePayer();
  return (
    <section className="notice notice--good" data-testid="voucher" aria-labelledby="voucher-title">
      <h2 id="voucher-title">{t('purchase.yourVoucher')}</h2>
      {voucher.kind === 'LINK' ? (
        <p>
          <a href={voucher.code} target="_blank" rel="noreferrer" data-testid="voucher-code">
            {voucher.code}
          </a>
        </p>
      ) : (
        <dl className="facts">
          <dt>{voucher.kind === 'LOGIN' ? t('purchase.login') : t('purchase.code')}</dt>
          <dd>
            <code className="payer__reference" data-testid="voucher-code">
              {voucher.code}
            </code>{' '}
            <PayerCopyButton text={voucher.code} label={t('common.copy')} />
          </dd>
          {voucher.password && (
            <>
              <dt>{t('purchase.password')}</dt>
              <dd>
                <code className="payer__reference">{voucher.password}</code>{' '}
                <PayerCopyButton text={voucher.password} label={t('common.copy')} />
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
  return (
    <ShopLayout documentTitle={({ t }) => t('titles.voucherPurchase')}>
      <Purchase />
    </ShopLayout>
  );
}

function Purchase() {
  const { token = '' } = useParams();
  const { t, language, money } = usePayer();
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
  if (!data) body = <PayerQueryView query={query} refetch={refetch} />;
  else if (!purchase) body = <p className="muted">{t('purchase.invalid')}</p>;
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
    const country = purchase.country ? countryName(purchase.country, language, purchase.countryName ?? '') : '';
    // The payer's own currency first: what their SMS cost; the voucher's price (what counts as paid) under it.
    const local = bySms ? localTotal(purchase.instruction) : null;
    body = (
      <>
        <p className="muted">
          <Link to={`/p/${purchase.shop.slug}`}>{purchase.shop.name}</Link>
        </p>
        <h1 className="payer__amount">
          <PayerMoney money={local ?? purchase.amount} />
        </h1>
        {local && (
          <p className="muted small" data-testid="purchase-price">
            {t('shop.localPriceNote', { price: money(purchase.amount) })}
          </p>
        )}
        <div className="payer__status" role="status" aria-live="polite">
          {status && <PayerStatusBadge status={status} />}
          <span>{t('purchase.received', { amount: money(received) })}</span>
        </div>
        {status === 'PAID' && <Overpaid amount={purchase.amount} received={received} />}
        <dl className="facts">
          <dt>{t('common.paymentNumber')}</dt>
          <dd>
            <code className="payer__reference" data-testid="payment-number">
              {purchase.reference}
            </code>{' '}
            {bySms && <span className="muted small">{t('purchase.keep')}</span>}
          </dd>
          {bySms && (
            <>
              <dt>{t('common.country')}</dt>
              <dd>{country}</dd>
            </>
          )}
        </dl>
        <CreditApplied credit={purchase.creditApplied} />

        {purchase.voucher && <VoucherPanel voucher={purchase.voucher} />}
        {purchase.state === 'RELEASED' && takingMoney && (
          <p className="notice notice--warn">
            {t('purchase.released')}{' '}
            {purchase.shop.soldOut ? t('purchase.releasedSoldOut') : t('purchase.releasedAgain')}
          </p>
        )}
        {purchase.state === 'UNFULFILLED' && <p className="notice notice--warn">{t('purchase.unfulfilled')}</p>}
        {purchase.state === 'REFUNDED' && <p className="notice">{t('purchase.refunded')}</p>}

        {cardPayment && !purchase.voucher && (
          <CardPanel pageToken={token} payment={cardPayment} merchantName={purchase.shop.name} refresh={refreshAll} />
        )}
        {bySms && cardPayment && takingMoney && toSend > 0 && (
          <p className="payer__or" aria-hidden="true">
            {t('common.or')}
          </p>
        )}
        {bySms && (
          <section className="sms-lines" aria-labelledby="sms-lines-title">
            <h2 id="sms-lines-title">
              {toSend
                ? toSend === 1
                  ? t('purchase.sendOne')
                  : t('purchase.sendCount', { count: toSend })
                : t('purchase.yourSms')}
            </h2>
            {toSend > 0 && <p className="muted small">{t('purchase.fromOnePhone', { country })}</p>}
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
                      <Badge tone={state.tone}>{t(`smsState.${state.key}`)}</Badge>
                      <span className="muted small">{t('purchase.smsNumber', { number: index + 1 })}</span>
                      {price && (
                        <span className="muted small">
                          <PayerMoney money={price} />
                        </span>
                      )}
                    </div>
                    <div className="sms-line__parts">
                      <div className="sms-line__part">
                        <span className="sms-line__label">{t('common.shortCode')}</span>
                        <span className="sms-line__value">
                          <code className={expected ? 'sms-line__big' : undefined}>{line.shortCode}</code>
                        </span>
                      </div>
                      <div className="sms-line__part">
                        <span className="sms-line__label">{t('common.text')}</span>
                        <span className="sms-line__value">
                          <code className={expected ? 'sms-line__big' : undefined}>{line.text}</code>
                          {expected && <PayerCopyButton text={line.text} label={t('common.copyText')} />}
                        </span>
                      </div>
                    </div>
                    {line.state === 'NOT_COUNTED' && <p className="sms-line__note">{t('purchase.notCounted')}</p>}
                    {expected && line.shortCode && (
                      <div className="button-row">
                        <a
                          className="button button--primary sms-line__open"
                          href={`sms:${line.shortCode}?&body=${encodeURIComponent(line.text)}`}
                        >
                          {t('common.openInMessages')}
                        </a>
                        {simulator && (
                          <Link
                            className="button"
                            to={simulatorLink({ to: line.shortCode, text: line.text, country: purchase.country })}
                          >
                            {t('common.simulate')}
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
          {live.error ? t('common.paused') : t('common.live')}
        </p>
        {bySms && (
          <section aria-labelledby="lookup-title">
            <h2 id="lookup-title">{t('purchase.findTitle')}</h2>
            <LookupForm paymentNumber={purchase.reference} />
          </section>
        )}
        <section aria-labelledby="feedback-title">
          <h2 id="feedback-title">{t('shop.feedbackTitle')}</h2>
          <FeedbackForm slug={purchase.shop.slug} paymentNumber={purchase.reference} />
        </section>
      </>
    );
  }
  return body;
}
