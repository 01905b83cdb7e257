import { Link } from 'react-router';
import { graphql, useFragment, type FragmentType } from '../../gql';
import type { SmsMessageFieldsFragment } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { Money } from '../../app/components/Money';
import { Time } from '../../app/components/Time';
import { PaymentStatusBadge } from '../payments/status';
import { SmsDirectionBadge, SmsReason, SmsStatusBadge } from './status';

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

export type Sms = SmsMessageFieldsFragment;

/** The SMS's status with, for flagged and unmatched ones, why it was not counted. */
export function SmsOutcome({ sms }: { sms: Sms }) {
  return (
    <span className="sms-outcome">
      <SmsStatusBadge status={sms.status} />
      <SmsReason status={sms.status} flagReason={sms.flagReason} />
    </span>
  );
}

/** Sender → short code (inbound) or short code → payer (replies), with country and operator. */
export function SmsRoute({ sms, withDirection = false }: { sms: Sms; withDirection?: boolean }) {
  return (
    <span className="sms-route">
      {withDirection && <SmsDirectionBadge direction={sms.direction} />}
      <code>{sms.from}</code>
      <span>
        <span aria-hidden="true">→ </span>
        <span className="visually-hidden">to </span>
        <code>{sms.to}</code>
        {(sms.country || sms.operator) && (
          <span className="muted small"> {[sms.country, sms.operator].filter(Boolean).join(' · ')}</span>
        )}
      </span>
    </span>
  );
}

/** What the SMS added to its payment, or (not counted) what it would have yielded; admins also see the split. */
export function SmsValue({ sms }: { sms: Sms }) {
  const value = sms.credited ? (
    <Money money={sms.credited} />
  ) : sms.yield ? (
    <span className="muted" title="What it would have yielded; nothing was added">
      (<Money money={sms.yield} />)
    </span>
  ) : (
    <span className="muted">—</span>
  );
  if (!sms.operatorShare && !sms.platformFee) return value;
  return (
    <span className="sms-value">
      {value}
      <dl className="details">
        {sms.price && (
          <div>
            <dt>price</dt>
            <dd>
              <Money money={sms.price} />
            </dd>
          </div>
        )}
        {sms.operatorShare && (
          <div>
            <dt>operator</dt>
            <dd>
              <Money money={sms.operatorShare} />
            </dd>
          </div>
        )}
        {sms.platformFee && (
          <div>
            <dt>platform</dt>
            <dd>
              <Money money={sms.platformFee} />
            </dd>
          </div>
        )}
      </dl>
    </span>
  );
}

/** The payment it belongs to: a link in the merchant dashboard; the reference and the merchant in the console. */
export function SmsPayment({ sms, inDashboard }: { sms: Sms; inDashboard: boolean }) {
  if (!sms.payment)
    return sms.paymentId ? (
      <code className="small">{sms.paymentId}</code>
    ) : (
      <span className="muted">{inDashboard ? '—' : 'nobody'}</span>
    );
  const reference = <code>{sms.payment.reference}</code>;
  return (
    <span className="sms-payment">
      <span>
        {inDashboard ? (
          <Link to={`/dashboard/payments/${sms.payment.id}`} aria-label={`Payment ${sms.payment.reference}`}>
            {reference}
          </Link>
        ) : (
          reference
        )}{' '}
        <PaymentStatusBadge status={sms.payment.status} />
      </span>
      {!inDashboard && <span className="muted small">{sms.payment.merchant.name}</span>}
    </span>
  );
}

/** SMS, one row each; flagged and unmatched ones stand out. */
export function SmsTable({
  messages: refs,
  caption,
  empty,
  inDashboard,
  withDirection = false,
}: {
  messages: readonly FragmentType<typeof SmsMessageFields>[];
  caption: string;
  empty: string;
  inDashboard: boolean;
  withDirection?: boolean;
}) {
  const messages = useFragment(SmsMessageFields, refs);
  return (
    <DataTable<Sms>
      caption={caption}
      rows={messages}
      rowKey={(sms) => sms.id}
      rowClassName={(sms) => (sms.flagReason || sms.status === 'UNMATCHED' ? 'row--flagged' : undefined)}
      empty={empty}
      columns={[
        { header: 'Received', render: (sms) => <Time value={sms.receivedAt} /> },
        { header: 'From → to', render: (sms) => <SmsRoute sms={sms} withDirection={withDirection} /> },
        { header: 'Text', render: (sms) => <span className="sms-text">{sms.text}</span> },
        { header: 'Status', render: (sms) => <SmsOutcome sms={sms} /> },
        { header: 'Credited', render: (sms) => <SmsValue sms={sms} />, className: 'num' },
        { header: 'Payment', render: (sms) => <SmsPayment sms={sms} inDashboard={inDashboard} /> },
      ]}
    />
  );
}
