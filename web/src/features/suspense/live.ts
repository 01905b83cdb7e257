import { useSubscription } from 'urql';
import { graphql } from '../../gql';

/**
 * SMS that go to suspense (unmatched, flagged) or become a payer's credit arrive on the SMS feed: the normalized
 * cache refreshes the suspense and payer-credit lists on screen from their status (app/cache.ts). `last: 0`: only
 * what happens from now on.
 */
const SettlementChangesDocument = graphql(`
  subscription SettlementChanges {
    smsReceived(last: 0) {
      id
      status
    }
  }
`);

export function useSettlementChanges(): void {
  useSubscription({ query: SettlementChangesDocument });
}
