import { useMemo } from 'react';
import { Link } from 'react-router';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ReportHomeQuery } from '../../gql/graphql';
import {
  DateRangeFilter,
  lastDays,
  rangeProblem,
  rangeVariables,
  type DayRange,
} from '../../app/components/DateRangeFilter';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { Empty } from '../../app/components/States';
import { useUrlFilters } from '../../app/useUrlFilters';
import { Balances } from '../ledger/Balances';
import { OwnFeePlan } from '../fee-plans/OwnFeePlan';
import { usePaymentChanges } from '../payments/live';
import { humanize } from '../payments/status';
import { ChartFigure, plotted, SERIES_COLOURS } from './charts';

const OverviewDocument = graphql(`
  query Overview {
    me {
      merchant {
        id
        name
        balances {
          accountId
          purpose
          available {
            amount
            currency
          }
          posted {
            amount
            currency
          }
          pending {
            amount
            currency
          }
          held {
            amount
            currency
          }
        }
      }
    }
  }
`);

const ReportHomeDocument = graphql(`
  query ReportHome($from: DateTimeISO!, $to: DateTimeISO!) {
    report(from: $from, to: $to) {
      merchantId
      from
      to
      previousFrom
      revenue {
        currency
        total {
          amount
          currency
        }
        previousTotal {
          amount
          currency
        }
        days {
          day
          payments
          previousDay
          revenue {
            amount
            currency
          }
          previousRevenue {
            amount
            currency
          }
        }
      }
      conversion {
        started
        paid
        rate
      }
      smsByCountry {
        country
        operator
        sms
        revenue {
          amount
          currency
        }
        merchantYield {
          amount
          currency
        }
      }
      smsByOperator {
        country
        operator
        sms
        revenue {
          amount
          currency
        }
        merchantYield {
          amount
          currency
        }
      }
      topProducts {
        kind
        productId
        name
        productRemoved
        payments
        revenue {
          amount
          currency
        }
      }
    }
  }
`);

type Report = ReportHomeQuery['report'];

function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

