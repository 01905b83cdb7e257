import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useClient, useMutation, useQuery, useSubscription } from 'urql';
import { QueryView } from '../../app/components/QueryView';
import { graphql, useFragment } from '../../gql';
import { useFormMutation } from '../../app/useFormMutation';
import type { ResultOf } from '@graphql-typed-document-node/core';
import type { PaymentStatus, PurseQuery, SendPurseTestCallbackMutation } from '../../gql/graphql';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { CopyButton } from '../../app/components/CopyButton';
import { DataTable } from '../../app/components/DataTable';
import { FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Time } from '../../app/components/Time';
import { AttemptsList } from '../outbox/AttemptsList';
import { DeliveryStatusBadge } from '../outbox/status';
import { humanize, PAYMENT_STATUSES, PaymentStatusBadge } from '../payments/status';
import { parseCountries, PURSE_FIELDS, PurseFields, type PurseFormValues } from './PursesPage';
import { SNIPPET_LANGUAGES, snippet, type SnippetLanguage } from './snippets';
import { EndpointCheckPanel } from '../endpoint-check/EndpointCheckPanel';
import './purses.css';

const PurseDocument = graphql(`
  query Purse($id: ID!) {
    purse(id: $id) {
      id
      number
      name
      successUrl
      failUrl
      resultUrl
      countries
      language
      formUrl
      createdAt
      updatedAt
      secretChangedAt
    }
  }
`);

/** The fields of one purse payment row, as the list and its live updates both read them. */
const PursePaymentFields = graphql(`
  fragment PursePaymentFields on PursePayment {
    id
    paymentId
    reference
    orderId
    amountAsSent
    clearAmount
    description
    status
    country
    createdAt
    paidAt
    amountReceived {
      amount
      currency
    }
    extraFields {
      name
      value
    }
    operations {
      id
      number
      phone
      createdAt
      credited {
        amount
        currency
      }
      callback {
        status
        attemptCount
        nextAttemptAt
        lastError
        attempts {
          id
          startedAt
          durationMs
          outcome
          httpStatus
          error
          detail
        }
      }
    }
    sms {
      id
      status
      flagReason
      from
      to
      country
      text
      receivedAt
    }
  }
`);

const PursePaymentsDocument = graphql(`
  query PursePayments(
    $purseId: ID
    $status: PaymentStatus
    $from: DateTimeISO
    $to: DateTimeISO
    $country: String
    $first: Int
    $after: String
  ) {
    pursePayments(
      purseId: $purseId
      status: $status
      from: $from
      to: $to
      country: $country
      first: $first
      after: $after
    ) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          ...PursePaymentFields
        }
      }
    }
  }
`);

/**
 * The purse's payments as they change (opened, paid, topped up, cancelled): the normalized cache updates the rows
 * shown and puts new payments on the first page (app/cache.ts), so the list needs no polling.
 */
const PursePaymentChangedDocument = graphql(`
  subscription PursePaymentChanged($purseId: ID!) {
    pursePaymentChanged(purseId: $purseId) {
      ...PursePaymentFields
    }
  }
`);

const ExportPursePaymentsCsvDocument = graphql(`
  query ExportPursePaymentsCsv(
    $purseId: ID
    $status: PaymentStatus
    $from: DateTimeISO
    $to: DateTimeISO
    $country: String
  ) {
    exportPursePaymentsCsv(purseId: $purseId, status: $status, from: $from, to: $to, country: $country)
  }
`);

