import { useMemo } from 'react';
import { useQuery } from 'urql';
import { graphql, useFragment } from '../../gql';
import type { SmsDirection, SmsStatus } from '../../gql/graphql';
import { DateRangeFilter, rangeProblem, rangeVariables, type DayRange } from '../../app/components/DateRangeFilter';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { QueryView } from '../../app/components/QueryView';
import { csvMoney, csvTime, useCsvDownload, type CsvColumn } from '../../app/csv';
import { oneOf, useUrlFilters } from '../../app/useUrlFilters';
import { useViewer } from '../../app/viewer';
import { humanize } from '../payments/status';
import { SmsFeed } from './SmsFeed';
import { SmsMessageFields, SmsTable, type Sms } from './SmsCells';
import { FLAG_EXPLANATIONS, SMS_STATUSES, smsStatusLabel, UNMATCHED_EXPLANATION } from './status';

const SmsMessagesDocument = graphql(`
  query SmsMessages(
    $first: Int
    $after: String
    $direction: SmsDirection
    $status: SmsStatus
    $flagged: Boolean
    $unmatched: Boolean
    $from: DateTimeISO
    $to: DateTimeISO
  ) {
    smsMessages(
      first: $first
      after: $after
      direction: $direction
      status: $status
      flagged: $flagged
      unmatched: $unmatched
      from: $from
      to: $to
    ) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          ...SmsMessageFields
        }
      }
    }
  }
`);

type Tristate = '' | 'yes' | 'no';
const TRISTATES: readonly Tristate[] = ['yes', 'no'];
const DIRECTIONS: readonly SmsDirection[] = ['IN', 'OUT'];

function tristate(value: Tristate): boolean | null {
  return value === '' ? null : value === 'yes';
}

/** Why an SMS was not counted, as SmsReason says it. */
function reasonText(sms: Sms): string {
  if (sms.flagReason) {
    const flag = FLAG_EXPLANATIONS[sms.flagReason];
    return `${flag?.title ?? sms.flagReason}: ${flag?.detail ?? ''}`;
  }
  return sms.status === 'UNMATCHED' ? UNMATCHED_EXPLANATION : '';
}

/** The SMS table's cells as text (SmsCells.tsx), for the CSV: route, value and payment spelled out. */
const SMS_CSV_COLUMNS: CsvColumn<Sms>[] = [
  { header: 'Received', value: (sms) => csvTime(sms.receivedAt) },
  { header: 'Direction', value: (sms) => (sms.direction === 'IN' ? 'In' : 'Reply') },
  { header: 'From', value: (sms) => sms.from },
  { header: 'To', value: (sms) => sms.to },
  { header: 'Country', value: (sms) => sms.country ?? '' },
  { header: 'Operator', value: (sms) => sms.operator ?? '' },
  { header: 'Text', value: (sms) => sms.text },
  { header: 'Status', value: (sms) => smsStatusLabel(sms.status) },
  { header: 'Reason', value: reasonText },
  {
    header: 'Credited',
    value: (sms) => (sms.credited ? csvMoney(sms.credited) : sms.yield ? `(${csvMoney(sms.yield)})` : '—'),
  },
  { header: 'Payment', value: (sms) => sms.payment?.reference ?? sms.paymentId ?? '' },
  { header: 'Payment status', value: (sms) => (sms.payment ? humanize(sms.payment.status) : '') },
  { header: 'Merchant', value: (sms) => sms.payment?.merchant.name ?? '' },
];

/**
 * SMS in and out: a live feed on top, the whole paged list below. Merchants see their payments' SMS (payers' phones
 * masked); admins see everyone's, with the shares and the unmatched ones.
 */
