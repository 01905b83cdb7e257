import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { Field, FormErrors } from '../../app/components/Field';
import { countryName } from '../../i18n/format';
import { PayerMoney, PayerQueryView, usePayer } from '../../i18n/payer';
import { FeedbackForm, LookupForm, purchasePath, ShopLayout } from './parts';
import type { VoucherShopQuery } from '../../gql/graphql';

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

type Shop = NonNullable<VoucherShopQuery['voucherShop']>;

/** The country of the browser's first language that names one ("bg-BG" → BG), when the shop serves it. */
function browserCountry(shop: Shop): string {
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const locale of languages) {
    const region = /^[a-z]{2,3}[-_]([a-z]{2})\b/i.exec(locale)?.[1]?.toUpperCase();
    if (region && shop.countries.some((country) => country.code === region)) return region;
  }
  return '';
}

/** The project's public page (/p/<slug>): what is sold, a country picker, and the way back to a payment. */
export function ShopPage() {
  return (
    <ShopLayout documentTitle={({ t }) => t('titles.vouchers')}>
      <Shop />
    </ShopLayout>
  );
}

function Shop() {
  const { slug = '' } = useParams();
  const navigate = useNavigate();
  const { t, language, money } = usePayer();
  const [query, refetch] = useQuery({ query: VoucherShopDocument, variables: { slug } });
  const { data } = query;
  const [picked, setCountry] = useState<string | null>(null);
  const [method, setMethod] = useState<'CARD' | 'SMS'>('CARD');
  const { attach, ...form } = useFormMutation(StartVoucherPaymentDocument, (data) => data.startVoucherPayment, [
    'country',
  ]);
  const shop = data?.voucherShop;
  // Until the payer picks one, the country of the browser's locale (if served): its local price shows at once.
  const country = picked ?? (shop ? browserCountry(shop) : '');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // By card: no country, no SMS instruction; the purchase page then shows the card form.
    const byCard = Boolean(shop?.acceptsCard) && method === 'CARD';
    const response = await form.submit({ input: byCard ? { slug, country: null } : { slug, country } });
    const purchase = response?.purchase;
    if (purchase) void navigate(`${purchasePath(slug, purchase.token)}${window.location.search}`);
    else refetch({ requestPolicy: 'network-only' }); // e.g. sold out meanwhile
  };

  if (!data) return <PayerQueryView query={query} refetch={refetch} />;
  if (!shop) return <p className="muted">{t('shop.notFound')}</p>;
  const chosen = shop.countries.find((c) => c.code === country);
  const onSale = shop.active && !shop.soldOut;
  const bySms = shop.countries.length > 0 && (!shop.acceptsCard || method === 'SMS');
  // The payer's own currency first: what the chosen country's SMS cost together (the tariff table's local prices,
  // summed in minor units by the server), then the voucher's price they pay for.
  const local = bySms && chosen ? chosen.total : null;
  return (
    <>
      {shop.logoUrl && <img src={shop.logoUrl} alt="" style={{ maxHeight: 64, maxWidth: '100%' }} />}
      <p className="muted">{t('shop.soldBy', { merchant: shop.merchantName })}</p>
      <h1>{shop.name}</h1>
      <p className="payer__amount" data-testid="shop-price">
        <PayerMoney money={local ?? shop.price} />
      </p>
      {local && chosen && (
        <p className="muted small" data-testid="shop-local-price">
          {t('shop.localPrice', {
            country: countryName(chosen.code, language, chosen.name),
            total: money(chosen.total),
            count: chosen.messages,
          })}{' '}
          {t('shop.localPriceNote', { price: money(shop.price) })}
        </p>
      )}
      {shop.description && <p style={{ whiteSpace: 'pre-wrap' }}>{shop.description}</p>}
      <p className="muted small">{t(`shop.what.${shop.kind}`)}</p>
      {!shop.active ? (
        <p className="notice notice--warn" role="status">
          {t('shop.paused')}
        </p>
      ) : shop.soldOut ? (
        <p className="notice notice--warn" role="status" data-testid="sold-out">
          {t('shop.soldOut')}
        </p>
      ) : shop.countries.length === 0 && !shop.acceptsCard ? (
        <p className="notice notice--warn" role="status">
          {t('shop.noCountries')}
        </p>
      ) : null}
      {onSale && shop.acceptsCard && (
        <fieldset className="method-choice" aria-label={t('shop.howToPay')}>
          <legend className="field__label">{t('shop.howToPay')}</legend>
          <label className="checkbox-line">
            <input
              type="radio"
              name="method"
              value="CARD"
              checked={method === 'CARD'}
              onChange={() => setMethod('CARD')}
            />
            {t('shop.byCard')}
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
            {t('shop.bySms')}
          </label>
        </fieldset>
      )}
      {onSale && shop.acceptsCard && method === 'CARD' && (
        <form
          ref={attach}
          className="form"
          onSubmit={(event) => void submit(event)}
          noValidate
          aria-label={t('shop.buyByCard')}
        >
          <FormErrors messages={form.errors.form} />
          <p className="muted small">{t('shop.cardNext')}</p>
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={form.fetching}>
              {form.fetching ? t('common.starting') : t('common.continueToCard')}
            </button>
          </div>
        </form>
      )}
      {onSale && bySms && (
        <form
          ref={attach}
          className="form"
          onSubmit={(event) => void submit(event)}
          noValidate
          aria-label={t('shop.payBySms')}
        >
          <FormErrors messages={form.errors.form} />
          <Field
            label={t('shop.yourCountry')}
            error={form.fieldError('country')}
            hint={chosen ? undefined : t('shop.countriesHint')}
          >
            {(props) => (
              <select {...props} name="country" value={country} onChange={(event) => setCountry(event.target.value)}>
                <option value="">{t('shop.choose')}</option>
                {shop.countries.map((option) => (
                  <option key={option.code} value={option.code}>
                    {t('shop.countryOption', {
                      country: countryName(option.code, language, option.name),
                      count: option.messages,
                    })}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={!country || form.fetching}>
              {form.fetching ? t('common.starting') : t('shop.payBySms')}
            </button>
          </div>
        </form>
      )}
      <section aria-labelledby="lookup-title">
        <h2 id="lookup-title">{t('shop.lookupTitle')}</h2>
        <LookupForm />
      </section>
      <section aria-labelledby="feedback-title">
        <h2 id="feedback-title">{t('shop.feedbackTitle')}</h2>
        <FeedbackForm slug={shop.slug} />
      </section>
    </>
  );
}
