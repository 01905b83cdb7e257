import { useSubscription } from 'urql';
import { graphql } from '../../gql';

/**
 * Payments change as their SMS arrive: the dashboard's SMS subscription carries each SMS's payment, and the
 * normalized cache updates every payment shown (lists, the payment page) and its SMS from it, and refetches the
 * merchant's balances and reports where shown (app/cache.ts).
 * `last: 1`: the latest SMS first (its payment's current state), then what happens from now on.
 */
const PaymentChangesDocument = graphql(`
  subscription PaymentChanges {
    smsReceived(last: 1) {
      id
      paymentId
      merchantId
      status
      payment {
        id
        merchantId
        status
        paidAt
        updatedAt
        amountReceived {
          amount
          currency
        }
      }
    }
  }
`);

export function usePaymentChanges(): void {
  useSubscription({ query: PaymentChangesDocument });
}
