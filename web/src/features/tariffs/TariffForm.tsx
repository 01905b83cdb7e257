import { useState, type FormEvent } from 'react';
// readFragment: the generated useFragment is a plain function; this name lets callbacks unmask a payload.
import { useFormMutation } from '../../app/useFormMutation';
import { graphql, useFragment as readFragment } from '../../gql';
import type { TariffFieldsFragment } from '../../gql/graphql';
import { Field, FormErrors } from '../../app/components/Field';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
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
/** Inputs with a field of their own; errors on country or id are the form's. */
const INPUTS = ['operator', 'shortCode', ...AMOUNTS];

/** USD parts at cent scale; the server holds that yield + shares = priceUsd, this only says so while typing. */
function partsCheck(values: Record<AmountName, string>): string | null {
  const cents = (value: string) => toMinor(parseAmountInput(value) ?? value, 2);
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
  const { attach: attachCreate, ...createForm } = useFormMutation(
    CreateTariffDocument,
    (data) => data.createTariff,
    INPUTS,
  );
  const { attach: attachUpdate, ...updateForm } = useFormMutation(
    UpdateTariffDocument,
    (data) => data.updateTariff,
    INPUTS,
  );
  const form = tariff ? updateForm : createForm;
  const attach = tariff ? attachUpdate : attachCreate;
  const check = partsCheck(values);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // A change leaves an emptied amount as it is; a new tariff needs every one.
    const read = AMOUNTS.filter((name) => !tariff || values[name].trim() !== '').map(
      (name) => [name, parseAmountInput(values[name])] as const,
    );
    const unreadable = Object.fromEntries(
      read.flatMap(([name, amount]) => (amount === null ? [[name, AMOUNT_HINT]] : [])),
    );
    if (Object.keys(unreadable).length) return form.setErrors({ byField: unreadable, form: [] });
    const amounts = Object.fromEntries(read) as Partial<Record<AmountName, string>>;
    if (tariff) {
      const response = await updateForm.submit({ input: { id: tariff.id, ...amounts } });
      const saved = response?.tariff;
      if (saved) onDone(readFragment(TariffFields, saved));
    } else {
      const response = await createForm.submit({
        // Every amount was read above: a new tariff leaves none out.
        input: {
          country,
          operator: operator.trim() || null,
          shortCode: shortCode.trim(),
          ...(amounts as Record<AmountName, string>),
        },
      });
      const saved = response?.tariff;
      if (saved) onDone(readFragment(TariffFields, saved));
    }
  };

  const amountField = (name: AmountName, label: string, hint?: string) => (
    <Field label={label} error={form.fieldError(name)} hint={hint}>
      {(props) => (
        <AmountInput
          {...props}
          name={name}
          placeholder="0.00"
          value={values[name]}
          onChange={(amount) => setValues((current) => ({ ...current, [name]: amount }))}
        />
      )}
    </Field>
  );

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={tariff ? 'Edit tariff' : 'New tariff'}
    >
      <FormErrors messages={form.errors.form} />
      {!tariff && (
        <div className="form__row">
          <Field label="Short code" error={form.fieldError('shortCode')} hint="3 to 15 digits.">
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
          <Field label="Operator" error={form.fieldError('operator')} hint="Empty: all operators of the country.">
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
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Saving…' : tariff ? 'Save tariff' : 'Add tariff'}
        </button>
      </div>
    </form>
  );
}
