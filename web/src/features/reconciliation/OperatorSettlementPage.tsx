import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { currentMonth, readable, SettlementOutcomeBadge } from './labels';
import { MerchantName } from '../merchants/MerchantName';

const ImportOperatorSettlementDocument = graphql(`
  mutation ImportOperatorSettlement($input: ImportOperatorSettlementInput!) {
    importOperatorSettlement(input: $input) {
      lines {
        id
        lineNo
        messageId
        smsId
        merchantId
        billed
        currency
        outcome
        message
        importedAt
        amount {
          amount
          currency
        }
        expected {
          amount
          currency
        }
        reversed {
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

const OperatorSettlementReportDocument = graphql(`
  query OperatorSettlementReport($operator: String!, $month: String!) {
    operatorSettlementReport(operator: $operator, month: $month) {
      operator
      month
      billedCount
      unbilledCount
      differingCount
      unknownIds
      billedAmount {
        amount
        currency
      }
      expectedAmount {
        amount
        currency
      }
      difference {
        amount
        currency
      }
      reversedAmount {
        amount
        currency
      }
      lines {
        id
        lineNo
        messageId
        smsId
        merchantId
        billed
        currency
        outcome
        message
        importedAt
        amount {
          amount
          currency
        }
        expected {
          amount
          currency
        }
        reversed {
          amount
          currency
        }
      }
    }
  }
`);

/** The fields both documents ask of a line (structurally the same in each). */
interface SettlementLine {
  id: string;
  lineNo: number;
  messageId: string;
  smsId?: string | null;
  merchantId?: string | null;
  billed?: boolean | null;
  outcome: string;
  message: string;
  importedAt: string;
  amount?: { amount: string; currency: string } | null;
  expected?: { amount: string; currency: string } | null;
  reversed?: { amount: string; currency: string } | null;
}

function SettlementLines({ lines, caption }: { lines: readonly SettlementLine[]; caption: string }) {
  return (
    <DataTable<SettlementLine>
      caption={caption}
      rows={lines}
      rowKey={(line) => line.id}
      empty="No lines."
      rowClassName={(line) =>
        ['AMOUNT_DIFFERS', 'BILLED_NOT_CREDITED', 'UNKNOWN_MESSAGE', 'INVALID_LINE'].includes(line.outcome)
          ? 'row--flagged'
          : undefined
      }
      columns={[
        { header: 'Line', className: 'num', render: (line) => line.lineNo },
        {
          header: 'Message',
          render: (line) => (
            <div className="stack">
              <code>{line.messageId || '—'}</code>
              {line.smsId && line.smsId !== line.messageId && <span className="muted">{line.smsId}</span>}
              {line.merchantId && (
                <span className="muted">
                  <MerchantName id={line.merchantId} />
                </span>
              )}
            </div>
          ),
        },
        {
          header: 'Billed',
          render: (line) => (line.billed === true ? 'yes' : line.billed === false ? 'no' : '—'),
        },
        {
          header: 'Paid',
          className: 'num',
          render: (line) => (line.amount ? <Money money={line.amount} /> : '—'),
        },
        {
          header: 'Expected',
          className: 'num',
          render: (line) => (line.expected ? <Money money={line.expected} /> : '—'),
        },
        {
          header: 'Reversed',
          className: 'num',
          render: (line) => (line.reversed ? <Money money={line.reversed} /> : '—'),
        },
        {
          header: 'Outcome',
          render: (line) => (
            <div className="stack">
              <SettlementOutcomeBadge outcome={line.outcome} />
              <span className="muted">{line.message}</span>
            </div>
          ),
        },
      ]}
    />
  );
}

/** How many lines had each outcome, most frequent first: "3 billed, 1 unknown message". */
function outcomeCounts(lines: readonly SettlementLine[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line.outcome, (counts.get(line.outcome) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([outcome, count]) => `${count} ${readable(outcome)}`)
    .join(', ');
}

interface Chosen {
  operator: string;
  month: string;
}

function Report({ chosen }: { chosen: Chosen }) {
  const [query, refetch] = useQuery({ query: OperatorSettlementReportDocument, variables: chosen });
  return (
    <QueryView query={query} refetch={refetch}>
      {({ operatorSettlementReport: report }) => (
        <div className="stack">
          <dl className="facts" aria-label="Settlement summary">
            <dt>Billed</dt>
            <dd>
              {report.billedCount} messages · paid {report.billedAmount ? <Money money={report.billedAmount} /> : '—'} ·
              expected {report.expectedAmount ? <Money money={report.expectedAmount} /> : '—'}
            </dd>
            <dt>Paid another amount</dt>
            <dd>
              {report.differingCount} messages · difference{' '}
              {report.difference ? <Money money={report.difference} signed /> : '—'}
            </dd>
            <dt>Not billed</dt>
            <dd>
              {report.unbilledCount} messages · taken back from merchants{' '}
              {report.reversedAmount ? <Money money={report.reversedAmount} /> : '—'}
            </dd>
            <dt>Unknown ids</dt>
            <dd>
              {report.unknownIds.length === 0 ? (
                'none'
              ) : (
                <span className="button-row">
                  {report.unknownIds.map((id) => (
                    <code key={id}>{id}</code>
                  ))}
                </span>
              )}
            </dd>
          </dl>
          <SettlementLines lines={report.lines} caption="Settlement report lines" />
        </div>
      )}
    </QueryView>
  );
}

function ImportForm({ onShow }: { onShow: (chosen: Chosen) => void }) {
  const [operator, setOperator] = useState('');
  const [month, setMonth] = useState(currentMonth);
  const [provider, setProvider] = useState('');
  const [csv, setCsv] = useState('');
  const [lines, setLines] = useState<readonly SettlementLine[] | null>(null);
  const { attach, ...form } = useFormMutation(
    ImportOperatorSettlementDocument,
    (data) => data.importOperatorSettlement,
    ['operator', 'month', 'csv', 'provider'],
  );
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  const chosen = { operator: operator.trim(), month: month.trim() };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setLines(null);
    const payload = await form.submit({ input: { ...chosen, csv, provider: provider.trim() || null } });
    if (payload) {
      setLines(payload.lines ?? []);
      onShow(chosen);
    }
  };
  return (
    <div className="stack">
      <form
        ref={attach}
        className="form"
        aria-label="Operator settlement"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        <FormErrors messages={form.errors.form} />
        <div className="form__row">
          <Field
            label="Operator"
            error={form.fieldError('operator')}
            hint="Operator or aggregator, up to 60 characters."
          >
            {(props) => (
              <input {...props} maxLength={60} value={operator} onChange={(event) => setOperator(event.target.value)} />
            )}
          </Field>
          <Field label="Month" error={form.fieldError('month')} hint="YYYY-MM.">
            {(props) => (
              <input
                {...props}
                placeholder="YYYY-MM"
                maxLength={7}
                value={month}
                onChange={(event) => setMonth(event.target.value)}
              />
            )}
          </Field>
          <Field
            label="Provider"
            error={form.fieldError('provider')}
            hint='Optional: only SMS of one link ("http:<aggregator>", "smpp:<smsc>").'
          >
            {(props) => <input {...props} value={provider} onChange={(event) => setProvider(event.target.value)} />}
          </Field>
        </div>
        <Field label="Settlement file" hint="The operator's CSV: message_id,billed,amount[,currency].">
          {(props) => (
            <input
              {...props}
              type="file"
              accept=".csv,text/csv,text/plain"
              onChange={(event) => void readFile(event)}
            />
          )}
        </Field>
        <Field label="Settlement CSV" error={form.fieldError('csv')} hint="Or paste it here; up to 20,000 lines.">
          {(props) => (
            <textarea
              {...props}
              rows={6}
              spellCheck={false}
              value={csv}
              onChange={(event) => setCsv(event.target.value)}
            />
          )}
        </Field>
        <div className="form__actions button-row">
          <button type="submit" className="button button--primary" disabled={form.fetching || !csv.trim()}>
            Import settlement
          </button>
          <button
            type="button"
            className="button"
            disabled={!chosen.operator || !chosen.month}
            onClick={() => onShow(chosen)}
          >
            Show report
          </button>
        </div>
      </form>
      {lines && (
        <>
          <p role="status">
            {lines.length === 0 ? 'The file had no lines.' : `${lines.length} lines: ${outcomeCounts(lines)}.`}
          </p>
          <SettlementLines lines={lines} caption="Settlement import report" />
        </>
      )}
    </div>
  );
}

/**
 * Admins: an operator's (or aggregator's) monthly settlement report, imported and reconciled SMS by SMS against the
 * ledger, and the month's standing over every import.
 */
export function OperatorSettlementPage() {
  const [chosen, setChosen] = useState<Chosen | null>(null);
  return (
    <Page
      title="Operator settlement"
      description="What the operators billed and paid us per SMS, against what the ledger expected."
    >
      <Card title="Import a settlement report">
        <ImportForm onShow={setChosen} />
      </Card>
      <Card title={chosen ? `Report: ${chosen.operator}, ${chosen.month}` : 'Report'}>
        {chosen ? (
          <Report chosen={chosen} />
        ) : (
          <p className="muted">Import a report, or name an operator and month and show its report.</p>
        )}
      </Card>
    </Page>
  );
}
