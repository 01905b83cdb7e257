import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { PayerShortCodesQuery } from '../../gql/graphql';
import type { MoneyValue } from '../../app/components/Money';
import { countryName } from '../../i18n/format';
import { usePayer } from '../../i18n/payer';
import { ErrorState } from '../../app/components/States';
import { scaleOf, toMinor } from '../sms/decimal';

const PayerCountriesDocument = graphql(`
  query PayerCountries {
    countries {
      code
      name
      currency
    }
  }
`);

const PayerShortCodesDocument = graphql(`
  query PayerShortCodes($country: String!) {
    effectiveTariffs(country: $country) {
      country
      shortCode
      variesByOperator
      price {
        amount
        currency
      }
      yieldUsd {
        amount
        currency
      }
    }
  }
`);

type Tariff = PayerShortCodesQuery['effectiveTariffs'][number];

interface Option {
  tariff: Tariff;
  /** How many such SMS pay the rest; null when the amounts cannot be compared. */
  count: bigint | null;
}

/** How many SMS of this yield pay `remaining` (both USD decimal strings); null when either is unusable. */
function smsNeeded(remaining: string, yieldUsd: string): bigint | null {
  const scale = Math.max(scaleOf(remaining), scaleOf(yieldUsd));
  const rest = toMinor(remaining, scale);
  const each = toMinor(yieldUsd, scale);
  if (rest === null || each === null || each <= 0n) return null;
  if (rest <= 0n) return 0n;
  return (rest + each - 1n) / each;
}

/**
 * The payer's pick of country and short code, for SMS lines that name none ("any of the payment's"). Until the payer
 * picks a short code, the one needing the fewest SMS is suggested (the cheapest of those: tariffs come cheapest
 * first). `initialCountry` is where the payment's earlier SMS came from: later ones must come from there too.
 */
export function useShortCodeChoice(remaining: MoneyValue, initialCountry: string | null, enabled: boolean) {
  const [country, setCountryState] = useState(initialCountry ?? '');
  const [picked, setPicked] = useState<string | null>(null);
  const [countries] = useQuery({ query: PayerCountriesDocument, pause: !enabled });
  const [tariffs] = useQuery({
    query: PayerShortCodesDocument,
    variables: { country },
    pause: !enabled || !country,
  });
  const options: Option[] = (country ? (tariffs.data?.effectiveTariffs ?? []) : []).map((tariff) => ({
    tariff,
    count: smsNeeded(remaining.amount, tariff.yieldUsd.amount),
  }));
  const suggested = options.reduce<Option | null>(
    (best, option) =>
      option.count !== null && (best === null || best.count === null || option.count < best.count) ? option : best,
    null,
  );
  const shortCode = options.some((option) => option.tariff.shortCode === picked)
    ? picked
    : (suggested?.tariff.shortCode ?? null);
  return {
    country,
    setCountry: (code: string) => {
      setCountryState(code);
      setPicked(null);
    },
    shortCode,
    setShortCode: setPicked,
    countries: countries.data?.countries ?? [],
    options,
    loaded: Boolean(country && tariffs.data && !tariffs.fetching),
    error: countries.error ?? tariffs.error,
  };
}

export type ShortCodeChoice = ReturnType<typeof useShortCodeChoice>;

/** Country, then short code: each with its price and how many such SMS pay the rest. */
export function ShortCodeChooser({ choice }: { choice: ShortCodeChoice }) {
  const { t, language, money } = usePayer();
  return (
    <div className="sms-chooser">
      <label className="field">
        <span className="field__label">{t('chooser.country')}</span>
        <select value={choice.country} onChange={(event) => choice.setCountry(event.target.value)}>
          <option value="" disabled>
            {t('chooser.chooseCountry')}
          </option>
          {choice.countries.map((entry) => (
            <option key={entry.code} value={entry.code}>
              {countryName(entry.code, language, entry.name)}
            </option>
          ))}
        </select>
      </label>
      {choice.error && <ErrorState error={choice.error} />}
      {choice.options.length > 0 && (
        <fieldset className="sms-chooser__codes">
          <legend className="field__label">{t('common.shortCode')}</legend>
          {choice.options.map(({ tariff, count }) => (
            <label key={tariff.shortCode} className="sms-chooser__code">
              <input
                type="radio"
                name="short-code"
                value={tariff.shortCode}
                checked={choice.shortCode === tariff.shortCode}
                onChange={() => choice.setShortCode(tariff.shortCode)}
              />
              <strong className="sms-chooser__number">{tariff.shortCode}</strong>
              <span>
                {t(tariff.variesByOperator ? 'chooser.perSmsAtMost' : 'chooser.perSms', { price: money(tariff.price) })}
              </span>
              {count !== null && count > 0n && (
                <span className="muted small sms-chooser__count">
                  {t('chooser.paysRest', { count: Number(count) })}
                </span>
              )}
            </label>
          ))}
        </fieldset>
      )}
      {choice.loaded && choice.options.length === 0 && <p className="muted">{t('chooser.unavailable')}</p>}
    </div>
  );
}
