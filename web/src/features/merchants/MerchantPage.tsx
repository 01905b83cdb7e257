import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import type { MerchantDetailQuery } from '../../gql/graphql';
import { describeAction } from '../audit/actions';
import { PaymentStatusBadge } from '../payments/status';
import { UserName } from '../team/UserName';
import { MerchantName } from './MerchantName';

const MerchantDetailDocument = graphql(`
  query MerchantDetail($id: ID!) {
    merchant(id: $id) {
      id
      name
      parentId
      createdAt
      suspendedAt
      suspensionReason
      feePlan {
        id
        name
      }
      balances {
        accountId
        purpose
        available {
          amount
          currency
        }
        pending {
          amount
          currency
        }
        held {
          amount
          currency
        }
      }
    }
    purses(merchantId: $id, first: 20) {
      totalCount
      edges {
        node {
          id
          name
        }
      }
    }
    voucherProjects(merchantId: $id, first: 20) {
      totalCount
      edges {
        node {
          id
          name
        }
      }
    }
    accessCodeServices(merchantId: $id, first: 20) {
      totalCount
      edges {
        node {
          id
          name
        }
      }
    }
    payments(merchantId: $id, first: 10) {
      totalCount
      edges {
        node {
          id
          reference
          description
          status
          createdAt
          amount {
            amount
            currency
          }
        }
      }
    }
    teamMembers(merchantId: $id, first: 50) {
      totalCount
      edges {
        node {
          id
          name
          email
          role
          twoFactorEnabled
        }
      }
    }
    auditEvents(merchantId: $id, first: 15) {
      totalCount
      edges {
        node {
          id
          createdAt
          actorKind
          actorId
          action
        }
      }
    }
  }
`);

