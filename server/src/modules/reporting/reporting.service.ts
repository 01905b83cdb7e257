import type { EntityManager } from '@mikro-orm/core';
import { utcDays } from '../../common/date-range';
import { Money } from '../../common/money';
import { accessCodeServiceNames } from '../access-code';
import { PaymentKind, paymentConversion, revenueByDay, revenueByProduct, type DailyRevenue } from '../payment';
import type { ProductRevenue } from '../payment';
import { purseNames } from '../purse';
import { smsByCountry, smsByOperator, type SmsTotals } from '../sms';
import { voucherProjectNames } from '../voucher';
import { ConversionReport, ProductReportRow, Report, RevenueDay, RevenueSeries, SmsReportRow } from './reporting.types';

/*
 * The reporting home composes what the owning modules compute (payment.report.ts, sms.report.ts) and the names the
 * product modules give their products: this module reads no table itself.
 */

export interface ReportScope {
  merchantId: string;
  from: Date;
  to: Date;
}

/** The series of each currency seen in either period, every day of the period present, oldest first. */
export function revenueSeries(
  current: DailyRevenue[],
  previous: DailyRevenue[],
  range: { from: Date; to: Date; previousFrom: Date },
): RevenueSeries[] {
  const days = utcDays(range);
  const previousDays = utcDays({ from: range.previousFrom, to: range.from });
  // Aligned from the end when a partial day makes the lists differ by one: the last day compares with the last.
  const offset = previousDays.length - days.length;
  const currencies = [...new Set([...current, ...previous].map((row) => row.currency))].sort();
  return currencies.map((currency) => {
    const byDay = new Map(current.filter((row) => row.currency === currency).map((row) => [row.day, row]));
    const previousByDay = new Map(previous.filter((row) => row.currency === currency).map((row) => [row.day, row]));
    const sum = (rows: Map<string, DailyRevenue>) =>
      [...rows.values()].reduce((total, row) => total + row.amountMinor, 0n);
    return Object.assign(new RevenueSeries(), {
      currency,
      total: Money.of(sum(byDay), currency),
      previousTotal: Money.of(sum(previousByDay), currency),
      days: days.map((day, index) => {
        const previousDay = previousDays[index + offset] ?? '';
        return Object.assign(new RevenueDay(), {
          day,
          revenue: Money.of(byDay.get(day)?.amountMinor ?? 0n, currency),
          payments: byDay.get(day)?.payments ?? 0,
          previousDay,
          previousRevenue: Money.of(previousByDay.get(previousDay)?.amountMinor ?? 0n, currency),
        });
      }),
    });
  });
}

function smsRow(row: SmsTotals): SmsReportRow {
  return Object.assign(new SmsReportRow(), {
    country: row.country,
    operator: row.operator,
    sms: row.sms,
    revenue: Money.of(row.grossMinor, row.currency),
    merchantYield: Money.of(row.yieldMinor, row.currency),
  });
}

type ProductNames = (
  em: EntityManager,
  merchantId: string,
  ids: readonly string[],
) => Promise<Map<string, { name: string; removed: boolean }>>;

/** Who names the products of each kind that has them. */
const NAMERS: Partial<Record<PaymentKind, ProductNames>> = {
  [PaymentKind.PURSE]: purseNames,
  [PaymentKind.VOUCHER]: voucherProjectNames,
  [PaymentKind.ACCESS_CODE]: accessCodeServiceNames,
};

/** Each product row with its product's name, asked of the module that owns the product. */
async function namedProducts(
  em: EntityManager,
  merchantId: string,
  rows: readonly ProductRevenue[],
): Promise<ProductReportRow[]> {
  const names = new Map<string, { name: string; removed: boolean }>();
  for (const [kind, namer] of Object.entries(NAMERS) as [PaymentKind, ProductNames][]) {
    const ids = [...new Set(rows.flatMap((row) => (row.kind === kind && row.productId ? [row.productId] : [])))];
    for (const [id, named] of await namer(em, merchantId, ids)) names.set(`${kind}:${id}`, named);
  }
  return rows.map((row) => {
    const named = row.productId ? names.get(`${row.kind}:${row.productId}`) : undefined;
    return Object.assign(new ProductReportRow(), {
      kind: row.kind,
      productId: row.productId,
      name: named?.name ?? null,
      productRemoved: named?.removed ?? false,
      payments: row.payments,
      revenue: Money.of(row.amountMinor, row.currency),
    });
  });
}

/** The report of one merchant for [from, to), with the previous period of the same length before it. */
export async function buildReport(em: EntityManager, scope: ReportScope): Promise<Report> {
  const previousFrom = new Date(scope.from.getTime() - (scope.to.getTime() - scope.from.getTime()));
  const previousScope = { merchantId: scope.merchantId, from: previousFrom, to: scope.from };
  const [current, previous, conversion, byCountry, byOperator, products] = await Promise.all([
    revenueByDay(em, scope),
    revenueByDay(em, previousScope),
    paymentConversion(em, scope),
    smsByCountry(em, scope),
    smsByOperator(em, scope),
    revenueByProduct(em, scope),
  ]);
  return Object.assign(new Report(), {
    merchantId: scope.merchantId,
    from: scope.from,
    to: scope.to,
    previousFrom,
    revenue: revenueSeries(current, previous, { from: scope.from, to: scope.to, previousFrom }),
    conversion: Object.assign(new ConversionReport(), {
      started: conversion.started,
      paid: conversion.paid,
      rate: conversion.started ? conversion.paid / conversion.started : null,
    }),
    smsByCountry: byCountry.map(smsRow),
    smsByOperator: byOperator.map(smsRow),
    topProducts: await namedProducts(em, scope.merchantId, products),
  });
}
