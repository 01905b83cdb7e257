import type { ReactNode } from 'react';
import { useId } from 'react';

/** Chart colours from the stylesheet's palette: current period, previous period, a second measure. */
export const SERIES_COLOURS = { current: '#2563eb', previous: '#94a3b8', second: '#16a34a' } as const;

/** A decimal string as a chart's coordinate. Only the drawing uses it; every figure shown is the exact string. */
export function plotted(amount: string): number {
  return Number(amount);
}

/**
 * A chart with its numbers: the drawing for the eye, and under it a table with every value it draws (screen readers
 * and anyone who wants the exact figures read the table; the drawing is hidden from them).
 */
export function ChartFigure({
  title,
  summary,
  chart,
  table,
}: {
  title: string;
  summary?: ReactNode;
  chart: ReactNode;
  table: ReactNode;
}) {
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart__title">
        {title}
      </figcaption>
      {summary && <p className="chart__summary">{summary}</p>}
      <div className="chart__drawing" aria-hidden="true">
        {chart}
      </div>
      <div className="table-wrap chart__table">{table}</div>
    </figure>
  );
}
