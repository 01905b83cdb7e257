import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { DataTable } from '../../app/components/DataTable';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { FormErrors } from '../../app/components/Field';
import { Money, type MoneyValue } from '../../app/components/Money';
import { Time } from '../../app/components/Time';
import { csvMoney, csvTime, type CsvColumn } from '../../app/csv';
import { humanize, PaymentStatusBadge } from '../payments/status';
import { OrderStateBadge, orderStateLabel } from './stock';

const ResolveVoucherOrderDocument = graphql(`
  mutation ResolveVoucherOrder($input: ResolveVoucherOrderInput!) {
    resolveVoucherOrder(input: $input) {
      order {
        id
        state
        resolution
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export interface OrderRow {
  id: string;
  reference: string;
  state: string;
  /** Null for a payment started for card (no SMS country). */
  country: string | null;
  payerPhone?: string | null;
  resolution?: string | null;
  createdAt: string;
  project?: { name: string } | null;
  payment: { status: string; amount: MoneyValue; amountReceived: MoneyValue };
  voucher?: { preview: string } | null;
}

/** Resolving an order that took money with no voucher left: a voucher from new stock, or a refund. */
function ResolveActions({ order, onDone }: { order: OrderRow; onDone: () => void }) {
  const [result, resolve] = useMutation(ResolveVoucherOrderDocument);
  const run = async (action: 'ASSIGN_VOUCHER' | 'REFUND') => {
    const response = await resolve({ input: { id: order.id, action } });
    if (!response.data?.resolveVoucherOrder.userErrors.length) onDone();
  };
  const messages = [
    ...(result.data?.resolveVoucherOrder.userErrors.map((e) => e.message) ?? []),
    ...(result.error ? [result.error.message] : []),
  ];
  return (
    <div>
      <div className="button-row">
        <button
          type="button"
          className="button button--small button--primary"
          disabled={result.fetching}
          onClick={() => void run('ASSIGN_VOUCHER')}
        >
          Give a voucher
        </button>
        <ConfirmBox
          inline
          trigger="Refund"
          triggerClassName="button button--small"
          label={`Refund payment ${order.reference}?`}
          confirmLabel={`Refund ${order.reference}`}
          onConfirm={() => run('REFUND')}
        />
      </div>
      <FormErrors messages={messages} />
    </div>
  );
}

function buyerOf(order: OrderRow): string {
  return order.payerPhone ?? (order.country ? 'no SMS yet' : 'by card');
}

/** The table's columns as text, cell for cell as shown (the actions column holds buttons, not data). */
export function orderCsvColumns(showProject = false): CsvColumn<OrderRow>[] {
  return [
    {
      header: 'Payment',
      value: (order) => (showProject && order.project ? `${order.reference}\n${order.project.name}` : order.reference),
    },
    {
      header: 'State',
      value: (order) => `${orderStateLabel(order.state)} ${humanize(order.payment.status)}`,
    },
    {
      header: 'Received',
      value: (order) => `${csvMoney(order.payment.amountReceived)} of ${csvMoney(order.payment.amount)}`,
    },
    { header: 'Buyer', value: (order) => (order.country ? `${buyerOf(order)}\n${order.country}` : buyerOf(order)) },
    { header: 'Voucher', value: (order) => order.voucher?.preview ?? order.resolution ?? '—' },
    { header: 'Started', value: (order) => csvTime(order.createdAt) },
  ];
}

/** Voucher orders: sales, payments in progress, and the ones to resolve (with their actions). */
export function OrdersTable({
  orders,
  showProject = false,
  onChanged,
  empty = "No sales yet. Share the project's public page to start selling.",
}: {
  orders: readonly OrderRow[];
  showProject?: boolean;
  onChanged: () => void;
  /** What an empty list says (a filtered list: that nothing matches). */
  empty?: string;
}) {
  return (
    <DataTable
      caption="Voucher sales"
      rows={orders}
      rowKey={(order) => order.id}
      empty={empty}
      columns={[
        {
          header: 'Payment',
          render: (order) => (
            <span>
              <code>{order.reference}</code>
              {showProject && order.project && (
                <>
                  <br />
                  <span className="muted small">{order.project.name}</span>
                </>
              )}
            </span>
          ),
        },
        {
          header: 'State',
          render: (order) => (
            <span className="tags">
              <OrderStateBadge state={order.state} />
              <PaymentStatusBadge status={order.payment.status} />
            </span>
          ),
        },
        {
          header: 'Received',
          className: 'num',
          render: (order) => (
            <span>
              <Money money={order.payment.amountReceived} /> <span className="muted small">of</span>{' '}
              <Money money={order.payment.amount} />
            </span>
          ),
        },
        {
          header: 'Buyer',
          render: (order) => (
            <span>
              {order.payerPhone ? <code>{order.payerPhone}</code> : <span className="muted">{buyerOf(order)}</span>}
              <br />
              <span className="muted small">{order.country ?? ''}</span>
            </span>
          ),
        },
        {
          header: 'Voucher',
          render: (order) =>
            order.voucher ? (
              <code>{order.voucher.preview}</code>
            ) : (
              <span className="muted">{order.resolution ?? '—'}</span>
            ),
        },
        { header: 'Started', className: 'nowrap', render: (order) => <Time value={order.createdAt} /> },
        {
          header: '',
          className: 'actions',
          render: (order) =>
            order.state === 'UNFULFILLED' ? <ResolveActions order={order} onDone={onChanged} /> : null,
        },
      ]}
    />
  );
}
