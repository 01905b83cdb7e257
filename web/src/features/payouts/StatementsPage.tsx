import { useState, type FormEvent } from 'react';
import { useQuery, type CombinedError } from 'urql';
import { graphql } from '../../gql';
import type { StatementLineType, StatementQuery } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money, type MoneyValue } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { SelectFilter } from '../../app/components/SelectFilter';
import { Loading } from '../../app/components/States';
import { Time } from '../../app/components/Time';

const StatementCurrenciesDocument = graphql(`
  query StatementCurrencies {
    me {
      merchant {
        id
        balances {
          accountId
          available {
            currency
          }
        }
      }
    }
  }
`);

const StatementDocument = graphql(`
  query Statement($currency: String!, $from: String!, $to: String!) {
    statement(currency: $currency, from: $from, to: $to) {
      merchantId
      merchantName
      currency
      from
      to
      openingBalance {
        amount
        currency
      }
      credits {
        amount
        currency
      }
      creditsByProduct {
        product
        count
        amount {
          amount
          currency
        }
      }
      fees {
        amount
        currency
      }
      refunds {
        amount
        currency
      }
      chargebacks {
        amount
        currency
      }
      payouts {
        amount
        currency
      }
      adjustments {
        amount
        currency
      }
      closingBalance {
        amount
        currency
      }
      csvUrl
      pdfUrl
      linksExpireAt
      lines {
        transferId
        at
        type
        product
        description
        gross {
          amount
          currency
        }
        fee {
          amount
          currency
        }
        net {
          amount
          currency
        }
        balance {
          amount
          currency
        }
      }
    }
  }
`);

type Statement = StatementQuery['statement'];
type Line = Statement['lines'][number];

const TYPE_LABELS: Record<StatementLineType, string> = {
  CREDIT: 'Credit',
  REFUND: 'Refund',
  CHARGEBACK: 'Chargeback',
  PAYOUT: 'Payout',
  ADJUSTMENT: 'Adjustment',
};

const FIELDS = ['currency', 'from', 'to'] as const;
type PeriodField = (typeof FIELDS)[number];

/** A day as the API takes it (YYYY-MM-DD, UTC). */
function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** This month so far (UTC): the period a statement starts with. */
function thisMonth(now = new Date()): { from: string; to: string } {
  return { from: utcDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))), to: utcDay(now) };
}

/** A refused period: BAD_USER_INPUT names its argument in extensions.field; the rest belongs to the form. */
function periodErrors(error: CombinedError | undefined): {
  byField: Partial<Record<PeriodField, string>>;
  form: string[];
} {
  const byField: Partial<Record<PeriodField, string>> = {};
  const form: string[] = [];
  if (!error) return { byField, form };
  if (error.networkError) form.push(error.message);
  for (const entry of error.graphQLErrors) {
    const named = entry.extensions?.field;
    const field = (Array.isArray(named) ? named[named.length - 1] : named) as unknown;
    if (typeof field === 'string' && (FIELDS as readonly string[]).includes(field))
      byField[field as PeriodField] = entry.message;
    else form.push(entry.message);
  }
  return { byField, form };
}