export function SmsMessagesPage() {
  const viewer = useViewer();
  const isAdmin = viewer.user?.role === 'ADMIN';
  const paging = usePaging();
  const filters = useUrlFilters(['direction', 'status', 'flagged', 'unmatched', 'from', 'to'] as const);
  const direction = oneOf(filters.values.direction, DIRECTIONS);
  const status = oneOf<SmsStatus>(filters.values.status, SMS_STATUSES);
  const flagged = oneOf(filters.values.flagged, TRISTATES);
  const unmatched = oneOf(filters.values.unmatched, TRISTATES);
  const range: DayRange = { from: filters.values.from, to: filters.values.to };
  const variables = useMemo(
    () => ({
      first: paging.first,
      after: paging.after,
      direction: direction || null,
      status: status || null,
      flagged: tristate(flagged),
      unmatched: isAdmin ? tristate(unmatched) : null,
      ...rangeVariables({ from: range.from, to: range.to }),
    }),
    [paging.first, paging.after, direction, status, flagged, unmatched, isAdmin, range.from, range.to],
  );
  const [query, refetch] = useQuery({ query: SmsMessagesDocument, variables, pause: Boolean(rangeProblem(range)) });
  // New SMS come from the live feed's subscription through the cache; this is for anything else.
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const csv = useCsvDownload({
    query: SmsMessagesDocument,
    variables,
    page: (data) => ({
      // eslint-disable-next-line react-hooks/rules-of-hooks -- codegen's useFragment is a plain function
      nodes: useFragment(
        SmsMessageFields,
        data.smsMessages.edges.map((edge) => edge.node),
      ),
      endCursor: data.smsMessages.pageInfo.endCursor,
      hasNextPage: data.smsMessages.pageInfo.hasNextPage,
    }),
    columns: isAdmin ? SMS_CSV_COLUMNS : SMS_CSV_COLUMNS.filter((column) => column.header !== 'Merchant'),
    filename: 'sms.csv',
  });

  const change = (patch: Partial<Record<'direction' | 'status' | 'flagged' | 'unmatched' | 'from' | 'to', string>>) => {
    filters.set(patch);
    paging.reset();
  };
  const filtered = filters.active;

  return (
    <Page
      title="SMS"
      description={
        isAdmin
          ? 'Every SMS in and out, unmatched ones included. Flagged SMS were kept but not counted.'
          : "SMS payers sent for your payments, and the replies they got. Payers' numbers are masked."
      }
    >
      <SmsFeed inDashboard={!isAdmin} />
      <Card title="All SMS">
        <div className="toolbar" role="search" aria-label="Filter SMS">
          <label className="toolbar__field toolbar__field--narrow">
            <span>Direction</span>
            <select value={direction} onChange={(event) => change({ direction: event.target.value })}>
              <option value="">In and out</option>
              <option value="IN">Inbound</option>
              <option value="OUT">Replies</option>
            </select>
          </label>
          <label className="toolbar__field toolbar__field--narrow">
            <span>Status</span>
            <select value={status} onChange={(event) => change({ status: event.target.value })}>
              <option value="">Any status</option>
              {SMS_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {smsStatusLabel(value)}
                </option>
              ))}
            </select>
          </label>
          <label className="toolbar__field toolbar__field--narrow">
            <span>Flagged</span>
            <select value={flagged} onChange={(event) => change({ flagged: event.target.value })}>
              <option value="">Flagged or not</option>
              <option value="yes">Flagged only</option>
              <option value="no">Not flagged</option>
            </select>
          </label>
          {isAdmin && (
            <label className="toolbar__field toolbar__field--narrow">
              <span>Matched</span>
              <select value={unmatched} onChange={(event) => change({ unmatched: event.target.value })}>
                <option value="">Matched or not</option>
                <option value="yes">Unmatched only</option>
                <option value="no">Matched only</option>
              </select>
            </label>
          )}
          <DateRangeFilter
            label="Received"
            value={range}
            onChange={(next) => change({ from: next.from, to: next.to })}
          />
          <button type="button" className="button button--small" onClick={refresh}>
            Refresh
          </button>
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
              <SmsTable
                caption="SMS messages"
                messages={data.smsMessages.edges.map((edge) => edge.node)}
                empty={filtered ? 'No SMS match.' : 'No SMS yet.'}
                inDashboard={!isAdmin}
                withDirection
              />
              <Pager
                paging={paging}
                pageInfo={data.smsMessages.pageInfo}
                totalCount={data.smsMessages.totalCount}
                shown={data.smsMessages.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
