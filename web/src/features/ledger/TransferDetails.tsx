import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql, useFragment, type FragmentType } from '../../gql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Money } from '../../app/components/Money';
import { Card } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { Empty } from '../../app/components/States';
import { Time } from '../../app/components/Time';

/** What one ledger transfer shows: its facts and its legs. */
export const LedgerTransferFields = graphql(`
  fragment LedgerTransferFields on LedgerTransfer {
    id
    kind
    currency
    description
    summary
    idempotencyKey
    createdAt
    merchantId
    paymentId
    pendingId
    reversesId
    amount {
      amount
      currency
    }
    entries {
      id
      accountId
      pending
      amount {
        amount
        currency
      }
    }
    resolvedBy {
      id
      kind
    }
    reversedBy {
      id
      kind
    }
  }
`);

const LedgerTransferDocument = graphql(`
  query LedgerTransfer($id: ID!) {
    ledgerTransfer(id: $id) {
      id
      ...LedgerTransferFields
    }
  }
`);

/** One transfer with its legs: what moved, why, and what resolved or reversed it. */
export function Transfer({
  transfer: transferRef,
  linkPayment = true,
}: {
  transfer: FragmentType<typeof LedgerTransferFields>;
  /** Whether the payment opens its page (the merchant dashboard's; the admin console has none). */
  linkPayment?: boolean;
}) {
  const transfer = useFragment(LedgerTransferFields, transferRef);
  return (
    <>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>
          <Badge tone="info">{transfer.kind.toLowerCase()}</Badge>
        </dd>
        <dt>Amount</dt>
        <dd>
          <Money money={transfer.amount} />
        </dd>
        <dt>Why</dt>
        <dd>{transfer.summary}</dd>
        <dt>When</dt>
        <dd>
          <Time value={transfer.createdAt} />
        </dd>
        <dt>Idempotency key</dt>
        <dd>
          <code>{transfer.idempotencyKey}</code>
        </dd>
        {transfer.paymentId && (
          <>
            <dt>Payment</dt>
            <dd>
              {linkPayment ? (
                <Link to={`/dashboard/payments/${encodeURIComponent(transfer.paymentId)}`}>
                  Open payment <code>{transfer.paymentId}</code>
                </Link>
              ) : (
                <code>{transfer.paymentId}</code>
              )}
            </dd>
          </>
        )}
        {transfer.resolvedBy && (
          <>
            <dt>Resolved by</dt>
            <dd>
              {transfer.resolvedBy.kind.toLowerCase()} <code>{transfer.resolvedBy.id}</code>
            </dd>
          </>
        )}
        {transfer.reversedBy && (
          <>
            <dt>Reversed by</dt>
            <dd>
              <code>{transfer.reversedBy.id}</code>
            </dd>
          </>
        )}
        {transfer.reversesId && (
          <>
            <dt>Reverses</dt>
            <dd>
              <code>{transfer.reversesId}</code>
            </dd>
          </>
        )}
      </dl>
      <DataTable
        caption="Transfer entries"
        rows={transfer.entries}
        rowKey={(entry) => entry.id}
        empty="This transfer has no entries you can see."
        columns={[
          { header: 'Account', render: (entry) => <code>{entry.accountId}</code> },
          {
            header: 'Amount',
            render: (entry) => <Money money={entry.amount} signed />,
            className: 'num',
          },
          { header: 'State', render: (entry) => (entry.pending ? <Badge tone="warn">pending</Badge> : 'posted') },
        ]}
      />
    </>
  );
}

/** A transfer looked up by id, in a closable card. */
export function TransferDetails({
  id,
  onClose,
  linkPayment = true,
}: {
  id: string;
  onClose: () => void;
  linkPayment?: boolean;
}) {
  const [query, refetch] = useQuery({ query: LedgerTransferDocument, variables: { id } });
  return (
    <Card
      title={`Transfer ${id}`}
      actions={
        <button type="button" className="button button--small" onClick={onClose}>
          Close
        </button>
      }
    >
      <QueryView query={query} refetch={refetch}>
        {(data) =>
          data.ledgerTransfer ? (
            <Transfer transfer={data.ledgerTransfer} linkPayment={linkPayment} />
          ) : (
            <Empty>There is no transfer {id}.</Empty>
          )
        }
      </QueryView>
    </Card>
  );
}
