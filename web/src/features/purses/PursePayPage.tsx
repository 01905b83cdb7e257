import { useState } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQuery, useSubscription, type CombinedError } from 'urql';
import { graphql } from '../../gql';
import { countryName } from '../../i18n/format';
import { PayerCopyButton, PayerFrame, PayerMoney, PayerStatusBadge, usePayer } from '../../i18n/payer';
import './purses.css';

const PursePaymentPageDocument = graphql(`
  query PursePaymentPage($token: String!) {
    pursePaymentPage(token: $token) {
      merchantName
      purseName
      description
      status
      reference
      language
      amountIsNet
      canConfirm
      canCancel
      country
      amount {
        amount
        currency
      }
      highestAmount {
        amount
        currency
      }
      countries {
        code
        name
        shortCode
        text
        variesByOperator
        price {
          amount
          currency
        }
        priceUsd {
          amount
          currency
        }
      }
      sms {
        state
        shortCode
        text
        country
      }
    }
  }
`);

/** The sms module's live view of a payer page: status and SMS lines, at once and after every change. */
const PursePaymentLiveDocument = graphql(`
  subscription PursePaymentLive($token: String!) {
    paymentSms(token: $token) {
      status
      sms {
        state
        shortCode
        text
        country
      }
    }
  }
`);