function RevenueChart({ series }: { series: Report['revenue'][number] }) {
  const points = series.days.map((day) => ({
    day: day.day.slice(5),
    current: plotted(day.revenue.amount),
    previous: plotted(day.previousRevenue.amount),
  }));
  return (
    <ChartFigure
      title={`Revenue (${series.currency})`}
      summary={
        <>
          <Money money={series.total} /> this period · <Money money={series.previousTotal} /> the period before
        </>
      }
      chart={
        <ResponsiveContainer width="100%" height={240}>
          <LineChart accessibilityLayer={false} data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis />
            <Tooltip />
            <Legend />
            <Line type="monotone" dataKey="current" name="This period" stroke={SERIES_COLOURS.current} dot={false} />
            <Line
              type="monotone"
              dataKey="previous"
              name="Previous period"
              stroke={SERIES_COLOURS.previous}
              strokeDasharray="4 4"
              dot={false}
            />
          </LineChart>
        </ResponsiveContainer>
      }
      table={
        <table className="table">
          <caption className="visually-hidden">Revenue per day ({series.currency}) and the previous period</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="num">
                Paid payments
              </th>
              <th scope="col" className="num">
                Revenue
              </th>
              <th scope="col">Previous day</th>
              <th scope="col" className="num">
                Previous revenue
              </th>
            </tr>
          </thead>
          <tbody>
            {series.days.map((day) => (
              <tr key={day.day}>
                <th scope="row">{day.day}</th>
                <td className="num">{day.payments}</td>
                <td className="num">
                  <Money money={day.revenue} />
                </td>
                <td>{day.previousDay}</td>
                <td className="num">
                  <Money money={day.previousRevenue} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="num">{series.days.reduce((sum, day) => sum + day.payments, 0)}</td>
              <td className="num">
                <Money money={series.total} />
              </td>
              <td />
              <td className="num">
                <Money money={series.previousTotal} />
              </td>
            </tr>
          </tfoot>
        </table>
      }
    />
  );
}

function ConversionChart({ conversion }: { conversion: Report['conversion'] }) {
  const points = [
    { step: 'Started', payments: conversion.started },
    { step: 'Paid', payments: conversion.paid },
  ];
  return (
    <ChartFigure
      title="Started → paid"
      summary={`${percent(conversion.rate)} of the payments started in the period are paid.`}
      chart={
        <ResponsiveContainer width="100%" height={200}>
          <BarChart accessibilityLayer={false} data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="step" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Bar dataKey="payments" name="Payments" fill={SERIES_COLOURS.current} />
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <table className="table">
          <caption className="visually-hidden">Payments started and paid</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Paid</th>
              <th scope="col">Conversion</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{conversion.started}</td>
              <td>{conversion.paid}</td>
              <td>{percent(conversion.rate)}</td>
            </tr>
          </tbody>
        </table>
      }
    />
  );
}

type SmsRow = Report['smsByCountry'][number];

function SmsChart({ title, rows, byOperator }: { title: string; rows: readonly SmsRow[]; byOperator: boolean }) {
  const data = rows;
  const label = (row: (typeof data)[number]) =>
    byOperator ? `${row.operator ?? 'Unknown'} (${row.country ?? '—'})` : (row.country ?? 'Unknown');
  const currency = data[0]?.revenue.currency ?? '';
  const points = data.map((row) => ({ name: label(row), revenue: plotted(row.revenue.amount), sms: row.sms }));
  return (
    <ChartFigure
      title={title}
      chart={
        data.length === 0 ? null : (
          <ResponsiveContainer width="100%" height={220}>
            <BarChart accessibilityLayer={false} data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" />
              <YAxis yAxisId="money" />
              <YAxis yAxisId="count" orientation="right" allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar yAxisId="money" dataKey="revenue" name={`Revenue (${currency})`} fill={SERIES_COLOURS.current} />
              <Bar yAxisId="count" dataKey="sms" name="SMS" fill={SERIES_COLOURS.second} />
            </BarChart>
          </ResponsiveContainer>
        )
      }
      table={
        data.length === 0 ? (
          <p className="muted">No billed SMS in this period.</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{byOperator ? 'Operator' : 'Country'}</th>
                <th scope="col" className="num">
                  SMS
                </th>
                <th scope="col" className="num">
                  Revenue
                </th>
                <th scope="col" className="num">
                  Your part
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((row) => (
                <tr key={label(row)}>
                  <th scope="row">{label(row)}</th>
                  <td className="num">{row.sms}</td>
                  <td className="num">
                    <Money money={row.revenue} />
                  </td>
                  <td className="num">
                    <Money money={row.merchantYield} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    />
  );
}

type ProductRow = Report['topProducts'][number];

/** What each kind of product is called, and where its dashboard page is (kinds of no product: none). */
const PRODUCT_KINDS: Partial<Record<ProductRow['kind'], { noun: string; page: string }>> = {
  PURSE: { noun: 'Purse', page: 'purses' },
  VOUCHER: { noun: 'Voucher project', page: 'vouchers' },
  ACCESS_CODE: { noun: 'Access-code service', page: 'access-codes' },
};

/** Payments of no product: named by their kind, all of them in one row. */
const UNPRODUCED: Partial<Record<ProductRow['kind'], string>> = {
  CARD: 'Card payments',
  TOP_UP: 'Balance top-ups',
};

function productName(row: ProductRow): string {
  if (!row.productId) return UNPRODUCED[row.kind] ?? humanize(row.kind);
  return row.name ?? `${PRODUCT_KINDS[row.kind]?.noun ?? humanize(row.kind)} ${row.productId}`;
}

function productKind(row: ProductRow): string {
  return row.productId ? (PRODUCT_KINDS[row.kind]?.noun ?? humanize(row.kind)) : 'No product';
}

/** The product's page; for payments of no product, the paid payments of that kind. */
function productLink(row: ProductRow): string | null {
  if (!row.productId) return `payments?kind=${row.kind}&status=PAID`;
  const page = PRODUCT_KINDS[row.kind]?.page;
  return page && !row.productRemoved ? `${page}/${row.productId}` : null;
}

function ProductCell({ row }: { row: ProductRow }) {
  const link = productLink(row);
  const name = productName(row);
  return (
    <>
      {link ? <Link to={link}>{name}</Link> : name}
      {row.productRemoved && <span className="muted"> (deleted)</span>}
    </>
  );
}

function TopProductsChart({ rows }: { rows: readonly ProductRow[] }) {
  const points = rows.map((row) => ({ name: productName(row), payments: row.payments }));
  return (
    <ChartFigure
      title="Top products"
      summary="Paid payments per purse, voucher project and access-code service; revenue and links in the table."
      chart={
        rows.length === 0 ? null : (
          <ResponsiveContainer width="100%" height={Math.max(120, rows.length * 36)}>
            <BarChart
              accessibilityLayer={false}
              data={points}
              layout="vertical"
              margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="name" width={180} />
              <Tooltip />
              <Bar dataKey="payments" name="Paid payments" fill={SERIES_COLOURS.current} />
            </BarChart>
          </ResponsiveContainer>
        )
      }
      table={
        rows.length === 0 ? (
          <p className="muted">No paid payments in this period.</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Top products</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Paid payments
                </th>
                <th scope="col" className="num">
                  Revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.kind}:${row.productId ?? ''}:${row.revenue.currency}`}>
                  <th scope="row">
                    <ProductCell row={row} />
                  </th>
                  <td>{productKind(row)}</td>
                  <td className="num">{row.payments}</td>
                  <td className="num">
                    <Money money={row.revenue} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    />
  );
}

function ReportView({ range }: { range: DayRange }) {
  const variables = rangeVariables(range);
  const [query, refetch] = useQuery({
    query: ReportHomeDocument,
    variables: { from: variables.from ?? '', to: variables.to ?? '' },
    pause: !variables.from || !variables.to,
  });
  return (
    <QueryView query={query} refetch={refetch}>
      {(data) => (
        <>
          <div className="grid grid--wide">
            {data.report.revenue.length === 0 ? (
              <Card title="Revenue">
                <p className="muted">No paid payments in this period or the one before.</p>
              </Card>
            ) : (
              data.report.revenue.map((series) => (
                <Card key={series.currency}>
                  <RevenueChart series={series} />
                </Card>
              ))
            )}
            <Card>
              <ConversionChart conversion={data.report.conversion} />
            </Card>
          </div>
          <div className="grid grid--wide">
            <Card>
              <SmsChart title="SMS by country" rows={data.report.smsByCountry} byOperator={false} />
            </Card>
            <Card>
              <SmsChart title="SMS by operator" rows={data.report.smsByOperator} byOperator />
            </Card>
          </div>
          <Card>
            <TopProductsChart rows={data.report.topProducts} />
          </Card>
        </>
      )}
    </QueryView>
  );
}

/** The merchant's home: balances (live), then the reporting of a date range (last 30 days unless the URL says). */
export function OverviewPage() {
  const [query, refetch] = useQuery({ query: OverviewDocument });
  // Balances and the report follow SMS as they are counted (app/cache.ts refetches them).
  usePaymentChanges();
  const filters = useUrlFilters(['from', 'to'] as const);
  const fallback = useMemo(() => lastDays(30), []);
  const range: DayRange = filters.values.from || filters.values.to ? filters.values : fallback;
  const { data } = query;
  if (!data) return <QueryView query={query} refetch={refetch} />;
  const merchant = data.me?.merchant;
  if (!merchant) return <Empty>This account belongs to no merchant.</Empty>;
  return (
    <Page title="Overview" description={merchant.name}>
      <Card title="Balances" actions={<Link to="ledger">Ledger</Link>}>
        <Balances balances={merchant.balances} />
      </Card>
      <div className="toolbar" role="search" aria-label="Report period">
        <DateRangeFilter
          label="Period"
          value={range}
          clearable={false}
          onChange={(next) => filters.set({ from: next.from, to: next.to })}
        />
      </div>
      {!rangeProblem(range) && range.from && range.to ? (
        <ReportView range={range} />
      ) : (
        <p className="muted">Choose both days of the period.</p>
      )}
      <div className="grid">
        <OwnFeePlan />
      </div>
    </Page>
  );
}
