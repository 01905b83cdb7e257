import { useCallback, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import type { VoucherOrderState, VoucherStatus } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { CopyButton } from '../../app/components/CopyButton';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { DateRangeFilter, rangeProblem, rangeVariables, type DayRange } from '../../app/components/DateRangeFilter';
import { SelectFilter } from '../../app/components/SelectFilter';
import { useCsvDownload } from '../../app/csv';
import { usePolling } from '../../app/polling';
import { oneOf, useUrlFilters } from '../../app/useUrlFilters';
import { orderCsvColumns, OrdersTable } from './orders';
import { CSV_HINTS, KIND_LABELS, ORDER_STATES, StockSummary } from './stock';

const VoucherProjectDocument = graphql(`
  query VoucherProject($id: ID!) {
    voucherProject(id: $id) {
      id
      name
      slug
      description
      logoUrl
      kind
      pricing
      countries
      active
      acceptsCard
      reservationMinutes
      publicUrl
      unfulfilled
      price {
        amount
        currency
      }
      stock {
        available
        reserved
        sold
        withdrawn
        prepaid
      }
      prepaidBlocks {
        id
        count
        createdAt
        total {
          amount
          currency
        }
      }
    }
  }
`);

const VouchersDocument = graphql(`
  query ProjectVouchers($id: ID!, $first: Int, $after: String, $status: VoucherStatus) {
    voucherProject(id: $id) {
      id
      vouchers(first: $first, after: $after, status: $status) {
        totalCount
        pageInfo {
          endCursor
          hasNextPage
        }
        edges {
          node {
            id
            preview
            status
            prepaidBlockId
            createdAt
            soldAt
          }
        }
      }
    }
  }
`);

const VoucherSalesDocument = graphql(`
  query VoucherSales(
    $projectId: ID!
    $first: Int
    $after: String
    $state: VoucherOrderState
    $from: DateTimeISO
    $to: DateTimeISO
  ) {
    voucherSales(projectId: $projectId, first: $first, after: $after, state: $state, from: $from, to: $to) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          reference
          state
          country
          payerPhone
          resolution
          createdAt
          payment {
            id
            status
            amount {
              amount
              currency
            }
            amountReceived {
              amount
              currency
            }
          }
          voucher {
            id
            preview
          }
        }
      }
    }
  }
`);

const VoucherFeedbackDocument = graphql(`
  query VoucherFeedbackList($projectId: ID!, $first: Int, $after: String) {
    voucherFeedback(projectId: $projectId, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          message
          contact
          paymentReference
          createdAt
        }
      }
    }
  }
`);

const AddVouchersDocument = graphql(`
  mutation AddVouchers($input: AddVouchersInput!) {
    addVouchers(input: $input) {
      added
      project {
        id
        stock {
          available
          reserved
          sold
          withdrawn
          prepaid
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const WithdrawVoucherDocument = graphql(`
  mutation WithdrawVoucher($input: IdInput!) {
    withdrawVoucher(input: $input) {
      voucher {
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

const UpdateVoucherProjectDocument = graphql(`
  mutation UpdateVoucherProject($input: UpdateVoucherProjectInput!) {
    updateVoucherProject(input: $input) {
      project {
        id
        active
        acceptsCard
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** Paste or upload CSV; the answer says how many were added and which lines were refused, by number. */
function AddVouchersForm({ projectId, kind, onAdded }: { projectId: string; kind: string; onAdded: () => void }) {
  const [csv, setCsv] = useState('');
  const [result, add] = useMutation(AddVouchersDocument);
  const payload = result.data?.addVouchers;

  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await add({ input: { projectId, csv } });
    if (response.data?.addVouchers.added) {
      setCsv('');
      onAdded();
    }
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Add vouchers">
      {result.error && <FormErrors messages={[result.error.message]} />}
      <Field label="Vouchers (CSV)" hint={`${CSV_HINTS[kind] ?? ''} Duplicates are refused line by line.`}>
        {(props) => (
          <textarea
            {...props}
            name="csv"
            rows={6}
            spellCheck={false}
            value={csv}
            onChange={(event) => setCsv(event.target.value)}
          />
        )}
      </Field>
      <Field label="…or a CSV file">
        {(props) => (
          <input
            {...props}
            name="file"
            type="file"
            accept=".csv,.txt,text/csv,text/plain"
            onChange={(event) => void readFile(event)}
          />
        )}
      </Field>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={result.fetching || !csv.trim()}>
          {result.fetching ? 'Adding…' : 'Add vouchers'}
        </button>
      </div>
      {payload && (
        <div className={payload.userErrors.length ? 'notice notice--warn' : 'notice notice--good'} role="status">
          <p>
            Added <strong data-testid="vouchers-added">{payload.added}</strong> voucher{payload.added === 1 ? '' : 's'}.
            {payload.userErrors.length > 0 && ` ${payload.userErrors.length} line(s) refused:`}
          </p>
          {payload.userErrors.length > 0 && (
            <ul>
              {payload.userErrors.map((error) => (
                <li key={error.message}>{error.message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

function VouchersList({ projectId }: { projectId: string }) {
  const paging = usePaging();
  const [status, setStatus] = useState<VoucherStatus | ''>('');
  const [query, refetch] = useQuery({
    query: VouchersDocument,
    variables: { id: projectId, first: paging.first, after: paging.after, status: status || null },
  });
  const { data } = query;
  const [withdrawal, withdraw] = useMutation(WithdrawVoucherDocument);
  const withdrawErrors = withdrawal.data?.withdrawVoucher.userErrors.map((e) => e.message) ?? [];
  const vouchers = data?.voucherProject.vouchers;
  return (
    <>
      <div className="form__row">
        <Field label="Show">
          {(props) => (
            <select
              {...props}
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as VoucherStatus | '');
                paging.reset();
              }}
            >
              <option value="">all</option>
              <option value="AVAILABLE">available</option>
              <option value="RESERVED">reserved</option>
              <option value="SOLD">sold</option>
              <option value="WITHDRAWN">withdrawn</option>
            </select>
          )}
        </Field>
      </div>
      <FormErrors messages={withdrawErrors} />
      {!vouchers ? (
        <QueryView query={query} refetch={refetch} />
      ) : (
        <>
          <DataTable
            caption="Vouchers"
            rows={vouchers.edges.map((edge) => edge.node)}
            rowKey={(voucher) => voucher.id}
            empty="No vouchers here."
            columns={[
              { header: 'Voucher', render: (voucher) => <code>{voucher.preview}</code> },
              {
                header: 'Status',
                render: (voucher) => (
                  <span className="tags">
                    <Badge
                      tone={
                        voucher.status === 'AVAILABLE' ? 'good' : voucher.status === 'RESERVED' ? 'info' : 'neutral'
                      }
                    >
                      {voucher.status.toLowerCase()}
                    </Badge>
                    {voucher.prepaidBlockId && <Badge tone="info">prepaid</Badge>}
                  </span>
                ),
              },
              { header: 'Added', className: 'nowrap', render: (voucher) => <Time value={voucher.createdAt} /> },
              { header: 'Sold', className: 'nowrap', render: (voucher) => <Time value={voucher.soldAt} /> },
              {
                header: '',
                className: 'actions',
                render: (voucher) =>
                  voucher.status === 'AVAILABLE' && !voucher.prepaidBlockId ? (
                    <button
                      type="button"
                      className="button button--small"
                      disabled={withdrawal.fetching}
                      onClick={() => void withdraw({ input: { id: voucher.id } })}
                    >
                      Withdraw
                    </button>
                  ) : null,
              },
            ]}
          />
          <Pager
            paging={paging}
            pageInfo={vouchers.pageInfo}
            totalCount={vouchers.totalCount}
            shown={vouchers.edges.length}
          />
        </>
      )}
    </>
  );
}

const SALES_FILTERS = ['state', 'from', 'to'] as const;
const SALES_CSV_COLUMNS = orderCsvColumns();

/** The project's sales, filtered by state and dates kept in the URL, with a CSV of exactly what the list shows. */
function SalesList({ projectId }: { projectId: string }) {
  const paging = usePaging();
  const filters = useUrlFilters(SALES_FILTERS);
  const state = oneOf<VoucherOrderState>(
    filters.values.state,
    ORDER_STATES.map((option) => option.value),
  );
  const range: DayRange = { from: filters.values.from, to: filters.values.to };
  const variables = useMemo(
    () => ({ projectId, first: paging.first, after: paging.after, state: state || null, ...rangeVariables(range) }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the range's two strings stand for it
    [projectId, paging.first, paging.after, state, range.from, range.to],
  );
  const [query, refetch] = useQuery({ query: VoucherSalesDocument, variables, pause: Boolean(rangeProblem(range)) });
  const { data } = query;
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, 3000);
  const csv = useCsvDownload({
    query: VoucherSalesDocument,
    variables,
    page: (page) => ({
      nodes: page.voucherSales.edges.map((edge) => edge.node),
      endCursor: page.voucherSales.pageInfo.endCursor,
      hasNextPage: page.voucherSales.pageInfo.hasNextPage,
    }),
    columns: SALES_CSV_COLUMNS,
    filename: `voucher-sales-${projectId}.csv`,
  });
  const change = (patch: Partial<Record<(typeof SALES_FILTERS)[number], string | null>>) => {
    filters.set(patch);
    paging.reset();
  };
  return (
    <>
      <div className="toolbar" role="search" aria-label="Filter sales">
        <SelectFilter
          label="State"
          anyLabel="Any state"
          value={state}
          options={ORDER_STATES}
          onChange={(next) => change({ state: next })}
        />
        <DateRangeFilter label="Started" value={range} onChange={(next) => change({ from: next.from, to: next.to })} />
        <button
          type="button"
          className="button button--small"
          disabled={csv.busy || Boolean(rangeProblem(range))}
          onClick={() => void csv.download()}
        >
          {csv.busy ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      </div>
      {csv.error && (
        <p className="field__error" role="alert">
          {csv.error}
        </p>
      )}
      {!data ? (
        <QueryView query={query} refetch={refetch} />
      ) : (
        <>
          <OrdersTable
            orders={data.voucherSales.edges.map((edge) => edge.node)}
            onChanged={refresh}
            empty={filters.active ? 'No sales match.' : undefined}
          />
          <Pager
            paging={paging}
            pageInfo={data.voucherSales.pageInfo}
            totalCount={data.voucherSales.totalCount}
            shown={data.voucherSales.edges.length}
          />
        </>
      )}
    </>
  );
}

function FeedbackList({ projectId }: { projectId: string }) {
  const paging = usePaging();
  const [query, refetch] = useQuery({
    query: VoucherFeedbackDocument,
    variables: { projectId, first: paging.first, after: paging.after },
  });
  const { data } = query;
  if (!data) return <QueryView query={query} refetch={refetch} />;
  return (
    <>
      <DataTable
        caption="Feedback"
        rows={data.voucherFeedback.edges.map((edge) => edge.node)}
        rowKey={(feedback) => feedback.id}
        empty="No messages from buyers."
        columns={[
          {
            header: 'Message',
            render: (feedback) => <span style={{ whiteSpace: 'pre-wrap' }}>{feedback.message}</span>,
          },
          { header: 'Reply to', render: (feedback) => feedback.contact ?? <span className="muted">—</span> },
          {
            header: 'Payment',
            render: (feedback) => (feedback.paymentReference ? <code>{feedback.paymentReference}</code> : '—'),
          },
          { header: 'Sent', className: 'nowrap', render: (feedback) => <Time value={feedback.createdAt} /> },
        ]}
      />
      <Pager
        paging={paging}
        pageInfo={data.voucherFeedback.pageInfo}
        totalCount={data.voucherFeedback.totalCount}
        shown={data.voucherFeedback.edges.length}
      />
    </>
  );
}

/** One voucher project: its public link, live stock, stock upload, vouchers, sales and buyers' feedback. */
export function VoucherProjectPage() {
  const { projectId = '' } = useParams();
  const [query, refetch] = useQuery({
    query: VoucherProjectDocument,
    variables: { id: projectId },
  });
  const { data } = query;
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // Stock moves as buyers pay: the counts are refetched every few seconds while the page is visible.
  usePolling(refresh, 3000);
  const [toggle, update] = useMutation(UpdateVoucherProjectDocument);
  const project = data?.voucherProject;

  if (!data) return <QueryView query={query} refetch={refetch} />;
  if (!project) return null;
  return (
    <Page
      title={project.name}
      description={
        <>
          <Link to="..">Vouchers</Link> · {KIND_LABELS[project.kind]} · <Money money={project.price} />{' '}
          {project.pricing === 'NET' ? '(net to you)' : '(paid by the buyer)'}
        </>
      }
      actions={
        <button
          type="button"
          className="button"
          disabled={toggle.fetching}
          onClick={() => void update({ input: { id: project.id, active: !project.active } })}
        >
          {project.active ? 'Pause sales' : 'Resume sales'}
        </button>
      }
    >
      <Card title="Stock">
        <div data-testid="voucher-stock">
          <StockSummary stock={project.stock} unfulfilled={project.unfulfilled} />
        </div>
        <dl className="facts">
          <dt>Public page</dt>
          <dd>
            <a href={project.publicUrl} target="_blank" rel="noreferrer" data-testid="voucher-public-url">
              {project.publicUrl}
            </a>{' '}
            <CopyButton text={project.publicUrl} label="Copy link" />
          </dd>
          <dt>Countries</dt>
          <dd>{project.countries.length ? project.countries.join(', ') : 'every country that can pay the price'}</dd>
          <dt>Payment</dt>
          <dd>
            <label className="checkbox-line">
              <input
                type="checkbox"
                checked={project.acceptsCard}
                disabled={toggle.fetching}
                onChange={(event) => void update({ input: { id: project.id, acceptsCard: event.target.checked } })}
              />
              Accept cards
            </label>
            <span className="muted small">
              {project.acceptsCard
                ? 'Buyers choose card or SMS, and can pay the rest of an SMS payment by card.'
                : 'SMS only.'}
            </span>
          </dd>
          <dt>Reservations</dt>
          <dd>held {Math.round(project.reservationMinutes / 60)} h for buyers who have sent no SMS yet</dd>
          {!project.active && (
            <>
              <dt>Status</dt>
              <dd>
                <Badge tone="warn">paused</Badge>
              </dd>
            </>
          )}
          {project.prepaidBlocks.length > 0 && (
            <>
              <dt>Prepaid</dt>
              <dd>
                {project.prepaidBlocks.map((block) => (
                  <span key={block.id}>
                    {block.count} vouchers for <Money money={block.total} /> on <Time value={block.createdAt} />
                    <br />
                  </span>
                ))}
              </dd>
            </>
          )}
        </dl>
      </Card>
      <Card title="Add vouchers">
        <AddVouchersForm projectId={project.id} kind={project.kind} onAdded={refresh} />
      </Card>
      <Card title="Sales">
        <SalesList projectId={project.id} />
      </Card>
      <Card title="Vouchers">
        <VouchersList projectId={project.id} />
      </Card>
      <Card title="Messages from buyers">
        <FeedbackList projectId={project.id} />
      </Card>
    </Page>
  );
}
