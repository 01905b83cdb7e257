import Papa from 'papaparse';
import { useCallback, useState } from 'react';
import { useClient, type AnyVariables, type TypedDocumentNode } from 'urql';
import { formatDecimal, type MoneyValue } from './components/Money';

/*
 * CSV export of exactly what a list shows: the same filters (the list's own query and variables), every page, and
 * the same columns formatted as on screen (the helpers below mirror Money and Time).
 */

/** One column of an export: its header as on screen and a cell's text. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | null | undefined;
}

/** The most rows one export fetches (pages of 100): beyond it, narrow the filters. */
export const CSV_MAX_ROWS = 10_000;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An instant as the Time component shows it (the reader's locale and time zone), "" when absent. */
export function csvTime(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date);
}

/** An amount as the Money component shows it: "1,234.50 EUR". */
export function csvMoney(money: MoneyValue | null | undefined): string {
  return money ? `${formatDecimal(money.amount)} ${money.currency}` : '';
}

/** RFC 4180 text for the rows; formula-like cells are escaped so a spreadsheet does not run them. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  return Papa.unparse(
    {
      fields: columns.map((column) => column.header),
      data: rows.map((row) => columns.map((column) => column.value(row) ?? '')),
    },
    { escapeFormulae: /^(?:[=+@\t\r]|-(?!\d))/, newline: '\r\n' },
  );
}

/** Offers `csv` to the browser as a file download. */
export function saveCsv(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

interface Page<N> {
  nodes: readonly N[];
  endCursor: string | null | undefined;
  hasNextPage: boolean;
}

/**
 * A "Download CSV" action for a paged list: fetches every page of the list's query with its current variables
 * (`first`/`after` replaced), then saves the rows with the list's columns.
 */
export function useCsvDownload<Data, Variables extends AnyVariables, N>(options: {
  query: TypedDocumentNode<Data, Variables>;
  variables: Variables;
  page: (data: Data) => Page<N>;
  columns: readonly CsvColumn<N>[];
  filename: string;
}): { download: () => Promise<void>; busy: boolean; error: string | null } {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { query, variables, page, columns, filename } = options;
  const download = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      const rows: N[] = [];
      let after: string | null = null;
      for (;;) {
        const result = await client
          .query(query, { ...variables, first: 100, after }, { requestPolicy: 'network-only' })
          .toPromise();
        if (result.error || !result.data) throw new Error(result.error?.message ?? 'no data');
        const current = page(result.data);
        rows.push(...current.nodes);
        if (!current.hasNextPage || !current.endCursor || rows.length >= CSV_MAX_ROWS) break;
        after = current.endCursor;
      }
      saveCsv(filename, toCsv(columns, rows.slice(0, CSV_MAX_ROWS)));
    } catch (caught) {
      setError(`The CSV could not be made: ${caught instanceof Error ? caught.message : String(caught)}`);
    } finally {
      setBusy(false);
    }
  }, [client, query, variables, page, columns, filename]);
  return { download, busy, error };
}
