import type { EntityManager } from '@mikro-orm/core';
import { ArgsType, Field } from 'type-graphql';
import { graphqlError } from './errors';
import { PageArgs } from './pagination';

/** The longest range a list or a report may span: a year and a day, so "this year" fits with a leap day. */
export const MAX_RANGE_DAYS = 367;
const DAY_MS = 86_400_000;

/** A half-open time range, `from` inclusive and `to` exclusive; either end may be open. */
export interface DateRange {
  from: Date | null;
  to: Date | null;
}

/** Page arguments of a list that can also be limited to a time range. */
@ArgsType()
export class RangedPageArgs extends PageArgs {
  @Field(() => Date, { nullable: true, description: 'Only items created at or after this instant (inclusive).' })
  from?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: `Only items created before this instant (exclusive); after from, at most ${MAX_RANGE_DAYS} days on.`,
  })
  to?: Date | null;
}

/** Checks a range from outside: `from` before `to` and at most MAX_RANGE_DAYS apart; BAD_USER_INPUT otherwise. */
export function checkDateRange(range: { from?: Date | null; to?: Date | null }): DateRange {
  const from = range.from ?? null;
  const to = range.to ?? null;
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== null && Number.isNaN(value.getTime())) throw graphqlError('BAD_USER_INPUT', `${name} is not a date`);
  }
  if (from && to) {
    if (from.getTime() >= to.getTime()) throw graphqlError('BAD_USER_INPUT', 'from must be before to');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw graphqlError('BAD_USER_INPUT', `from and to may be at most ${MAX_RANGE_DAYS} days apart`);
    }
  }
  return { from, to };
}

/** A list's filter on one datetime property for a checked range (empty when both ends are open). */
export function rangeFilter(property: string, args: { from?: Date | null; to?: Date | null }): Record<string, unknown> {
  const { from, to } = checkDateRange(args);
  if (!from && !to) return {};
  return { [property]: { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) } };
}

export function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name === 'PostgreSqlPlatform';
}

/** A Date as raw SQL wants it: MikroORM keeps datetimes as epoch milliseconds on SQLite and timestamptz on PostgreSQL. */
export function sqlTime(em: EntityManager, date: Date): Date | number {
  return isPostgres(em) ? date : date.getTime();
}

/**
 * SQL for the UTC day ("2026-12-05") of a datetime column, the same on both databases: SQLite holds epoch
 * milliseconds, PostgreSQL a timestamptz whose rendering would otherwise follow the session's time zone.
 */
export function utcDaySql(em: EntityManager, column: string): string {
  return isPostgres(em)
    ? `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`
    : `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;
}

/** The UTC days from `from` up to (not including) `to`, as "YYYY-MM-DD": every bucket a chart shows, empty or not. */
export function utcDays(range: { from: Date; to: Date }): string[] {
  const days: string[] = [];
  let day = Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth(), range.from.getUTCDate());
  for (; day < range.to.getTime(); day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}
