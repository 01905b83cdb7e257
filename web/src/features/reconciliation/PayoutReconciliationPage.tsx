import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type {
  ImportPayoutStatementMutation,
  PayoutReconciliationQuery,
  ReconciliationBatchesQuery,
} from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import { WithdrawalStatusBadge } from '../payouts/status';
import {
  LedgerHoldBadge,
  ReconciliationFlagBadge,
  StatusLineOutcomeBadge,
  readable,
  statusLineMatched,
} from './labels';
import { MerchantName } from '../merchants/MerchantName';

const PayoutReconciliationDocument = graphql(`
  query PayoutReconciliation($batchId: ID) {
    payoutReconciliation(batchId: $batchId) {
      mismatches
      batches {
        id
        rail
        currency
        status
        count
        createdAt
        total {
          amount
          currency
        }
      }
      lines {
        flags
        ledger
        sent {
          amount
          currency
        }
        withdrawal {
          id
          merchantId
          status
          batchId
          paidAt
          paidVia
          bankReference
          reason
          amount {
            amount
            currency
          }
        }
        bankLines {
          id
          source
          status
          withdrawalRef
          bankReference
          currency
          reason
          outcome
          message
          lineNo
          importId
          importedAt
          amount {
            amount
            currency
          }
        }
      }
      extras {
        id
        source
        status
        withdrawalRef
        bankReference
        currency
        reason
        outcome
        message
        lineNo
        importId
        importedAt
        amount {
          amount
          currency
        }
      }
    }
  }
`);

const ReconciliationBatchesDocument = graphql(`
  query ReconciliationBatches {
    payoutBatches(first: 50) {
      edges {
        node {
          id
          rail
          currency
          status
          count
          createdAt
        }
      }
    }
  }
`);

