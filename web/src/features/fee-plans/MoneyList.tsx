import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { CurrencySelect } from '../../app/components/CurrencySelect';
import { Field } from '../../app/components/Field';

/** One amount of a list as typed: the amount as text, the currency picked. */
export interface MoneyRow {
  amount: string;
  currency: string;
}

/** An empty row: its currency starts at the account's (CurrencySelect fills it in). */
export const EMPTY_ROW: MoneyRow = { amount: '', currency: '' };

/**
 * The API's amounts from the rows (rows left empty are dropped), or the plain-words message of each row it cannot
 * read, by index.
 */
export function readMoneyRows(
  rows: readonly MoneyRow[],
): { amounts: { amount: string; currency: string }[] } | { errors: Record<number, string> } {
  const amounts: { amount: string; currency: string }[] = [];
  const errors: Record<number, string> = {};
  rows.forEach((row, index) => {
    if (!row.amount.trim()) return;
    const amount = parseAmountInput(row.amount);
    if (amount === null) errors[index] = AMOUNT_HINT;
    else amounts.push({ amount, currency: row.currency });
  });
  return Object.keys(errors).length ? { errors } : { amounts };
}

/**
 * A fee in one or more currencies (a plan charges the one of the payment): a row per currency, each an amount typed
 * either way and a currency picked from a list. `errorOf(index)` is a row's message, `error` the whole list's.
 */
export function MoneyList({
  label,
  hint,
  rows,
  onChange,
  errorOf,
  error,
}: {
  label: string;
  hint?: string;
  rows: readonly MoneyRow[];
  onChange: (rows: MoneyRow[]) => void;
  errorOf: (index: number) => string | undefined;
  error?: string;
}) {
  const change = (index: number, patch: Partial<MoneyRow>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  // The first row carries the list's own name; the others are numbered.
  const nameOf = (index: number) => (index === 0 ? label : `${label} (${index + 1})`);
  return (
    <fieldset className="subform money-list">
      <legend>{label}</legend>
      {rows.map((row, index) => (
        <div className="form__row" key={index}>
          <Field label={nameOf(index)} error={errorOf(index)} hint={index === 0 ? hint : undefined}>
            {(props) => (
              <AmountInput
                {...props}
                placeholder="0.00"
                value={row.amount}
                onChange={(amount) => change(index, { amount })}
              />
            )}
          </Field>
          <Field label={`${nameOf(index)}: currency`}>
            {(props) => (
              <CurrencySelect {...props} value={row.currency} onChange={(currency) => change(index, { currency })} />
            )}
          </Field>
          {rows.length > 1 && (
            <button
              type="button"
              className="button button--small button--quiet"
              aria-label={`Remove ${nameOf(index)}`}
              onClick={() => onChange(rows.filter((_, at) => at !== index))}
            >
              Remove
            </button>
          )}
        </div>
      ))}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      <div>
        <button
          type="button"
          className="button button--small"
          aria-label={`${label}: add a currency`}
          onClick={() => onChange([...rows, EMPTY_ROW])}
        >
          Add a currency
        </button>
      </div>
    </fieldset>
  );
}
