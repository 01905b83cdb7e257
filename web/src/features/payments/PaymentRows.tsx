import { Link } from 'react-router';
import { graphql, useFragment, type FragmentType } from '../../gql';
import type { PaymentRowFieldsFragment } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { csvMoney, csvTime, type CsvColumn } from '../../app/csv';
import { Money } from '../../app/components/Money';
import { Time } from '../../app/components/Time';
import { humanize, PaymentStatusBadge } from './status';

/** What one row of a payments table shows. */
export const PaymentRowFields = graphql(`
  fragment PaymentRowFields on Payment {
    id
    reference
    kind
    status
    description
    externalId
    createdAt
    paidAt
    amount {
      amount
      currency
    }
    amountReceived {
      amount
      currency
    }
  }
`);

/** The table's columns as CSV text, formatted as the cells show them. */
export const PAYMENT_CSV_COLUMNS: CsvColumn<PaymentRowFieldsFragment>[] = [
  { header: 'Reference', value: (payment) => payment.reference },
  {
    header: 'Description',
    value: (payment) =>
      payment.externalId ? `${payment.description}\norder ${payment.externalId}` : payment.description,
  },
  { header: 'Product', value: (payment) => humanize(payment.kind) },
  { header: 'Status', value: (payment) => humanize(payment.status) },
  { header: 'Amount', value: (payment) => csvMoney(payment.amount) },
  { header: 'Received', value: (payment) => csvMoney(payment.amountReceived) },
  { header: 'Created', value: (payment) => csvTime(payment.createdAt) },
];

/** Unmasks a page of the list's nodes for the CSV export (the fragment's own fields). */
export function paymentRowsOf(refs: readonly FragmentType<typeof PaymentRowFields>[]): PaymentRowFieldsFragment[] {
  // eslint-disable-next-line react-hooks/rules-of-hooks -- codegen's useFragment is a plain function, not a hook
  return [...useFragment(PaymentRowFields, refs)];
}

/** Payments, one row each, linking to their pages (relative to the payments list). */
export function PaymentRows({
  payments: paymentRefs,
  empty,
}: {
  payments: readonly FragmentType<typeof PaymentRowFields>[];
  empty: string;
}) {
  const payments = useFragment(PaymentRowFields, paymentRefs);
  return (
    <DataTable<PaymentRowFieldsFragment>
      caption="Payments"
      rows={payments}
      rowKey={(payment) => payment.id}
      empty={empty}
      columns={[
        {
          header: 'Reference',
          render: (payment) => (
            <Link to={payment.id}>
              <code>{payment.reference}</code>
            </Link>
          ),
          className: 'nowrap',
        },
        {
          header: 'Description',
          render: (payment) => (
            <span>
              {payment.description}
              {payment.externalId && (
                <>
                  <br />
                  <span className="muted small">order {payment.externalId}</span>
                </>
              )}
            </span>
          ),
        },
        { header: 'Product', render: (payment) => humanize(payment.kind) },
        { header: 'Status', render: (payment) => <PaymentStatusBadge status={payment.status} /> },
        { header: 'Amount', render: (payment) => <Money money={payment.amount} />, className: 'num' },
        { header: 'Received', render: (payment) => <Money money={payment.amountReceived} />, className: 'num' },
        { header: 'Created', render: (payment) => <Time value={payment.createdAt} />, className: 'nowrap' },
      ]}
    />
  );
}
