import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { FormErrors } from '../../app/components/Field';
import { JsonView } from '../../app/components/JsonView';
import { Card, Page } from '../../app/components/Page';
import { Empty } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { usePolling } from '../../app/polling';
import { AttemptsList } from './AttemptsList';
import { RetryButton } from './OutboxPage';
import { DeliveryStatusBadge } from './status';
import { MerchantName } from '../merchants/MerchantName';

const OutboxMessageDocument = graphql(`
  query OutboxMessage($id: ID!) {
    outboxMessage(id: $id) {
      id
      kind
      status
      attemptCount
      createdAt
      nextAttemptAt
      deliveredAt
      lastError
      merchantId
      dedupeKey
      payload
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
`);

export function OutboxMessagePage() {
  const { messageId = '' } = useParams();
  const [retryError, setRetryError] = useState<string | null>(null);
  const [query, refetch] = useQuery({ query: OutboxMessageDocument, variables: { id: messageId } });
  const { data } = query;
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, 3000, data?.outboxMessage?.status === 'PENDING');
  const back = (
    <Link to=".." relative="path">
      ← Outbox
    </Link>
  );

  if (!data)
    return (
      <QueryView
        query={query}
        refetch={refetch}
        errorWrap={(state) => (
          <Page title="Outbox message" description={back}>
            {state}
          </Page>
        )}
      />
    );
  const message = data?.outboxMessage;
  if (!message)
    return (
      <Page title="Outbox message" description={back}>
        <Empty>There is no outbox message {messageId}.</Empty>
      </Page>
    );
  return (
    <Page
      title={`Outbox message · ${message.kind}`}
      description={back}
      actions={message.status === 'DEAD' ? <RetryButton id={message.id} onError={setRetryError} /> : undefined}
    >
      <FormErrors messages={retryError ? [retryError] : []} />
      <div className="grid grid--wide">
        <Card title="Message">
          <dl className="facts">
            <dt>Id</dt>
            <dd>
              <code>{message.id}</code>
            </dd>
            <dt>Status</dt>
            <dd>
              <DeliveryStatusBadge status={message.status} />
            </dd>
            <dt>Created</dt>
            <dd>
              <Time value={message.createdAt} />
            </dd>
            <dt>{message.deliveredAt ? 'Delivered' : 'Next attempt'}</dt>
            <dd>
              <Time value={message.deliveredAt ?? message.nextAttemptAt} />
            </dd>
            <dt>Attempts</dt>
            <dd>{message.attemptCount}</dd>
            <dt>Merchant</dt>
            <dd>{message.merchantId ? <MerchantName id={message.merchantId} /> : '—'}</dd>
            <dt>Dedupe key</dt>
            <dd>{message.dedupeKey ? <code>{message.dedupeKey}</code> : '—'}</dd>
            {message.lastError && (
              <>
                <dt>Last error</dt>
                <dd className="error-text">{message.lastError}</dd>
              </>
            )}
          </dl>
        </Card>
        <Card title="Attempts">
          <AttemptsList attempts={message.attempts} />
        </Card>
      </div>
      <Card title="Payload">
        <JsonView value={message.payload} label="Payload" />
      </Card>
    </Page>
  );
}
