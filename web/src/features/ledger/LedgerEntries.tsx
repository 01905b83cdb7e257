import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import type { LedgerEntriesQuery } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable, type Column } from '../../app/components/DataTable';
import { Money } from '../../app/components/Money';
import { Card } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { purposeLabel } from './purposes';
import { TransferDetails } from './TransferDetails';
import { MerchantName } from '../merchants/MerchantName';
import { DateRangeFilter, rangeProblem, rangeVariables, type DayRange } from '../../app/components/DateRangeFilter';
import { csvMoney, csvTime, useCsvDownload, type CsvColumn } from '../../app/csv';
import { useUrlFilters } from '../../app/useUrlFilters';

const LedgerEntriesDocument = graphql(`
  query LedgerEntries($first: Int, $after: String, $accountId: ID, $from: DateTimeISO, $to: DateTimeISO) {
    ledgerEntries(first: $first, after: $after, accountId: $accountId, from: $from, to: $to) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          accountId
          transferId
          merchantId
          description
          paymentId
          pending
          createdAt
          amount {
            amount
            currency
          }
        }
      }
    }
    ledgerAccounts(first: 100) {
      edges {
        node {
          id
          purpose
          currency
          merchantId
        }
      }
    }
  }
`);

type Entry = LedgerEntriesQuery['ledgerEntries']['edges'][number]['node'];

/**
 * Ledger entries the caller may see, newest first, filtered by account and dates (kept in the URL), each transfer on
 * demand, and a CSV of exactly what the list shows.
 */
export function LedgerEntries({ showMerchant = false }: { showMerchant?: boolean }) {
  const paging = usePaging();
  const filters = useUrlFilters(['account', 'from', 'to'] as const);
  const accountId = filters.values.account;
  const range: DayRange = { from: filters.values.from, to: filters.values.to };
  // The transfer shown is in the address (?transfer=ltr_…): other pages link to it, e.g. a payment's transfers.
  const [searchParams, setSearchParams] = useSearchParams();
  const transferId = searchParams.get('transfer');
  const setTransferId = (id: string | null) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        if (id) next.set('transfer', id);
        else next.delete('transfer');
        return next;
      },
      { replace: true },
    );
  const variables = useMemo(
    () => ({
      first: paging.first,
      after: paging.after,
      accountId: accountId || null,
      ...rangeVariables({ from: range.from, to: range.to }),
    }),
    [paging.first, paging.after, accountId, range.from, range.to],
  );
  const [query, refetch] = useQuery({
    query: LedgerEntriesDocument,
    variables,
    pause: Boolean(rangeProblem(range)),
  });
  const change = (patch: { account?: string | null; from?: string | null; to?: string | null }) => {
    filters.set(patch);
    paging.reset();
  };
  const { data } = query;
  const accounts = data?.ledgerAccounts.edges.map((edge) => edge.node) ?? [];
  const accountNames = new Map(
    accounts.map((account) => [
      account.id,
      `${purposeLabel(account.purpose)} ${account.currency}${account.merchantId ? '' : ' (platform)'}`,
    ]),
  );

  const columns: Column<Entry>[] = [
    { header: 'Time', render: (entry) => <Time value={entry.createdAt} />, className: 'nowrap' },
    { header: 'Account', render: (entry) => accountNames.get(entry.accountId) ?? <code>{entry.accountId}</code> },
    ...(showMerchant
      ? [
          {
            header: 'Merchant',
            render: (entry: Entry) =>
              entry.merchantId ? <MerchantName id={entry.merchantId} /> : <span className="muted">platform</span>,
          },
        ]
      : []),
    {
      header: 'Description',
      render: (entry) => (
        <span>
          {entry.description}
          {/* Merchants open the payment; the admin console has no payment page. */}
          {entry.paymentId && !showMerchant && (
            <>
              <br />
              <Link to={`/dashboard/payments/${encodeURIComponent(entry.paymentId)}`} className="small">
                Payment <code>{entry.paymentId}</code>
              </Link>
            </>
          )}
        </span>
      ),
    },
    {
      header: 'Amount',
      render: (entry) => (
        <span>
          <Money money={entry.amount} signed /> {entry.pending && <Badge tone="warn">pending</Badge>}
        </span>
      ),
      className: 'num',
    },
    {
      header: 'Transfer',
      render: (entry) => (
        <button
          type="button"
          className="link-button"
          onClick={() => setTransferId(entry.transferId)}
          aria-label={`Show transfer ${entry.transferId}`}
        >
          <code className="small">{entry.transferId}</code>
        </button>
      ),
    },
  ];

  // The table's columns as text, as the cells show them (the payment link is shown to merchants only).
  const csvColumns: CsvColumn<Entry>[] = [
    { header: 'Time', value: (entry) => csvTime(entry.createdAt) },
    { header: 'Account', value: (entry) => accountNames.get(entry.accountId) ?? entry.accountId },
    ...(showMerchant ? [{ header: 'Merchant', value: (entry: Entry) => entry.merchantId ?? 'platform' }] : []),
    {
      header: 'Description',
      value: (entry) =>
        entry.paymentId && !showMerchant ? `${entry.description}\nPayment ${entry.paymentId}` : entry.description,
    },
    // Without the screen's "+": a spreadsheet would read a leading "+" as a formula (the CSV escapes it).
    { header: 'Amount', value: (entry) => `${csvMoney(entry.amount)}${entry.pending ? ' pending' : ''}` },
    { header: 'Transfer', value: (entry) => entry.transferId },
  ];
  const csv = useCsvDownload({
    query: LedgerEntriesDocument,
    variables,
    page: (page) => ({
      nodes: page.ledgerEntries.edges.map((edge) => edge.node),
      endCursor: page.ledgerEntries.pageInfo.endCursor,
      hasNextPage: page.ledgerEntries.pageInfo.hasNextPage,
    }),
    columns: csvColumns,
    filename: 'ledger-entries.csv',
  });

  return (
    <>
      {transferId && (
        <TransferDetails id={transferId} onClose={() => setTransferId(null)} linkPayment={!showMerchant} />
      )}
      <Card title="Entries">
        <div className="toolbar" role="search" aria-label="Filter entries">
          <label className="toolbar__field">
            <span>Account</span>
            <select value={accountId} onChange={(event) => change({ account: event.target.value })}>
              <option value="">All accounts</option>
              {accounts.map((account) => (
                <option key={account.id} value={account.id}>
                  {accountNames.get(account.id)}
                  {showMerchant && account.merchantId ? (
                    <>
                      {' · '}
                      <MerchantName id={account.merchantId} />
                    </>
                  ) : null}
                </option>
              ))}
            </select>
          </label>
          <DateRangeFilter value={range} onChange={(next) => change({ from: next.from, to: next.to })} />
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
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable<Entry>
                caption="Ledger entries"
                rows={data.ledgerEntries.edges.map((edge) => edge.node)}
                rowKey={(entry) => entry.id}
                empty="No entries yet."
                columns={columns}
              />
              <Pager
                paging={paging}
                pageInfo={data.ledgerEntries.pageInfo}
                totalCount={data.ledgerEntries.totalCount}
                shown={data.ledgerEntries.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </>
  );
}
