import type { ReactNode } from 'react';

export interface Column<T> {
  header: string;
  render: (row: T) => ReactNode;
  /** "num" right-aligns amounts; "nowrap" keeps ids and dates on one line. */
  className?: string;
}

interface DataTableProps<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty: ReactNode;
  caption?: string;
  rowClassName?: (row: T) => string | undefined;
}

/** A table that turns into labelled cards on narrow screens (each cell carries its header as data-label). */
export function DataTable<T>({ columns, rows, rowKey, empty, caption, rowClassName }: DataTableProps<T>) {
  if (rows.length === 0) return <div className="state state--empty">{empty}</div>;
  return (
    <div className="table-wrap">
      <table className="table">
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.className}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className={rowClassName?.(row)}>
              {columns.map((column) => (
                <td key={column.header} data-label={column.header} className={column.className}>
                  {column.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
