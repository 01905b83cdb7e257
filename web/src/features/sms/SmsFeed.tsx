import { useEffect, useRef } from 'react';
import { useSubscription } from 'urql';
import { graphql } from '../../gql';
import type { SmsFeedSubscription, SmsFeedSubscriptionVariables } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { Card } from '../../app/components/Page';
import { ErrorState } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { SmsOutcome, SmsPayment, SmsRoute, SmsValue, type Sms } from './SmsCells';

const SmsFeedDocument = graphql(`
  subscription SmsFeed($last: Int) {
    smsReceived(last: $last) {
      ...SmsMessageFields
    }
  }
`);

/** How many SMS the feed keeps on screen; older ones are in the list below it. */
const FEED_SIZE = 15;

interface Feed {
  items: Sms[];
  /** How many events arrived, the first backlog included: a change tells the page to refresh its list. */
  events: number;
}

/** Newest first by id (ids sort by creation); an SMS seen again (its status changed) is replaced where it stands. */
function addToFeed(feed: Feed | undefined, sms: Sms): Feed {
  const items = [sms, ...(feed?.items ?? []).filter((item) => item.id !== sms.id)]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, FEED_SIZE);
  return { items, events: (feed?.events ?? 0) + 1 };
}

/**
 * The live feed of inbound SMS: the recent ones first (the subscription sends them at once), then each SMS as it
 * arrives and is processed. Merchants get their own; admins everything, unmatched included.
 */
export function SmsFeed({ inDashboard, onChange }: { inDashboard: boolean; onChange?: () => void }) {
  const [feed, resubscribe] = useSubscription<SmsFeedSubscription, Feed, SmsFeedSubscriptionVariables>(
    { query: SmsFeedDocument, variables: { last: 10 } },
    (previous, data) => addToFeed(previous, data.smsReceived),
  );
  const events = feed.data?.events ?? 0;
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });
  useEffect(() => {
    if (!events) return;
    // The backlog arrives as a burst of events: refresh the list once it settles.
    const timer = window.setTimeout(() => onChangeRef.current?.(), 400);
    return () => window.clearTimeout(timer);
  }, [events]);

  const live = !feed.error;
  return (
    <Card
      title="Live feed"
      actions={
        <span className="payer__live muted small" data-testid="sms-feed-state">
          <span className={live ? 'dot' : 'dot dot--off'} aria-hidden="true" />
          {live ? 'Live' : 'Paused'}
        </span>
      }
    >
      {feed.error ? (
        <ErrorState error={feed.error} onRetry={() => resubscribe()} />
      ) : !feed.data ? (
        <p className="muted">Waiting for SMS… New ones appear here as they arrive.</p>
      ) : (
        <DataTable<Sms>
          caption="Live SMS"
          rows={feed.data.items}
          rowKey={(sms) => sms.id}
          rowClassName={(sms) => (sms.flagReason || sms.status === 'UNMATCHED' ? 'row--flagged' : undefined)}
          empty="No SMS yet."
          columns={[
            { header: 'Received', render: (sms) => <Time value={sms.receivedAt} /> },
            { header: 'From → to', render: (sms) => <SmsRoute sms={sms} /> },
            { header: 'Text', render: (sms) => <span className="sms-text">{sms.text}</span> },
            { header: 'Status', render: (sms) => <SmsOutcome sms={sms} /> },
            { header: 'Credited', render: (sms) => <SmsValue sms={sms} />, className: 'num' },
            { header: 'Payment', render: (sms) => <SmsPayment sms={sms} inDashboard={inDashboard} /> },
          ]}
        />
      )}
    </Card>
  );
}
