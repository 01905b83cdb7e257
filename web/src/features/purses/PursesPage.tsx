import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import type { PurseLanguage } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Time } from '../../app/components/Time';

const PursesDocument = graphql(`
  query Purses($first: Int, $after: String) {
    purses(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          number
          name
          countries
          language
          resultUrl
          createdAt
        }
      }
    }
  }
`);

const CreatePurseDocument = graphql(`
  mutation CreatePurse($input: CreatePurseInput!) {
    createPurse(input: $input) {
      secret
      purse {
        id
        number
        name
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** "bg, de ro" → ["BG", "DE", "RO"]; empty means every country. */
export function parseCountries(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
}

export const COUNTRIES_HINT = 'Two-letter codes, like “BG, DE, RO”; leave empty to serve every country.';

export interface PurseFormValues {
  name: string;
  successUrl: string;
  failUrl: string;
  resultUrl: string;
  countries: string;
  language: PurseLanguage;
}

/** The settings every purse has; shared by the create and edit forms. */
export function PurseFields({
  values,
  onChange,
  errors,
}: {
  values: PurseFormValues;
  onChange: (values: PurseFormValues) => void;
  errors: Record<string, string>;
}) {
  const set = (key: keyof PurseFormValues) => (event: { target: { value: string } }) =>
    onChange({ ...values, [key]: event.target.value });
  return (
    <>
      <div className="form__row">
        <Field label="Name" error={errors.name} hint="Shown to payers.">
          {(props) => <input {...props} name="name" maxLength={100} value={values.name} onChange={set('name')} />}
        </Field>
        <Field label="Language" error={errors.language} hint="Of the payer’s pages, unless the form’s URL says.">
          {(props) => (
            <select {...props} name="language" value={values.language} onChange={set('language')}>
              <option value="RU">Russian</option>
              <option value="EN">English</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="Result URL" error={errors.resultUrl} hint="Your handler: a signed POST for every paid SMS.">
        {(props) => (
          <input {...props} name="resultUrl" type="url" value={values.resultUrl} onChange={set('resultUrl')} />
        )}
      </Field>
      <div className="form__row">
        <Field label="Success URL" error={errors.successUrl} hint="Where payers return after paying.">
          {(props) => (
            <input {...props} name="successUrl" type="url" value={values.successUrl} onChange={set('successUrl')} />
          )}
        </Field>
        <Field label="Fail URL" error={errors.failUrl} hint="Where payers return after cancelling.">
          {(props) => <input {...props} name="failUrl" type="url" value={values.failUrl} onChange={set('failUrl')} />}
        </Field>
      </div>
      <Field label="Countries" error={errors.countries} hint={COUNTRIES_HINT}>
        {(props) => <input {...props} name="countries" value={values.countries} onChange={set('countries')} />}
      </Field>
    </>
  );
}

export const PURSE_FIELDS = ['name', 'successUrl', 'failUrl', 'resultUrl', 'countries', 'language'];

const EMPTY: PurseFormValues = {
  name: '',
  successUrl: '',
  failUrl: '',
  resultUrl: '',
  countries: '',
  language: 'RU',
};

function CreatePurseForm() {
  const [values, setValues] = useState(EMPTY);
  const [created, setCreated] = useState<{ id: string; number: number; secret: string } | null>(null);
  const { attach, ...form } = useFormMutation(CreatePurseDocument, (data) => data.createPurse, PURSE_FIELDS);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await form.submit({ input: { ...values, countries: parseCountries(values.countries) } });
    const payload = response;
    if (payload?.purse && payload.secret) {
      setCreated({ id: payload.purse.id, number: payload.purse.number, secret: payload.secret });
      setValues(EMPTY);
    }
  };

  if (created)
    return (
      <div className="stack">
        <SecretPanel
          title={`Purse ${created.number} created`}
          secret={created.secret}
          testId="purse-secret"
          onDone={() => setCreated(null)}
          warning={
            <>
              This is the secret code of purse <strong>{created.number}</strong>: your site signs its forms and checks
              our callbacks with it. Store it on your server now; revealing it again later is recorded in the audit log.
            </>
          }
        />
        <Link to={created.id} className="button">
          Open the purse: integration code and test callback
        </Link>
      </div>
    );
  return (
    <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Create purse">
      <FormErrors messages={form.errors.form} />
      <PurseFields values={values} onChange={setValues} errors={form.errors.byField} />
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Creating…' : 'Create purse'}
        </button>
      </div>
    </form>
  );
}

/** The merchant's SMS purses (the sms:bank protocol): a list and a way to add one. */
export function PursesPage() {
  const paging = usePaging();
  const [showCreate, setShowCreate] = useState(false);
  const [query, refetch] = useQuery({
    query: PursesDocument,
    variables: { first: paging.first, after: paging.after },
  });
  return (
    <Page
      title="Purses"
      description="SMS purses take payments through the sms:bank protocol: your form posts to us, the payer sends one SMS, your Result URL hears of it."
      actions={
        <button type="button" className="button button--primary" onClick={() => setShowCreate((open) => !open)}>
          {showCreate ? 'Close' : 'New purse'}
        </button>
      }
    >
      {showCreate && (
        <Card title="New purse">
          <CreatePurseForm />
        </Card>
      )}
      <Card title="Purses">
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable
                caption="Purses"
                rows={data.purses.edges.map((edge) => edge.node)}
                rowKey={(purse) => purse.id}
                empty="No purses yet. Create one to take SMS payments from your site’s form."
                columns={[
                  { header: 'Number', render: (purse) => <code>{purse.number}</code>, className: 'nowrap' },
                  {
                    header: 'Name',
                    render: (purse) => (
                      <Link to={purse.id} className="strong-link">
                        {purse.name}
                      </Link>
                    ),
                  },
                  {
                    header: 'Countries',
                    render: (purse) =>
                      purse.countries.length ? (
                        <span className="tags">
                          {purse.countries.map((code) => (
                            <Badge key={code} tone="info">
                              {code}
                            </Badge>
                          ))}
                        </span>
                      ) : (
                        <span className="muted">all</span>
                      ),
                  },
                  { header: 'Language', render: (purse) => purse.language },
                  { header: 'Created', render: (purse) => <Time value={purse.createdAt} />, className: 'nowrap' },
                  {
                    header: '',
                    className: 'actions',
                    render: (purse) => (
                      <Link
                        to={purse.id}
                        className="button button--small"
                        aria-label={`Payments & settings of purse ${purse.number}`}
                      >
                        Payments & settings
                      </Link>
                    ),
                  },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.purses.pageInfo}
                totalCount={data.purses.totalCount}
                shown={data.purses.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
