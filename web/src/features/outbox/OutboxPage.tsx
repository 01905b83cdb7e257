import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import type { DeliveryStatus, OutboxMessagesQuery } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { usePolling } from '../../app/polling';
import { DeliveryStatusBadge } from './status';
import { MerchantName } from '../merchants/MerchantName';

const OutboxMessagesDocument = graphql(`
  query OutboxMessages($first: Int, $after: String, $status: DeliveryStatus, $kind: String) {
    outboxMessages(first: $first, after: $after, status: $status, kind: $kind) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          kind
          status
          attemptCount
          createdAt
          nextAttemptAt
          deliveredAt
          lastError
          merchantId
        }
      }
    }
  }
`);

export const RetryOutboxMessageDocument = graphql(`
  mutation RetryOutboxMessage($input: IdInput!) {
    retryOutboxMessage(input: $input) {
      outboxMessage {
        id
        status
        attemptCount
        nextAttemptAt
        lastError
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type OutboxMessage = OutboxMessagesQuery['outboxMessages']['edges'][number]['node'];

const STATUSES: DeliveryStatus[] = ['PENDING', 'DELIVERED', 'DEAD'];
const KINDS = ['webhook', 'mail'];

export function RetryButton({ id, onError }: { id: string; onError: (message: string | null) => void }) {
  const [result, retry] = useMutation(RetryOutboxMessageDocument);
  const run = async () => {
    const response = await retry({ input: { id } });
    onError(response.error?.message ?? response.data?.retryOutboxMessage.userErrors[0]?.message ?? null);
  };
  return (
    <button
      type="button"
      className="button button--small button--primary"
      disabled={result.fetching}
      onClick={() => void run()}
    >
      {result.fetching ? 'Retrying…' : 'Retry'}
    </button>
  );
}

/** Side effects (webhooks, mail) the worker carries out; dead ones wait for an admin's retry. */
export function OutboxPage() {
  const paging = usePaging();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [kind, setKind] = useState('');
  const [rowError, setRowError] = useState<string | null>(null);
  const [query, refetch] = useQuery({
    query: OutboxMessagesDocument,
    variables: { first: paging.first, after: paging.after, status: status || null, kind: kind || null },
  });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, 5000);

  return (
    <Page
      title="Outbox"
      description="Webhooks and mail waiting for, or done by, the delivery worker. Dead messages ran out of attempts."
    >
      <Card>
        <div className="toolbar" role="search" aria-label="Filter outbox messages">
          <label className="toolbar__field">
            <span>Status</span>
            <select
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as DeliveryStatus | '');
                paging.reset();
              }}
            >
              <option value="">Any status</option>
              {STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
          <label className="toolbar__field">
            <span>Kind</span>
            <select
              value={kind}
              onChange={(event) => {
                setKind(event.target.value);
                paging.reset();
              }}
            >
              <option value="">Any kind</option>
              {KINDS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button button--small" onClick={refresh}>
            Refresh
          </button>
        </div>
        <FormErrors messages={rowError ? [rowError] : []} />
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable<OutboxMessage>
                caption="Outbox messages"
                rows={data.outboxMessages.edges.map((edge) => edge.node)}
                rowKey={(message) => message.id}
                rowClassName={(message) => (message.status === 'DEAD' ? 'row--danger' : undefined)}
                empty={status || kind ? 'No messages match.' : 'The outbox is empty.'}
                columns={[
                  { header: 'Created', render: (message) => <Time value={message.createdAt} />, className: 'nowrap' },
                  {
                    header: 'Message',
                    render: (message) => (
                      <span>
                        <strong>{message.kind}</strong>
                        <br />
                        <Link to={message.id}>
                          <code className="small">{message.id}</code>
                        </Link>
                      </span>
                    ),
                  },
                  { header: 'Status', render: (message) => <DeliveryStatusBadge status={message.status} /> },
                  { header: 'Attempts', render: (message) => message.attemptCount, className: 'num' },
                  {
                    header: 'Outcome',
                    render: (message) =>
                      message.deliveredAt ? (
                        <span>
                          delivered <Time value={message.deliveredAt} />
                        </span>
                      ) : message.status === 'PENDING' ? (
                        <span className="muted">
                          next try <Time value={message.nextAttemptAt} />
                          {message.lastError && (
                            <>
                              <br />
                              <span className="error-text">{message.lastError}</span>
                            </>
                          )}
                        </span>
                      ) : (
                        <span className="error-text">{message.lastError ?? 'gave up'}</span>
                      ),
                  },
                  {
                    header: 'Merchant',
                    render: (message) => (message.merchantId ? <MerchantName id={message.merchantId} /> : '—'),
                  },
                  {
                    header: '',
                    className: 'actions',
                    render: (message) =>
                      message.status === 'DEAD' ? (
                        <RetryButton id={message.id} onError={setRowError} />
                      ) : (
                        <Link to={message.id} className="button button--small">
                          Attempts
                        </Link>
                      ),
                  },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.outboxMessages.pageInfo}
                totalCount={data.outboxMessages.totalCount}
                shown={data.outboxMessages.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
