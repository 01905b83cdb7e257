import { useMemo, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import type { AuditLogQuery } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable, type Column } from '../../app/components/DataTable';
import { DateRangeFilter, rangeProblem, rangeVariables, type DayRange } from '../../app/components/DateRangeFilter';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { csvTime, useCsvDownload, type CsvColumn } from '../../app/csv';
import { useUrlFilters } from '../../app/useUrlFilters';
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
  query AuditLog(
    $first: Int
    $after: String
    $action: String
    $from: DateTimeISO
    $to: DateTimeISO
    $withMerchants: Boolean!
  ) {
    auditEvents(first: $first, after: $after, action: $action, from: $from, to: $to) {
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

/** A detail value as DetailValue shows it. */
function detailText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
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
  const filters = useUrlFilters(['action', 'from', 'to'] as const);
  const action = filters.values.action;
  const range: DayRange = { from: filters.values.from, to: filters.values.to };
  const [draft, setDraft] = useState(action);
  const variables = useMemo(
    () => ({
      first: paging.first,
      after: paging.after,
      action: action || null,
      withMerchants: isAdmin,
      ...rangeVariables({ from: range.from, to: range.to }),
    }),
    [paging.first, paging.after, action, isAdmin, range.from, range.to],
  );
  const [query, refetch] = useQuery({ query: AuditLogDocument, variables, pause: Boolean(rangeProblem(range)) });
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

  const actorText = (event: AuditEvent) => {
    if (event.actorKind === 'apiKey') return `API key ${keyNames.get(event.actorId ?? '') ?? event.actorId ?? ''}`;
    if (event.actorKind === 'user')
      return `User ${event.actorId && event.actorId === viewer.user?.id ? 'You' : (event.actorId ?? '')}`;
    return event.actorKind;
  };
  // The table's columns as text, as the cells show them.
  const csvColumns: CsvColumn<AuditEvent>[] = [
    { header: 'Time', value: (event) => csvTime(event.createdAt) },
    { header: 'Actor', value: actorText },
    { header: 'Action', value: (event) => `${describeAction(event.action)}\n${event.action}` },
    { header: 'Target', value: (event) => event.targetId ?? '—' },
    ...(isAdmin
      ? [
          {
            header: 'Merchant',
            value: (event: AuditEvent) =>
              event.merchantId ? (merchantNames.get(event.merchantId) ?? event.merchantId) : 'platform',
          },
        ]
      : []),
    {
      header: 'Details',
      value: (event) => {
        const entries = Object.entries(event.details);
        return entries.length ? entries.map(([key, value]) => `${key}\n${detailText(value)}`).join('\n') : '—';
      },
    },
  ];
  const csv = useCsvDownload({
    query: AuditLogDocument,
    variables,
    page: (page) => ({
      nodes: page.auditEvents.edges.map((edge) => edge.node),
      endCursor: page.auditEvents.pageInfo.endCursor,
      hasNextPage: page.auditEvents.pageInfo.hasNextPage,
    }),
    columns: csvColumns,
    filename: 'audit-log.csv',
  });

  const change = (patch: { action?: string | null; from?: string | null; to?: string | null }) => {
    filters.set(patch);
    paging.reset();
  };
  const filter = (event: FormEvent) => {
    event.preventDefault();
    change({ action: draft.trim() });
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
                change({ action: null });
              }}
            >
              Clear
            </button>
          )}
          <DateRangeFilter value={range} onChange={(next) => change({ from: next.from, to: next.to })} />
          <button
            type="button"
            className="button button--small"
            disabled={csv.busy || Boolean(rangeProblem(range))}
            onClick={() => void csv.download()}
          >
            {csv.busy ? 'Preparing CSV…' : 'Download CSV'}
          </button>
        </form>
        {csv.error && (
          <p className="field__error" role="alert">
            {csv.error}
          </p>
        )}
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable
                caption="Audit events"
                rows={data.auditEvents.edges.map((edge) => edge.node)}
                rowKey={(event) => event.id}
                empty={filters.active ? 'No events match.' : 'No events yet.'}
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
