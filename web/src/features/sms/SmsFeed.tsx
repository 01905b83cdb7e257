import { useSubscription } from 'urql';
import { graphql } from '../../gql';
import type { SmsFeedSubscription, SmsFeedSubscriptionVariables } from '../../gql/graphql';
import { Card } from '../../app/components/Page';
import { ErrorState } from '../../app/components/States';
import { SmsTable } from './SmsCells';

type Sms = SmsFeedSubscription['smsReceived'];

const SmsFeedDocument = graphql(`
  subscription SmsFeed($last: Int) {
    smsReceived(last: $last) {
      id
      ...SmsMessageFields
    }
  }
`);

/** How many SMS the feed keeps on screen; older ones are in the list below it. */
const FEED_SIZE = 15;

interface Feed {
  items: Sms[];
}

/** Newest first by id (ids sort by creation); an SMS seen again (its status changed) is replaced where it stands. */
function addToFeed(feed: Feed | undefined, sms: Sms): Feed {
  const items = [sms, ...(feed?.items ?? []).filter((item) => item.id !== sms.id)]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, FEED_SIZE);
  return { items };
}

/**
 * The live feed of inbound SMS: the recent ones first (the subscription sends them at once), then each SMS as it
 * arrives and is processed. Merchants get their own; admins everything, unmatched included. Each event also goes
 * into the normalized cache, which puts new SMS into the lists below (app/cache.ts).
 */
export function SmsFeed({ inDashboard }: { inDashboard: boolean }) {
  const [feed, resubscribe] = useSubscription<SmsFeedSubscription, Feed, SmsFeedSubscriptionVariables>(
    { query: SmsFeedDocument, variables: { last: 10 } },
    (previous, data) => addToFeed(previous, data.smsReceived),
  );
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
        <SmsTable caption="Live SMS" messages={feed.data.items} empty="No SMS yet." inDashboard={inDashboard} />
      )}
    </Card>
  );
}
