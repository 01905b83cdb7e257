import {
  cacheExchange,
  type Cache,
  type DataFields,
  type CacheExchangeOpts,
  type Data,
  type KeyingConfig,
} from '@urql/exchange-graphcache';
import type { IntrospectionQuery } from 'graphql';
import introspection from '../gql/introspection.json';

/**
 * The normalized cache (urql graphcache) and how live updates reach it.
 *
 * - Every object with an `id` is one entity (`Payment:pay_…`, `SmsMessage:sms_…`): a change seen anywhere (a
 *   mutation's payload, a subscription event, another query) shows everywhere it is displayed.
 * - Objects without an id (Money, connections, edges, page info, payloads, public views) belong to their parent.
 * - After a mutation changed something (no userErrors), the lists and summaries on the Query root are refetched
 *   when next shown; single objects update in place from the payload.
 * - Subscriptions (`smsReceived`, `pursePaymentChanged`) write their objects into the cache, and put new ones into
 *   the lists that should show them (an SMS held in suspense or made a payer's credit refreshes those lists).
 */

const schema = introspection as unknown as IntrospectionQuery;

interface NamedType {
  name: string;
  list: boolean;
}

function namedType(type: unknown): NamedType {
  let current = type as { kind: string; name: string | null; ofType?: unknown };
  let list = false;
  while (current.kind === 'NON_NULL' || current.kind === 'LIST') {
    if (current.kind === 'LIST') list = true;
    current = current.ofType as typeof current;
  }
  return { name: current.name ?? '', list };
}

const objectTypes = schema.__schema.types.filter((type) => type.kind === 'OBJECT' && !type.name.startsWith('__'));
const rootNames = new Set(['Query', 'Mutation', 'Subscription']);
const keyedTypes = new Set(
  objectTypes.filter((type) => 'fields' in type && type.fields.some((field) => field.name === 'id')).map((t) => t.name),
);

/** Types without an id: embedded in whatever holds them (graphcache would otherwise warn about each). */
const keys: KeyingConfig = {
  Payment: (data) => (data.id as string | undefined) ?? null,
  SmsMessage: (data) => (data.id as string | undefined) ?? null,
};
for (const type of objectTypes) {
  if (!rootNames.has(type.name) && !keyedTypes.has(type.name)) keys[type.name] = () => null;
}

/** Query fields answering one object with an id (`payment(id)`): they update in place, nothing to refetch. */
const queryFields = objectTypes.find((type) => type.name === 'Query');
const entityQueryFields = new Set(
  (queryFields && 'fields' in queryFields ? queryFields.fields : [])
    .filter((field) => {
      const named = namedType(field.type);
      return !named.list && keyedTypes.has(named.name);
    })
    .map((field) => field.name),
);
/** The signed-in user: it changes with logins, which swap the whole client. */
const keptQueryFields = new Set(['me']);

function hasUserErrors(payload: unknown): boolean {
  if (!payload || typeof payload !== 'object') return false;
  const errors = (payload as { userErrors?: unknown }).userErrors;
  return Array.isArray(errors) && errors.length > 0;
}

/** After a change: lists, counts and summaries on the Query root are stale; refetch them when shown. */
function invalidateLists(cache: Cache) {
  for (const field of cache.inspectFields('Query')) {
    if (entityQueryFields.has(field.fieldName) || keptQueryFields.has(field.fieldName)) continue;
    cache.invalidate('Query', field.fieldName, field.arguments ?? undefined);
  }
}

/** Entity keys of a cached connection's nodes, or null when the connection is not cached. */
function connectionNodes(cache: Cache, connection: string | null): string[] | null {
  if (!connection) return null;
  const edges = cache.resolve(connection, 'edges');
  if (!Array.isArray(edges)) return null;
  return edges.map((edge) => cache.resolve(edge as string, 'node')).filter((key): key is string => !!key);
}

/** Ids sort by creation time (`newId` is time-ordered): is `key` newer than the oldest node shown? */
function idOf(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

/**
 * A live object arrived: the first pages of `fieldName` lists that don't hold it yet are refetched when it is new
 * enough to appear on them (filters are the server's to apply). Later pages stay put while being read.
 */
function refreshFirstPages(cache: Cache, fieldName: string, entityKey: string) {
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== fieldName || field.arguments?.after) continue;
    const connection = cache.resolve('Query', field.fieldKey) as string | null;
    const nodes = connectionNodes(cache, connection);
    if (nodes === null) continue;
    if (nodes.includes(entityKey)) continue;
    const oldest = nodes.map(idOf).sort()[0];
    const full = typeof field.arguments?.first === 'number' && nodes.length >= field.arguments.first;
    if (full && oldest !== undefined && idOf(entityKey) < oldest) continue;
    cache.invalidate('Query', field.fieldName, field.arguments ?? undefined);
  }
}