const UpdatePurseDocument = graphql(`
  mutation UpdatePurse($input: UpdatePurseInput!) {
    updatePurse(input: $input) {
      purse {
        id
        name
        successUrl
        failUrl
        resultUrl
        countries
        language
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

const RotatePurseSecretDocument = graphql(`
  mutation RotatePurseSecret($input: IdInput!) {
    rotatePurseSecret(input: $input) {
      secret
      purse {
        id
        secretChangedAt
      }
      userErrors {
        message
      }
    }
  }
`);

const RevealPurseSecretDocument = graphql(`
  mutation RevealPurseSecret($input: IdInput!) {
    revealPurseSecret(input: $input) {
      secret
      userErrors {
        message
      }
    }
  }
`);

const SendPurseTestCallbackDocument = graphql(`
  mutation SendPurseTestCallback($input: IdInput!) {
    sendPurseTestCallback(input: $input) {
      result {
        url
        ok
        httpStatus
        responseBody
        error
        fields {
          name
          value
        }
      }
      userErrors {
        message
      }
    }
  }
`);

type Purse = NonNullable<PurseQuery['purse']>;
type PursePayment = ResultOf<typeof PursePaymentFields>;
type TestResult = NonNullable<SendPurseTestCallbackMutation['sendPurseTestCallback']['result']>;

function Integration({ purse }: { purse: Purse }) {
  const [language, setLanguage] = useState<SnippetLanguage>('php');
  const code = snippet(language, { number: purse.number, formUrl: purse.formUrl });
  const chosen = SNIPPET_LANGUAGES.find((option) => option.id === language)!;
  return (
    <div className="stack">
      <dl className="facts">
        <dt>Form action</dt>
        <dd>
          <code>{purse.formUrl}</code> <CopyButton text={purse.formUrl} />
          <br />
          <span className="muted small">
            English pages: <code>{purse.formUrl.replace(/\/bank\/$/, '/language/english/bank/')}</code>
          </span>
        </dd>
        <dt>
          <code>s_purse</code>
        </dt>
        <dd>
          <code data-testid="purse-number">{purse.number}</code>
        </dd>
        <dt>
          <code>s_sign</code>
        </dt>
        <dd>
          <code>md5(s_purse::s_order_id::s_amount::s_clear_amount::s_description::secret)</code>
        </dd>
        <dt>Result URL</dt>
        <dd>
          <code>s_sign_v2 = md5(secret::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone)</code>
        </dd>
        <dt>Success / Fail</dt>
        <dd>
          <code>s_sign = md5(secret::s_purse::s_order_id::s_amount::s_clear_amount::s_status)</code>
        </dd>
      </dl>
      <div className="segmented" role="tablist" aria-label="Language of the code">
        {SNIPPET_LANGUAGES.map((option) => (
          <button
            key={option.id}
            type="button"
            role="tab"
            aria-selected={language === option.id}
            className={
              language === option.id ? 'button button--small button--primary' : 'button button--small button--quiet'
            }
            onClick={() => setLanguage(option.id)}
          >
            {option.label}
          </button>
        ))}
      </div>
      <p className="muted small">
        Save it as <code>{chosen.file}</code> with your secret code, and set this purse’s Result URL to your site’s{' '}
        <code>{chosen.resultPath}</code>. It signs the form, checks <code>s_sign_v2</code>, fulfils each{' '}
        <code>s_inv</code> once and answers 2xx
        {language === 'csharp' ? '.' : '; Tollgate’s tests run this very code against a live server.'}
      </p>
      <pre className="purse-snippet" data-testid="purse-snippet">
        {code}
      </pre>
      <div>
        <CopyButton text={code} label="Copy code" />
      </div>
    </div>
  );
}

function TestCallbackResult({ result }: { result: TestResult }) {
  return (
    <div
      className={`notice ${result.ok ? 'notice--good' : 'notice--warn'} stack`}
      role="status"
      aria-label="Test callback"
    >
      <p>
        {result.httpStatus !== null ? (
          <>
            <code>{result.url}</code> answered <strong>HTTP {result.httpStatus}</strong>
            {result.ok ? ': callbacks will be delivered.' : ': real callbacks would be retried until it answers 2xx.'}
          </>
        ) : (
          <>
            No answer from <code>{result.url}</code>: {result.error}
          </>
        )}
      </p>
      {result.responseBody && <pre className="purse-snippet">{result.responseBody}</pre>}
      <details className="disclosure">
        <summary>Fields sent</summary>
        <p className="purse-fields">{result.fields.map((field) => `${field.name}=${field.value}`).join('&')}</p>
      </details>
    </div>
  );
}

function PurseActions({ purse }: { purse: Purse }) {
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [revealing, reveal] = useMutation(RevealPurseSecretDocument);
  const [rotating, rotate] = useMutation(RotatePurseSecretDocument);
  const [testing, test] = useMutation(SendPurseTestCallbackDocument);
  const busy = revealing.fetching || rotating.fetching || testing.fetching;

  const showSecret = async () => {
    setMessage(null);
    const response = await reveal({ input: { id: purse.id } });
    const payload = response.data?.revealPurseSecret;
    if (payload?.secret) setSecret({ title: 'Secret code', value: payload.secret });
    else setMessage(response.error?.message ?? payload?.userErrors[0]?.message ?? 'The secret could not be shown.');
  };
  const rotateSecret = async () => {
    setMessage(null);
    const response = await rotate({ input: { id: purse.id } });
    const payload = response.data?.rotatePurseSecret;
    if (payload?.secret) setSecret({ title: 'New secret code', value: payload.secret });
    else setMessage(response.error?.message ?? payload?.userErrors[0]?.message ?? 'The secret was not changed.');
  };
  const sendTest = async () => {
    setMessage(null);
    setTestResult(null);
    const response = await test({ input: { id: purse.id } });
    const result = response.data?.sendPurseTestCallback.result;
    if (result) setTestResult(result);
    else setMessage(response.error?.message ?? 'The test callback could not be sent.');
  };

  return (
    <div className="stack">
      {message && (
        <p className="notice notice--warn" role="alert">
          {message}
        </p>
      )}
      {secret && (
        <SecretPanel
          title={secret.title}
          secret={secret.value}
          testId="purse-secret"
          onDone={() => setSecret(null)}
          warning="Anyone with this code can open payments in your name and forge callbacks to your site. This is recorded in the audit log."
        />
      )}
      <div className="button-row">
        <button type="button" className="button" disabled={busy} onClick={() => void sendTest()}>
          {testing.fetching ? 'Sending…' : 'Send test callback'}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void showSecret()}>
          Reveal secret
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setConfirmRotate(true)}>
          Rotate secret
        </button>
      </div>
      <ConfirmBox
        open={confirmRotate}
        onOpenChange={setConfirmRotate}
        label="Rotate secret"
        confirmLabel="Rotate secret"
        cancelLabel="Keep the current one"
        onConfirm={rotateSecret}
      >
        <p>
          The current secret stops working at once: forms signed with it are refused, and callbacks still on their way
          are signed with the new one. Update your site right after.
        </p>
      </ConfirmBox>
      {testResult && <TestCallbackResult result={testResult} />}
      <p className="muted small">
        The test callback is a signed sample with <code>s_inv=0</code> and <code>s_order_id=0</code>, sent now to your
        Result URL; nothing is recorded.
      </p>
    </div>
  );
}

function SettingsForm({ purse }: { purse: Purse }) {
  const [values, setValues] = useState<PurseFormValues>({
    name: purse.name,
    successUrl: purse.successUrl,
    failUrl: purse.failUrl,
    resultUrl: purse.resultUrl,
    countries: purse.countries.join(', '),
    language: purse.language,
  });
  const [saved, setSaved] = useState(false);
  const { attach, ...form } = useFormMutation(UpdatePurseDocument, (data) => data.updatePurse, PURSE_FIELDS);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const response = await form.submit({
      input: { id: purse.id, ...values, countries: parseCountries(values.countries) },
    });
    if (response?.purse) setSaved(true);
  };
  return (
    <form ref={attach} className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Purse settings">
      <FormErrors messages={form.errors.form} />
      {saved && (
        <p className="notice notice--good" role="status">
          Saved.
        </p>
      )}
      <PurseFields values={values} onChange={setValues} errors={form.errors.byField} />
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

function Operations({ payment }: { payment: PursePayment }) {
  if (payment.operations.length === 0) return <span className="muted">—</span>;
  return (
    <details className="disclosure">
      <summary>
        {payment.operations.map((operation) => (
          <span key={operation.id}>
            <code>s_inv {operation.number}</code> <DeliveryStatusBadge status={operation.callback.status} />{' '}
          </span>
        ))}
      </summary>
      {payment.operations.map((operation) => (
        <div key={operation.id} className="stack">
          <p className="small">
            <code>s_inv {operation.number}</code> · {operation.phone} · <Money money={operation.credited} /> ·{' '}
            <Time value={operation.createdAt} /> · {operation.callback.attemptCount}{' '}
            {operation.callback.attemptCount === 1 ? 'attempt' : 'attempts'}
            {operation.callback.nextAttemptAt && (
              <>
                {' '}
                · next try <Time value={operation.callback.nextAttemptAt} />
              </>
            )}
          </p>
          <AttemptsList attempts={operation.callback.attempts} />
        </div>
      ))}
    </details>
  );
}

function SmsList({ payment }: { payment: PursePayment }) {
  if (payment.sms.length === 0) return <span className="muted">none yet</span>;
  return (
    <details className="disclosure">
      <summary>{payment.sms.length} SMS</summary>
      <ul className="small">
        {payment.sms.map((sms) => (
          <li key={sms.id}>
            <Time value={sms.receivedAt} /> · {sms.from} → <code>{sms.to}</code> ({sms.country}) · “{sms.text}” ·{' '}
            {humanize(sms.status)}
            {sms.flagReason && <span className="muted"> ({humanize(sms.flagReason)})</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}

interface Filters {
  status: PaymentStatus | '';
  from: string;
  to: string;
  country: string;
}

/** "2026-05-01" (a date input, the reader's day) → the instant it starts; "" → null. */
function dayStart(day: string, offsetDays = 0): string | null {
  if (!day) return null;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return null;
  date.setDate(date.getDate() + offsetDays);
  return date.toISOString();
}

function Payments({ purse }: { purse: Purse }) {
  const client = useClient();
  const paging = usePaging();
  const [filters, setFilters] = useState<Filters>({ status: '', from: '', to: '', country: '' });
  const [exportError, setExportError] = useState<string | null>(null);
  const variables = useMemo(
    () => ({
      purseId: purse.id,
      status: filters.status || null,
      from: dayStart(filters.from),
      // The "to" day is included: payments before the next day starts.
      to: dayStart(filters.to, 1),
      country: filters.country.trim().toUpperCase() || null,
    }),
    [purse.id, filters],
  );
  const [query, refetch] = useQuery({
    query: PursePaymentsDocument,
    variables: { ...variables, first: paging.first, after: paging.after },
  });
  const { data } = query;
  const rows =
    useFragment(
      PursePaymentFields,
      data?.pursePayments.edges.map((edge) => edge.node),
    ) ?? [];
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // Payments change as SMS arrive: the subscription brings each change into the cache, and so into this list.
  useSubscription({ query: PursePaymentChangedDocument, variables: { purseId: purse.id } });

  const change = (next: Partial<Filters>) => {
    setFilters((current) => ({ ...current, ...next }));
    paging.reset();
  };

  const exportCsv = async () => {
    setExportError(null);
    const response = await client
      .query(ExportPursePaymentsCsvDocument, variables, { requestPolicy: 'network-only' })
      .toPromise();
    const csv = response.data?.exportPursePaymentsCsv;
    if (csv === undefined) {
      setExportError(response.error?.message ?? 'The export failed.');
      return;
    }
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `purse-${purse.number}-payments.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Card
      title="Payments"
      actions={
        <span className="button-row">
          <button type="button" className="button button--small" onClick={refresh}>
            Refresh
          </button>
          <button type="button" className="button button--small" onClick={() => void exportCsv()}>
            Export CSV
          </button>
        </span>
      }
    >
      <form className="toolbar" role="search" aria-label="Filter purse payments" onSubmit={(e) => e.preventDefault()}>
        <label className="toolbar__field">
          <span>Status</span>
          <select
            value={filters.status}
            onChange={(event) => change({ status: event.target.value as PaymentStatus | '' })}
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
          <span>From</span>
          <input type="date" value={filters.from} onChange={(event) => change({ from: event.target.value })} />
        </label>
        <label className="toolbar__field">
          <span>To</span>
          <input type="date" value={filters.to} onChange={(event) => change({ to: event.target.value })} />
        </label>
        <label className="toolbar__field toolbar__field--narrow">
          <span>Country</span>
          <input
            value={filters.country}
            maxLength={2}
            placeholder="BG"
            onChange={(event) => change({ country: event.target.value })}
          />
        </label>
      </form>
      {exportError && (
        <p className="notice notice--warn" role="alert">
          {exportError}
        </p>
      )}
      {!data ? (
        <QueryView query={query} refetch={refresh} />
      ) : data ? (
        <>
          <DataTable
            caption="Purse payments"
            rows={rows}
            rowKey={(payment) => payment.id}
            empty="No payments match. Payments appear here once your form posts to the purse."
            columns={[
              { header: 'Opened', render: (payment) => <Time value={payment.createdAt} />, className: 'nowrap' },
              {
                header: 'Order',
                render: (payment) => (
                  <span>
                    <code>{payment.orderId}</code>
                    <br />
                    <Link to={`/dashboard/payments/${payment.paymentId}`} className="muted small">
                      {payment.reference}
                    </Link>
                  </span>
                ),
              },
              {
                header: 'Amount',
                className: 'num',
                render: (payment) => (
                  <span>
                    {payment.amountAsSent} USD
                    <br />
                    <span className="muted small">{payment.clearAmount === '1' ? 'net' : 'payer’s price'}</span>
                  </span>
                ),
              },
              { header: 'Status', render: (payment) => <PaymentStatusBadge status={payment.status} /> },
              { header: 'Country', render: (payment) => payment.country ?? <span className="muted">—</span> },
              { header: 'Received', className: 'num', render: (payment) => <Money money={payment.amountReceived} /> },
              { header: 'Callbacks', render: (payment) => <Operations payment={payment} /> },
              { header: 'SMS', render: (payment) => <SmsList payment={payment} /> },
              {
                header: 'Description',
                render: (payment) => (
                  <span>
                    {payment.description || <span className="muted">—</span>}
                    {payment.extraFields.length > 0 && (
                      <>
                        <br />
                        <span className="purse-fields muted">
                          {payment.extraFields.map((field) => `${field.name}=${field.value}`).join('&')}
                        </span>
                      </>
                    )}
                  </span>
                ),
              },
            ]}
          />
          <Pager
            paging={paging}
            pageInfo={data.pursePayments.pageInfo}
            totalCount={data.pursePayments.totalCount}
            shown={data.pursePayments.edges.length}
          />
        </>
      ) : null}
    </Card>
  );
}

