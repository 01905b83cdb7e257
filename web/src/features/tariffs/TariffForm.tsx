import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
// readFragment: the generated useFragment is a plain function; this name lets callbacks unmask a payload.
import { graphql, useFragment as readFragment } from '../../gql';
import type { TariffFieldsFragment } from '../../gql/graphql';
import { Field, FormErrors, splitUserErrors } from '../../app/components/Field';
import { TariffFields } from './documents';
import { fromMinor, toMinor } from '../sms/decimal';

const CreateTariffDocument = graphql(`
  mutation CreateTariff($input: CreateTariffInput!) {
    createTariff(input: $input) {
      tariff {
        ...TariffFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const UpdateTariffDocument = graphql(`
  mutation UpdateTariff($input: UpdateTariffInput!) {
    updateTariff(input: $input) {
      tariff {
        ...TariffFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export type Tariff = TariffFieldsFragment;

const AMOUNTS = ['price', 'priceUsd', 'yieldUsd', 'operatorShareUsd', 'platformFeeUsd'] as const;
type AmountName = (typeof AMOUNTS)[number];
const INPUTS = ['country', 'operator', 'shortCode', 'id', ...AMOUNTS];

/** USD parts at cent scale; the server holds that yield + shares = priceUsd, this only says so while typing. */
function partsCheck(values: Record<AmountName, string>): string | null {
  const cents = (value: string) => toMinor(value, 2);
  const price = cents(values.priceUsd);
  const parts = [values.yieldUsd, values.operatorShareUsd, values.platformFeeUsd].map(cents);
  if (price === null || parts.some((part) => part === null)) return null;
  const sum = parts.reduce<bigint>((total, part) => total + (part ?? 0n), 0n);
  return sum === price
    ? `The parts add up to the USD price, ${fromMinor(price, 2)}.`
    : `The parts add up to ${fromMinor(sum, 2)} USD, not the USD price ${fromMinor(price, 2)}.`;
}

/**
 * Adds a tariff to a country, or changes one's amounts. Operator and short code identify a tariff, so only a new one
 * sets them. Each refusal shows beside its field.
 */
export function TariffForm({
  country,
  currency,
  operators,
  tariff,
  onDone,
}: {
  country: string;
  currency: string;
  /** Operators the country's tariffs already name, offered as suggestions. */
  operators: readonly string[];
  /** The tariff to change; none: a new one. */
  tariff?: Tariff;
  onDone: (tariff: Tariff | null) => void;
}) {
  const [operator, setOperator] = useState('');
  const [shortCode, setShortCode] = useState('');
  const [values, setValues] = useState<Record<AmountName, string>>({
    price: tariff?.price.amount ?? '',
    priceUsd: tariff?.priceUsd.amount ?? '',
    yieldUsd: tariff?.yieldUsd.amount ?? '',
    operatorShareUsd: tariff?.operatorShareUsd?.amount ?? '',
    platformFeeUsd: tariff?.platformFeeUsd?.amount ?? '',
  });
  const [created, create] = useMutation(CreateTariffDocument);
  const [updated, update] = useMutation(UpdateTariffDocument);
  const result = tariff ? updated : created;
  const userErrors = tariff ? updated.data?.updateTariff.userErrors : created.data?.createTariff.userErrors;
  const errors = splitUserErrors(userErrors, INPUTS);
  const formErrors = [
    ...errors.form,
    ...(errors.byField.country ? [errors.byField.country] : []),
    ...(errors.byField.id ? [errors.byField.id] : []),
    ...(result.error ? [result.error.message] : []),
  ];
  const check = partsCheck(values);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const amounts = Object.fromEntries(AMOUNTS.map((name) => [name, values[name].trim()])) as Record<
      AmountName,
      string
    >;
    const context = { additionalTypenames: ['SmsTariff'] };
    if (tariff) {
      const response = await update({ input: { id: tariff.id, ...amounts } }, context);
      const saved = response.data?.updateTariff.tariff;
      if (saved) onDone(readFragment(TariffFields, saved));
    } else {
      const response = await create(
        { input: { country, operator: operator.trim() || null, shortCode: shortCode.trim(), ...amounts } },
        context,
      );
      const saved = response.data?.createTariff.tariff;
      if (saved) onDone(readFragment(TariffFields, saved));
    }
  };

  const amountField = (name: AmountName, label: string, hint?: string) => (
    <Field label={label} error={errors.byField[name]} hint={hint}>
      {(props) => (
        <input
          {...props}
          name={name}
          inputMode="decimal"
          autoComplete="off"
          placeholder="0.00"
          value={values[name]}
          onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
        />
      )}
    </Field>
  );

  return (
    <form
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={tariff ? 'Edit tariff' : 'New tariff'}
    >
      <FormErrors messages={formErrors} />
      {!tariff && (
        <div className="form__row">
          <Field label="Short code" error={errors.byField.shortCode} hint="3 to 15 digits.">
            {(props) => (
              <input
                {...props}
                name="shortCode"
                inputMode="numeric"
                autoComplete="off"
                value={shortCode}
                onChange={(event) => setShortCode(event.target.value)}
              />
            )}
          </Field>
          <Field label="Operator" error={errors.byField.operator} hint="Empty: all operators of the country.">
            {(props) => (
              <>
                <input
                  {...props}
                  name="operator"
                  list="tariff-operators"
                  autoComplete="off"
                  value={operator}
                  onChange={(event) => setOperator(event.target.value)}
                />
                <datalist id="tariff-operators">
                  {operators.map((name) => (
                    <option key={name} value={name} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
      )}
      <div className="form__row">
        {amountField('price', `Local price (${currency})`, 'What the payer is charged for one SMS.')}
        {amountField('priceUsd', 'USD price', 'The same price in US dollars.')}
      </div>
      <div className="form__row form__row--three">
        {amountField('yieldUsd', 'Yield (USD)', "The merchant's part.")}
        {amountField('operatorShareUsd', 'Operator share (USD)')}
        {amountField('platformFeeUsd', 'Platform fee (USD)')}
      </div>
      {check && <p className="muted small">{check}</p>}
      <div className="form__actions">
        <button type="button" className="button" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={result.fetching}>
          {result.fetching ? 'Saving…' : tariff ? 'Save tariff' : 'Add tariff'}
        </button>
      </div>
    </form>
  );
}
