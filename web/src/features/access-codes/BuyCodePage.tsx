import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { Field, FormErrors } from '../../app/components/Field';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { useFormMutation } from '../../app/useFormMutation';
import { CardPanel } from '../card/CardPanel';
import { PayerCopyButton, PayerMoney, PayerQueryView, PayerStatusBadge, PayerTime, usePayer } from '../../i18n/payer';
import { ShopLayout } from '../voucher-shop/parts';

const AccessCodeOfferDocument = graphql(`
  query AccessCodeOffer($serviceId: ID!) {
    accessCodeOffer(serviceId: $serviceId) {
      serviceId
      name
      acceptsCard
      validity
      price {
        amount
        currency
      }
    }
  }
`);

const StartAccessCodePurchaseDocument = graphql(`
  mutation StartAccessCodePurchase($input: StartAccessCodePurchaseInput!) {
    startAccessCodePurchase(input: $input) {
      purchase {
        token
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const AccessCodePurchaseDocument = graphql(`
  query AccessCodePurchase($token: String!) {
    accessCodePurchase(token: $token) {
      token
      reference
      serviceName
      status
      email
      paidAt
      amount {
        amount
        currency
      }
      accessCode {
        code
        checkUrl
        status
        expiresAt
        usesLeft
      }
    }
    paymentByToken(token: $token) {
      ...CardPanelFields
    }
  }
`);

/** The buyer's own purchase page: its token in the URL is the secret that shows the code. */
export function codePurchasePath(serviceId: string, token: string): string {
  return `/codes/${serviceId}/pay/${token}`;
}

/** A service's public page (/codes/<serviceId>): what a code costs by card, and the email it goes to. */
export function BuyCodePage() {
  return (
    <ShopLayout documentTitle={({ t }) => t('titles.accessCode')}>
      <BuyCode />
    </ShopLayout>
  );
}

function BuyCode() {
  const { serviceId = '' } = useParams();
  const { t, language } = usePayer();
  const navigate = useNavigate();
  const [query, refetch] = useQuery({ query: AccessCodeOfferDocument, variables: { serviceId } });
  const [email, setEmail] = useState('');
  const { attach, ...form } = useFormMutation(StartAccessCodePurchaseDocument, (data) => data.startAccessCodePurchase, [
    'email',
  ]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { serviceId, email: email.trim() } });
    if (payload?.purchase)
      void navigate(`${codePurchasePath(serviceId, payload.purchase.token)}${window.location.search}`);
  };
  const offer = query.data?.accessCodeOffer;
  // The API's words are English; the other languages say the same in theirs (the only email problem is its form).
  const emailError =
    form.fieldError('email') && (language === 'en' ? form.fieldError('email') : t('card.emailMissing'));
  let body;
  if (!query.data) body = <PayerQueryView query={query} refetch={refetch} />;
  else if (!offer) body = <p className="muted">{t('codes.nothing')}</p>;
  else
    body = (
      <>
        <h1>{offer.name}</h1>
        {offer.price && (
          <p className="payer__amount">
            <PayerMoney money={offer.price} />
          </p>
        )}
        <p className="muted">{t('codes.validity', { validity: offer.validity })}</p>
        {!offer.acceptsCard || !offer.price ? (
          <p className="notice notice--warn" role="status">
            {t('codes.noCard')}
          </p>
        ) : (
          <form
            ref={attach}
            className="form"
            onSubmit={(event) => void submit(event)}
            noValidate
            aria-label={t('codes.form')}
          >
            <FormErrors messages={form.errors.form} />
            <Field label={t('codes.email')} error={emailError} hint={t('codes.emailHint')}>
              {(props) => (
                <input
                  {...props}
                  name="email"
                  type="email"
                  autoComplete="email"
                  inputMode="email"
                  maxLength={254}
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                />
              )}
            </Field>
            <div className="form__actions">
              <button type="submit" className="button button--primary" disabled={form.fetching || !email.trim()}>
                {form.fetching ? t('common.starting') : t('common.continueToCard')}
              </button>
            </div>
          </form>
        )}
      </>
    );
  return body;
}

/** A purchase (/codes/<serviceId>/pay/<token>): the card form, then the code, on this page and by email. */
export function CodePurchasePage() {
  return (
    <ShopLayout documentTitle={({ t }) => t('titles.accessCode')}>
      <CodePurchase />
    </ShopLayout>
  );
}

function CodePurchase() {
  const { token = '' } = useParams();
  const { t } = usePayer();
  const [query, refetch] = useQuery({ query: AccessCodePurchaseDocument, variables: { token } });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const purchase = query.data?.accessCodePurchase;
  // Paid but the code not read yet (it is issued in the capture's transaction): read once more.
  const paidWithoutCode = purchase?.status === 'PAID' && !purchase.accessCode;
  useEffect(() => {
    if (!paidWithoutCode) return;
    const timer = window.setTimeout(refresh, 1000);
    return () => window.clearTimeout(timer);
  }, [paidWithoutCode, refresh]);

  let body;
  if (!query.data) body = <PayerQueryView query={query} refetch={refetch} />;
  else if (!purchase) body = <p className="muted">{t('codes.invalid')}</p>;
  else {
    const code = purchase.accessCode;
    body = (
      <>
        <p className="muted">{purchase.serviceName}</p>
        <h1 className="payer__amount">
          <PayerMoney money={purchase.amount} />
        </h1>
        <div className="payer__status" role="status" aria-live="polite">
          <PayerStatusBadge status={purchase.status} />
          <span>
            {code ? t('codes.paidWithCode') : purchase.status === 'PAID' ? t('codes.paid') : t('codes.waiting')}
          </span>
        </div>
        <dl className="facts">
          <dt>{t('common.paymentNumber')}</dt>
          <dd>
            <code className="payer__reference">{purchase.reference}</code>
          </dd>
          <dt>{t('codes.goesTo')}</dt>
          <dd>{purchase.email}</dd>
        </dl>
        {code ? (
          <section className="notice notice--good" aria-labelledby="code-title" data-testid="access-code">
            <h2 id="code-title">{t('codes.yourCode')}</h2>
            <p>
              <code className="payer__reference sms-line__big" data-testid="access-code-value">
                {code.code}
              </code>{' '}
              <PayerCopyButton text={code.code} label={t('common.copyCode')} />
            </p>
            <dl className="facts">
              <dt>{t('codes.validUntil')}</dt>
              <dd>
                <PayerTime value={code.expiresAt} fallback={t('codes.noLimit')} />
              </dd>
              {code.usesLeft !== null && code.usesLeft !== undefined && (
                <>
                  <dt>{t('codes.usesLeft')}</dt>
                  <dd>{code.usesLeft}</dd>
                </>
              )}
            </dl>
            <p className="small">
              {t('codes.alsoSent', { email: purchase.email })}{' '}
              <a href={`${code.checkUrl}?code=${encodeURIComponent(code.code)}`}>{t('codes.useNow')}</a>
            </p>
          </section>
        ) : (
          query.data.paymentByToken && (
            <CardPanel pageToken={token} payment={query.data.paymentByToken} refresh={refresh} />
          )
        )}
      </>
    );
  }
  return body;
}

const OUTCOMES = ['paid', 'expired', 'invalid'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** Where a service's check URL may send the payer when the merchant has no page of its own for the outcome. */
export function codeResultPath(serviceId: string, outcome: Outcome): string {
  return `/codes/${serviceId}/result/${outcome}`;
}

/**
 * Tollgate's own landing pages for a code's check (/codes/<serviceId>/result/paid|expired|invalid), in the payer's
 * language: a service whose merchant has no paid, expired or invalid page of its own can point its URLs here. The
 * paid one shows the code the check URL added (`?code=`); the others offer a new code.
 */
export function CodeResultPage() {
  return (
    <ShopLayout>
      <CodeResult />
    </ShopLayout>
  );
}

function CodeResult() {
  const { serviceId = '', outcome = '' } = useParams();
  const [search] = useSearchParams();
  const { t } = usePayer();
  const known = (OUTCOMES as readonly string[]).includes(outcome) ? (outcome as Outcome) : 'invalid';
  const code = known === 'paid' ? search.get('code') : null;
  useDocumentTitle(t(`codes.result.${known}Title`));
  const lang = search.get('lang');
  const buyPath = `/codes/${serviceId}${lang ? `?lang=${encodeURIComponent(lang)}` : ''}`;
  return (
    <section
      className={known === 'paid' ? 'notice notice--good' : 'notice notice--warn'}
      aria-labelledby="code-result-title"
      data-testid="code-result"
    >
      <h1 id="code-result-title">{t(`codes.result.${known}Title`)}</h1>
      <p>{t(`codes.result.${known}`)}</p>
      {code && (
        <p>
          <code className="payer__reference">{code}</code>
        </p>
      )}
      {known !== 'paid' && (
        <p>
          <Link to={buyPath}>{t('codes.result.buy')}</Link>
        </p>
      )}
    </section>
  );
}