/** One purse: its integration code, a test callback, its secret, its settings, and its payments. */
export function PursePage() {
  const { purseId = '' } = useParams();
  const [query, refetch] = useQuery({ query: PurseDocument, variables: { id: purseId } });
  const { data } = query;
  const back = (
    <Link to=".." relative="path">
      ← All purses
    </Link>
  );
  if (!data)
    return (
      <QueryView
        query={query}
        refetch={refetch}
        errorWrap={(state) => (
          <Page title="Purse" description={back}>
            {state}
          </Page>
        )}
      />
    );
  if (!data.purse)
    return (
      <Page title="Purse" description={back}>
        <p className="muted">There is no such purse.</p>
      </Page>
    );
  const purse = data.purse;
  return (
    <Page
      title={`Purse ${purse.number}: ${purse.name}`}
      description={
        <>
          {back} · secret set <Time value={purse.secretChangedAt} />
        </>
      }
    >
      <div className="grid grid--wide">
        <Card title="Integration">
          <Integration purse={purse} />
        </Card>
        <Card title="Callbacks and secret">
          <PurseActions purse={purse} />
        </Card>
      </div>
      <Card title="Endpoint checker">
        <EndpointCheckPanel target={{ purseId: purse.id }} url={purse.resultUrl} />
      </Card>
      <Payments purse={purse} />
      <Card title="Settings">
        <SettingsForm key={purse.updatedAt} purse={purse} />
      </Card>
    </Page>
  );
}
