import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { PaymentKind, PaymentStatus, PaymentsQuery } from '../../gql/graphql';
import { CopyButton } from '../../app/components/CopyButton';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors, splitUserErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { ErrorState, Loading } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { newIdempotencyKey } from '../../app/idempotency';
import { humanize, PAYMENT_KINDS, PAYMENT_STATUSES, PaymentStatusBadge } from './status';

const PaymentsDocument = graphql(`
  query Payments(
    $first: Int
    $after: String
    $status: PaymentStatus
    $kind: PaymentKind
    $reference: String
    $externalId: String
  ) {
    payments(
      first: $first
      after: $after
      status: $status
      kind: $kind
      reference: $reference
      externalId: $externalId
    ) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
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
      }
    }
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

type Payment = PaymentsQuery['payments']['edges'][number]['node'];

const CURRENCIES = ['EUR', 'USD', 'GBP', 'BGN', 'PLN', 'CZK', 'RON', 'HUF', 'CHF', 'SEK', 'NOK', 'DKK', 'JPY'];

function CreatePaymentForm() {
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [description, setDescription] = useState('');
  const [externalId, setExternalId] = useState('');
  const [payerPhone, setPayerPhone] = useState('');
  // One key per intended payment: a double submit or a retry creates it once.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [created, setCreated] = useState<{ id: string; reference: string; payerUrl: string } | null>(null);
  const [result, create] = useMutation(CreatePaymentDocument);
  const errors = splitUserErrors(result.data?.createPayment.userErrors, [
    'amount',
    'currency',
    'description',
    'externalId',
    'payerPhone',
  ]);
  const formErrors = result.error ? [...errors.form, result.error.message] : errors.form;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await create(
      {
        input: {
          amount: amount.trim(),
          currency: currency.trim().toUpperCase(),
          description,
          externalId: externalId.trim() || null,
          payerPhone: payerPhone.trim() || null,
          idempotencyKey,
        },
      },
      { additionalTypenames: ['Payment'] },
    );
    const payment = response.data?.createPayment.payment;
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
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Create payment">
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
      <FormErrors messages={formErrors} />
      <div className="form__row">
        <Field label="Amount" error={errors.byField.amount} hint="A decimal, e.g. 12.50">
          {(props) => (
            <input
              {...props}
              name="amount"
              inputMode="decimal"
              autoComplete="off"
              placeholder="0.00"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
            />
          )}
        </Field>
        <Field label="Currency" error={errors.byField.currency}>
          {(props) => (
            <>
              <input
                {...props}
                name="currency"
                list="payment-currencies"
                maxLength={3}
                autoCapitalize="characters"
                value={currency}
                onChange={(event) => setCurrency(event.target.value.toUpperCase())}
              />
              <datalist id="payment-currencies">
                {CURRENCIES.map((code) => (
                  <option key={code} value={code} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      </div>
      <Field label="Description" error={errors.byField.description} hint="Shown to the payer.">
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
        <Field label="Your order id (optional)" error={errors.byField.externalId}>
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
        <Field label="Payer phone (optional)" error={errors.byField.payerPhone} hint="International form, +359…">
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
        <button type="submit" className="button button--primary" disabled={result.fetching}>
          {result.fetching ? 'Creating…' : 'Create payment'}
        </button>
      </div>
    </form>
  );
}

export function PaymentsPage() {
  const paging = usePaging();
  const [status, setStatus] = useState<PaymentStatus | ''>('');
  const [kind, setKind] = useState<PaymentKind | ''>('');
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [searchBy, setSearchBy] = useState<'reference' | 'externalId'>('reference');
  const [showCreate, setShowCreate] = useState(false);
  const context = useMemo(() => ({ additionalTypenames: ['Payment'] }), []);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PaymentsDocument,
    variables: {
      first: paging.first,
      after: paging.after,
      status: status || null,
      kind: kind || null,
      reference: search && searchBy === 'reference' ? search.toUpperCase() : null,
      externalId: search && searchBy === 'externalId' ? search : null,
    },
    context,
  });

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    paging.reset();
    setSearch(draft.trim());
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
            <select
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as PaymentStatus | '');
                paging.reset();
              }}
            >
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
            <select
              value={kind}
              onChange={(event) => {
                setKind(event.target.value as PaymentKind | '');
                paging.reset();
              }}
            >
              <option value="">Any product</option>
              {PAYMENT_KINDS.map((value) => (
                <option key={value} value={value}>
                  {humanize(value)}
                </option>
              ))}
            </select>
          </label>
          <label className="toolbar__field toolbar__field--narrow">
            <span>Find by</span>
            <select
              value={searchBy}
              onChange={(event) => setSearchBy(event.target.value as 'reference' | 'externalId')}
            >
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
                setSearch('');
                paging.reset();
              }}
            >
              Clear
            </button>
          )}
        </form>
        {fetching && !data ? (
          <Loading />
        ) : error && !data ? (
          <ErrorState error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
        ) : data ? (
          <>
            <DataTable<Payment>
              caption="Payments"
              rows={data.payments.edges.map((edge) => edge.node)}
              rowKey={(payment) => payment.id}
              empty={status || kind || search ? 'No payments match.' : 'No payments yet.'}
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
                {
                  header: 'Received',
                  render: (payment) => <Money money={payment.amountReceived} />,
                  className: 'num',
                },
                { header: 'Created', render: (payment) => <Time value={payment.createdAt} />, className: 'nowrap' },
              ]}
            />
            <Pager
              paging={paging}
              pageInfo={data.payments.pageInfo}
              totalCount={data.payments.totalCount}
              shown={data.payments.edges.length}
            />
          </>
        ) : null}
      </Card>
    </Page>
  );
}
