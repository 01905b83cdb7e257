import { useSubscription } from 'urql';
import { graphql } from '../../gql';

/**
 * Payments change as their SMS arrive: the dashboard's SMS subscription carries each SMS's payment, and the
 * normalized cache updates every payment shown (lists, the payment page) and its SMS from it (app/cache.ts).
 * `last: 0`: only what happens from now on.
 */
const PaymentChangesDocument = graphql(`
  subscription PaymentChanges {
    smsReceived(last: 0) {
      id
      paymentId
      payment {
        id
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
