import { useCallback, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import type { WebhookEndpointQuery } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Time } from '../../app/components/Time';
import { usePolling } from '../../app/polling';
import { AttemptsList } from '../outbox/AttemptsList';
import { DeliveryStatusBadge } from '../outbox/status';
import { EVENT_TYPES_HINT, parseEventTypes } from './eventTypes';
import { EndpointCheckPanel } from '../endpoint-check/EndpointCheckPanel';

const WebhookEndpointDocument = graphql(`
  query WebhookEndpoint($id: ID!, $first: Int, $after: String) {
    webhookEndpoint(id: $id) {
      id
      url
      description
      eventTypes
      active
      createdAt
      updatedAt
    }
    webhookDeliveries(endpointId: $id, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          createdAt
          status
          attemptCount
          deliveredAt
          nextAttemptAt
          lastError
          replayOfId
          event {
            id
            type
          }
          attempts {
            id
            startedAt
            durationMs
            outcome
            httpStatus
            error
            detail
          }
        }
      }
    }
  }
`);

const UpdateWebhookEndpointDocument = graphql(`
  mutation UpdateWebhookEndpoint($input: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(input: $input) {
      secret
      webhookEndpoint {
        id
        url
        description
        eventTypes
        active
        updatedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const DeleteWebhookEndpointDocument = graphql(`
  mutation DeleteWebhookEndpoint($input: IdInput!) {
    deleteWebhookEndpoint(input: $input) {
      deletedWebhookEndpointId
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const RevealWebhookEndpointSecretDocument = graphql(`
  mutation RevealWebhookEndpointSecret($input: IdInput!) {
    revealWebhookEndpointSecret(input: $input) {
      secret
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const SendTestWebhookDocument = graphql(`
  mutation SendTestWebhook($input: SendTestWebhookInput!) {
    sendTestWebhook(input: $input) {
      webhookDelivery {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ReplayWebhookDeliveryDocument = graphql(`
  mutation ReplayWebhookDelivery($input: IdInput!) {
    replayWebhookDelivery(input: $input) {
      webhookDelivery {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Endpoint = WebhookEndpointQuery['webhookEndpoint'];
type Delivery = WebhookEndpointQuery['webhookDeliveries']['edges'][number]['node'];

function EditEndpointForm({ endpoint }: { endpoint: Endpoint }) {
  const [url, setUrl] = useState(endpoint.url);
  const [eventTypes, setEventTypes] = useState(endpoint.eventTypes.join(', '));
  const [description, setDescription] = useState(endpoint.description ?? '');
  const [saved, setSaved] = useState(false);
  const { attach, ...form } = useFormMutation(UpdateWebhookEndpointDocument, (data) => data.updateWebhookEndpoint, [
    'url',
    'eventTypes',
    'description',
  ]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const response = await form.submit({
      input: { id: endpoint.id, url, eventTypes: parseEventTypes(eventTypes), description },
    });
    if (response?.webhookEndpoint) setSaved(true);
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Endpoint settings"
    >
      <FormErrors messages={form.errors.form} />
      {saved && (
        <p className="notice notice--good" role="status">
          Saved.
        </p>
      )}
      <Field label="URL" error={form.fieldError('url')}>
        {(props) => (
          <input {...props} name="url" type="url" value={url} onChange={(event) => setUrl(event.target.value)} />
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
      <Field label="Description" error={form.fieldError('description')}>
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
          {form.fetching ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

/** Enable/disable, test, secret reveal and rotation, deletion. */
function EndpointActions({ endpoint }: { endpoint: Endpoint }) {
  const navigate = useNavigate();
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [message, setMessage] = useState<{ tone: 'good' | 'bad'; text: string } | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [updating, update] = useMutation(UpdateWebhookEndpointDocument);
  const [deleting, remove] = useMutation(DeleteWebhookEndpointDocument);
  const [revealing, reveal] = useMutation(RevealWebhookEndpointSecretDocument);
  const [testing, sendTest] = useMutation(SendTestWebhookDocument);
  const busy = updating.fetching || deleting.fetching || revealing.fetching || testing.fetching;

  const report = (error: { message: string } | undefined, userErrors: { message: string }[] | undefined) => {
    const text = error?.message ?? userErrors?.[0]?.message;
    if (text) setMessage({ tone: 'bad', text });
    return !text;
  };

  const toggle = async () => {
    setMessage(null);
    const response = await update({ input: { id: endpoint.id, active: !endpoint.active } });
    report(response.error, response.data?.updateWebhookEndpoint.userErrors);
  };
  const test = async () => {
    setMessage(null);
    const response = await sendTest({ input: { endpointId: endpoint.id } });
    if (report(response.error, response.data?.sendTestWebhook.userErrors))
      setMessage({ tone: 'good', text: 'A “webhook.test” event is on its way; see the deliveries below.' });
  };
  const showSecret = async () => {
    setMessage(null);
    const response = await reveal({ input: { id: endpoint.id } });
    const value = response.data?.revealWebhookEndpointSecret.secret;
    if (report(response.error, response.data?.revealWebhookEndpointSecret.userErrors) && value)
      setSecret({ title: 'Signing secret', value });
  };
  const rotate = async () => {
    setMessage(null);
    const response = await update({ input: { id: endpoint.id, rotateSecret: true } });
    const value = response.data?.updateWebhookEndpoint.secret;
    if (report(response.error, response.data?.updateWebhookEndpoint.userErrors) && value)
      setSecret({ title: 'New signing secret', value });
  };
  const destroy = async () => {
    setMessage(null);
    const response = await remove({ input: { id: endpoint.id } });
    if (report(response.error, response.data?.deleteWebhookEndpoint.userErrors))
      await navigate('..', { relative: 'path' });
  };

  return (
    <div className="stack">
      {message && (
        <p className={`notice notice--${message.tone === 'good' ? 'good' : 'bad'}`} role="status">
          {message.text}
        </p>
      )}
      {secret && (
        <SecretPanel
          title={secret.title}
          secret={secret.value}
          testId="webhook-secret"
          onDone={() => setSecret(null)}
          warning="Anyone with this secret can forge events to your receiver. This reveal is recorded in the audit log."
        />
      )}
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={busy || !endpoint.active}
          onClick={() => void test()}
          title={endpoint.active ? undefined : 'Enable the endpoint first'}
        >
          Send test event
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void toggle()}>
          {endpoint.active ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void showSecret()}>
          Reveal secret
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setConfirm('rotate')}>
          Rotate secret
        </button>
        <button
          type="button"
          className="button button--danger-quiet"
          disabled={busy}
          onClick={() => setConfirm('delete')}
        >
          Delete
        </button>
      </div>
      <ConfirmBox
        open={confirm !== null}
        onOpenChange={(open) => !open && setConfirm(null)}
        label="Confirm"
        confirmLabel={confirm === 'rotate' ? 'Rotate secret' : 'Delete endpoint'}
        cancelLabel="Cancel"
        onConfirm={() => (confirm === 'rotate' ? rotate() : destroy())}
      >
        <p>
          {confirm === 'rotate'
            ? 'The current secret stops working at once. Update your receiver with the new one right after.'
            : 'The endpoint receives nothing more and its pending deliveries stop. This cannot be undone.'}
        </p>
      </ConfirmBox>
    </div>
  );
}

interface Notice {
  tone: 'good' | 'bad';
  text: string;
}

function ReplayButton({ delivery, onDone }: { delivery: Delivery; onDone: (notice: Notice) => void }) {
  const [result, replay] = useMutation(ReplayWebhookDeliveryDocument);
  const run = async () => {
    const response = await replay({ input: { id: delivery.id } });
    const failure = response.error?.message ?? response.data?.replayWebhookDelivery.userErrors[0]?.message;
    onDone(failure ? { tone: 'bad', text: failure } : { tone: 'good', text: 'Sent again as a new delivery.' });
  };
  return (
    <button type="button" className="button button--small" disabled={result.fetching} onClick={() => void run()}>
      Replay
    </button>
  );
}

export function WebhookEndpointPage() {
  const { endpointId = '' } = useParams();
  const paging = usePaging();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [query, refetch] = useQuery({
    query: WebhookEndpointDocument,
    variables: { id: endpointId, first: paging.first, after: paging.after },
  });
  const { data } = query;
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const pending = data?.webhookDeliveries.edges.some((edge) => edge.node.status === 'PENDING') ?? false;
  usePolling(refresh, 3000, pending);

  if (!data)
    return (
      <QueryView
        query={query}
        refetch={refetch}
        errorWrap={(state) => (
          <Page
            title="Webhook endpoint"
            description={
              <Link to=".." relative="path">
                ← All endpoints
              </Link>
            }
          >
            {state}
          </Page>
        )}
      />
    );
  const endpoint = data.webhookEndpoint;
  return (
    <Page
      title="Webhook endpoint"
      description={
        <>
          <Link to=".." relative="path">
            ← All endpoints
          </Link>{' '}
          · <code>{endpoint.url}</code> {endpoint.active ? <Badge tone="good">enabled</Badge> : <Badge>disabled</Badge>}
        </>
      }
    >
      <div className="grid grid--wide">
        <Card title="Actions">
          <EndpointActions endpoint={endpoint} />
        </Card>
        <Card title="Settings">
          <EditEndpointForm key={endpoint.updatedAt} endpoint={endpoint} />
        </Card>
      </div>
      <Card title="Endpoint checker">
        <EndpointCheckPanel target={{ webhookEndpointId: endpoint.id }} url={endpoint.url} />
      </Card>
      <Card
        title="Deliveries"
        actions={
          <button type="button" className="button button--small" onClick={refresh}>
            Refresh
          </button>
        }
      >
        {notice && (
          <p className={`notice notice--${notice.tone}`} role="status">
            {notice.text}
          </p>
        )}
        <DataTable
          caption="Deliveries"
          rows={data.webhookDeliveries.edges.map((edge) => edge.node)}
          rowKey={(delivery) => delivery.id}
          rowClassName={(delivery) => (delivery.status === 'DEAD' ? 'row--danger' : undefined)}
          empty="Nothing sent to this endpoint yet. Send a test event to try it."
          columns={[
            { header: 'Created', render: (delivery) => <Time value={delivery.createdAt} />, className: 'nowrap' },
            {
              header: 'Event',
              render: (delivery) => (
                <span>
                  <strong>{delivery.event.type}</strong>
                  <br />
                  <code className="muted small">{delivery.event.id}</code>
                  {delivery.replayOfId && <span className="muted small"> · replay</span>}
                </span>
              ),
            },
            { header: 'Status', render: (delivery) => <DeliveryStatusBadge status={delivery.status} /> },
            {
              header: 'Attempts',
              render: (delivery) => (
                <details className="disclosure">
                  <summary>
                    {delivery.attemptCount} {delivery.attemptCount === 1 ? 'attempt' : 'attempts'}
                  </summary>
                  <AttemptsList attempts={delivery.attempts} />
                </details>
              ),
            },
            {
              header: 'Outcome',
              render: (delivery) =>
                delivery.deliveredAt ? (
                  <span>
                    delivered <Time value={delivery.deliveredAt} />
                  </span>
                ) : delivery.lastError ? (
                  <span className="error-text">{delivery.lastError}</span>
                ) : delivery.nextAttemptAt ? (
                  <span className="muted">
                    next try <Time value={delivery.nextAttemptAt} />
                  </span>
                ) : (
                  <span className="muted">—</span>
                ),
            },
            {
              header: '',
              className: 'actions',
              render: (delivery) => <ReplayButton delivery={delivery} onDone={setNotice} />,
            },
          ]}
        />
        <Pager
          paging={paging}
          pageInfo={data.webhookDeliveries.pageInfo}
          totalCount={data.webhookDeliveries.totalCount}
          shown={data.webhookDeliveries.edges.length}
        />
      </Card>
    </Page>
  );
}
