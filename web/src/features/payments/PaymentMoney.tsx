import { Link } from 'react-router';
import { graphql, useFragment, type FragmentType } from '../../gql';
import type { PaymentMoneyFieldsFragment } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { Badge, type Tone } from '../../app/components/Badge';
import { Money, type MoneyValue } from '../../app/components/Money';
import { Card } from '../../app/components/Page';
import { Time } from '../../app/components/Time';
import { CodeStatusBadge } from '../access-codes/status';
import { OrderStateBadge } from '../vouchers/stock';
import { PaymentStatusBadge } from './status';

/** How a payment's money split, the ledger transfers it caused, and what it bought. */
export const PaymentMoneyFields = graphql(`
  fragment PaymentMoneyFields on Payment {
    id
    breakdown {
      gross {
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
      payerCredit {
        amount
        currency
      }
      net {
        amount
        currency
      }
      refunded {
        amount
        currency
      }
    }
    timeline {
      at
      kind
      title
      detail
      outcome
      transferId
    }
    transfers {
      id
      kind
      description
      idempotencyKey
      createdAt
      amount {
        amount
        currency
      }
    }
    product {
      __typename
      ... on PursePayment {
        id
        orderId
        purseId
        purseStatus: status
      }
      ... on VoucherOrder {
        id
        state
        projectId
        resolution
      }
      ... on AccessCode {
        id
        serviceId
        codeStatus: status
        uses
        usesLeft
        maxUses
      }
    }
  }
`);

type Breakdown = PaymentMoneyFieldsFragment['breakdown'];

interface Step {
  key: keyof Omit<Breakdown, '__typename' | 'refunded'>;
  label: string;
  sign: '' | '−' | '+' | '=';
  explain: string;
}

/** The split in the order money flows, in a merchant's words. */
const STEPS: Step[] = [
  { key: 'gross', label: 'Payers paid', sign: '', explain: 'every SMS that counted, and card payments' },
  { key: 'operatorShare', label: 'Mobile operators’ share', sign: '−', explain: 'kept by the payers’ operators' },
  {
    key: 'platformFee',
    label: 'Tollgate fee',
    sign: '−',
    explain: 'our fee for carrying the payment (SMS: the tariff’s; cards: your fee plan’s)',
  },
  {
    key: 'payerCredit',
    label: 'Credit from earlier SMS',
    sign: '+',
    explain: 'the payer’s credit with you from SMS sent after an earlier payment closed',
  },
  { key: 'net', label: 'You receive', sign: '=', explain: 'booked to your balance for this payment' },
];

function isZero(money: MoneyValue): boolean {
  return !/[1-9]/.test(money.amount);
}

/** The four steps always show; payer credit only when some was spent here. */
function stepsOf(breakdown: Breakdown): Step[] {
  return STEPS.filter((step) => step.key !== 'payerCredit' || !isZero(breakdown.payerCredit));
}

/** Gross → operator share → fee (→ payer credit) → net, as a flow and as a table for screen readers. */
function BreakdownView({ breakdown }: { breakdown: Breakdown }) {
  if (isZero(breakdown.gross) && isZero(breakdown.payerCredit) && isZero(breakdown.net))
    return <p className="muted">No money has arrived yet. The split appears here as SMS are counted.</p>;
  const steps = stepsOf(breakdown);
  return (
    <>
      <ol className="money-flow" aria-hidden="true">
        {steps.map((step) => (
          <li
            key={step.key}
            className={step.key === 'net' ? 'money-flow__step money-flow__step--total' : 'money-flow__step'}
          >
            <span className="money-flow__label">
              {step.sign && <span className="money-flow__sign">{step.sign} </span>}
              {step.label}
            </span>
            <Money money={breakdown[step.key]} />
          </li>
        ))}
      </ol>
      <DataTable<Step>
        caption="How the money splits"
        rows={steps}
        rowKey={(step) => step.key}
        empty=""
        columns={[
          { header: 'Part', render: (step) => <strong>{step.label}</strong> },
          { header: 'What it is', render: (step) => <span className="muted">{step.explain}</span> },
          { header: 'Amount', render: (step) => <Money money={breakdown[step.key]} />, className: 'num' },
        ]}
      />
      {!isZero(breakdown.refunded) && (
        <p className="notice notice--warn" data-testid="refunded">
          Refunded to the payer: <Money money={breakdown.refunded} /> (out of your balance; the fee is not given back).
        </p>
      )}
    </>
  );
}

type TimelineEntry = PaymentMoneyFieldsFragment['timeline'][number];

const OUTCOME: Record<NonNullable<TimelineEntry['outcome']>, { tone: Tone; label: string }> = {
  DELIVERED: { tone: 'good', label: 'delivered' },
  WAITING: { tone: 'warn', label: 'retrying' },
  FAILED: { tone: 'bad', label: 'given up' },
};

