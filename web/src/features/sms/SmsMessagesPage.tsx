import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { SmsDirection, SmsStatus } from '../../gql/graphql';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { QueryView } from '../../app/components/QueryView';
import { useViewer } from '../../app/viewer';
import { SmsFeed } from './SmsFeed';
import { SmsTable } from './SmsCells';
import { SMS_STATUSES, smsStatusLabel } from './status';

const SmsMessagesDocument = graphql(`
  query SmsMessages(
    $first: Int
    $after: String
    $direction: SmsDirection
    $status: SmsStatus
    $flagged: Boolean
    $unmatched: Boolean
  ) {
    smsMessages(
      first: $first
      after: $after
      direction: $direction
      status: $status
      flagged: $flagged
      unmatched: $unmatched
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

function tristate(value: Tristate): boolean | null {
  return value === '' ? null : value === 'yes';
}

/**
 * SMS in and out: a live feed on top, the whole paged list below. Merchants see their payments' SMS (payers' phones
 * masked); admins see everyone's, with the shares and the unmatched ones.
 */
export function SmsMessagesPage() {
  const viewer = useViewer();
  const isAdmin = viewer.user?.role === 'ADMIN';
  const paging = usePaging();
  const [direction, setDirection] = useState<SmsDirection | ''>('');
  const [status, setStatus] = useState<SmsStatus | ''>('');
  const [flagged, setFlagged] = useState<Tristate>('');
  const [unmatched, setUnmatched] = useState<Tristate>('');
  const [query, refetch] = useQuery({
    query: SmsMessagesDocument,
    variables: {
      first: paging.first,
      after: paging.after,
      direction: direction || null,
      status: status || null,
      flagged: tristate(flagged),
      unmatched: isAdmin ? tristate(unmatched) : null,
    },
  });
  // New SMS come from the live feed's subscription through the cache; this is for anything else.
  const refresh = () => refetch({ requestPolicy: 'network-only' });

  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      paging.reset();
    };
  const filtered = Boolean(direction || status || flagged || unmatched);

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
            <select
              value={direction}
              onChange={(event) => filter(setDirection)(event.target.value as SmsDirection | '')}
            >
              <option value="">In and out</option>
              <option value="IN">Inbound</option>
              <option value="OUT">Replies</option>
            </select>
          </label>
          <label className="toolbar__field toolbar__field--narrow">
            <span>Status</span>
            <select value={status} onChange={(event) => filter(setStatus)(event.target.value as SmsStatus | '')}>
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
            <select value={flagged} onChange={(event) => filter(setFlagged)(event.target.value as Tristate)}>
              <option value="">Flagged or not</option>
              <option value="yes">Flagged only</option>
              <option value="no">Not flagged</option>
            </select>
          </label>
          {isAdmin && (
            <label className="toolbar__field toolbar__field--narrow">
              <span>Matched</span>
              <select value={unmatched} onChange={(event) => filter(setUnmatched)(event.target.value as Tristate)}>
                <option value="">Matched or not</option>
                <option value="yes">Unmatched only</option>
                <option value="no">Matched only</option>
              </select>
            </label>
          )}
          <button type="button" className="button button--small" onClick={refresh}>
            Refresh
          </button>
        </div>
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
