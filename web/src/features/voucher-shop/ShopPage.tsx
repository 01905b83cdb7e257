import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { FeedbackForm, LookupForm, purchasePath, ShopLayout } from './parts';

const VoucherShopDocument = graphql(`
  query VoucherShop($slug: String!) {
    voucherShop(slug: $slug) {
      name
      slug
      description
      logoUrl
      kind
      active
      soldOut
      acceptsCard
      merchantName
      price {
        amount
        currency
      }
      countries {
        code
        name
        messages
        total {
          amount
          currency
        }
      }
    }
  }
`);

const StartVoucherPaymentDocument = graphql(`
  mutation StartVoucherPayment($input: StartVoucherPaymentInput!) {
    startVoucherPayment(input: $input) {
      purchase {
        token
        reference
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const WHAT: Record<string, string> = {
  PIN: 'a PIN code',
  LOGIN: 'a login and password',
  LINK: 'an activation link',
};

/** The project's public page (/p/<slug>): what is sold, a country picker, and the way back to a payment. */
export function ShopPage() {
  const { slug = '' } = useParams();
  const navigate = useNavigate();
  const [query, refetch] = useQuery({ query: VoucherShopDocument, variables: { slug } });
  const { data } = query;
  const [country, setCountry] = useState('');
  const [method, setMethod] = useState<'CARD' | 'SMS'>('CARD');
  const { attach, ...form } = useFormMutation(StartVoucherPaymentDocument, (data) => data.startVoucherPayment, [
    'country',
  ]);
  const shop = data?.voucherShop;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // By card: no country, no SMS instruction; the purchase page then shows the card form.
    const byCard = Boolean(shop?.acceptsCard) && method === 'CARD';
    const response = await form.submit({ input: byCard ? { slug, country: null } : { slug, country } });
    const purchase = response?.purchase;
    if (purchase) void navigate(purchasePath(slug, purchase.token));
    else refetch({ requestPolicy: 'network-only' }); // e.g. sold out meanwhile
  };

  let body;
  if (!data) body = <QueryView query={query} refetch={refetch} />;
  else if (!shop)
    body = <p className="muted">There is no voucher page at this address. Check the link with the seller.</p>;
  else {
    const chosen = shop.countries.find((c) => c.code === country);
    const onSale = shop.active && !shop.soldOut;
    body = (
      <>
        {shop.logoUrl && <img src={shop.logoUrl} alt="" style={{ maxHeight: 64, maxWidth: '100%' }} />}
        <p className="muted">Sold by {shop.merchantName}</p>
        <h1>{shop.name}</h1>
        <p className="payer__amount">
          <Money money={shop.price} />
        </p>
        {shop.description && <p style={{ whiteSpace: 'pre-wrap' }}>{shop.description}</p>}
        <p className="muted small">
          You get {WHAT[shop.kind] ?? 'a voucher'} on this page as soon as your{' '}
          {shop.acceptsCard ? 'payment has' : 'SMS have'} arrived.
        </p>
        {!shop.active ? (
          <p className="notice notice--warn" role="status">
            Sales are paused. Please come back later.
          </p>
        ) : shop.soldOut ? (
          <p className="notice notice--warn" role="status" data-testid="sold-out">
            Sold out: no voucher is left right now.
          </p>
        ) : shop.countries.length === 0 && !shop.acceptsCard ? (
          <p className="notice notice--warn" role="status">
            No country&apos;s SMS tariffs can pay this price.
          </p>
        ) : null}
        {onSale && shop.acceptsCard && (
          <fieldset className="method-choice" aria-label="How to pay">
            <legend className="field__label">How do you want to pay?</legend>
            <label className="checkbox-line">
              <input
                type="radio"
                name="method"
                value="CARD"
                checked={method === 'CARD'}
                onChange={() => setMethod('CARD')}
              />
              By card
            </label>
            <label className="checkbox-line">
              <input
                type="radio"
                name="method"
                value="SMS"
                checked={method === 'SMS'}
                disabled={shop.countries.length === 0}
                onChange={() => setMethod('SMS')}
              />
              By SMS
            </label>
          </fieldset>
        )}
        {onSale && shop.acceptsCard && method === 'CARD' && (
          <form
            ref={attach}
            className="form"
            onSubmit={(event) => void submit(event)}
            noValidate
            aria-label="Buy by card"
          >
            <FormErrors messages={form.errors.form} />
            <p className="muted small">You type your card on the next page, then get your voucher there at once.</p>
            <div className="form__actions">
              <button type="submit" className="button button--primary" disabled={form.fetching}>
                {form.fetching ? 'Starting…' : 'Continue to card payment'}
              </button>
            </div>
          </form>
        )}
        {onSale && shop.countries.length > 0 && (!shop.acceptsCard || method === 'SMS') && (
          <form
            ref={attach}
            className="form"
            onSubmit={(event) => void submit(event)}
            noValidate
            aria-label="Pay by SMS"
          >
            <FormErrors messages={form.errors.form} />
            <Field
              label="Your country"
              error={form.fieldError('country')}
              hint={
                chosen
                  ? `${chosen.messages} SMS, about ${chosen.total.amount} ${chosen.total.currency} in all.`
                  : 'Only countries whose SMS can pay this price are listed.'
              }
            >
              {(props) => (
                <select {...props} name="country" value={country} onChange={(event) => setCountry(event.target.value)}>
                  <option value="">Choose…</option>
                  {shop.countries.map((option) => (
                    <option key={option.code} value={option.code}>
                      {option.name} — {option.messages} SMS
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <div className="form__actions">
              <button type="submit" className="button button--primary" disabled={!country || form.fetching}>
                {form.fetching ? 'Starting…' : 'Pay by SMS'}
              </button>
            </div>
          </form>
        )}
        <section aria-labelledby="lookup-title">
          <h2 id="lookup-title">Already paying, or paid before?</h2>
          <LookupForm />
        </section>
        <section aria-labelledby="feedback-title">
          <h2 id="feedback-title">Write to the seller</h2>
          <FeedbackForm slug={shop.slug} />
        </section>
      </>
    );
  }
  return <ShopLayout>{body}</ShopLayout>;
}