const SelectPursePaymentCountryDocument = graphql(`
  mutation SelectPursePaymentCountry($input: SelectPursePaymentCountryInput!) {
    selectPursePaymentCountry(input: $input) {
      page {
        country
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const ConfirmPursePaymentDocument = graphql(`
  mutation ConfirmPursePayment($input: PursePaymentTokenInput!) {
    confirmPursePayment(input: $input) {
      returnUrl
      userErrors {
        code
        message
      }
    }
  }
`);

const CancelPursePaymentDocument = graphql(`
  mutation CancelPursePayment($input: PursePaymentTokenInput!) {
    cancelPursePayment(input: $input) {
      returnUrl
      userErrors {
        code
        message
      }
    }
  }
`);

/**
 * The payer's page of a purse payment (`/bank/pay/<pageToken>?lang=…`), where `POST /bank/` sends the browser: its
 * own minimal layout, in the language of the URL (or else the browser's). The payer picks a country, sends the one
 * SMS shown, watches it arrive, then continues to the shop (or cancels); the server's return form posts the signed
 * result there.
 */
export function PursePayPage() {
  return (
    <PayerFrame title={({ t }) => t('purse.title')} documentTitle={({ t }) => t('titles.payment')}>
      <PursePayment />
    </PayerFrame>
  );
}

const PAYMENT_STATUSES = ['OPEN', 'PARTIALLY_PAID', 'PAID', 'CANCELLED', 'EXPIRED', 'REFUNDED'] as const;
type Status = (typeof PAYMENT_STATUSES)[number];
const isStatus = (value: string | undefined): value is Status =>
  value !== undefined && (PAYMENT_STATUSES as readonly string[]).includes(value);

function PursePayment() {
  const { token = '' } = useParams();
  const { t, language, money } = usePayer();
  const [query, refetch] = useQuery({ query: PursePaymentPageDocument, variables: { token } });
  const [live] = useSubscription({ query: PursePaymentLiveDocument, variables: { token } });
  const [selecting, select] = useMutation(SelectPursePaymentCountryDocument);
  const [confirming, confirm] = useMutation(ConfirmPursePaymentDocument);
  const [cancelling, cancel] = useMutation(CancelPursePaymentDocument);
  const [problem, setProblem] = useState<string | null>(null);

  const page = query.data?.pursePaymentPage;
  const status = live.data?.paymentSms.status ?? page?.status;
  const lines = live.data?.paymentSms.sms ?? page?.sms ?? [];
  const busy = selecting.fetching || confirming.fetching || cancelling.fetching;

  /** The API speaks English: other languages get their own sentence for the failure (no connection, or `fallback`). */
  const inLanguage = (
    message: string,
    error: CombinedError | undefined,
    fallback: 'purse.countryFailed' | 'purse.actionFailed',
  ): string => {
    if (error?.networkError) return t('common.network');
    return language === 'en' ? message : t(fallback);
  };

  const chooseCountry = async (code: string) => {
    setProblem(null);
    const response = await select({ input: { token, country: code } });
    const failure = response.error?.message ?? response.data?.selectPursePaymentCountry.userErrors[0]?.message;
    if (failure) setProblem(inLanguage(failure, response.error, 'purse.countryFailed'));
    refetch({ requestPolicy: 'network-only' });
  };

  // Both answer a URL of the server's return form, which posts the signed fields to the shop (seed B5).
  const leave = async (action: 'confirm' | 'cancel') => {
    setProblem(null);
    const response = action === 'confirm' ? await confirm({ input: { token } }) : await cancel({ input: { token } });
    const payload =
      response.data && 'confirmPursePayment' in response.data
        ? response.data.confirmPursePayment
        : response.data && 'cancelPursePayment' in response.data
          ? response.data.cancelPursePayment
          : null;
    const failure = response.error?.message ?? payload?.userErrors[0]?.message;
    if (failure) setProblem(inLanguage(failure, response.error, 'purse.actionFailed'));
    else if (payload?.returnUrl) window.location.assign(payload.returnUrl);
  };

  if (!page && query.fetching) return <p className="muted">{t('common.loading')}</p>;
  if (!page) return <p role="alert">{t('purse.invalid')}</p>;

  const open = status === 'OPEN' || status === 'PARTIALLY_PAID';
  const chosen = page.countries.find((option) => option.code === page.country) ?? null;
  // Seed B4: no country's single SMS reaches the amount. Nothing can be paid, so that is all the page says: no
  // "waiting for your SMS", no country list, no Continue that could never be enabled; only the way back.
  const unpayable = open && page.countries.length === 0;

  return (
    <>
      <p className="muted">{t('purse.pay', { shop: page.merchantName })}</p>
      <h1 className="payer__amount">
        <PayerMoney money={page.amount} />
      </h1>
      <p className="payer__purse" data-testid="purse-name">
        <strong>{page.purseName}</strong>
      </p>
      {page.description && <p>{page.description}</p>}

      {unpayable ? (
        <div className="notice notice--warn" role="alert" data-testid="purse-unpayable">
          <p>{t('purse.noCountry', { amount: money(page.amount) })}</p>
          {page.highestAmount && <p>{t('purse.noCountryHighest', { highest: money(page.highestAmount) })}</p>}
          <p>{t('purse.noCountryAsk')}</p>
        </div>
      ) : (
        <>
          {page.amountIsNet && open && <p className="muted small">{t('purse.netAmount')}</p>}
          <div className="payer__status" role="status" aria-live="polite" data-testid="purse-status">
            {status && <PayerStatusBadge status={status} />}
            <span>{isStatus(status) ? t(`purse.message.${status}`) : status}</span>
          </div>
        </>
      )}

      {status === 'OPEN' && page.countries.length > 0 && (
        <label className="field">
          <span className="field__label">{t('common.country')}</span>
          <select
            value={page.country ?? ''}
            disabled={busy}
            onChange={(event) => void chooseCountry(event.target.value)}
          >
            {!page.country && <option value="">{t('purse.chooseCountry')}</option>}
            {page.countries.map((option) => (
              <option key={option.code} value={option.code}>
                {countryName(option.code, language, option.name)}
              </option>
            ))}
          </select>
        </label>
      )}

      {open && chosen && (
        <section className="purse-instruction" aria-label={t('purse.send')}>
          <h2>{t('purse.send')}</h2>
          <dl className="facts">
            <dt>{t('common.text')}</dt>
            <dd className="purse-instruction__value">
              <code data-testid="sms-text">{chosen.text}</code>
              <PayerCopyButton text={chosen.text} label={t('common.copy')} />
            </dd>
            <dt>{t('purse.to')}</dt>
            <dd className="purse-instruction__value">
              <code data-testid="sms-short-code">{chosen.shortCode}</code>
            </dd>
            <dt>{t('purse.price')}</dt>
            <dd>
              <PayerMoney money={chosen.price} />{' '}
              <span className="muted">
                (≈ <PayerMoney money={chosen.priceUsd} />)
              </span>
              {chosen.variesByOperator && <span className="muted small"> · {t('purse.varies')}</span>}
            </dd>
          </dl>
        </section>
      )}

      {lines.length > 0 && (
        <section aria-label={t('purse.lines')}>
          <h2 className="purse-lines__title">{t('purse.lines')}</h2>
          <ul className="purse-lines">
            {lines.map((line, index) => (
              <li key={`${index}-${line.state}`} className={`purse-line purse-line--${line.state.toLowerCase()}`}>
                <span className="purse-line__state" data-testid="sms-line-state">
                  {t(`smsState.${line.state}`)}
                </span>
                <span>
                  <code>{line.text}</code> → <code>{line.shortCode ?? '—'}</code>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {problem && (
        <p className="notice notice--warn" role="alert">
          {problem}
        </p>
      )}
      <div className="button-row">
        {((open && !unpayable) || status === 'PAID') && (
          <button
            type="button"
            className="button button--primary"
            disabled={busy || status !== 'PAID'}
            onClick={() => void leave('confirm')}
          >
            {t('purse.confirm')}
          </button>
        )}
        {(status === 'OPEN' || status === 'CANCELLED' || status === 'EXPIRED') && (
          <button type="button" className="button" disabled={busy} onClick={() => void leave('cancel')}>
            {status === 'OPEN' && !unpayable ? t('purse.cancel') : t('purse.back')}
          </button>
        )}
      </div>
      {open && !unpayable && <p className="muted small">{t('purse.confirmHint')}</p>}
      <p className="muted small">
        {t('purse.reference')}: <code>{page.reference}</code>
      </p>
      {!unpayable && (
        <p className="payer__live muted small">
          <span className={live.error ? 'dot dot--off' : 'dot'} aria-hidden="true" />
          {live.error ? t('common.paused') : t('common.live')}
        </p>
      )}
    </>
  );
}
