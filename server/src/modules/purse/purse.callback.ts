import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import { postToUrl, type PostResult } from '../../common/outbound';
import { DeliveryError, enqueue, outboxHandler, type OutboxHandler } from '../outbox';
import { Purse, PursePayment, PurseOperation } from './purse.entity';
import { resultForm } from './purse.protocol';

/*
 * The Result URL callback (seed B6): per paid SMS, one form POST (application/x-www-form-urlencoded, UTF-8) with the
 * protocol's fields, `s_sign_v2` and the merchant's extra fields, delivered through the outbox: written in the same
 * transaction as the SMS that causes it, retried with backoff until the merchant answers 2xx, every attempt kept.
 */

export const PURSE_CALLBACK_KIND = 'purse.callback';
const TEST_TIMEOUT_MS = 10_000;

/** The form body: fields in the given order, UTF-8, "+" for spaces (what PHP and every form parser read). */
export function encodeForm(fields: readonly [string, string][]): string {
  return new URLSearchParams(fields.map(([name, value]): [string, string] => [name, value])).toString();
}

/** POSTs a form to a merchant's URL (see postToUrl: statuses resolve, redirects are not followed). */
export function postForm(
  url: string,
  body: string,
  options: { signal: AbortSignal; allowPrivate: boolean },
): Promise<PostResult> {
  return postToUrl(
    url,
    body,
    { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': 'Tollgate-SmsBank/1' },
    options,
  );
}

/** The callback of an operation, as it is sent now (signed with the purse's current secret). */
export async function callbackFields(em: EntityManager, operation: PurseOperation): Promise<[string, string][]> {
  const pursePayment = await em.findOneOrFail(PursePayment, operation.pursePaymentId);
  const purse = await em.findOneOrFail(Purse, operation.purseId);
  return resultForm(
    {
      s_purse: pursePayment.purseField,
      s_order_id: pursePayment.orderId,
      s_amount: pursePayment.amountField,
      s_clear_amount: pursePayment.clearAmount,
      s_inv: String(operation.number),
      s_phone: operation.phone,
    },
    purse.secret,
    pursePayment.extraFields,
  );
}

/** Queues an operation's callback in the caller's unit of work; at most one per operation (dedupe key). */
export function enqueueCallback(em: EntityManager, operation: PurseOperation): string {
  return enqueue(em, {
    kind: PURSE_CALLBACK_KIND,
    payload: { operationId: operation.id },
    merchantId: operation.merchantId,
    dedupeKey: operation.id,
  }).id;
}

/** A 2xx answer delivers; anything else (or none in time) is retried by the outbox with backoff. */
const deliverCallback: OutboxHandler<{ operationId: string }> = async ({ operationId }, { em, config, signal }) => {
  const operation = await em.findOne(PurseOperation, operationId);
  if (!operation) throw new DeliveryError('the operation record is missing', { permanent: true });
  const purse = await em.findOneOrFail(Purse, operation.purseId);
  // Signed per attempt with the current secret and sent to the current URL: a merchant who fixed either during an
  // outage gets the retries right.
  const body = encodeForm(await callbackFields(em, operation));
  const response = await postForm(purse.resultUrl, body, { signal, allowPrivate: config.allowPrivateCallbackUrls });
  if (response.status < 200 || response.status > 299) {
    const excerpt = response.body.trim().slice(0, 200);
    throw new DeliveryError(`HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`, { httpStatus: response.status });
  }
  return { httpStatus: response.status, detail: response.body.trim().slice(0, 200) || null };
};

// Merchants get 10 s to answer. 14 attempts with the outbox's backoff (15 s doubling, capped at 6 h) keep trying
// for about 10 to 20 hours, through a typical outage (as webhooks do).
/** Delivers Result URL callbacks (the module provides it as an outbox handler). */
export const purseCallbackHandler = outboxHandler(PURSE_CALLBACK_KIND, deliverCallback, {
  timeoutMs: 10_000,
  maxAttempts: 14,
  // An operation shows its callback's state and attempts for as long as the operation is kept (with the payment
  // history, like the ledger): one message and a few attempts per paid SMS.
  keptByOwner: true,
});

export interface TestCallbackResult {
  url: string;
  fields: [string, string][];
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

/**
 * A signed sample callback, sent now (not through the outbox) so the merchant sees their handler's answer at once.
 * It carries `s_inv=0` and `s_order_id=0`, which no real operation has, so a handler can tell it apart.
 */
export async function sendTestCallback(config: Config, purse: Purse): Promise<TestCallbackResult> {
  const fields = resultForm(
    {
      s_purse: String(purse.number),
      s_order_id: '0',
      s_amount: '1.00',
      s_clear_amount: '0',
      s_inv: '0',
      s_phone: '70000000000',
    },
    purse.secret,
    [{ name: 'test', value: '1' }],
  );
  try {
    const response = await postForm(purse.resultUrl, encodeForm(fields), {
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
      allowPrivate: config.allowPrivateCallbackUrls,
    });
    return { url: purse.resultUrl, fields, httpStatus: response.status, responseBody: response.body, error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message || error.name : String(error);
    return { url: purse.resultUrl, fields, httpStatus: null, responseBody: null, error: message.slice(0, 500) };
  }
}
