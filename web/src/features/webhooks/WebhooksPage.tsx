import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Time } from '../../app/components/Time';
import { EVENT_TYPES_HINT, parseEventTypes } from './eventTypes';

const WebhookEndpointsDocument = graphql(`
  query WebhookEndpoints($first: Int, $after: String) {
    webhookEndpoints(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          url
          description
          eventTypes
          active
          createdAt
        }
      }
    }
  }
`);

const CreateWebhookEndpointDocument = graphql(`
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      secret
      webhookEndpoint {
        id
        url
        description
        eventTypes
        active
        createdAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

function CreateEndpointForm() {
  const [url, setUrl] = useState('');
  const [eventTypes, setEventTypes] = useState('*');
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const { attach, ...form } = useFormMutation(CreateWebhookEndpointDocument, (data) => data.createWebhookEndpoint, [
    'url',
    'eventTypes',
    'description',
  ]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await form.submit({
      input: { url, eventTypes: parseEventTypes(eventTypes), description: description || null },
    });
    const payload = response;
    if (payload?.webhookEndpoint && payload.secret) {
      setCreated({ url: payload.webhookEndpoint.url, secret: payload.secret });
      setUrl('');
      setEventTypes('*');
      setDescription('');
    }
  };

  if (created)
    return (
      <SecretPanel
        title="Endpoint added"
        secret={created.secret}
        testId="webhook-secret"
        onDone={() => setCreated(null)}
        warning={
          <>
            This is the signing secret for <code>{created.url}</code>. Verify the <code>X-Tollgate-Signature</code>{' '}
            header of every event with it. Store it in your receiver now; revealing it again later is recorded in the
            audit log.
          </>
        }
      />
    );
  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Add webhook endpoint"
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="URL" error={form.fieldError('url')} hint="Where events are POSTed as signed JSON.">
          {(props) => (
            <input
              {...props}
              name="url"
              type="url"
              inputMode="url"
              placeholder="https://example.com/tollgate/events"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
          )}
        </Field>
        <Field label="Event types" error={form.fieldError('eventTypes')} hint={EVENT_TYPES_HINT}>
          {(props) => (
            <input
              {...props}
              name="eventTypes"
              value={eventTypes}
              onChange={(event) => setEventTypes(event.target.value)}
            />
          )}
        </Field>
      </div>
      <Field label="Description (optional)" error={form.fieldError('description')}>
        {(props) => (
          <input
            {...props}
            name="description"
            maxLength={200}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Adding…' : 'Add endpoint'}
        </button>
      </div>
    </form>
  );
}

export function WebhooksPage() {
  const paging = usePaging();
  const [query, refetch] = useQuery({
    query: WebhookEndpointsDocument,
    variables: { first: paging.first, after: paging.after },
  });
  return (
    <Page
      title="Webhooks"
      description="Tollgate POSTs signed events to these URLs when something happens, and retries until they answer 2xx."
    >
      <Card title="Add an endpoint">
        <CreateEndpointForm />
      </Card>
      <Card title="Endpoints">
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable
                caption="Webhook endpoints"
                rows={data.webhookEndpoints.edges.map((edge) => edge.node)}
                rowKey={(endpoint) => endpoint.id}
                rowClassName={(endpoint) => (endpoint.active ? undefined : 'row--muted')}
                empty="No endpoints yet. Add one above to receive events."
                columns={[
                  {
                    header: 'URL',
                    render: (endpoint) => (
                      <span>
                        <Link to={endpoint.id} className="strong-link">
                          <code>{endpoint.url}</code>
                        </Link>
                        {endpoint.description && (
                          <>
                            <br />
                            <span className="muted small">{endpoint.description}</span>
                          </>
                        )}
                      </span>
                    ),
                  },
                  {
                    header: 'Events',
                    render: (endpoint) => (
                      <span className="tags">
                        {endpoint.eventTypes.map((type) => (
                          <Badge key={type} tone="info">
                            {type === '*' ? 'all events' : type}
                          </Badge>
                        ))}
                      </span>
                    ),
                  },
                  {
                    header: 'Status',
                    render: (endpoint) =>
                      endpoint.active ? <Badge tone="good">enabled</Badge> : <Badge>disabled</Badge>,
                  },
                  { header: 'Added', render: (endpoint) => <Time value={endpoint.createdAt} />, className: 'nowrap' },
                  {
                    header: '',
                    className: 'actions',
                    render: (endpoint) => (
                      <Link to={endpoint.id} className="button button--small" aria-label={`Open ${endpoint.url}`}>
                        Deliveries & settings
                      </Link>
                    ),
                  },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.webhookEndpoints.pageInfo}
                totalCount={data.webhookEndpoints.totalCount}
                shown={data.webhookEndpoints.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
