import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { CopyButton } from '../../app/components/CopyButton';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { QueryView } from '../../app/components/QueryView';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { CardPanel } from '../card/CardPanel';
import { PaymentStatusBadge } from '../payments/status';
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
  const { serviceId = '' } = useParams();
  const navigate = useNavigate();
  const [query, refetch] = useQuery({ query: AccessCodeOfferDocument, variables: { serviceId } });
  const [email, setEmail] = useState('');
  const { attach, ...form } = useFormMutation(StartAccessCodePurchaseDocument, (data) => data.startAccessCodePurchase, [
    'email',
  ]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { serviceId, email: email.trim() } });
    if (payload?.purchase) void navigate(codePurchasePath(serviceId, payload.purchase.token));
  };
  const offer = query.data?.accessCodeOffer;
  let body;
  if (!query.data) body = <QueryView query={query} refetch={refetch} />;
  else if (!offer) body = <p className="muted">There is nothing for sale at this address. Check the link.</p>;
  else
    body = (
      <>
        <h1>{offer.name}</h1>
        {offer.price && (
          <p className="payer__amount">
            <Money money={offer.price} />
          </p>
        )}
        <p className="muted">An access code: {offer.validity}.</p>
        {!offer.acceptsCard || !offer.price ? (
          <p className="notice notice--warn" role="status">
            Codes are not sold by card here right now.
          </p>
        ) : (
          <form
            ref={attach}
            className="form"
            onSubmit={(event) => void submit(event)}
            noValidate
            aria-label="Buy a code"
          >
            <FormErrors messages={form.errors.form} />
            <Field
              label="Email"
              error={form.fieldError('email')}
              hint="Your code is shown on the next page once paid, and sent to this address."
            >
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
                {form.fetching ? 'Starting…' : 'Continue to card payment'}
              </button>
            </div>
          </form>
        )}
      </>
    );
  return <ShopLayout>{body}</ShopLayout>;
}

/** A purchase (/codes/<serviceId>/pay/<token>): the card form, then the code, on this page and by email. */
export function CodePurchasePage() {
  const { token = '' } = useParams();
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
  if (!query.data) body = <QueryView query={query} refetch={refetch} />;
  else if (!purchase) body = <p className="muted">This purchase link is not valid.</p>;
  else {
    const code = purchase.accessCode;
    body = (
      <>
        <p className="muted">{purchase.serviceName}</p>
        <h1 className="payer__amount">
          <Money money={purchase.amount} />
        </h1>
        <div className="payer__status" role="status" aria-live="polite">
          <PaymentStatusBadge status={purchase.status} />
          <span>
            {code ? 'Paid. Here is your code.' : purchase.status === 'PAID' ? 'Paid.' : 'Waiting for your payment.'}
          </span>
        </div>
        <dl className="facts">
          <dt>Payment number</dt>
          <dd>
            <code className="payer__reference">{purchase.reference}</code>
          </dd>
          <dt>Code goes to</dt>
          <dd>{purchase.email}</dd>
        </dl>
        {code ? (
          <section className="notice notice--good" aria-labelledby="code-title" data-testid="access-code">
            <h2 id="code-title">Your access code</h2>
            <p>
              <code className="payer__reference sms-line__big" data-testid="access-code-value">
                {code.code}
              </code>{' '}
              <CopyButton text={code.code} label="Copy code" />
            </p>
            <dl className="facts">
              <dt>Valid until</dt>
              <dd>
                <Time value={code.expiresAt} fallback="no time limit" />
              </dd>
              {code.usesLeft !== null && code.usesLeft !== undefined && (
                <>
                  <dt>Uses left</dt>
                  <dd>{code.usesLeft}</dd>
                </>
              )}
            </dl>
            <p className="small">
              We also sent it to {purchase.email}.{' '}
              <a href={`${code.checkUrl}?code=${encodeURIComponent(code.code)}`}>Use it now</a>
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
  return <ShopLayout>{body}</ShopLayout>;
}
