import { useId } from 'react';

/*
 * A date range as a list or a report filters by it: two calendar days, both included, read as UTC days (the
 * reports bucket days in UTC). `rangeVariables` turns them into the API's half-open [from, to) instants.
 */

const DAY_MS = 86_400_000;

/** "YYYY-MM-DD" of a UTC day. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

export interface DayRange {
  /** First day, "YYYY-MM-DD", or "" for no start. */
  from: string;
  /** Last day (included), "YYYY-MM-DD", or "" for no end. */
  to: string;
}

/** Why a range cannot be used, or null when it can. */
export function rangeProblem(range: DayRange): string | null {
  if (range.from && !isDay(range.from)) return 'Enter the start as a date.';
  if (range.to && !isDay(range.to)) return 'Enter the end as a date.';
  if (range.from && range.to && range.from > range.to) return 'The start must be on or before the end.';
  return null;
}

/** The API's `from` (inclusive) and `to` (exclusive) instants for a range of whole UTC days; null ends stay open. */
export function rangeVariables(range: DayRange): { from: string | null; to: string | null } {
  if (rangeProblem(range)) return { from: null, to: null };
  return {
    from: range.from ? `${range.from}T00:00:00.000Z` : null,
    to: range.to ? new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS).toISOString() : null,
  };
}

/** The last `days` days up to today (UTC), both included. */
export function lastDays(days: number, today = new Date()): DayRange {
  return { from: utcDay(new Date(today.getTime() - (days - 1) * DAY_MS)), to: utcDay(today) };
}

export const PRESETS: { label: string; range: (today: Date) => DayRange }[] = [
  { label: 'Today', range: (today) => lastDays(1, today) },
  { label: '7 days', range: (today) => lastDays(7, today) },
  { label: '30 days', range: (today) => lastDays(30, today) },
  { label: 'This month', range: (today) => ({ from: `${utcDay(today).slice(0, 8)}01`, to: utcDay(today) }) },
];

/** Two labelled date inputs and presets; an impossible range is said in words beside them. */
export function DateRangeFilter({
  value,
  onChange,
  label = 'Dates',
  clearable = true,
}: {
  value: DayRange;
  onChange: (range: DayRange) => void;
  label?: string;
  /** Offer "Any date" (lists); a report always has a range. */
  clearable?: boolean;
}) {
  const id = useId();
  const problem = rangeProblem(value);
  const today = new Date();
  return (
    <fieldset className="date-range" aria-describedby={problem ? `${id}-problem` : undefined}>
      <legend className="date-range__legend">{label} (UTC)</legend>
      <label className="toolbar__field toolbar__field--narrow">
        <span>From</span>
        <input
          type="date"
          name="from"
          value={value.from}
          max={value.to || undefined}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => onChange({ ...value, from: event.target.value })}
        />
      </label>
      <label className="toolbar__field toolbar__field--narrow">
        <span>To</span>
        <input
          type="date"
          name="to"
          value={value.to}
          min={value.from || undefined}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => onChange({ ...value, to: event.target.value })}
        />
      </label>
      <span className="date-range__presets" role="group" aria-label="Quick ranges">
        {PRESETS.map((preset) => {
          const range = preset.range(today);
          const current = range.from === value.from && range.to === value.to;
          return (
            <button
              key={preset.label}
              type="button"
              className="button button--small button--quiet"
              aria-pressed={current}
              onClick={() => onChange(range)}
            >
              {preset.label}
            </button>
          );
        })}
        {clearable && (value.from || value.to) && (
          <button
            type="button"
            className="button button--small button--quiet"
            onClick={() => onChange({ from: '', to: '' })}
          >
            Any date
          </button>
        )}
      </span>
      {problem && (
        <p id={`${id}-problem`} className="field__error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
