import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ApiKeysQuery } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors, splitUserErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Pager, usePaging } from '../../app/components/Pager';
import { ErrorState, Loading } from '../../app/components/States';
import { Time } from '../../app/components/Time';

const ApiKeysDocument = graphql(`
  query ApiKeys($first: Int, $after: String) {
    apiKeys(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          name
          prefix
          scopes
          createdAt
          lastUsedAt
          revokedAt
        }
      }
    }
  }
`);

const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
        name
        prefix
        scopes
        createdAt
        lastUsedAt
        revokedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($input: IdInput!) {
    revokeApiKey(input: $input) {
      apiKey {
        id
        revokedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type ApiKey = ApiKeysQuery['apiKeys']['edges'][number]['node'];

function CreateApiKeyForm() {
  const [name, setName] = useState('');
  const [write, setWrite] = useState(false);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [result, createApiKey] = useMutation(CreateApiKeyDocument);
  const errors = splitUserErrors(result.data?.createApiKey.userErrors, ['name', 'scopes']);
  const formErrors = result.error ? [...errors.form, result.error.message] : errors.form;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await createApiKey(
      { input: { name, scopes: write ? ['read', 'write'] : ['read'] } },
      { additionalTypenames: ['ApiKey'] },
    );
    const payload = response.data?.createApiKey;
    if (payload?.secret && payload.apiKey) {
      setCreated({ name: payload.apiKey.name, secret: payload.secret });
      setName('');
      setWrite(false);
    }
  };

  // Shown once, right after creation: the server keeps only a hash of the secret.
  if (created)
    return (
      <SecretPanel
        title={`API key “${created.name}” created`}
        secret={created.secret}
        testId="api-key-secret"
        doneLabel="I have stored the key"
        onDone={() => setCreated(null)}
        warning={
          <>
            Copy this key now and keep it somewhere safe. It is shown <strong>only once</strong> and cannot be retrieved
            again; if it is lost, revoke it and create a new one.
          </>
        }
      />
    );
  return (
    <form className="form form--inline" onSubmit={(event) => void submit(event)} noValidate aria-label="Create API key">
      <FormErrors messages={formErrors} />
      <Field label="Name" error={errors.byField.name} hint="What the key is for, e.g. “Checkout backend”.">
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
      <fieldset className={errors.byField.scopes ? 'field field--invalid' : 'field'}>
        <legend className="field__label">Scopes</legend>
        <div className="checks">
          <label className="check">
            <input type="checkbox" checked disabled /> read
          </label>
          <label className="check">
            <input type="checkbox" name="write" checked={write} onChange={(event) => setWrite(event.target.checked)} />{' '}
            write
          </label>
        </div>
        {errors.byField.scopes && (
          <p className="field__error" role="alert">
            {errors.byField.scopes}
          </p>
        )}
      </fieldset>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={result.fetching}>
          {result.fetching ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function RevokeButton({ apiKey, onError }: { apiKey: ApiKey; onError: (message: string | null) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [result, revoke] = useMutation(RevokeApiKeyDocument);
  if (apiKey.revokedAt) return null;
  if (!confirming)
    return (
      <button
        type="button"
        className="button button--small button--danger-quiet"
        onClick={() => setConfirming(true)}
        aria-label={`Revoke ${apiKey.name}`}
      >
        Revoke
      </button>
    );
  const run = async () => {
    const response = await revoke({ input: { id: apiKey.id } });
    const message = response.error?.message ?? response.data?.revokeApiKey.userErrors[0]?.message ?? null;
    onError(message);
    setConfirming(false);
  };
  return (
    <span className="confirm">
      <button
        type="button"
        className="button button--small button--danger"
        disabled={result.fetching}
        onClick={() => void run()}
      >
        Confirm revoke
      </button>
      <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </span>
  );
}

export function ApiKeysPage() {
  const paging = usePaging();
  const [rowError, setRowError] = useState<string | null>(null);
  // additionalTypenames: an empty list holds no ApiKey, yet creating one must refresh it.
  const context = useMemo(() => ({ additionalTypenames: ['ApiKey'] }), []);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ApiKeysDocument,
    variables: { first: paging.first, after: paging.after },
    context,
  });

  return (
    <Page
      title="API keys"
      description="Partner systems call the API with these keys, sent as “Authorization: Bearer <key>”. Keys with the write scope may change data."
    >
      <Card title="Create a key">
        <CreateApiKeyForm />
      </Card>
      <Card title="Keys">
        <FormErrors messages={rowError ? [rowError] : []} />
        {fetching && !data ? (
          <Loading />
        ) : error && !data ? (
          <ErrorState error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
        ) : data ? (
          <>
            <DataTable
              caption="API keys"
              rows={data.apiKeys.edges.map((edge) => edge.node)}
              rowKey={(key) => key.id}
              rowClassName={(key) => (key.revokedAt ? 'row--muted' : undefined)}
              empty="No API keys yet. Create one above."
              columns={[
                { header: 'Name', render: (key) => <strong>{key.name}</strong> },
                { header: 'Prefix', render: (key) => <code>{key.prefix}…</code>, className: 'nowrap' },
                {
                  header: 'Scopes',
                  render: (key) => (
                    <span className="tags">
                      {key.scopes.map((scope) => (
                        <Badge key={scope} tone={scope === 'write' ? 'warn' : 'info'}>
                          {scope}
                        </Badge>
                      ))}
                    </span>
                  ),
                },
                { header: 'Created', render: (key) => <Time value={key.createdAt} />, className: 'nowrap' },
                {
                  header: 'Last used',
                  render: (key) => <Time value={key.lastUsedAt} fallback="never" />,
                  className: 'nowrap',
                },
                {
                  header: 'Status',
                  render: (key) =>
                    key.revokedAt ? (
                      <span>
                        <Badge tone="bad">revoked</Badge> <Time value={key.revokedAt} />
                      </span>
                    ) : (
                      <Badge tone="good">active</Badge>
                    ),
                },
                {
                  header: '',
                  render: (key) => <RevokeButton apiKey={key} onError={setRowError} />,
                  className: 'actions',
                },
              ]}
            />
            <Pager
              paging={paging}
              pageInfo={data.apiKeys.pageInfo}
              totalCount={data.apiKeys.totalCount}
              shown={data.apiKeys.edges.length}
            />
          </>
        ) : null}
      </Card>
    </Page>
  );
}
