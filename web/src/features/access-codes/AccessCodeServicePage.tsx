import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { SelectFilter } from '../../app/components/SelectFilter';
import { QueryView } from '../../app/components/QueryView';
import type {
  AccessCodeCheckResult,
  AccessCodeChecksQuery,
  AccessCodeServiceQuery,
  AccessCodesQuery,
} from '../../gql/graphql';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { CopyButton } from '../../app/components/CopyButton';
import { DataTable } from '../../app/components/DataTable';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Time } from '../../app/components/Time';
import { DateRangeFilter, rangeProblem, rangeVariables, type DayRange } from '../../app/components/DateRangeFilter';
import { csvTime, useCsvDownload, type CsvColumn } from '../../app/csv';
import { usePolling } from '../../app/polling';
import { oneOf, useUrlFilters } from '../../app/useUrlFilters';
import { SERVICE_FIELDS, ServiceForm, toSettings, type ServiceValues } from './ServiceForm';
import { CHECK_RESULTS, CheckResultBadge, CODE_STATUSES, CodeStatusBadge, formatSeconds, kindLabel } from './status';

const AccessCodeServiceDocument = graphql(`
  query AccessCodeService($id: ID!) {
    accessCodeService(id: $id) {
      id
      name
      keyword
      shortCodes
      replyTemplate
      kind
      validitySeconds
      maxUses
      codeLength
      alphabet
      excludedCharacters
      characters
      paidUrl
      expiredUrl
      invalidUrl
      allowedIps
      maxRepliesPerSms
      acceptsCard
      cardPrice {
        amount
        currency
      }
      checkUrl
      proofFormula
      activeCodeCount
      recentInvalidChecks
      floodAlertedAt
      floodAlertChecks
      throttledSources {
        ip
        failures
        blockedUntil
      }
      updatedAt
    }
  }
`);

const AccessCodesDocument = graphql(`
  query AccessCodes(
    $serviceId: ID!
    $status: AccessCodeStatus
    $code: String
    $from: DateTimeISO
    $to: DateTimeISO
    $first: Int
    $after: String
  ) {
    accessCodes(
      serviceId: $serviceId
      status: $status
      code: $code
      from: $from
      to: $to
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
          id
          code
          status
          phone
          issuedAt
          firstUsedAt
          expiresAt
          uses
          maxUses
          usesLeft
          repliesSent
          paymentId
        }
      }
    }
  }
`);

const AccessCodeChecksDocument = graphql(`
  query AccessCodeChecks(
    $serviceId: ID!
    $result: AccessCodeCheckResult
    $from: DateTimeISO
    $to: DateTimeISO
    $first: Int
    $after: String
  ) {
    accessCodeChecks(serviceId: $serviceId, result: $result, from: $from, to: $to, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          checkedAt
          result
          channel
          ip
          count
          input
          codeId
        }
      }
    }
  }
`);

