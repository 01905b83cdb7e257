import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { PaymentKind } from '../../gql/graphql';
import { CopyButton } from '../../app/components/CopyButton';
import { DateRangeFilter, rangeProblem, rangeVariables, type DayRange } from '../../app/components/DateRangeFilter';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { QueryView } from '../../app/components/QueryView';
import { useCsvDownload } from '../../app/csv';
import { newIdempotencyKey } from '../../app/idempotency';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { CurrencySelect } from '../../app/components/CurrencySelect';
import { oneOf, useUrlFilters } from '../../app/useUrlFilters';
import { usePaymentChanges } from './live';
import { PAYMENT_CSV_COLUMNS, PaymentRows, paymentRowsOf } from './PaymentRows';
import { humanize, PAYMENT_STATUSES } from './status';

const PaymentsDocument = graphql(`
  query Payments(
    $first: Int
    $after: String
    $status: PaymentStatus
    $kind: PaymentKind
    $reference: String
    $externalId: String
    $from: DateTimeISO
    $to: DateTimeISO
  ) {
    payments(
      first: $first
      after: $after
      status: $status
      kind: $kind
      reference: $reference
      externalId: $externalId
      from: $from
      to: $to
    ) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          ...PaymentRowFields
        }
      }
    }
  }
`);

// The kinds this platform takes (its products and API top-ups): the filter offers only these.
const PaymentKindsDocument = graphql(`
  query PaymentKinds {
    paymentKinds
  }
`);

