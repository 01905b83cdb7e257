import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { SuspenseAction, SuspenseItemsQuery, SuspenseStatus } from '../../gql/graphql';
import { Badge, type Tone } from '../../app/components/Badge';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SelectFilter } from '../../app/components/SelectFilter';
import { QueryView } from '../../app/components/QueryView';
import { Empty } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { humanize } from '../payments/status';
import { useSettlementChanges } from './live';
import { MerchantName } from '../merchants/MerchantName';

const SuspenseItemsDocument = graphql(`
  query SuspenseItems($status: SuspenseStatus, $first: Int, $after: String) {
    suspenseItems(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          smsId
          reason
          status
          merchantId
          paymentId
          resolvedTo
          resolution
          createdAt
          updatedAt
          amount {
            amount
            currency
          }
        }
      }
    }
  }
`);

const SuspenseMerchantsDocument = graphql(`
  query SuspenseMerchants {
    merchants(first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

const ResolveSuspenseItemDocument = graphql(`
  mutation ResolveSuspenseItem($input: ResolveSuspenseItemInput!) {
    resolveSuspenseItem(input: $input) {
      item {
        id
        status
        resolvedTo
        resolution
        updatedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Item = SuspenseItemsQuery['suspenseItems']['edges'][number]['node'];
type Merchant = { id: string; name: string };

const STATUSES: { value: SuspenseStatus; label: string; tone: Tone }[] = [
  { value: 'OPEN', label: 'Open', tone: 'warn' },
  { value: 'ATTACHED', label: 'Attached', tone: 'good' },
  { value: 'CREDITED', label: 'Credited', tone: 'info' },
  { value: 'WRITTEN_OFF', label: 'Written off', tone: 'neutral' },
];

/** Why an SMS waits here, in an admin's words. */
const REASONS: Record<string, string> = {
  UNMATCHED: 'Its text named no payment',
  PAYMENT_CLOSED: 'The payment it named no longer takes money',
  PHONE_MISMATCH: 'It came from another phone than the payment’s earlier SMS',
  COUNTRY_MISMATCH: 'It came from another country than the payment’s',
  CURRENCY_NOT_SUPPORTED: 'Its currency is not one the payment takes',
  NO_TARIFF: 'No tariff says what it is worth',
  UNREADABLE_PHONE: 'Its sender’s number could not be read as a phone number',
};

const ACTIONS: { value: SuspenseAction; label: string }[] = [
  { value: 'ATTACH', label: 'Attach to a payment' },
  { value: 'CREDIT', label: 'Credit the payer' },
  { value: 'WRITE_OFF', label: 'Write off' },
];

function SuspenseStatusBadge({ status }: { status: string }) {
  const entry = STATUSES.find((candidate) => candidate.value === status);
  return <Badge tone={entry?.tone ?? 'neutral'}>{entry?.label ?? humanize(status)}</Badge>;
}

/** One open item's resolution: attach it by payment reference, credit its payer, or write it off with a reason. */
function ResolveForm({
  item,
  merchants,
  onResolved,
}: {
  item: Item;
  merchants: readonly Merchant[];
  onResolved: (message: string) => void;
}) {
  const [action, setAction] = useState<SuspenseAction>(item.paymentId ? 'CREDIT' : 'ATTACH');
  const [paymentReference, setPaymentReference] = useState('');
  const [merchantId, setMerchantId] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const { attach, ...form } = useFormMutation(ResolveSuspenseItemDocument, (data) => data.resolveSuspenseItem, [
    'action',
    'paymentReference',
    'merchantId',
    'amount',
    'reason',
  ]);
  const amountUnknown = !item.amount;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const typedAmount = action !== 'WRITE_OFF' && amount.trim() !== '';
    const canonicalAmount = typedAmount ? parseAmountInput(amount) : null;
    if (typedAmount && canonicalAmount === null) return form.setErrors({ byField: { amount: AMOUNT_HINT }, form: [] });
    const payload = await form.submit({
      input: {
        id: item.id,
        action,
        paymentReference: action === 'ATTACH' ? paymentReference.trim().toUpperCase() : null,
        merchantId: action === 'CREDIT' && merchantId ? merchantId : null,
        amount: canonicalAmount,
        reason: action === 'WRITE_OFF' ? reason.trim() : null,
      },
    });
    const resolved = payload?.item;
    if (resolved) {
      const label = STATUSES.find((entry) => entry.value === resolved.status)?.label ?? humanize(resolved.status);
      onResolved(`SMS ${item.smsId}: ${label.toLowerCase()}${resolved.resolvedTo ? ` (${resolved.resolvedTo})` : ''}.`);
    }
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={`Resolve SMS ${item.smsId}`}
    >
      <FormErrors messages={form.errors.form} />
      <Field label="Action" error={form.fieldError('action')}>
        {(props) => (
          <select
            {...props}
            value={action}
            onChange={(event) => {
              setAction(event.target.value as SuspenseAction);
              form.clearErrors();
            }}
          >
            {ACTIONS.map((entry) => (
              <option key={entry.value} value={entry.value}>
                {entry.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {action === 'ATTACH' && (
        <Field
          label="Payment reference"
          error={form.fieldError('paymentReference')}
          hint="The payment the SMS counts on, as if it had named it; it must still take money."
        >
          {(props) => (
            <input
              {...props}
              name="paymentReference"
              autoCapitalize="characters"
              autoComplete="off"
              placeholder="K7M2XR9D"
              value={paymentReference}
              onChange={(event) => setPaymentReference(event.target.value)}
            />
          )}
        </Field>
      )}
      {action === 'CREDIT' && !item.merchantId && (
        <Field
          label="Merchant"
          error={form.fieldError('merchantId')}
          hint="The SMS named no payment: who the payer gets credit with."
        >
          {(props) => (
            <select {...props} value={merchantId} onChange={(event) => setMerchantId(event.target.value)}>
              <option value="">Choose a merchant</option>
              {merchants.map((merchant) => (
                <option key={merchant.id} value={merchant.id}>
                  {merchant.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {action !== 'WRITE_OFF' && (
        <Field
          label={amountUnknown ? 'Amount (USD)' : 'Amount (USD, optional)'}
          error={form.fieldError('amount')}
          hint={
            amountUnknown
              ? 'No tariff says what this SMS is worth: the merchant’s part, e.g. 0.50.'
              : 'Leave empty to use what the SMS is worth.'
          }
        >
          {(props) => <AmountInput {...props} name="amount" placeholder="0.50" value={amount} onChange={setAmount} />}
        </Field>
      )}
      {action === 'WRITE_OFF' && (
        <Field label="Reason" error={form.fieldError('reason')} hint="Kept with the item and in the audit log.">
          {(props) => (
            <input
              {...props}
              name="reason"
              maxLength={300}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          )}
        </Field>
      )}
      <div className="form__actions">
        <button
          type="submit"
          className={action === 'WRITE_OFF' ? 'button button--danger' : 'button button--primary'}
          disabled={form.fetching}
        >
          {form.fetching ? 'Resolving…' : (ACTIONS.find((entry) => entry.value === action)?.label ?? 'Resolve')}
        </button>
      </div>
    </form>
  );
}

/** One item: the SMS, why it waits, its money, and either its resolution or the form to resolve it. */
function SuspenseItemCard({
  item,
  merchants,
  onResolved,
}: {
  item: Item;
  merchants: readonly Merchant[];
  onResolved: (message: string) => void;
}) {
  return (
    <article className="card" aria-label={`SMS ${item.smsId}`} data-testid="suspense-item">
      <header className="card__header">
        <h2>
          SMS <code>{item.smsId}</code>
        </h2>
        <SuspenseStatusBadge status={item.status} />
      </header>
      <div className="card__body stack">
        <dl className="facts">
          <dt>Why</dt>
          <dd>{REASONS[item.reason] ?? humanize(item.reason)}</dd>
          <dt>Money held</dt>
          <dd>{item.amount ? <Money money={item.amount} /> : <span className="muted">unknown (no tariff)</span>}</dd>
          <dt>Merchant</dt>
          <dd>{item.merchantId ? <MerchantName id={item.merchantId} /> : <span className="muted">none named</span>}</dd>
          <dt>Payment named</dt>
          <dd>{item.paymentId ? <code>{item.paymentId}</code> : <span className="muted">none</span>}</dd>
          <dt>Arrived</dt>
          <dd>
            <Time value={item.createdAt} />
          </dd>
          {item.status !== 'OPEN' && (
            <>
              <dt>Resolved</dt>
              <dd>
                <Time value={item.updatedAt} />
              </dd>
              <dt>Went to</dt>
              <dd>{item.resolvedTo ? <code>{item.resolvedTo}</code> : '—'}</dd>
              <dt>Resolution</dt>
              <dd data-testid="suspense-resolution">{item.resolution ?? '—'}</dd>
            </>
          )}
        </dl>
        {item.status === 'OPEN' && <ResolveForm item={item} merchants={merchants} onResolved={onResolved} />}
      </div>
    </article>
  );
}

/** Billed SMS no payment took: an admin attaches each to a payment, credits its payer, or writes it off. */
export function SuspensePage() {
  const paging = usePaging();
  const [status, setStatus] = useState<SuspenseStatus | ''>('OPEN');
  const [done, setDone] = useState<string | null>(null);
  const [merchantsQuery] = useQuery({ query: SuspenseMerchantsDocument });
  useSettlementChanges();
  const merchants = merchantsQuery.data?.merchants.edges.map((edge) => edge.node) ?? [];
  const [query, refetch] = useQuery({
    query: SuspenseItemsDocument,
    variables: { status: status || null, first: paging.first, after: paging.after },
  });

  return (
    <Page
      title="Suspense"
      description="Billed SMS no payment took. The money waits here until you attach it, credit it or write it off."
    >
      {done && (
        <p className="notice notice--good" role="status">
          {done}
        </p>
      )}
      <Card>
        <div className="toolbar" role="search" aria-label="Filter suspense items">
          <SelectFilter
            label="Status"
            anyLabel="Any status"
            value={status}
            options={STATUSES}
            onChange={(next) => {
              setStatus(next);
              paging.reset();
            }}
          />
        </div>
      </Card>
      <QueryView query={query} refetch={refetch}>
        {(data) => (
          <>
            {data.suspenseItems.edges.length === 0 ? (
              <Card>
                <Empty>{status === 'OPEN' ? 'Nothing waits in suspense.' : 'No items match.'}</Empty>
              </Card>
            ) : (
              <div className="stack">
                {data.suspenseItems.edges.map(({ node }) => (
                  <SuspenseItemCard key={node.id} item={node} merchants={merchants} onResolved={setDone} />
                ))}
              </div>
            )}
            <Pager
              paging={paging}
              pageInfo={data.suspenseItems.pageInfo}
              totalCount={data.suspenseItems.totalCount}
              shown={data.suspenseItems.edges.length}
            />
          </>
        )}
      </QueryView>
    </Page>
  );
}
