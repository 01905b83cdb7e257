import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ApiKeysQuery } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Pager, usePaging } from '../../app/components/Pager';
import { QueryView } from '../../app/components/QueryView';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';

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
  const { attach, ...form } = useFormMutation(CreateApiKeyDocument, (data) => data.createApiKey, ['name', 'scopes']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({ input: { name, scopes: write ? ['read', 'write'] : ['read'] } });
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
    <form
      ref={attach}
      className="form form--inline"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Create API key"
    >
      <FormErrors messages={form.errors.form} />
      <Field label="Name" error={form.fieldError('name')} hint="What the key is for, e.g. “Checkout backend”.">
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
      <fieldset className={form.fieldError('scopes') ? 'field field--invalid' : 'field'}>
        <legend className="field__label">Scopes</legend>
        <div className="checks">
          <label className="check">
            <input type="checkbox" checked disabled /> read
          </label>
          <label className="check">
            <input
              type="checkbox"
              name="write"
              aria-invalid={Boolean(form.fieldError('scopes'))}
              checked={write}
              onChange={(event) => setWrite(event.target.checked)}
            />{' '}
            write
          </label>
        </div>
        {form.fieldError('scopes') && (
          <p className="field__error" role="alert">
            {form.fieldError('scopes')}
          </p>
        )}
      </fieldset>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function RevokeButton({ apiKey }: { apiKey: ApiKey }) {
  const [, revoke] = useMutation(RevokeApiKeyDocument);
  if (apiKey.revokedAt) return null;
  return (
    <ConfirmBox
      inline
      trigger="Revoke"
      triggerClassName="button button--small button--danger-quiet"
      triggerAriaLabel={`Revoke ${apiKey.name}`}
      label={`Revoke ${apiKey.name}?`}
      confirmLabel="Confirm revoke"
      onConfirm={async () => {
        const response = await revoke({ input: { id: apiKey.id } });
        return response.error?.message ?? response.data?.revokeApiKey.userErrors[0]?.message;
      }}
    />
  );
}

export function ApiKeysPage() {
  const paging = usePaging();
  const [query, refetch] = useQuery({
    query: ApiKeysDocument,
    variables: { first: paging.first, after: paging.after },
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
        <QueryView query={query} refetch={refetch}>
          {(data) => (
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
                    render: (key) => <RevokeButton apiKey={key} />,
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
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