const UpdateAccessCodeServiceDocument = graphql(`
  mutation UpdateAccessCodeService($input: UpdateAccessCodeServiceInput!) {
    updateAccessCodeService(input: $input) {
      secret
      accessCodeService {
        id
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

const DeleteAccessCodeServiceDocument = graphql(`
  mutation DeleteAccessCodeService($input: IdInput!) {
    deleteAccessCodeService(input: $input) {
      deletedAccessCodeServiceId
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const RevealAccessCodeServiceSecretDocument = graphql(`
  mutation RevealAccessCodeServiceSecret($input: IdInput!) {
    revealAccessCodeServiceSecret(input: $input) {
      secret
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const RevokeAccessCodeDocument = graphql(`
  mutation RevokeAccessCode($input: IdInput!) {
    revokeAccessCode(input: $input) {
      accessCode {
        id
        status
        revokedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ResendAccessCodeDocument = graphql(`
  mutation ResendAccessCode($input: IdInput!) {
    resendAccessCode(input: $input) {
      accessCode {
        id
        repliesSent
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Service = AccessCodeServiceQuery['accessCodeService'];
type Code = AccessCodesQuery['accessCodes']['edges'][number]['node'];
type Check = AccessCodeChecksQuery['accessCodeChecks']['edges'][number]['node'];
interface Notice {
  tone: 'good' | 'bad';
  text: string;
}

function valuesOf(service: Service): ServiceValues {
  return {
    name: service.name,
    keyword: service.keyword,
    shortCodes: service.shortCodes.join(', '),
    replyTemplate: service.replyTemplate,
    kind: service.kind,
    validitySeconds: service.validitySeconds?.toString() ?? '',
    maxUses: service.maxUses?.toString() ?? '',
    codeLength: String(service.codeLength),
    alphabet: service.alphabet,
    excludedCharacters: service.excludedCharacters,
    paidUrl: service.paidUrl,
    expiredUrl: service.expiredUrl,
    invalidUrl: service.invalidUrl,
    allowedIps: service.allowedIps.join(', '),
    maxRepliesPerSms: String(service.maxRepliesPerSms),
    acceptsCard: service.acceptsCard,
    cardPrice: service.cardPrice?.amount ?? '',
    cardCurrency: service.cardPrice?.currency ?? '',
  };
}

function EditServiceForm({ service }: { service: Service }) {
  const { attach, ...form } = useFormMutation(
    UpdateAccessCodeServiceDocument,
    (data) => data.updateAccessCodeService,
    SERVICE_FIELDS,
  );
  const [saved, setSaved] = useState(false);
  return (
    <ServiceForm
      key={service.updatedAt}
      initial={valuesOf(service)}
      label="Service settings"
      submitLabel="Save changes"
      busy={form.fetching}
      errors={form.errors}
      attach={attach}
      notice={saved ? 'Saved. Codes already issued keep the rules they were sold under.' : null}
      onSubmit={async (values) => {
        setSaved(false);
        const ok = (await form.submit({ input: { id: service.id, ...toSettings(values) } })) !== null;
        setSaved(ok);
        return ok;
      }}
    />
  );
}

/** Where to send payers and how to trust the redirect: the check URL, the server check, the proof. */
function Integration({ service }: { service: Service }) {
  const example = `${service.checkUrl}?code=CODE`;
  const php = `$t = (int) $_GET['t'];
$expected = hash_hmac('sha256', $_GET['code'] . '.' . $t, $secret);
$fresh = abs(time() - $t) <= 300;
if ($fresh && hash_equals($expected, $_GET['sig'])) { /* paid: show the content */ }`;
  const buyUrl = `${window.location.origin}/codes/${service.id}`;
  return (
    <dl className="facts">
      {service.acceptsCard && (
        <>
          <dt>Buy by card</dt>
          <dd>
            <div className="secret__value">
              <a href={buyUrl} target="_blank" rel="noreferrer" data-testid="access-code-buy-url">
                {buyUrl}
              </a>
              <CopyButton text={buyUrl} />
            </div>
            <span className="muted small">
              Link payers here: they pay{' '}
              {service.cardPrice ? `${service.cardPrice.amount} ${service.cardPrice.currency}` : ''} by card and get the
              code on the page and by email.
            </span>
          </dd>
        </>
      )}
      <dt>Check URL</dt>
      <dd>
        <div className="secret__value">
          <code data-testid="access-code-check-url">{example}</code>
          <CopyButton text={service.checkUrl} />
        </div>
        <span className="muted small">
          Send the payer&apos;s browser here (GET) with the code they typed. It redirects to your paid, expired or
          invalid URL.
        </span>
      </dd>
      <dt>Server check</dt>
      <dd>
        <code>POST {service.checkUrl}</code> with <code>{'{"code":"…"}'}</code>, or the GraphQL query{' '}
        <code>checkAccessCode</code>, from{' '}
        {service.allowedIps.length ? (
          <code>{service.allowedIps.join(', ')}</code>
        ) : (
          <span className="muted">no address yet (add your servers in the settings)</span>
        )}
        .
      </dd>
      <dt>Proof</dt>
      <dd>
        The paid URL gets <code>code</code>, <code>t</code> (Unix seconds) and <code>sig</code>:{' '}
        <code data-testid="access-code-proof-formula">{service.proofFormula}</code>. Accept it for a few minutes after{' '}
        <code>t</code>, for example in PHP:
        <pre className="json">{php}</pre>
      </dd>
      <dt>Codes</dt>
      <dd>
        {kindLabel(service.kind)}
        {service.validitySeconds ? `, ${formatSeconds(service.validitySeconds)}` : ''}
        {service.maxUses ? `, ${service.maxUses} uses` : ''}; {service.codeLength} of <code>{service.characters}</code>.{' '}
        {service.activeCodeCount} active now.
      </dd>
    </dl>
  );
}

function ServiceActions({ service }: { service: Service }) {
  const navigate = useNavigate();
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [message, setMessage] = useState<Notice | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [updating, update] = useMutation(UpdateAccessCodeServiceDocument);
  const [deleting, remove] = useMutation(DeleteAccessCodeServiceDocument);
  const [revealing, reveal] = useMutation(RevealAccessCodeServiceSecretDocument);
  const busy = updating.fetching || deleting.fetching || revealing.fetching;

  const failed = (error: { message: string } | undefined, userErrors: { message: string }[] | undefined) => {
    const text = error?.message ?? userErrors?.[0]?.message;
    if (text) setMessage({ tone: 'bad', text });
    return Boolean(text);
  };
  const showSecret = async () => {
    setMessage(null);
    const response = await reveal({ input: { id: service.id } });
    const value = response.data?.revealAccessCodeServiceSecret.secret;
    if (!failed(response.error, response.data?.revealAccessCodeServiceSecret.userErrors) && value)
      setSecret({ title: 'Signing secret', value });
  };
  const rotate = async () => {
    setMessage(null);
    const response = await update({ input: { id: service.id, rotateSecret: true } });
    const value = response.data?.updateAccessCodeService.secret;
    if (!failed(response.error, response.data?.updateAccessCodeService.userErrors) && value)
      setSecret({ title: 'New signing secret', value });
  };
  const destroy = async () => {
    setMessage(null);
    const response = await remove({ input: { id: service.id } });
    if (!failed(response.error, response.data?.deleteAccessCodeService.userErrors))
      await navigate('..', { relative: 'path' });
  };

  return (
    <div className="stack">
      {message && (
        <p className={`notice notice--${message.tone}`} role="status">
          {message.text}
        </p>
      )}
      {secret && (
        <SecretPanel
          title={secret.title}
          secret={secret.value}
          testId="access-code-secret"
          onDone={() => setSecret(null)}
          warning="Anyone with this secret can forge paid redirects to your site. This reveal is recorded in the audit log."
        />
      )}
      <div className="button-row">
        <button type="button" className="button" disabled={busy} onClick={() => void showSecret()}>
          Reveal secret
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setConfirm('rotate')}>
          Rotate secret
        </button>
        <button
          type="button"
          className="button button--danger-quiet"
          disabled={busy}
          onClick={() => setConfirm('delete')}
        >
          Delete
        </button>
      </div>
      <ConfirmBox
        open={confirm !== null}
        onOpenChange={(open) => !open && setConfirm(null)}
        label="Confirm"
        confirmLabel={confirm === 'rotate' ? 'Rotate secret' : 'Delete service'}
        cancelLabel="Cancel"
        onConfirm={() => (confirm === 'rotate' ? rotate() : destroy())}
      >
        <p>
          {confirm === 'rotate'
            ? 'Paid redirects are signed with the new secret at once. Update your site right after.'
            : 'The keyword stops selling codes and the check URL stops answering, also for codes already sold.'}
        </p>
      </ConfirmBox>
    </div>
  );
}

/** Someone may be guessing codes: the last flood alert and the sources slowed or refused now. */
function GuessingAlert({ service }: { service: Service }) {
  // "Recent" is judged against when the page opened; the page polls, so a new alert shows within seconds.
  const [openedAt] = useState(() => Date.now());
  const recent = service.floodAlertedAt && openedAt - new Date(service.floodAlertedAt).getTime() < 24 * 3_600_000;
  if (!recent && service.throttledSources.length === 0) return null;
  return (
    <div className="notice notice--warn stack" role="alert">
      {recent && (
        <p>
          <strong>{service.floodAlertChecks} invalid codes</strong> were checked within a minute at{' '}
          <Time value={service.floodAlertedAt} />: someone may be guessing codes. Sources that keep guessing are slowed
          and then refused; payers with good codes still get in. {service.recentInvalidChecks} invalid checks in the
          last minute.
        </p>
      )}
      {service.throttledSources.length > 0 && (
        <DataTable
          caption="Throttled sources"
          rows={service.throttledSources}
          rowKey={(source) => source.ip}
          empty=""
          columns={[
            { header: 'Source', render: (source) => <code>{source.ip}</code> },
            { header: 'Invalid checks (15 min)', className: 'num', render: (source) => source.failures },
            {
              header: 'Refused until',
              render: (source) =>
                source.blockedUntil ? <Time value={source.blockedUntil} /> : <span className="muted">slowed</span>,
            },
          ]}
        />
      )}
    </div>
  );
}

function CodeActions({ code, onDone }: { code: Code; onDone: (notice: Notice) => void }) {
  const [revoking, revoke] = useMutation(RevokeAccessCodeDocument);
  const [resending, resend] = useMutation(ResendAccessCodeDocument);
  const busy = revoking.fetching || resending.fetching;
  const run = async (action: 'revoke' | 'resend') => {
    const response =
      action === 'revoke' ? await revoke({ input: { id: code.id } }) : await resend({ input: { id: code.id } });
    const payload =
      response.data &&
      ('revokeAccessCode' in response.data ? response.data.revokeAccessCode : response.data.resendAccessCode);
    const failure = response.error?.message ?? payload?.userErrors[0]?.message;
    onDone(
      failure
        ? { tone: 'bad', text: failure }
        : { tone: 'good', text: action === 'revoke' ? `Code ${code.code} revoked.` : `Code ${code.code} sent again.` },
    );
  };
  if (code.status === 'REVOKED') return null;
  return (
    <span className="row-actions">
      <button type="button" className="button button--small" disabled={busy} onClick={() => void run('resend')}>
        Resend
      </button>
      <button
        type="button"
        className="button button--small button--danger-quiet"
        disabled={busy}
        onClick={() => void run('revoke')}
        aria-label={`Revoke ${code.code}`}
      >
        Revoke
      </button>
    </span>
  );
}

const CHANNEL_LABELS: Record<string, string> = { REDIRECT: 'browser', API: 'server (POST)' };

function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? 'GraphQL';
}

function codeStatusLabel(status: string): string {
  return CODE_STATUSES.find((entry) => entry.value === status)?.label ?? status;
}

function checkResultLabel(result: string): string {
  return CHECK_RESULTS.find((entry) => entry.value === result)?.label ?? result;
}

function usesOf(code: Code): string {
  return code.maxUses === null ? String(code.uses) : `${code.uses} / ${code.maxUses}`;
}

/** The codes table's columns as text, cell for cell as shown (the actions column holds buttons, not data). */
const CODE_CSV_COLUMNS: CsvColumn<Code>[] = [
  { header: 'Code', value: (code) => code.code },
  { header: 'Status', value: (code) => codeStatusLabel(code.status) },
  { header: 'Phone', value: (code) => code.phone ?? '—' },
  { header: 'Issued', value: (code) => csvTime(code.issuedAt) },
  {
    header: 'Expires',
    value: (code) => csvTime(code.expiresAt) || (code.firstUsedAt ? '—' : 'after first use'),
  },
  { header: 'Uses', value: usesOf },
  { header: 'Payment', value: (code) => code.paymentId },
];

const CHECK_CSV_COLUMNS: CsvColumn<Check>[] = [
  { header: 'Time', value: (check) => csvTime(check.checkedAt) },
  { header: 'Result', value: (check) => checkResultLabel(check.result) },
  { header: 'How', value: (check) => channelLabel(check.channel) },
  { header: 'Source', value: (check) => check.ip },
  { header: 'Typed', value: (check) => check.input ?? '—' },
  { header: 'Attempts', value: (check) => String(check.count) },
];

// Both lists share the page, so their filters in the URL are prefixed.
const CODE_FILTERS = ['codeStatus', 'codeFrom', 'codeTo'] as const;
const CHECK_FILTERS = ['checkResult', 'checkFrom', 'checkTo'] as const;

function Codes({ serviceId }: { serviceId: string }) {
  const paging = usePaging();
  const filters = useUrlFilters(CODE_FILTERS);
  const status = oneOf(
    filters.values.codeStatus,
    CODE_STATUSES.map((option) => option.value),
  );
  const range: DayRange = { from: filters.values.codeFrom, to: filters.values.codeTo };
  // The code searched for stays out of the URL: a code is what admits a payer, and URLs end up in logs and history.
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [notice, setNotice] = useState<Notice | null>(null);
  const variables = useMemo(
    () => ({
      serviceId,
      status: status || null,
      code: search || null,
      first: paging.first,
      after: paging.after,
      ...rangeVariables(range),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the range's two strings stand for it
    [serviceId, status, search, paging.first, paging.after, range.from, range.to],
  );
  const [query, refetch] = useQuery({ query: AccessCodesDocument, variables, pause: Boolean(rangeProblem(range)) });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, 5000);
  const csv = useCsvDownload({
    query: AccessCodesDocument,
    variables,
    page: (data) => ({
      nodes: data.accessCodes.edges.map((edge) => edge.node),
      endCursor: data.accessCodes.pageInfo.endCursor,
      hasNextPage: data.accessCodes.pageInfo.hasNextPage,
    }),
    columns: CODE_CSV_COLUMNS,
    filename: `access-codes-${serviceId}.csv`,
  });
  const change = (patch: Partial<Record<(typeof CODE_FILTERS)[number], string | null>>) => {
    filters.set(patch);
    paging.reset();
  };
  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setSearch(draft.trim());
    paging.reset();
  };
  const filtered = filters.active || Boolean(search);
  return (
    <Card
      title="Codes"
      actions={
        <span className="button-row">
          <button type="button" className="button button--small" onClick={refresh}>
            Refresh
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={csv.busy || Boolean(rangeProblem(range))}
            onClick={() => void csv.download()}
          >
            {csv.busy ? 'Preparing CSV…' : 'Download CSV'}
          </button>
        </span>
      }
    >
      <form className="toolbar" onSubmit={submitSearch} role="search" aria-label="Filter codes">
        <SelectFilter
          label="Status"
          anyLabel="Any status"
          value={status}
          options={CODE_STATUSES}
          onChange={(next) => change({ codeStatus: next })}
        />
        <label className="toolbar__field">
          <span>Code</span>
          <input value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="As the payer typed it" />
        </label>
        <button type="submit" className="button button--small">
          Find
        </button>
        <DateRangeFilter
          label="Issued"
          value={range}
          onChange={(next) => change({ codeFrom: next.from, codeTo: next.to })}
        />
      </form>
      {csv.error && (
        <p className="field__error" role="alert">
          {csv.error}
        </p>
      )}
      {notice && (
        <p className={`notice notice--${notice.tone}`} role="status">
          {notice.text}
        </p>
      )}
      <QueryView query={query} refetch={refetch}>
        {(data) => (
          <>
            <DataTable
              caption="Codes"
              rows={data.accessCodes.edges.map((edge) => edge.node)}
              rowKey={(code) => code.id}
              rowClassName={(code) => (code.status === 'ACTIVE' ? undefined : 'row--muted')}
              empty={filtered ? 'No codes match.' : 'No codes yet. Each SMS with the keyword buys one.'}
              columns={[
                { header: 'Code', render: (code) => <code>{code.code}</code>, className: 'nowrap' },
                { header: 'Status', render: (code) => <CodeStatusBadge status={code.status} /> },
                { header: 'Phone', render: (code) => code.phone ?? '—', className: 'nowrap' },
                { header: 'Issued', render: (code) => <Time value={code.issuedAt} />, className: 'nowrap' },
                {
                  header: 'Expires',
                  render: (code) => (
                    <Time value={code.expiresAt} fallback={code.firstUsedAt ? '—' : 'after first use'} />
                  ),
                  className: 'nowrap',
                },
                { header: 'Uses', className: 'num', render: usesOf },
                {
                  header: 'Payment',
                  render: (code) => (
                    <Link to={`../../payments/${code.paymentId}`} relative="path" className="small">
                      <code>{code.paymentId}</code>
                    </Link>
                  ),
                },
                { header: '', className: 'actions', render: (code) => <CodeActions code={code} onDone={setNotice} /> },
              ]}
            />
            <Pager
              paging={paging}
              pageInfo={data.accessCodes.pageInfo}
              totalCount={data.accessCodes.totalCount}
              shown={data.accessCodes.edges.length}
            />
          </>
        )}
      </QueryView>
    </Card>
  );
}

function Checks({ serviceId }: { serviceId: string }) {
  const paging = usePaging();
  const filters = useUrlFilters(CHECK_FILTERS);
  const result = oneOf<AccessCodeCheckResult>(
    filters.values.checkResult,
    CHECK_RESULTS.map((option) => option.value),
  );
  const range: DayRange = { from: filters.values.checkFrom, to: filters.values.checkTo };
  const variables = useMemo(
    () => ({ serviceId, result: result || null, first: paging.first, after: paging.after, ...rangeVariables(range) }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the range's two strings stand for it
    [serviceId, result, paging.first, paging.after, range.from, range.to],
  );
  const [query, refetch] = useQuery({
    query: AccessCodeChecksDocument,
    variables,
    pause: Boolean(rangeProblem(range)),
  });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, 5000);
  const csv = useCsvDownload({
    query: AccessCodeChecksDocument,
    variables,
    page: (data) => ({
      nodes: data.accessCodeChecks.edges.map((edge) => edge.node),
      endCursor: data.accessCodeChecks.pageInfo.endCursor,
      hasNextPage: data.accessCodeChecks.pageInfo.hasNextPage,
    }),
    columns: CHECK_CSV_COLUMNS,
    filename: `access-code-checks-${serviceId}.csv`,
  });
  const change = (patch: Partial<Record<(typeof CHECK_FILTERS)[number], string | null>>) => {
    filters.set(patch);
    paging.reset();
  };

  return (
    <Card
      title="Check attempts"
      actions={
        <span className="button-row">
          <button type="button" className="button button--small" onClick={refresh}>
            Refresh
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={csv.busy || Boolean(rangeProblem(range))}
            onClick={() => void csv.download()}
          >
            {csv.busy ? 'Preparing CSV…' : 'Download CSV'}
          </button>
        </span>
      }
    >
      <div className="toolbar" role="search" aria-label="Filter check attempts">
        <SelectFilter
          label="Result"
          anyLabel="Any result"
          value={result}
          options={CHECK_RESULTS}
          onChange={(next) => change({ checkResult: next })}
        />
        <DateRangeFilter
          label="Checked"
          value={range}
          onChange={(next) => change({ checkFrom: next.from, checkTo: next.to })}
        />
      </div>
      {csv.error && (
        <p className="field__error" role="alert">
          {csv.error}
        </p>
      )}
      <QueryView query={query} refetch={refetch}>
        {(data) => (
          <>
            <DataTable
              caption="Check attempts"
              rows={data.accessCodeChecks.edges.map((edge) => edge.node)}
              rowKey={(check) => check.id}
              rowClassName={(check) => (check.result === 'THROTTLED' ? 'row--danger' : undefined)}
              empty={filters.active ? 'No checks match.' : 'No checks yet. They appear here a moment after each check.'}
              columns={[
                { header: 'Time', render: (check) => <Time value={check.checkedAt} />, className: 'nowrap' },
                { header: 'Result', render: (check) => <CheckResultBadge result={check.result} /> },
                { header: 'How', render: (check) => channelLabel(check.channel) },
                { header: 'Source', render: (check) => <code>{check.ip}</code>, className: 'nowrap' },
                { header: 'Typed', render: (check) => (check.input ? <code>{check.input}</code> : '—') },
                { header: 'Attempts', className: 'num', render: (check) => check.count },
              ]}
            />
            <Pager
              paging={paging}
              pageInfo={data.accessCodeChecks.pageInfo}
              totalCount={data.accessCodeChecks.totalCount}
              shown={data.accessCodeChecks.edges.length}
            />
          </>
        )}
      </QueryView>
    </Card>
  );
}

export function AccessCodeServicePage() {
  const { serviceId = '' } = useParams();
  const [query, refetch] = useQuery({
    query: AccessCodeServiceDocument,
    variables: { id: serviceId },
  });
  const { data } = query;
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, 10_000);
  const back = (
    <Link to=".." relative="path">
      ← All services
    </Link>
  );

  if (!data)
    return (
      <QueryView
        query={query}
        refetch={refetch}
        errorWrap={(state) => (
          <Page title="Access-code service" description={back}>
            {state}
          </Page>
        )}
      />
    );
  const service = data.accessCodeService;
  return (
    <Page
      title={service.name}
      description={
        <>
          {back} · SMS <code>{service.keyword}</code> to {service.shortCodes.join(', ')}
        </>
      }
    >
      <GuessingAlert service={service} />
      <div className="grid grid--wide">
        <Card title="Integration">
          <Integration service={service} />
        </Card>
        <Card title="Actions">
          <ServiceActions service={service} />
        </Card>
      </div>
      <Codes serviceId={service.id} />
      <Checks serviceId={service.id} />
      <Card title="Settings">
        <EditServiceForm service={service} />
      </Card>
    </Page>
  );
}
