import { useState, type FormEvent } from 'react';
// readFragment: the generated useFragment is a plain function; this name lets callbacks unmask a payload.
import { useFormMutation } from '../../app/useFormMutation';
import { graphql, useFragment as readFragment } from '../../gql';
import type { CountryFieldsFragment } from '../../gql/graphql';
import { Field, FormErrors } from '../../app/components/Field';
import { CountryFields } from './documents';

const CreateCountryDocument = graphql(`
  mutation CreateCountry($input: CreateCountryInput!) {
    createCountry(input: $input) {
      country {
        ...CountryFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const UpdateCountryDocument = graphql(`
  mutation UpdateCountry($input: UpdateCountryInput!) {
    updateCountry(input: $input) {
      country {
        ...CountryFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export type Country = CountryFieldsFragment;

const FIELDS = ['code', 'name', 'currency', 'active'];

/** Adds a country to the SMS catalogue, or renames one, changes its currency or whether payers are offered it. */
export function CountryForm({ country, onDone }: { country?: Country; onDone: (country: Country | null) => void }) {
  const [code, setCode] = useState(country?.code ?? '');
  const [name, setName] = useState(country?.name ?? '');
  const [currency, setCurrency] = useState(country?.currency ?? '');
  const [active, setActive] = useState(country?.active ?? true);
  const { attach: attachCreate, ...createForm } = useFormMutation(
    CreateCountryDocument,
    (data) => data.createCountry,
    FIELDS,
  );
  const { attach: attachUpdate, ...updateForm } = useFormMutation(
    UpdateCountryDocument,
    (data) => data.updateCountry,
    FIELDS,
  );
  const form = country ? updateForm : createForm;
  const attach = country ? attachUpdate : attachCreate;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (country) {
      const response = await updateForm.submit({
        input: { code: country.code, name: name.trim(), currency: currency.trim().toUpperCase(), active },
      });
      const saved = response?.country;
      if (saved) onDone(readFragment(CountryFields, saved));
    } else {
      const response = await createForm.submit({
        input: { code: code.trim().toUpperCase(), name: name.trim(), currency: currency.trim().toUpperCase() },
      });
      const saved = response?.country;
      if (saved) onDone(readFragment(CountryFields, saved));
    }
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={country ? `Edit ${country.name}` : 'New country'}
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row form__row--three">
        {!country && (
          <Field label="Code" error={form.fieldError('code')} hint='ISO 3166-1 alpha-2, e.g. "DE".'>
            {(props) => (
              <input
                {...props}
                name="code"
                maxLength={2}
                autoCapitalize="characters"
                autoComplete="off"
                value={code}
                onChange={(event) => setCode(event.target.value.toUpperCase())}
              />
            )}
          </Field>
        )}
        <Field label="Name" error={form.fieldError('name')}>
          {(props) => (
            <input
              {...props}
              name="name"
              maxLength={100}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field label="Currency" error={form.fieldError('currency')} hint="ISO 4217 code of local SMS prices.">
          {(props) => (
            <input
              {...props}
              name="currency"
              maxLength={3}
              autoCapitalize="characters"
              autoComplete="off"
              value={currency}
              onChange={(event) => setCurrency(event.target.value.toUpperCase())}
            />
          )}
        </Field>
      </div>
      {country && (
        <label className="checkbox-line">
          <input type="checkbox" checked={active} onChange={(event) => setActive(event.target.checked)} />
          Offered to payers
        </label>
      )}
      <div className="form__actions">
        <button type="button" className="button" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Saving…' : country ? 'Save country' : 'Add country'}
        </button>
      </div>
    </form>
  );
}
