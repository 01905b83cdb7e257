import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import type { EndpointChecksQuery, EndpointCheckProbeKind } from '../../gql/graphql';
import './endpoint-check.css';

/*
 * The endpoint checker on the purse and webhook endpoint pages: runs a check of the merchant's own Result URL or
 * webhook endpoint, asks what its system did with the test callbacks, and shows the report.
 */

const EndpointChecksDocument = graphql(`
  query EndpointChecks($purseId: ID, $webhookEndpointId: ID) {
    endpointChecks(purseId: $purseId, webhookEndpointId: $webhookEndpointId) {
      id
      status
      target
      url
      statusUrl
      answeredBy
      createdAt
      completedAt
      probes {
        kind
        reference
        description
        sent
        sentAt
        httpStatus
        bodyExcerpt
        durationMs
        error
      }
      references {
        reference
        description
        expected
        fulfilled
      }
      statusRead {
        httpStatus
        bodyExcerpt
        error
      }
      findings {
        code
        severity
        message
        fix
      }
    }
  }
`);

const RunEndpointCheckDocument = graphql(`
  mutation RunEndpointCheck($input: RunEndpointCheckInput!) {
    runEndpointCheck(input: $input) {
      check {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const AnswerEndpointCheckDocument = graphql(`
  mutation AnswerEndpointCheck($input: AnswerEndpointCheckInput!) {
    answerEndpointCheck(input: $input) {
      check {
        id
        status
        answeredBy
        completedAt
        references {
          reference
          description
          expected
          fulfilled
        }
        findings {
          code
          severity
          message
          fix
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

type Check = EndpointChecksQuery['endpointChecks'][number];
type Probe = Check['probes'][number];

const PROBE_LABELS: Record<EndpointCheckProbeKind, string> = {
  VALID: 'Valid callback',
  DUPLICATE: 'The same callback again',
  OUT_OF_ORDER_LATER: 'Later operation, sent first',
  OUT_OF_ORDER_EARLIER: 'Earlier operation, sent second',
  BAD_SIGNATURE: 'Bad signature',
  STALE: 'Stale callback',
};

function answerOf(probe: Probe): string {
  if (!probe.sent) return 'not sent';
  if (probe.httpStatus !== null && probe.httpStatus !== undefined) return `HTTP ${probe.httpStatus}`;
  return probe.error ?? 'no answer';
}

function Probes({ check }: { check: Check }) {
  return (
    <DataTable
      caption="Test callbacks sent"
      rows={check.probes}
      rowKey={(probe) => probe.kind}
      empty="Nothing was sent."
      columns={[
        { header: 'Test', render: (probe) => PROBE_LABELS[probe.kind] },
        { header: 'What was sent', render: (probe) => <span className="small">{probe.description}</span> },
        { header: 'Answer', className: 'nowrap', render: (probe) => <strong>{answerOf(probe)}</strong> },
        {
          header: 'Body',
          render: (probe) => (probe.bodyExcerpt ? <code className="small">{probe.bodyExcerpt}</code> : '—'),
        },
        {
          header: 'Time',
          className: 'num nowrap',
          render: (probe) =>
            probe.durationMs !== null && probe.durationMs !== undefined ? `${probe.durationMs} ms` : '—',
        },
      ]}
    />
  );
}

const TIMES = ['0', '1', '2', '3'];

function Confirmation({ check, idName }: { check: Check; idName: string }) {
  const [times, setTimes] = useState<Record<string, string>>({});
  const {
    submit: answer,
    fetching,
    attach,
    errors,
    fieldError,
  } = useFormMutation(AnswerEndpointCheckDocument, (data) => data.answerEndpointCheck, ['fulfilments']);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fulfilments = check.references
      .filter((ref) => times[ref.reference] !== undefined && times[ref.reference] !== '')
      .map((ref) => ({ reference: ref.reference, times: Number(times[ref.reference]) }));
    await answer({ input: { id: check.id, fulfilments } });
  };
  return (
    <form ref={attach} className="stack" onSubmit={(event) => void submit(event)} aria-label="What your system did">
      <p>
        Look in your system (orders, credits, logs) and say how many times it fulfilled each test operation. Only what
        it <em>did</em> counts, not what it answered.
      </p>
      <FormErrors messages={[...errors.form, ...(fieldError('fulfilments') ? [fieldError('fulfilments')!] : [])]} />
      {check.references.map((ref) => (
        <Field key={ref.reference} label={`${idName} ${ref.reference} (${ref.description})`}>
          {(props) => (
            <select
              {...props}
              value={times[ref.reference] ?? ''}
              onChange={(event) => setTimes((current) => ({ ...current, [ref.reference]: event.target.value }))}
            >
              <option value="">Choose…</option>
              {TIMES.map((value) => (
                <option key={value} value={value}>
                  {value === '0' ? 'Not fulfilled' : value === '1' ? 'Fulfilled once' : `Fulfilled ${value} times`}
                </option>
              ))}
            </select>
          )}
        </Field>
      ))}
      <div>
        <button type="submit" className="button button--primary" disabled={fetching}>
          {fetching ? 'Saving…' : 'Show the report'}
        </button>
      </div>
    </form>
  );
}

function Report({ check }: { check: Check }) {
  if (check.findings.length === 0) {
    return (
      <p className="notice notice--good" role="status" data-testid="endpoint-check-clean">
        No problems found: your endpoint refused what it should and fulfilled each operation once.
      </p>
    );
  }
  return (
    <ul className="stack endpoint-check-findings" aria-label="Problems found">
      {check.findings.map((finding) => (
        <li key={finding.code} className="notice notice--warn stack" data-testid={`finding-${finding.code}`}>
          <p>
            <span className={`badge ${finding.severity === 'CRITICAL' ? 'badge--bad' : 'badge--warn'}`}>
              {finding.severity === 'CRITICAL' ? 'Critical' : 'Warning'}
            </span>{' '}
            <strong>{finding.message}</strong>
          </p>
          <p>
            <strong>Fix:</strong> {finding.fix}
          </p>
        </li>
      ))}
    </ul>
  );
}

function CheckView({ check, idName }: { check: Check; idName: string }) {
  return (
    <div className="stack" data-testid="endpoint-check">
      <p className="muted small">
        Checked <code>{check.url}</code> <Time value={check.createdAt} />
        {check.answeredBy === 'STATUS_URL' && ' · fulfilments read from your status URL'}
      </p>
      <Probes check={check} />
      {check.statusRead?.error && (
        <p className="notice notice--warn">
          Your status URL could not be used ({check.statusRead.error}
          {check.statusRead.httpStatus ? `, HTTP ${check.statusRead.httpStatus}` : ''}): answer below instead.
        </p>
      )}
      {check.status === 'AWAITING_ANSWERS' ? <Confirmation check={check} idName={idName} /> : <Report check={check} />}
    </div>
  );
}

/** The checker for one purse's Result URL or one webhook endpoint; `url` is where its callbacks go. */
export function EndpointCheckPanel({
  target,
  url,
}: {
  target: { purseId: string } | { webhookEndpointId: string };
  url: string;
}) {
  const purse = 'purseId' in target;
  const idName = purse ? 's_inv' : 'Event';
  const [statusUrl, setStatusUrl] = useState('');
  const [shownId, setShownId] = useState<string | null>(null);
  const [query] = useQuery({ query: EndpointChecksDocument, variables: target });
  const {
    submit: runCheck,
    fetching: running,
    attach: attachRun,
    errors: runErrors,
    fieldError: runFieldError,
  } = useFormMutation(RunEndpointCheckDocument, (data) => data.runEndpointCheck, ['statusUrl']);
  const checks = query.data?.endpointChecks ?? [];
  const shown = checks.find((check) => check.id === shownId) ?? checks[0];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await runCheck({ input: { ...target, statusUrl: statusUrl.trim() || null } });
    if (payload?.check) setShownId(payload.check.id);
  };

  return (
    <div className="stack">
      <p>
        Tollgate sends test callbacks to <code>{url}</code>: a valid one, the same again, two out of order, one with a
        bad signature and one stale{' '}
        {purse
          ? '(a replay of the previous check’s, since sms:bank callbacks carry no timestamp)'
          : '(signed an hour ago)'}
        . They name test operations only ({purse ? <code>s_order_id=0</code> : <code>evt_test_…</code>}); no money
        moves. Then you say what your system did, and the report shows what to fix.
      </p>
      <form ref={attachRun} className="stack" onSubmit={(event) => void submit(event)} aria-label="Run a check">
        <FormErrors messages={runErrors.form} />
        <Field
          label="Status URL (optional)"
          error={runFieldError('statusUrl')}
          hint='Tollgate GETs it with ?check=<id> and reads {"fulfilled": {"<reference>": <times>}} instead of asking you.'
        >
          {(props) => (
            <input
              {...props}
              type="url"
              name="statusUrl"
              value={statusUrl}
              onChange={(e) => setStatusUrl(e.target.value)}
            />
          )}
        </Field>
        <div>
          <button type="submit" className="button button--primary" disabled={running}>
            {running ? 'Checking…' : 'Run endpoint check'}
          </button>
        </div>
      </form>
      {shown && <CheckView key={shown.id} check={shown} idName={idName} />}
      {checks.length > 1 && (
        <details className="disclosure">
          <summary>Earlier checks ({checks.length - 1})</summary>
          <ul className="stack">
            {checks
              .filter((check) => check.id !== shown?.id)
              .map((check) => (
                <li key={check.id}>
                  <button
                    type="button"
                    className="button button--small button--quiet"
                    onClick={() => setShownId(check.id)}
                  >
                    <Time value={check.createdAt} />
                  </button>{' '}
                  {check.status === 'AWAITING_ANSWERS'
                    ? 'waiting for your answers'
                    : check.findings.length === 0
                      ? 'no problems'
                      : check.findings.map((finding) => finding.code.toLowerCase().replaceAll('_', ' ')).join(', ')}
                </li>
              ))}
          </ul>
        </details>
      )}
    </div>
  );
}