/** SMS statuses that put money in suspense or in a payer's credit: those lists change with them. */
const SETTLEMENT_LISTS: Record<string, string[]> = {
  UNMATCHED: ['suspenseItems'],
  FLAGGED: ['suspenseItems'],
  CREDITED: ['suspenseItems', 'payerCredits'],
};

/** First pages of the named lists are refetched when next shown (their items are not SMS: no key to compare). */
function refreshLists(cache: Cache, fieldNames: readonly string[]) {
  for (const field of cache.inspectFields('Query')) {
    if (!fieldNames.includes(field.fieldName) || field.arguments?.after) continue;
    cache.invalidate('Query', field.fieldName, field.arguments ?? undefined);
  }
}

function onSmsReceived(result: DataFields, cache: Cache) {
  const sms = result.smsReceived as Data | null;
  if (!sms || typeof sms.id !== 'string') return;
  const smsKey = cache.keyOfEntity({ __typename: 'SmsMessage', id: sms.id });
  if (!smsKey) return;
  refreshFirstPages(cache, 'smsMessages', smsKey);
  const status = sms.status ?? cache.resolve(smsKey, 'status');
  if (typeof status === 'string' && SETTLEMENT_LISTS[status]) refreshLists(cache, SETTLEMENT_LISTS[status]);
  // The payment's own SMS list (payment page) gets the new line.
  const paymentId = (sms.payment as Data | null)?.id ?? sms.paymentId;
  if (typeof paymentId === 'string') {
    const paymentKey = cache.keyOfEntity({ __typename: 'Payment', id: paymentId });
    if (paymentKey) {
      const lines = cache.resolve(paymentKey, 'sms') as unknown;
      if (Array.isArray(lines) && !lines.includes(smsKey)) {
        const next = [...(lines as string[]), smsKey];
        cache.link(paymentKey, 'sms', next as unknown as Data[]);
      }
      refreshFirstPages(cache, 'payments', paymentKey);
      refreshFilteredPayments(cache);
    }
  }
  // Money moved: the merchant's balances and its reports are stale (refetched where shown).
  const merchantId = (sms.payment as Data | null)?.merchantId ?? sms.merchantId;
  if (typeof merchantId === 'string') refreshMoney(cache, merchantId);
}

/**
 * A payment's status or amount changed: lists filtered by status (or anything but paging) may gain or lose it, which
 * the payment's own entity cannot say. Refetch them when shown.
 */
function refreshFilteredPayments(cache: Cache) {
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'payments' || !field.arguments) continue;
    const filtered = Object.entries(field.arguments).some(
      ([name, value]) => !['first', 'after'].includes(name) && value !== null && value !== undefined,
    );
    if (filtered) cache.invalidate('Query', field.fieldName, field.arguments);
  }
}

/** The merchant's balances and reports change with money: refetch them where shown. */
function refreshMoney(cache: Cache, merchantId: string) {
  const merchantKey = cache.keyOfEntity({ __typename: 'Merchant', id: merchantId });
  if (merchantKey) cache.invalidate(merchantKey, 'balances');
  refreshLists(cache, ['report']);
}

function onPursePaymentChanged(result: DataFields, cache: Cache) {
  const pursePayment = result.pursePaymentChanged as Data | null;
  if (!pursePayment || typeof pursePayment.id !== 'string') return;
  const key = cache.keyOfEntity({ __typename: 'PursePayment', id: pursePayment.id });
  if (key) refreshFirstPages(cache, 'pursePayments', key);
  const paymentId = (pursePayment.payment as Data | null)?.id ?? pursePayment.paymentId;
  if (typeof paymentId === 'string') {
    const paymentKey = cache.keyOfEntity({ __typename: 'Payment', id: paymentId });
    if (paymentKey) refreshFirstPages(cache, 'payments', paymentKey);
  }
}

export function createCacheExchange() {
  const options: CacheExchangeOpts = {
    schema,
    keys,
    updates: {
      Mutation: {},
      Subscription: {
        smsReceived: (result, _args, cache) => onSmsReceived(result, cache),
        pursePaymentChanged: (result, _args, cache) => onPursePaymentChanged(result, cache),
      },
    },
  };
  // Every mutation: refetch lists once it changed something.
  const mutationType = objectTypes.find((type) => type.name === 'Mutation');
  for (const field of mutationType && 'fields' in mutationType ? mutationType.fields : []) {
    options.updates!.Mutation![field.name] = (result, _args, cache) => {
      if (!hasUserErrors(result[field.name])) invalidateLists(cache);
    };
  }
  return cacheExchange(options);
}