function Summary({ statement }: { statement: Statement }) {
  const rows: { label: string; money: MoneyValue; strong?: boolean }[] = [
    { label: 'Opening balance', money: statement.openingBalance, strong: true },
    { label: 'Credits', money: statement.credits },
    { label: 'Fees', money: statement.fees },
    { label: 'Refunds', money: statement.refunds },
    { label: 'Chargebacks', money: statement.chargebacks },
    { label: 'Payouts', money: statement.payouts },
    { label: 'Adjustments', money: statement.adjustments },
    { label: 'Closing balance', money: statement.closingBalance, strong: true },
  ];
  return (
    <dl className="facts" aria-label="Statement summary">
      {rows.map((row) => (
        <div key={row.label}>
          <dt>{row.label}</dt>
          <dd data-testid={row.strong ? `statement-${row.label.toLowerCase().replace(' ', '-')}` : undefined}>
            {row.strong ? (
              <strong>
                <Money money={row.money} />
              </strong>
            ) : (
              <Money money={row.money} signed />
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function StatementView({ statement, onRefresh }: { statement: Statement; onRefresh: () => void }) {
  const [type, setType] = useState<StatementLineType | ''>('');
  const counts = new Map<StatementLineType, number>();
  for (const line of statement.lines) counts.set(line.type, (counts.get(line.type) ?? 0) + 1);
  const shown = type ? statement.lines.filter((line) => line.type === type) : statement.lines;
  return (
    <>
      <Card
        title={`${statement.merchantName}: ${statement.currency}, ${statement.from} to ${statement.to} (UTC)`}
        actions={
          <div className="button-row">
            <a className="button button--small" href={statement.csvUrl} download>
              Download CSV
            </a>
            <a className="button button--small" href={statement.pdfUrl} download>
              Download PDF
            </a>
          </div>
        }
      >
        <div className="stack">
          <Summary statement={statement} />
          {statement.creditsByProduct.length > 0 && (
            <DataTable<Statement['creditsByProduct'][number]>
              caption="Credits by product"
              rows={statement.creditsByProduct}
              rowKey={(row) => row.product}
              empty="No credits."
              columns={[
                { header: 'Product', render: (row) => row.product },
                { header: 'Movements', className: 'num', render: (row) => row.count },
                { header: 'Before fees', className: 'num', render: (row) => <Money money={row.amount} /> },
              ]}
            />
          )}
          <p className="muted small">
            The download links work without a login until <Time value={statement.linksExpireAt} />
            {'. '}
            <button type="button" className="button button--small" onClick={onRefresh}>
              Renew links
            </button>
          </p>
        </div>
      </Card>
      <Card title="Movements">
        <div className="stack">
          <div className="toolbar">
            <SelectFilter<StatementLineType>
              label="Type"
              anyLabel={`All (${statement.lines.length})`}
              value={type}
              options={(Object.keys(TYPE_LABELS) as StatementLineType[]).map((value) => ({
                value,
                label: `${TYPE_LABELS[value]} (${counts.get(value) ?? 0})`,
              }))}
              onChange={setType}
            />
          </div>
          <DataTable<Line>
            caption="Statement lines"
            rows={shown}
            rowKey={(line) => line.transferId}
            empty={type ? 'No movements of this type in the period.' : 'No movements in the period.'}
            columns={[
              { header: 'Posted', className: 'nowrap', render: (line) => <Time value={line.at} /> },
              {
                header: 'Type',
                className: 'nowrap',
                render: (line) => `${TYPE_LABELS[line.type] ?? line.type}${line.product ? ` · ${line.product}` : ''}`,
              },
              { header: 'Description', render: (line) => line.description },
              { header: 'Gross', className: 'num', render: (line) => <Money money={line.gross} signed /> },
              { header: 'Fee', className: 'num', render: (line) => <Money money={line.fee} signed /> },
              { header: 'Net', className: 'num', render: (line) => <Money money={line.net} signed /> },
              { header: 'Balance', className: 'num', render: (line) => <Money money={line.balance} /> },
            ]}
          />
        </div>
      </Card>
    </>
  );
}

/**
 * Statements: the merchant's money in one currency over a period of whole UTC days, from the ledger (opening
 * balance, every movement, totals by kind, closing balance), with its CSV and PDF.
 */
export function StatementsPage() {
  const [currenciesQuery] = useQuery({ query: StatementCurrenciesDocument });
  const currencies = [
    ...new Set((currenciesQuery.data?.me?.merchant?.balances ?? []).map((balance) => balance.available.currency)),
  ].sort();
  const [draft, setDraft] = useState(() => ({ currency: '', ...thisMonth() }));
  const [asked, setAsked] = useState<{ currency: string; from: string; to: string } | null>(null);
  const [local, setLocal] = useState<Partial<Record<PeriodField, string>>>({});
  const [query, refetch] = useQuery({
    query: StatementDocument,
    variables: asked ?? { currency: '', from: '', to: '' },
    pause: !asked,
    // Its links are signed for 15 minutes: a statement is always read afresh.
    requestPolicy: 'network-only',
  });
  const currency = draft.currency || currencies[0] || 'EUR';
  const refused = periodErrors(query.error);
  const fieldError = (field: PeriodField) => local[field] ?? (query.data ? undefined : refused.byField[field]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<PeriodField, string>> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.from)) found.from = 'Choose the first day.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.to)) found.to = 'Choose the last day.';
    else if (!found.from && draft.to < draft.from) found.to = 'The last day comes on or after the first.';
    setLocal(found);
    if (Object.keys(found).length) return;
    const next = { currency, from: draft.from, to: draft.to };
    if (asked && asked.currency === next.currency && asked.from === next.from && asked.to === next.to)
      refetch({ requestPolicy: 'network-only' });
    else setAsked(next);
  };

  return (
    <Page
      title="Statements"
      description="Your balance in one currency over a period of whole days (UTC): what it opened at, every movement, and what it closed at. Download it as CSV or PDF."
    >
      <Card title="Period">
        <form className="form form--inline" aria-label="Statement period" onSubmit={submit} noValidate>
          <FormErrors messages={query.data ? [] : refused.form} />
          <Field label="Currency" error={fieldError('currency')}>
            {(props) => (
              <select
                {...props}
                value={currency}
                onChange={(event) => setDraft((current) => ({ ...current, currency: event.target.value }))}
              >
                {(currencies.length ? currencies : ['EUR']).map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="From" error={fieldError('from')}>
            {(props) => (
              <input
                {...props}
                type="date"
                value={draft.from}
                onChange={(event) => setDraft((current) => ({ ...current, from: event.target.value }))}
              />
            )}
          </Field>
          <Field label="To" error={fieldError('to')} hint="Included; at most 366 days.">
            {(props) => (
              <input
                {...props}
                type="date"
                value={draft.to}
                onChange={(event) => setDraft((current) => ({ ...current, to: event.target.value }))}
              />
            )}
          </Field>
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={query.fetching}>
              Show statement
            </button>
          </div>
        </form>
      </Card>
      {asked &&
        (query.data ? (
          <StatementView
            statement={query.data.statement}
            onRefresh={() => refetch({ requestPolicy: 'network-only' })}
          />
        ) : query.fetching ? (
          <Loading label="Reading the ledger…" />
        ) : null)}
    </Page>
  );
}