const SuspendMerchantDocument = graphql(`
  mutation SuspendMerchant($input: MerchantSuspensionInput!) {
    suspendMerchant(input: $input) {
      merchant {
        id
        suspendedAt
        suspensionReason
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ResumeMerchantDocument = graphql(`
  mutation ResumeMerchant($input: MerchantSuspensionInput!) {
    resumeMerchant(input: $input) {
      merchant {
        id
        suspendedAt
        suspensionReason
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Detail = MerchantDetailQuery;
type Balance = NonNullable<Detail['merchant']>['balances'][number];
type PaymentRow = Detail['payments']['edges'][number]['node'];
type Member = Detail['teamMembers']['edges'][number]['node'];
type AuditRow = Detail['auditEvents']['edges'][number]['node'];

/** Suspend or resume, with the reason the audit log and the event keep. */
function SuspensionForm({ merchantId, suspended }: { merchantId: string; suspended: boolean }) {
  return suspended ? <ResumeForm merchantId={merchantId} /> : <SuspendForm merchantId={merchantId} />;
}

function SuspendForm({ merchantId }: { merchantId: string }) {
  const { attach, ...form } = useFormMutation(SuspendMerchantDocument, (data) => data.suspendMerchant, ['reason']);
  return (
    <ReasonForm
      attach={attach}
      label="Suspend merchant"
      className="button button--danger"
      fetching={form.fetching}
      errors={form.errors.form}
      reasonError={form.fieldError('reason')}
      onSubmit={(reason) => form.submit({ input: { merchantId, reason } }).then((payload) => Boolean(payload))}
    />
  );
}

function ResumeForm({ merchantId }: { merchantId: string }) {
  const { attach, ...form } = useFormMutation(ResumeMerchantDocument, (data) => data.resumeMerchant, ['reason']);
  return (
    <ReasonForm
      attach={attach}
      label="Resume merchant"
      className="button button--primary"
      fetching={form.fetching}
      errors={form.errors.form}
      reasonError={form.fieldError('reason')}
      onSubmit={(reason) => form.submit({ input: { merchantId, reason } }).then((payload) => Boolean(payload))}
    />
  );
}

function ReasonForm({
  attach,
  label,
  className,
  fetching,
  errors,
  reasonError,
  onSubmit,
}: {
  attach: (element: HTMLFormElement | null) => void;
  label: string;
  className: string;
  fetching: boolean;
  errors: string[];
  reasonError?: string;
  onSubmit: (reason: string) => Promise<boolean>;
}) {
  const [reason, setReason] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onSubmit(reason)) setReason('');
  };
  return (
    <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label={label}>
      <FormErrors messages={errors} />
      <Field label="Reason" error={reasonError} hint="Kept in the audit log and sent to the merchant's webhooks.">
        {(props) => (
          <input
            {...props}
            name="reason"
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        )}
      </Field>
      <div className="form__actions">
        <button type="submit" className={className} disabled={fetching}>
          {label}
        </button>
      </div>
    </form>
  );
}

function ProductList({ title, rows }: { title: string; rows: { id: string; name: string }[] }) {
  return (
    <div>
      <h3>{title}</h3>
      {rows.length ? (
        <ul>
          {rows.map((row) => (
            <li key={row.id}>{row.name}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">None.</p>
      )}
    </div>
  );
}

/** `/admin/merchants/:merchantId`: one merchant at a glance, and its suspension. */
export function MerchantPage() {
  const { merchantId = '' } = useParams();
  const [query, refetch] = useQuery({ query: MerchantDetailDocument, variables: { id: merchantId } });
  return (
    <QueryView query={query} refetch={refetch}>
      {(data) => {
        const merchant = data.merchant;
        if (!merchant)
          return (
            <Page title="Merchant not found">
              <Link to="/admin/merchants">All merchants</Link>
            </Page>
          );
        const suspended = Boolean(merchant.suspendedAt);
        return (
          <Page
            title={merchant.name}
            description={
              <>
                {suspended ? <Badge tone="bad">suspended</Badge> : <Badge tone="good">active</Badge>} Since{' '}
                <Time value={merchant.createdAt} /> · fee plan {merchant.feePlan.name}
                {merchant.parentId && (
                  <>
                    {' '}
                    · partner <MerchantName id={merchant.parentId} link />
                  </>
                )}
              </>
            }
            actions={<Link to="/admin/merchants">All merchants</Link>}
          >
            <Card title={suspended ? 'Suspended' : 'Suspension'}>
              {suspended && (
                <p className="notice notice--warn" role="status">
                  Suspended <Time value={merchant.suspendedAt} />: {merchant.suspensionReason}. No new payments start;
                  its people can look but not change anything.
                </p>
              )}
              <SuspensionForm merchantId={merchant.id} suspended={suspended} />
            </Card>
            <Card title="Balances">
              <DataTable<Balance>
                caption="Balances"
                rows={merchant.balances}
                rowKey={(balance) => balance.accountId}
                empty="No money has moved yet."
                columns={[
                  { header: 'Account', render: (balance) => balance.purpose.toLowerCase().replace(/_/g, ' ') },
                  { header: 'Available', render: (balance) => <Money money={balance.available} /> },
                  { header: 'Pending', render: (balance) => <Money money={balance.pending} /> },
                  { header: 'Held', render: (balance) => <Money money={balance.held} /> },
                ]}
              />
            </Card>
            <Card title="Products">
              <div className="form__row">
                <ProductList title="Purses" rows={data.purses.edges.map((edge) => edge.node)} />
                <ProductList title="Voucher projects" rows={data.voucherProjects.edges.map((edge) => edge.node)} />
                <ProductList
                  title="Access-code services"
                  rows={data.accessCodeServices.edges.map((edge) => edge.node)}
                />
              </div>
            </Card>
            <Card title={`Recent payments (${data.payments.totalCount})`}>
              <DataTable<PaymentRow>
                caption="Recent payments"
                rows={data.payments.edges.map((edge) => edge.node)}
                rowKey={(payment) => payment.id}
                empty="No payments yet."
                columns={[
                  { header: 'Created', render: (payment) => <Time value={payment.createdAt} />, className: 'nowrap' },
                  { header: 'Reference', render: (payment) => <code>{payment.reference}</code> },
                  { header: 'Description', render: (payment) => payment.description },
                  { header: 'Amount', render: (payment) => <Money money={payment.amount} /> },
                  { header: 'Status', render: (payment) => <PaymentStatusBadge status={payment.status} /> },
                ]}
              />
            </Card>
            <Card title="Team">
              <DataTable<Member>
                caption="Team"
                rows={data.teamMembers.edges.map((edge) => edge.node)}
                rowKey={(member) => member.id}
                empty="Nobody yet."
                columns={[
                  { header: 'Name', render: (member) => <strong>{member.name}</strong> },
                  { header: 'Email', render: (member) => member.email },
                  { header: 'Role', render: (member) => member.role.toLowerCase().replace('_', '-') },
                  { header: 'Two-factor', render: (member) => (member.twoFactorEnabled ? 'on' : 'off') },
                ]}
              />
            </Card>
            <Card title="Audit">
              <DataTable<AuditRow>
                caption="Recent audit events"
                rows={data.auditEvents.edges.map((edge) => edge.node)}
                rowKey={(event) => event.id}
                empty="Nothing recorded yet."
                columns={[
                  { header: 'Time', render: (event) => <Time value={event.createdAt} />, className: 'nowrap' },
                  {
                    header: 'Who',
                    render: (event) =>
                      event.actorKind === 'user' && event.actorId ? <UserName id={event.actorId} /> : event.actorKind,
                  },
                  { header: 'What', render: (event) => describeAction(event.action) },
                ]}
              />
            </Card>
          </Page>
        );
      }}
    </QueryView>
  );
}