/** Where a transfer opens: the ledger page shows the transfer named in its address. */
function transferHref(id: string): string {
  return `/dashboard/ledger?transfer=${encodeURIComponent(id)}`;
}

/** What happened to the payment, oldest first; entries that moved money open their ledger transfer. */
function TimelineView({ entries }: { entries: readonly TimelineEntry[] }) {
  return (
    <ol className="timeline" aria-label="Payment timeline">
      {entries.map((entry, index) => (
        <li key={index} data-kind={entry.kind}>
          <span>
            <strong>{entry.title}</strong>
            {entry.outcome && (
              <>
                {' '}
                <Badge tone={OUTCOME[entry.outcome].tone}>{OUTCOME[entry.outcome].label}</Badge>
              </>
            )}
            {entry.detail && (
              <>
                <br />
                <span className="muted small">{entry.detail}</span>
              </>
            )}
            {entry.transferId && (
              <>
                <br />
                <Link to={transferHref(entry.transferId)} aria-label={`Open ledger transfer ${entry.transferId}`}>
                  Ledger transfer <code className="small">{entry.transferId}</code>
                </Link>
              </>
            )}
          </span>
          <Time value={entry.at} />
        </li>
      ))}
    </ol>
  );
}

type Transfer = PaymentMoneyFieldsFragment['transfers'][number];

/** The ledger transfers the payment caused, each opening in the ledger's transfer view. */
function TransfersView({ transfers }: { transfers: readonly Transfer[] }) {
  return (
    <DataTable<Transfer>
      caption="Ledger transfers of this payment"
      rows={transfers}
      rowKey={(transfer) => transfer.id}
      empty="No money has moved for this payment yet."
      columns={[
        { header: 'Time', render: (transfer) => <Time value={transfer.createdAt} />, className: 'nowrap' },
        {
          header: 'Transfer',
          render: (transfer) => (
            <span>
              <Link to={transferHref(transfer.id)}>
                <code className="small">{transfer.id}</code>
              </Link>
              {transfer.description && (
                <>
                  <br />
                  <span className="muted small">{transfer.description}</span>
                </>
              )}
            </span>
          ),
        },
        { header: 'Idempotency key', render: (transfer) => <code className="small">{transfer.idempotencyKey}</code> },
        { header: 'Amount', render: (transfer) => <Money money={transfer.amount} />, className: 'num' },
      ]}
    />
  );
}

type Product = NonNullable<PaymentMoneyFieldsFragment['product']>;

/** What the payment buys, in the product's own terms. */
function ProductView({ product }: { product: Product | null | undefined }) {
  if (!product) return <p className="muted">A top-up: it buys nothing else.</p>;
  switch (product.__typename) {
    case 'PursePayment':
      return (
        <dl className="facts">
          <dt>Purse order id</dt>
          <dd>
            <code>{product.orderId}</code>
          </dd>
          <dt>Purse payment</dt>
          <dd>
            <PaymentStatusBadge status={product.purseStatus} />{' '}
            <Link to={`/dashboard/purses/${product.purseId}`}>Open the purse</Link>
          </dd>
        </dl>
      );
    case 'VoucherOrder':
      return (
        <dl className="facts">
          <dt>Voucher order</dt>
          <dd>
            <OrderStateBadge state={product.state} />{' '}
            <Link to={`/dashboard/vouchers/${product.projectId}`}>Open the voucher project</Link>
          </dd>
          {product.resolution && (
            <>
              <dt>Resolution</dt>
              <dd>{product.resolution}</dd>
            </>
          )}
        </dl>
      );
    case 'AccessCode':
      return (
        <dl className="facts">
          <dt>Access code</dt>
          <dd>
            <CodeStatusBadge status={product.codeStatus} />{' '}
            <Link to={`/dashboard/access-codes/${product.serviceId}`}>Open the service</Link>
          </dd>
          <dt>Uses left</dt>
          <dd>{product.usesLeft === null || product.usesLeft === undefined ? 'unlimited' : product.usesLeft}</dd>
          <dt>Used</dt>
          <dd>
            {product.uses}
            {product.maxUses ? ` of ${product.maxUses}` : ''} times
          </dd>
        </dl>
      );
    default:
      return null;
  }
}

export function PaymentMoney({ payment: paymentRef }: { payment: FragmentType<typeof PaymentMoneyFields> }) {
  const payment = useFragment(PaymentMoneyFields, paymentRef);
  return (
    <>
      <Card title="Money">
        <div className="stack">
          <BreakdownView breakdown={payment.breakdown} />
          <h3>Ledger transfers</h3>
          <TransfersView transfers={payment.transfers} />
        </div>
      </Card>
      <Card title="Timeline">
        <TimelineView entries={payment.timeline} />
      </Card>
      <Card title="What it buys">
        <ProductView product={payment.product} />
      </Card>
    </>
  );
}