const ImportPayoutStatementDocument = graphql(`
  mutation ImportPayoutStatement($input: ImportPayoutStatementInput!) {
    importPayoutStatement(input: $input) {
      lines {
        line
        withdrawalId
        outcome
        message
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Reconciliation = PayoutReconciliationQuery['payoutReconciliation'];
type Line = Reconciliation['lines'][number];
type BankLine = Reconciliation['extras'][number];
type BatchOption = ReconciliationBatchesQuery['payoutBatches']['edges'][number]['node'];
type StatementLine = NonNullable<ImportPayoutStatementMutation['importPayoutStatement']['lines']>[number];

/** A bank line in a few words: where from, what it says, and what it did when imported. */
function BankLineSummary({ line }: { line: BankLine }) {
  return (
    <div className="stack">
      <span>
        <Badge tone="neutral">{line.source === 'CAMT053' ? 'camt.053' : 'CSV'}</Badge> {line.status ?? '—'}{' '}
        {line.amount ? <Money money={line.amount} /> : <span className="muted">no amount</span>}
        {line.currency && line.amount?.currency !== line.currency && <span className="muted"> ({line.currency})</span>}
      </span>
      <span className="muted">
        {line.bankReference ? `ref ${line.bankReference} · ` : ''}line {line.lineNo} of {line.importId} ·{' '}
        <Time value={line.importedAt} />
      </span>
      <span>
        <StatusLineOutcomeBadge outcome={line.outcome} /> {line.message}
        {line.reason && <span className="muted"> ({line.reason})</span>}
      </span>
    </div>
  );
}

function Lines({ lines }: { lines: readonly Line[] }) {
  return (
    <DataTable<Line>
      caption="Batch lines"
      rows={lines}
      rowKey={(line) => line.withdrawal.id}
      empty="No batch lines to show."
      rowClassName={(line) => (line.flags.length > 0 ? 'row--flagged' : undefined)}
      columns={[
        {
          header: 'Withdrawal',
          render: (line) => (
            <div className="stack">
              <code>{line.withdrawal.id}</code>
              <span className="muted">
                <MerchantName id={line.withdrawal.merchantId} /> · in {line.withdrawal.batchId ?? '—'}
              </span>
            </div>
          ),
        },
        {
          header: 'Status',
          render: (line) => (
            <div className="stack">
              <WithdrawalStatusBadge status={line.withdrawal.status} />
              {line.withdrawal.paidAt && (
                <span className="muted">
                  paid <Time value={line.withdrawal.paidAt} />
                  {line.withdrawal.paidVia ? ` via ${readable(line.withdrawal.paidVia)}` : ''}
                </span>
              )}
              {line.withdrawal.bankReference && <span className="muted">ref {line.withdrawal.bankReference}</span>}
              {line.withdrawal.reason && <span className="muted">{line.withdrawal.reason}</span>}
            </div>
          ),
        },
        { header: 'Sent', className: 'num', render: (line) => <Money money={line.sent} /> },
        { header: 'Ledger', render: (line) => <LedgerHoldBadge state={line.ledger} /> },
        {
          header: 'Bank lines',
          render: (line) =>
            line.bankLines.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <div className="stack">
                {line.bankLines.map((bankLine) => (
                  <BankLineSummary key={bankLine.id} line={bankLine} />
                ))}
              </div>
            ),
        },
        {
          header: 'Flags',
          render: (line) =>
            line.flags.length === 0 ? (
              <Badge tone="good">Agrees</Badge>
            ) : (
              <span className="button-row">
                {line.flags.map((flag) => (
                  <ReconciliationFlagBadge key={flag} flag={flag} />
                ))}
              </span>
            ),
        },
      ]}
    />
  );
}

function Extras({ extras }: { extras: readonly BankLine[] }) {
  return (
    <DataTable<BankLine>
      caption="Extra bank lines"
      rows={extras}
      rowKey={(line) => line.id}
      empty="Every bank line names a withdrawal of a batch."
      columns={[
        { header: 'Withdrawal named', render: (line) => <code>{line.withdrawalRef ?? '—'}</code> },
        { header: 'Bank line', render: (line) => <BankLineSummary line={line} /> },
        { header: 'Flags', render: () => <ReconciliationFlagBadge flag="EXTRA" /> },
      ]}
    />
  );
}

function ReconciliationView({ data, batchId }: { data: Reconciliation; batchId: string }) {
  const [onlyFlagged, setOnlyFlagged] = useState(false);
  const lines = onlyFlagged ? data.lines.filter((line) => line.flags.length > 0) : data.lines;
  return (
    <div className="stack">
      <p role="status" className={data.mismatches > 0 ? 'notice notice--warn' : 'notice notice--good'}>
        {data.mismatches === 0
          ? `No mismatches: ${data.lines.length} batch lines agree with the ledger and the bank.`
          : `${data.mismatches} mismatches over ${data.lines.length} batch lines${
              batchId ? '' : ` and ${data.extras.length} extra bank lines`
            }.`}
      </p>
      <DataTable
        caption="Batches reconciled"
        rows={data.batches}
        rowKey={(batch) => batch.id}
        empty={batchId ? 'No such batch.' : 'No open batches.'}
        columns={[
          { header: 'Batch', render: (batch) => <code>{batch.id}</code> },
          { header: 'Created', className: 'nowrap', render: (batch) => <Time value={batch.createdAt} /> },
          { header: 'Rail', render: (batch) => batch.rail },
          { header: 'Withdrawals', className: 'num', render: (batch) => batch.count },
          { header: 'To send', className: 'num', render: (batch) => <Money money={batch.total} /> },
          {
            header: 'Status',
            render: (batch) =>
              batch.status === 'SETTLED' ? <Badge tone="good">Settled</Badge> : <Badge tone="info">Open</Badge>,
          },
        ]}
      />
      <label className="checkbox-line">
        <input type="checkbox" checked={onlyFlagged} onChange={(event) => setOnlyFlagged(event.target.checked)} /> Only
        lines with a mismatch
      </label>
      <Lines lines={lines} />
      {!batchId && (
        <>
          <h3>Extra bank lines ({data.extras.length})</h3>
          <Extras extras={data.extras} />
        </>
      )}
    </div>
  );
}

function BatchPicker({ batchId, onChange }: { batchId: string; onChange: (batchId: string) => void }) {
  const [query] = useQuery({ query: ReconciliationBatchesDocument });
  const batches: readonly BatchOption[] = query.data?.payoutBatches.edges.map((edge) => edge.node) ?? [];
  const known = !batchId || batches.some((batch) => batch.id === batchId);
  return (
    <div className="form__row">
      <Field label="Batch" hint="Every open batch shows the bank lines about no batch too.">
        {(props) => (
          <select {...props} value={batchId} onChange={(event) => onChange(event.target.value)}>
            <option value="">All open batches</option>
            {!known && <option value={batchId}>{batchId}</option>}
            {batches.map((batch) => (
              <option key={batch.id} value={batch.id}>
                {batch.id} · {batch.rail} {batch.currency} · {batch.count} · {batch.status.toLowerCase()}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

function ReconciliationCard() {
  const [search, setSearch] = useSearchParams();
  const batchId = search.get('batch') ?? '';
  const [query, refetch] = useQuery({ query: PayoutReconciliationDocument, variables: { batchId: batchId || null } });
  return (
    <Card
      title={
        query.data ? `Reconciliation (${query.data.payoutReconciliation.mismatches} mismatches)` : 'Reconciliation'
      }
      actions={
        <button
          type="button"
          className="button button--small"
          onClick={() => refetch({ requestPolicy: 'network-only' })}
        >
          Refresh
        </button>
      }
    >
      <div className="stack">
        <BatchPicker batchId={batchId} onChange={(next) => setSearch(next ? { batch: next } : {}, { replace: true })} />
        <QueryView query={query} refetch={refetch}>
          {(data) => <ReconciliationView data={data.payoutReconciliation} batchId={batchId} />}
        </QueryView>
      </div>
    </Card>
  );
}

/** The bank's camt.053 statement, uploaded or pasted; each booked payout transaction's outcome. */
function ImportStatement() {
  const [xml, setXml] = useState('');
  const [lines, setLines] = useState<readonly StatementLine[] | null>(null);
  const { attach, ...form } = useFormMutation(ImportPayoutStatementDocument, (data) => data.importPayoutStatement, [
    'xml',
  ]);
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setXml(await file.text());
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setLines(null);
    const payload = await form.submit({ input: { xml } });
    if (payload) setLines(payload.lines ?? []);
  };
  const matched = lines?.filter((line) => statusLineMatched(line.outcome)).length ?? 0;
  return (
    <div className="stack">
      <form
        ref={attach}
        className="form"
        aria-label="Import bank statement"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        <FormErrors messages={form.errors.form} />
        <Field label="Statement file" hint="ISO 20022 camt.053 XML, up to 5 MB.">
          {(props) => (
            <input
              {...props}
              type="file"
              accept=".xml,application/xml,text/xml"
              onChange={(event) => void readFile(event)}
            />
          )}
        </Field>
        <Field label="Statement XML" error={form.fieldError('xml')} hint="Or paste it here.">
          {(props) => (
            <textarea
              {...props}
              rows={6}
              spellCheck={false}
              value={xml}
              onChange={(event) => setXml(event.target.value)}
            />
          )}
        </Field>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={form.fetching || !xml.trim()}>
            Import statement
          </button>
        </div>
      </form>
      {lines && (
        <>
          <p role="status">
            {lines.length === 0
              ? 'The statement booked no payout transactions.'
              : `${matched} of ${lines.length} transactions matched; ${lines.length - matched} mismatched or refused.`}
          </p>
          <DataTable<StatementLine>
            caption="Statement import report"
            rows={lines}
            rowKey={(line) => String(line.line)}
            empty="No payout transactions."
            columns={[
              { header: 'Transaction', className: 'num', render: (line) => line.line },
              { header: 'Withdrawal', render: (line) => <code>{line.withdrawalId ?? '—'}</code> },
              { header: 'Outcome', render: (line) => <StatusLineOutcomeBadge outcome={line.outcome} /> },
              { header: 'Message', render: (line) => line.message },
            ]}
          />
        </>
      )}
    </div>
  );
}

/**
 * Admins: ledger holds ↔ batch lines ↔ the bank's lines, every mismatch flagged, and the bank's camt.053 statement
 * to import (the status CSV is imported on the payouts page).
 */
export function PayoutReconciliationPage() {
  return (
    <Page
      title="Payout reconciliation"
      description="Each batch line against the ledger's hold and the bank's lines, with every mismatch flagged."
    >
      <ReconciliationCard />
      <Card title="Bank statement (camt.053)">
        <div className="stack">
          <p className="muted">
            Booked debits pay the withdrawal their EndToEndId names; returned credits return it. The bank's status CSV
            is imported on the <Link to="/admin/payouts">Payouts page</Link>.
          </p>
          <ImportStatement />
        </div>
      </Card>
    </Page>
  );
}