const CreatePaymentDocument = graphql(`
  mutation CreatePayment($input: CreatePaymentInput!) {
    createPayment(input: $input) {
      payment {
        id
        reference
        status
        payerUrl
        amount {
          amount
          currency
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

function CreatePaymentForm() {
  const [amount, setAmount] = useState('');
  // Empty until the account's currency is known: CurrencySelect fills it in.
  const [currency, setCurrency] = useState('');
  const [description, setDescription] = useState('');
  const [externalId, setExternalId] = useState('');
  const [payerPhone, setPayerPhone] = useState('');
  // One key per intended payment: a double submit or a retry creates it once.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [created, setCreated] = useState<{ id: string; reference: string; payerUrl: string } | null>(null);
  const { attach, ...form } = useFormMutation(CreatePaymentDocument, (data) => data.createPayment, [
    'amount',
    'currency',
    'description',
    'externalId',
    'payerPhone',
  ]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const canonicalAmount = parseAmountInput(amount);
    if (canonicalAmount === null) return form.setErrors({ byField: { amount: AMOUNT_HINT }, form: [] });
    const payload = await form.submit({
      input: {
        amount: canonicalAmount,
        currency,
        description,
        externalId: externalId.trim() || null,
        payerPhone: payerPhone.trim() || null,
        idempotencyKey,
      },
    });
    const payment = payload?.payment;
    if (payment) {
      setCreated(payment);
      setAmount('');
      setDescription('');
      setExternalId('');
      setPayerPhone('');
      setIdempotencyKey(newIdempotencyKey());
    }
  };

  return (
    <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Create payment">
      {created && (
        <div className="notice notice--good stack" role="status">
          <p>
            Payment <Link to={created.id}>{created.reference}</Link> created. Send the payer to its page:
          </p>
          <div className="secret__value">
            <code>{created.payerUrl}</code>
            <CopyButton text={created.payerUrl} />
          </div>
        </div>
      )}
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Amount" error={form.fieldError('amount')} hint="e.g. 12.50 or 12,50">
          {(props) => <AmountInput {...props} name="amount" placeholder="0.00" value={amount} onChange={setAmount} />}
        </Field>
        <Field label="Currency" error={form.fieldError('currency')}>
          {(props) => <CurrencySelect {...props} name="currency" value={currency} onChange={setCurrency} />}
        </Field>
      </div>
      <Field label="Description" error={form.fieldError('description')} hint="Shown to the payer.">
        {(props) => (
          <input
            {...props}
            name="description"
            maxLength={255}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <div className="form__row">
        <Field label="Your order id (optional)" error={form.fieldError('externalId')}>
          {(props) => (
            <input
              {...props}
              name="externalId"
              maxLength={100}
              value={externalId}
              onChange={(event) => setExternalId(event.target.value)}
            />
          )}
        </Field>
        <Field label="Payer phone (optional)" error={form.fieldError('payerPhone')} hint="International form, +359…">
          {(props) => (
            <input
              {...props}
              name="payerPhone"
              type="tel"
              value={payerPhone}
              onChange={(event) => setPayerPhone(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Creating…' : 'Create payment'}
        </button>
      </div>
    </form>
  );
}

const FILTERS = ['status', 'kind', 'by', 'q', 'from', 'to'] as const;
/** Every kind the schema knows: a kind in the URL is taken before the platform's own list has loaded. */
const PAYMENT_KINDS: readonly PaymentKind[] = ['PURSE', 'VOUCHER', 'ACCESS_CODE', 'STORE_ORDER', 'TOP_UP', 'CARD'];

export function PaymentsPage() {
  const paging = usePaging();
  const filters = useUrlFilters(FILTERS);
  const status = oneOf(filters.values.status, PAYMENT_STATUSES);
  const [kinds] = useQuery({ query: PaymentKindsDocument });
  const kind = oneOf<PaymentKind>(filters.values.kind, PAYMENT_KINDS);
  const searchBy = filters.values.by === 'externalId' ? 'externalId' : 'reference';
  const search = filters.values.q;
  const range: DayRange = { from: filters.values.from, to: filters.values.to };
  const [draft, setDraft] = useState(search);
  const [showCreate, setShowCreate] = useState(false);
  usePaymentChanges();
  const variables = useMemo(
    () => ({
      first: paging.first,
      after: paging.after,
      status: status || null,
      kind: kind || null,
      reference: search && searchBy === 'reference' ? search.toUpperCase() : null,
      externalId: search && searchBy === 'externalId' ? search : null,
      ...rangeVariables(range),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the range's two strings stand for it
    [paging.first, paging.after, status, kind, search, searchBy, range.from, range.to],
  );
  const [query, refetch] = useQuery({ query: PaymentsDocument, variables, pause: Boolean(rangeProblem(range)) });
  const csv = useCsvDownload({
    query: PaymentsDocument,
    variables,
    page: (data) => ({
      nodes: paymentRowsOf(data.payments.edges.map((edge) => edge.node)),
      endCursor: data.payments.pageInfo.endCursor,
      hasNextPage: data.payments.pageInfo.hasNextPage,
    }),
    columns: PAYMENT_CSV_COLUMNS,
    filename: 'payments.csv',
  });

  const change = (patch: Partial<Record<(typeof FILTERS)[number], string | null>>) => {
    filters.set(patch);
    paging.reset();
  };
  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    change({ q: draft.trim() });
  };

  return (
    <Page
      title="Payments"
      description="Every payment of every product, newest first."
      actions={
        <button type="button" className="button button--primary" onClick={() => setShowCreate((open) => !open)}>
          {showCreate ? 'Close' : 'New payment'}
        </button>
      }
    >
      {showCreate && (
        <Card title="New top-up payment">
          <CreatePaymentForm />
        </Card>
      )}
      <Card>
        <form className="toolbar" onSubmit={submitSearch} role="search" aria-label="Filter payments">
          <label className="toolbar__field">
            <span>Status</span>
            <select value={status} onChange={(event) => change({ status: event.target.value })}>
              <option value="">Any status</option>
              {PAYMENT_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {humanize(value)}
                </option>
              ))}
            </select>
          </label>
          <label className="toolbar__field">
            <span>Product</span>
            <select value={kind} onChange={(event) => change({ kind: event.target.value })}>
              <option value="">Any product</option>
              {(kinds.data?.paymentKinds ?? []).map((value) => (
                <option key={value} value={value}>
                  {humanize(value)}
                </option>
              ))}
            </select>
          </label>
          <label className="toolbar__field toolbar__field--narrow">
            <span>Find by</span>
            <select value={searchBy} onChange={(event) => change({ by: event.target.value })}>
              <option value="reference">Reference</option>
              <option value="externalId">Order id</option>
            </select>
          </label>
          <label className="toolbar__field">
            <span>{searchBy === 'reference' ? 'Reference' : 'Order id'}</span>
            <input
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              placeholder={searchBy === 'reference' ? 'K7M2XR9D' : 'order-1001'}
            />
          </label>
          <button type="submit" className="button button--small">
            Search
          </button>
          {search && (
            <button
              type="button"
              className="button button--small button--quiet"
              onClick={() => {
                setDraft('');
                change({ q: null });
              }}
            >
              Clear
            </button>
          )}
          <DateRangeFilter value={range} onChange={(next) => change({ from: next.from, to: next.to })} />
          <button
            type="button"
            className="button button--small"
            disabled={csv.busy || Boolean(rangeProblem(range))}
            onClick={() => void csv.download()}
          >
            {csv.busy ? 'Preparing CSV…' : 'Download CSV'}
          </button>
        </form>
        {csv.error && (
          <p className="field__error" role="alert">
            {csv.error}
          </p>
        )}
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <PaymentRows
                payments={data.payments.edges.map((edge) => edge.node)}
                empty={filters.active ? 'No payments match.' : 'No payments yet.'}
              />
              <Pager
                paging={paging}
                pageInfo={data.payments.pageInfo}
                totalCount={data.payments.totalCount}
                shown={data.payments.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
