import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseSignedAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { CurrencySelect } from '../../app/components/CurrencySelect';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import type { LedgerAccountPurpose } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Time } from '../../app/components/Time';
import { newIdempotencyKey } from '../../app/idempotency';
import { LedgerEntries } from './LedgerEntries';
import { PURPOSE_ORDER, PURPOSES } from './purposes';

const LedgerCheckDocument = graphql(`
  query LedgerCheck {
    ledgerCheck {
      consistent
      checkedAt
      violations {
        invariant
        message
        accountId
        transferId
        currency
      }
    }
  }
`);

const AdjustmentMerchantsDocument = graphql(`
  query AdjustmentMerchants {
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

const CreateLedgerAdjustmentDocument = graphql(`
  mutation CreateLedgerAdjustment($input: CreateLedgerAdjustmentInput!) {
    createLedgerAdjustment(input: $input) {
      transfer {
        id
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

const INVARIANTS: Record<string, string> = {
  I1: 'Every transfer sums to zero',
  I2: 'Stored balances equal their entries',
  I3: 'No account below zero unless allowed',
};

function LedgerCheckCard() {
  const [query, run] = useQuery({ query: LedgerCheckDocument });
  const { fetching } = query;
  const check = query.data?.ledgerCheck;
  return (
    <Card
      title="Ledger check"
      actions={
        <button
          type="button"
          className="button button--small"
          disabled={fetching}
          onClick={() => run({ requestPolicy: 'network-only' })}
        >
          {fetching ? 'Checking…' : 'Check again'}
        </button>
      }
    >
      {!check ? (
        <QueryView query={query} refetch={run} loading="Scanning every entry…" />
      ) : (
        <>
          <div className={check.consistent ? 'check check--good' : 'check check--bad'} role="status">
            <strong>{check.consistent ? 'Consistent' : `${check.violations.length} broken invariants`}</strong>
            <span className="muted">
              checked <Time value={check.checkedAt} />
            </span>
          </div>
          <ul className="invariants">
            {Object.entries(INVARIANTS).map(([code, label]) => {
              const broken = check.violations.filter((violation) => violation.invariant === code).length;
              return (
                <li key={code}>
                  <Badge tone={broken ? 'bad' : 'good'}>{broken ? `${broken} broken` : 'holds'}</Badge> {code}: {label}
                </li>
              );
            })}
          </ul>
          {check.violations.length > 0 && (
            <DataTable
              caption="Violations"
              rows={check.violations}
              rowKey={(violation) =>
                `${violation.invariant}-${violation.accountId ?? ''}-${violation.transferId ?? ''}-${violation.message}`
              }
              rowClassName={() => 'row--danger'}
              empty=""
              columns={[
                { header: 'Invariant', render: (violation) => violation.invariant },
                { header: 'Problem', render: (violation) => violation.message },
                {
                  header: 'Where',
                  render: (violation) => (
                    <span>
                      {violation.accountId && <code>{violation.accountId}</code>}{' '}
                      {violation.transferId && <code>{violation.transferId}</code>} {violation.currency}
                    </span>
                  ),
                },
              ]}
            />
          )}
        </>
      )}
    </Card>
  );
}

interface EntryRow {
  key: number;
  purpose: LedgerAccountPurpose;
  amount: string;
}

function AdjustmentForm() {
  const [merchants] = useQuery({ query: AdjustmentMerchantsDocument });
  const [merchantId, setMerchantId] = useState('');
  // Empty until the account's currency is known: CurrencySelect fills it in.
  const [currency, setCurrency] = useState('');
  const [description, setDescription] = useState('');
  const [rows, setRows] = useState<EntryRow[]>([
    { key: 1, purpose: 'MERCHANT_AVAILABLE', amount: '' },
    { key: 2, purpose: 'WORLD', amount: '' },
  ]);
  // One key per intended adjustment: a repeated submit moves the money once.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [done, setDone] = useState<string | null>(null);
  const paths = ['merchantId', 'currency', 'description', 'entries', 'idempotencyKey'].concat(
    rows.flatMap((_, index) => ['amount', 'merchantId', 'accountId', 'purpose'].map((n) => `entries.${index}.${n}`)),
  );
  // Paths inside the input: "entries.1.amount" is the second row's amount.
  const { attach, ...form } = useFormMutation(
    CreateLedgerAdjustmentDocument,
    (data) => data.createLedgerAdjustment,
    paths,
  );
  const errors = form.errors.byField;
  const rowError = (index: number) =>
    errors[`entries.${index}.amount`] ??
    errors[`entries.${index}.merchantId`] ??
    errors[`entries.${index}.accountId`] ??
    errors[`entries.${index}.purpose`];

  const update = (key: number, change: Partial<EntryRow>) =>
    setRows((current) => current.map((row) => (row.key === key ? { ...row, ...change } : row)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const amounts = rows.map((row) => parseSignedAmountInput(row.amount));
    const unreadable = Object.fromEntries(
      amounts.flatMap((amount, index) => (amount === null ? [[`entries.${index}.amount`, AMOUNT_HINT]] : [])),
    );
    if (Object.keys(unreadable).length) return form.setErrors({ byField: unreadable, form: [] });
    const response = await form.submit({
      input: {
        merchantId: merchantId || null,
        currency,
        description,
        idempotencyKey,
        entries: rows.map((row, index) => ({ purpose: row.purpose, amount: amounts[index] ?? '' })),
      },
    });
    const transfer = response?.transfer;
    if (transfer) {
      setDone(`Transfer ${transfer.id} posted: ${transfer.amount.amount} ${transfer.amount.currency} moved.`);
      setDescription('');
      setRows((current) => current.map((row) => ({ ...row, amount: '' })));
      setIdempotencyKey(newIdempotencyKey());
    }
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Ledger adjustment"
    >
      <p className="muted">
        A balanced transfer between named accounts, to correct a mistake. It is recorded in the audit log and cannot be
        edited afterwards; correct it with another adjustment.
      </p>
      {done && (
        <p className="notice notice--good" role="status">
          {done}
        </p>
      )}
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Merchant" error={errors.merchantId} hint="Owner of the merchant accounts below.">
          {(props) => (
            <select {...props} value={merchantId} onChange={(event) => setMerchantId(event.target.value)}>
              <option value="">None (platform only)</option>
              {merchants.data?.merchants.edges.map(({ node }) => (
                <option key={node.id} value={node.id}>
                  {node.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Currency" error={errors.currency}>
          {(props) => <CurrencySelect {...props} value={currency} onChange={setCurrency} />}
        </Field>
      </div>
      <Field label="Why" error={errors.description} hint="Kept with the transfer and in the audit log.">
        {(props) => (
          <input
            {...props}
            maxLength={500}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <fieldset className={errors.entries ? 'field field--invalid' : 'field'}>
        <legend className="field__label">Entries (credits positive, debits negative; they must sum to zero)</legend>
        <div className="entries">
          {rows.map((row, index) => (
            <div key={row.key} className="entries__row">
              <label className="visually-hidden" htmlFor={`entry-${row.key}-purpose`}>
                Account of entry {index + 1}
              </label>
              <select
                id={`entry-${row.key}-purpose`}
                value={row.purpose}
                onChange={(event) => update(row.key, { purpose: event.target.value as LedgerAccountPurpose })}
              >
                {PURPOSE_ORDER.map((purpose) => (
                  <option key={purpose} value={purpose}>
                    {PURPOSES[purpose].label}
                    {PURPOSES[purpose].owner === 'platform' ? ' (platform)' : ''}
                  </option>
                ))}
              </select>
              <label className="visually-hidden" htmlFor={`entry-${row.key}-amount`}>
                Amount of entry {index + 1}
              </label>
              <AmountInput
                id={`entry-${row.key}-amount`}
                signed
                placeholder="-10.00"
                value={row.amount}
                aria-invalid={Boolean(rowError(index))}
                onChange={(amount) => update(row.key, { amount })}
              />
              <button
                type="button"
                className="button button--small button--quiet"
                disabled={rows.length <= 2}
                aria-label={`Remove entry ${index + 1}`}
                onClick={() => setRows((current) => current.filter((candidate) => candidate.key !== row.key))}
              >
                ✕
              </button>
              {rowError(index) && (
                <p className="field__error entries__error" role="alert">
                  {rowError(index)}
                </p>
              )}
            </div>
          ))}
        </div>
        {errors.entries && (
          <p className="field__error" role="alert">
            {errors.entries}
          </p>
        )}
        <div>
          <button
            type="button"
            className="button button--small"
            onClick={() =>
              setRows((current) => [
                ...current,
                { key: Math.max(...current.map((row) => row.key)) + 1, purpose: 'PLATFORM_FEES', amount: '' },
              ])
            }
          >
            Add entry
          </button>
        </div>
      </fieldset>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Posting…' : 'Post adjustment'}
        </button>
      </div>
    </form>
  );
}

/** The platform's view of the ledger: its invariants, manual adjustments, every entry. */
export function LedgerAdminPage() {
  return (
    <Page title="Ledger" description="The double-entry ledger of the whole platform.">
      <div className="grid grid--wide">
        <LedgerCheckCard />
        <Card title="Adjustment">
          <AdjustmentForm />
        </Card>
      </div>
      <LedgerEntries showMerchant />
    </Page>
  );
}
