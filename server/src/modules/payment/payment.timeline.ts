import type { EntityManager } from '@mikro-orm/core';
import { Ctx, Field, FieldResolver, ID, ObjectType, registerEnumType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import type { Extensions } from '../../common/module';
import { LedgerTransfer } from '../ledger';
import { OutboxStatus, type DeliveryState } from '../outbox';
import { paymentEventDeliveries } from '../webhook';
import { Payment, PaymentStatus } from './payment.entity';

/*
 * A payment's story in time: what the payment itself records (created, paid, cancelled, expired, each ledger transfer
 * written for it) and what other modules know of it, each told by the module that owns it (its SMS, the webhook
 * deliveries of its events, a purse's Result URL callbacks) through the `paymentTimeline` extension point. The
 * payment module never reads their tables; they never learn of this view beyond the entries they give.
 */

export enum PaymentTimelineKind {
  CREATED = 'CREATED',
  SMS_COUNTED = 'SMS_COUNTED',
  SMS_NOT_COUNTED = 'SMS_NOT_COUNTED',
  SMS_REPLY = 'SMS_REPLY',
  PAID = 'PAID',
  MONEY = 'MONEY',
  REFUND = 'REFUND',
  CHARGEBACK = 'CHARGEBACK',
  CALLBACK = 'CALLBACK',
  WEBHOOK = 'WEBHOOK',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(PaymentTimelineKind, {
  name: 'PaymentTimelineKind',
  description:
    'What happened: CREATED; an SMS that counted (SMS_COUNTED) or did not (SMS_NOT_COUNTED); a reply SMS; PAID; ' +
    'money booked (MONEY), refunded (REFUND) or charged back (CHARGEBACK); a Result URL callback (CALLBACK) or a ' +
    'webhook delivery (WEBHOOK) with its outcome; CANCELLED; EXPIRED. Values only grow.',
});

export enum DeliveryOutcome {
  DELIVERED = 'DELIVERED',
  WAITING = 'WAITING',
  FAILED = 'FAILED',
}
registerEnumType(DeliveryOutcome, {
  name: 'DeliveryOutcome',
  description: 'A callback or webhook: DELIVERED (answered 2xx), WAITING (to be retried), FAILED (given up).',
});

@ObjectType({ description: 'One thing that happened to a payment, with its time; oldest first in Payment.timeline.' })
export class PaymentTimelineEntry {
  @Field(() => Date)
  at!: Date;

  @Field(() => PaymentTimelineKind)
  kind!: PaymentTimelineKind;

  @Field(() => String, { description: 'What happened, in a sentence: "SMS from +359******456 counted: 2.50".' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'More about it: a flag reason, a delivery error, a URL.' })
  detail!: string | null;

  @Field(() => DeliveryOutcome, { nullable: true, description: 'For CALLBACK and WEBHOOK: how the delivery went.' })
  outcome!: DeliveryOutcome | null;

  @Field(() => ID, { nullable: true, description: 'The ledger transfer that moved its money, if any moved.' })
  transferId!: string | null;
}

/** A timeline entry; `detail`, `outcome` and `transferId` default to null. */
export function timelineEntry(
  fields: Pick<PaymentTimelineEntry, 'at' | 'kind' | 'title'> & Partial<PaymentTimelineEntry>,
): PaymentTimelineEntry {
  return Object.assign(new PaymentTimelineEntry(), { detail: null, outcome: null, transferId: null, ...fields });
}

/**
 * A callback or webhook delivery: delivered (when), waiting (attempts so far, the last error) or given up. A message
 * the outbox no longer keeps was delivered long ago.
 */
export function deliveryEntry(
  kind: PaymentTimelineKind.CALLBACK | PaymentTimelineKind.WEBHOOK,
  queuedAt: Date,
  title: string,
  state: DeliveryState | null,
): PaymentTimelineEntry {
  if (!state || state.status === OutboxStatus.DELIVERED)
    return timelineEntry({
      at: state?.deliveredAt ?? queuedAt,
      kind,
      title: `${title}: delivered`,
      outcome: DeliveryOutcome.DELIVERED,
      detail: state ? `after ${state.attemptCount} attempt${state.attemptCount === 1 ? '' : 's'}` : null,
    });
  if (state.status === OutboxStatus.DEAD)
    return timelineEntry({
      at: queuedAt,
      kind,
      title: `${title}: given up`,
      outcome: DeliveryOutcome.FAILED,
      detail: `${state.attemptCount} attempts; last error: ${state.lastError ?? 'none recorded'}`,
    });
  return timelineEntry({
    at: queuedAt,
    kind,
    title: `${title}: waiting`,
    outcome: DeliveryOutcome.WAITING,
    detail: state.attemptCount
      ? `${state.attemptCount} attempt${state.attemptCount === 1 ? '' : 's'} so far; last error: ${state.lastError ?? 'none'}`
      : 'not attempted yet',
  });
}

/** What a module tells of a payment: its own entries, read from its own tables. */
export type PaymentTimelineSource = (em: EntityManager, payment: Payment) => Promise<PaymentTimelineEntry[]>;

declare module '../../common/module' {
  interface Extensions {
    paymentTimeline: readonly PaymentTimelineSource[];
  }
}

// Within one instant, the order the story is told in (a payment is created before its SMS counts, and paid before
// its webhook goes out).
const RANK: Record<PaymentTimelineKind, number> = {
  CREATED: 0,
  SMS_COUNTED: 1,
  SMS_NOT_COUNTED: 1,
  SMS_REPLY: 4,
  MONEY: 2,
  PAID: 3,
  REFUND: 3,
  CHARGEBACK: 3,
  CANCELLED: 3,
  EXPIRED: 3,
  CALLBACK: 5,
  WEBHOOK: 5,
};

function transferKind(transfer: LedgerTransfer): PaymentTimelineKind {
  const text = `${transfer.idempotencyKey} ${transfer.description ?? ''}`.toLowerCase();
  if (text.includes('chargeback')) return PaymentTimelineKind.CHARGEBACK;
  if (text.includes('refund')) return PaymentTimelineKind.REFUND;
  return PaymentTimelineKind.MONEY;
}

/** The payment's timeline: its own transitions and transfers, and every source's entries, oldest first. */
export async function paymentTimeline(
  em: EntityManager,
  payment: Payment,
  sources: readonly PaymentTimelineSource[],
): Promise<PaymentTimelineEntry[]> {
  const entries: PaymentTimelineEntry[] = [
    timelineEntry({ at: payment.createdAt, kind: PaymentTimelineKind.CREATED, title: 'Payment created' }),
  ];
  if (payment.paidAt)
    entries.push(timelineEntry({ at: payment.paidAt, kind: PaymentTimelineKind.PAID, title: 'Paid' }));
  // Final states keep no time of their own: the last change is when they happened.
  if (payment.status === PaymentStatus.CANCELLED)
    entries.push(timelineEntry({ at: payment.updatedAt, kind: PaymentTimelineKind.CANCELLED, title: 'Cancelled' }));
  if (payment.status === PaymentStatus.EXPIRED)
    entries.push(timelineEntry({ at: payment.updatedAt, kind: PaymentTimelineKind.EXPIRED, title: 'Expired unpaid' }));
  for (const source of sources) entries.push(...(await source(em, payment)));
  for (const delivery of await paymentEventDeliveries(em, payment.merchantId, payment.id))
    entries.push(
      deliveryEntry(
        PaymentTimelineKind.WEBHOOK,
        delivery.queuedAt,
        `Webhook ${delivery.eventType} to ${delivery.url}`,
        delivery.state,
      ),
    );

  // Every transfer no source told of (the payment's release when paid, refunds, chargebacks, credit spent) is told
  // here, by its own description.
  const told = new Set(entries.map((entry) => entry.transferId).filter(Boolean));
  const transfers = await em.find(LedgerTransfer, { paymentId: payment.id }, { orderBy: { id: 'asc' } });
  for (const transfer of transfers) {
    if (told.has(transfer.id)) continue;
    entries.push(
      timelineEntry({
        at: transfer.createdAt,
        kind: transferKind(transfer),
        title: transfer.description ?? 'Money moved',
        transferId: transfer.id,
      }),
    );
  }
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        a.entry.at.getTime() - b.entry.at.getTime() || RANK[a.entry.kind] - RANK[b.entry.kind] || a.index - b.index,
    )
    .map(({ entry }) => entry);
}

const resolversBySources = new Map<string, Function>();

/** The resolver of `Payment.timeline`, with the sources the modules provide. */
export function paymentTimelineResolver(extensions: Extensions): Function {
  const sources = extensions.paymentTimeline ?? [];
  // Built once per set of sources: the schema builder keeps every resolver class it has seen.
  const key = sources.map((source) => source.name).join();
  const built = resolversBySources.get(key);
  if (built) return built;

  @Resolver(() => Payment)
  class PaymentTimelineResolver {
    @FieldResolver(() => [PaymentTimelineEntry], {
      description:
        'What happened to it, oldest first: created, each SMS, paid, each callback and webhook delivery with its ' +
        'outcome, refunds, chargebacks, expiry or cancellation; entries that moved money link their ledger transfer.',
    })
    timeline(@Root() payment: Payment, @Ctx() ctx: Context): Promise<PaymentTimelineEntry[]> {
      return paymentTimeline(ctx.em, payment, sources);
    }
  }
  resolversBySources.set(key, PaymentTimelineResolver);
  return PaymentTimelineResolver;
}
