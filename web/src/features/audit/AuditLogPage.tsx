import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import type { AuditLogQuery } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable, type Column } from '../../app/components/DataTable';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { useViewer } from '../../app/viewer';
import { describeAction, KNOWN_ACTIONS } from './actions';
import { MerchantName } from '../merchants/MerchantName';
import { UserName } from '../team/UserName';

/** People and merchants by name; other targets (payments, keys…) keep their id. */
function TargetName({ id }: { id: string }) {
  if (id.startsWith('usr_')) return <UserName id={id} />;
  if (id.startsWith('mch_')) return <MerchantName id={id} />;
  return <code>{id}</code>;
}

const AuditLogDocument = graphql(`
  query AuditLog($first: Int, $after: String, $action: String, $withMerchants: Boolean!) {
    auditEvents(first: $first, after: $after, action: $action) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          createdAt
          actorKind
          actorId
          action
          targetId
          merchantId
          ip
          details
        }
      }
    }
    apiKeys(first: 100) {
      edges {
        node {
          id
          name
          prefix
        }
      }
    }
    merchants(first: 100) @include(if: $withMerchants) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

type AuditEvent = AuditLogQuery['auditEvents']['edges'][number]['node'];

function DetailValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return <span>{String(value)}</span>;
  return <code>{JSON.stringify(value)}</code>;
}

function Details({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>
            <DetailValue value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Who changed what, newest first; merchants see their own log, admins everyone's. */
export function AuditLogPage() {
  const viewer = useViewer();
  const isAdmin = viewer.user?.role === 'ADMIN';
  const paging = usePaging();
  const [draft, setDraft] = useState('');
  const [action, setAction] = useState('');
  const [query, refetch] = useQuery({
    query: AuditLogDocument,
    variables: { first: paging.first, after: paging.after, action: action || null, withMerchants: isAdmin },
  });
  const { data } = query;

  const keyNames = new Map(data?.apiKeys.edges.map(({ node }) => [node.id, `${node.name} (${node.prefix}…)`]));
  const merchantNames = new Map(data?.merchants?.edges.map(({ node }) => [node.id, node.name]));

  const actor = (event: AuditEvent) => {
    if (event.actorKind === 'apiKey')
      return (
        <span className="actor">
          <Badge tone="info">API key</Badge> {keyNames.get(event.actorId ?? '') ?? <code>{event.actorId}</code>}
        </span>
      );
    if (event.actorKind === 'user')
      return (
        <span className="actor">
          <Badge>User</Badge> {event.actorId ? <UserName id={event.actorId} you={viewer.user?.id} /> : null}
        </span>
      );
    return <Badge tone="neutral">{event.actorKind}</Badge>;
  };

  const columns: Column<AuditEvent>[] = [
    { header: 'Time', render: (event) => <Time value={event.createdAt} />, className: 'nowrap' },
    { header: 'Actor', render: actor },
    {
      header: 'Action',
      render: (event) => (
        <span title={event.action}>
          {describeAction(event.action)}
          <br />
          <code className="muted small">{event.action}</code>
        </span>
      ),
    },
    {
      header: 'Target',
      render: (event) => (event.targetId ? <TargetName id={event.targetId} /> : <span className="muted">—</span>),
    },
    ...(isAdmin
      ? [
          {
            header: 'Merchant',
            render: (event: AuditEvent) =>
              event.merchantId ? (
                (merchantNames.get(event.merchantId) ?? <MerchantName id={event.merchantId} />)
              ) : (
                <span className="muted">platform</span>
              ),
          },
        ]
      : []),
    { header: 'Details', render: (event) => <Details details={event.details} /> },
  ];

  const filter = (event: FormEvent) => {
    event.preventDefault();
    paging.reset();
    setAction(draft.trim());
  };

  return (
    <Page title="Audit log" description="Every change to money, keys and settings, with who made it. Newest first.">
      <Card>
        <form className="toolbar" onSubmit={filter} role="search" aria-label="Filter audit events">
          <label className="toolbar__field">
            <span>Action</span>
            <input
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              placeholder="e.g. apiKey.create"
              list="audit-actions"
            />
            <datalist id="audit-actions">
              {KNOWN_ACTIONS.map((known) => (
                <option key={known} value={known} />
              ))}
            </datalist>
          </label>
          <button type="submit" className="button button--small">
            Filter
          </button>
          {action && (
            <button
              type="button"
              className="button button--small button--quiet"
              onClick={() => {
                setDraft('');
                setAction('');
                paging.reset();
              }}
            >
              Clear
            </button>
          )}
        </form>
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable
                caption="Audit events"
                rows={data.auditEvents.edges.map((edge) => edge.node)}
                rowKey={(event) => event.id}
                empty={action ? `No “${action}” events.` : 'No events yet.'}
                columns={columns}
              />
              <Pager
                paging={paging}
                pageInfo={data.auditEvents.pageInfo}
                totalCount={data.auditEvents.totalCount}
                shown={data.auditEvents.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
