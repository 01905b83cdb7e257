import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import { CopyButton } from '../../app/components/CopyButton';
import { Money } from '../../app/components/Money';
import { Loading } from '../../app/components/States';
import { PaymentStatusBadge } from '../payments/status';
import { countryName, payLanguage, payText } from './payText';
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
 * The payer's page of a purse payment (`/bank/pay/<pageToken>?lang=ru|en`), where `POST /bank/` sends the browser:
 * its own minimal layout, in the language of the URL. The payer picks a country, sends the one SMS shown, watches
 * it arrive, then continues to the shop (or cancels); the server's return form posts the signed result there.
 */
export function PursePayPage() {
  const { token = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const [query, refetch] = useQuery({ query: PursePaymentPageDocument, variables: { token } });
  const [live] = useSubscription({ query: PursePaymentLiveDocument, variables: { token } });
  const [selecting, select] = useMutation(SelectPursePaymentCountryDocument);
  const [confirming, confirm] = useMutation(ConfirmPursePaymentDocument);
  const [cancelling, cancel] = useMutation(CancelPursePaymentDocument);
  const [problem, setProblem] = useState<string | null>(null);

  const page = query.data?.pursePaymentPage;
  const language = payLanguage(search.get('lang')) ?? (page?.language === 'EN' ? 'en' : 'ru');
  const t = payText(language);
  const status = live.data?.paymentSms.status ?? page?.status;
  const lines = live.data?.paymentSms.sms ?? page?.sms ?? [];
  const busy = selecting.fetching || confirming.fetching || cancelling.fetching;

  const setLanguage = (next: 'ru' | 'en') => {
    const params = new URLSearchParams(search);
    params.set('lang', next);
    setSearch(params, { replace: true });
  };

  const chooseCountry = async (code: string) => {
    setProblem(null);
    const response = await select({ input: { token, country: code } });
    const failure = response.error?.message ?? response.data?.selectPursePaymentCountry.userErrors[0]?.message;
    if (failure) setProblem(failure);
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
    if (failure) setProblem(failure);
    else if (payload?.returnUrl) window.location.assign(payload.returnUrl);
  };

  let body;
  if (!page && query.fetching) body = <Loading />;
  else if (!page) body = <p role="alert">{t.invalid}</p>;
  else {
    const open = status === 'OPEN' || status === 'PARTIALLY_PAID';
    const chosen = page.countries.find((option) => option.code === page.country) ?? null;
    body = (
      <>
        <p className="muted">{t.pay(page.merchantName)}</p>
        <h1 className="payer__amount">
          <Money money={page.amount} />
        </h1>
        {page.description && <p>{page.description}</p>}
        {page.amountIsNet && open && <p className="muted small">{t.netAmount}</p>}
        <div className="payer__status" role="status" aria-live="polite" data-testid="purse-status">
          {status && <PaymentStatusBadge status={status} />}
          <span>{(status && t.status[status]) ?? status}</span>
        </div>

        {open && page.countries.length === 0 && (
          <p className="notice notice--warn" role="alert">
            {t.noCountry(page.amount.amount, page.highestAmount?.amount ?? null)}
          </p>
        )}

        {status === 'OPEN' && page.countries.length > 0 && (
          <label className="field">
            <span className="field__label">{t.country}</span>
            <select
              value={page.country ?? ''}
              disabled={busy}
              onChange={(event) => void chooseCountry(event.target.value)}
            >
              {!page.country && <option value="">{t.chooseCountry}</option>}
              {page.countries.map((option) => (
                <option key={option.code} value={option.code}>
                  {countryName(option.code, language, option.name)}
                </option>
              ))}
            </select>
          </label>
        )}

        {open && chosen && (
          <section className="purse-instruction" aria-label={t.send}>
            <h2>{t.send}</h2>
            <dl className="facts">
              <dt>{t.text}</dt>
              <dd className="purse-instruction__value">
                <code data-testid="sms-text">{chosen.text}</code>
                <CopyButton text={chosen.text} label={t.copy} />
              </dd>
              <dt>{t.to}</dt>
              <dd className="purse-instruction__value">
                <code data-testid="sms-short-code">{chosen.shortCode}</code>
              </dd>
              <dt>{t.price}</dt>
              <dd>
                <Money money={chosen.price} />{' '}
                <span className="muted">
                  (≈ <Money money={chosen.priceUsd} />)
                </span>
                {chosen.variesByOperator && <span className="muted small"> · {t.varies}</span>}
              </dd>
            </dl>
          </section>
        )}

        {lines.length > 0 && (
          <section aria-label={t.lines}>
            <h2 className="purse-lines__title">{t.lines}</h2>
            <ul className="purse-lines">
              {lines.map((line, index) => (
                <li key={`${index}-${line.state}`} className={`purse-line purse-line--${line.state.toLowerCase()}`}>
                  <span className="purse-line__state" data-testid="sms-line-state">
                    {line.state === 'EXPECTED' ? t.expected : line.state === 'RECEIVED' ? t.received : t.notCounted}
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
          {(open || status === 'PAID') && (
            <button
              type="button"
              className="button button--primary"
              disabled={busy || status !== 'PAID'}
              onClick={() => void leave('confirm')}
            >
              {t.confirm}
            </button>
          )}
          {(status === 'OPEN' || status === 'CANCELLED' || status === 'EXPIRED') && (
            <button type="button" className="button" disabled={busy} onClick={() => void leave('cancel')}>
              {status === 'OPEN' ? t.cancel : t.back}
            </button>
          )}
        </div>
        {open && <p className="muted small">{t.confirmHint}</p>}
        <p className="muted small">
          {t.reference}: <code>{page.reference}</code>
        </p>
        <p className="payer__live muted small">
          <span className={live.error ? 'dot dot--off' : 'dot'} aria-hidden="true" />
          {live.error ? t.paused : t.live}
        </p>
      </>
    );
  }

  return (
    <main className="auth" lang={language}>
      <div className="auth__panel payer">
        <div className="purse-pay__top">
          <div className="brand">
            <span className="brand__mark" aria-hidden="true">
              T
            </span>
            {t.title}
          </div>
          <div className="purse-pay__languages" role="group" aria-label="Language">
            {(['ru', 'en'] as const).map((code) => (
              <button
                key={code}
                type="button"
                className="link-button"
                aria-pressed={language === code}
                onClick={() => setLanguage(code)}
              >
                {code === 'ru' ? 'Русский' : 'English'}
              </button>
            ))}
          </div>
        </div>
        {body}
      </div>
    </main>
  );
}
