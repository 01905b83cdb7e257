import { graphql } from '../../gql';

/** What the SMS list and the live feed show of one SMS (shares are null for merchants). */
export const SmsMessageFields = graphql(`
  fragment SmsMessageFields on SmsMessage {
    id
    direction
    status
    flagReason
    from
    to
    text
    country
    operator
    provider
    merchantId
    paymentId
    receivedAt
    updatedAt
    payment {
      id
      reference
      status
      merchant {
        id
        name
      }
    }
    credited {
      amount
      currency
    }
    yield {
      amount
      currency
    }
    price {
      amount
      currency
    }
    operatorShare {
      amount
      currency
    }
    platformFee {
      amount
      currency
    }
  }
`);
