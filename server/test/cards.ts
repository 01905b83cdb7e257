import type { Auth, TestApp } from './harness';
import type { CardDeps } from '../src/modules/card/card.service';

/** Card rail helpers for tests: the hosted page's calls (tokenise, pay), a merchant's card payment, worker deps. */

export const CREATE_CARD_PAYMENT = `mutation($input: CreateCardPaymentInput!) {
  createCardPayment(input: $input) {
    payment { id kind status amount { amount currency } amountReceived { amount } }
    payUrl
    userErrors { code field message }
  }
}`;

export const PAY_BY_CARD = `mutation($pageToken: String!, $cardToken: String!, $key: String!, $email: String) {
  payByCard(pageToken: $pageToken, cardToken: $cardToken, idempotencyKey: $key, email: $email) {
    status message chargeId declineCode challenge redirectUrl
    payment { status cardAccepted remaining { amount currency } amountReceived { amount } }
    userErrors { code field message }
  }
}`;

export const COMPLETE_CHALLENGE = `mutation($pageToken: String!, $chargeId: ID!, $answer: String!) {
  completeCardChallenge(pageToken: $pageToken, chargeId: $chargeId, answer: $answer) {
    status message chargeId declineCode challenge redirectUrl
    payment { status }
    userErrors { code field message }
  }
}`;

export const REFUND = `mutation($input: RefundCardPaymentInput!) {
  refundCardPayment(input: $input) {
    refund { id status amount { amount } declineCode }
    payment { id status }
    userErrors { code field message }
  }
}`;

export const PAYMENT_CARDS = `query($id: ID!) {
  payment(id: $id) {
    id status kind amountReceived { amount }
    cardCharges { id status lateCapture captureMode amount { amount currency } captured { amount } refunded { amount } brand last4
                  declineCode processorReference operations { kind idempotencyKey state outcome reference declineCode durationMs } }
    refunds { id status amount { amount } }
    chargebacks { id status amount { amount } }
  }
}`;

/** A card expiry a few years ahead. */
export const EXP_YEAR = new Date().getUTCFullYear() + 3;

let keys = 0;
export const newKey = (prefix = 'k') => `${prefix}-${Date.now()}-${++keys}`;

export const pageTokenOf = (payUrl: string) => payUrl.split('/pay/')[1];

/** POST /card/tokens as the hosted page sends it; returns the HTTP status and the JSON answer. */
export async function postCard(t: TestApp, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const response = await fetch(`${t.url}/card/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

export async function tokenise(t: TestApp, pageToken: string, number: string, holderName = 'Ada Lovelace') {
  const { status, json } = await postCard(t, {
    pageToken,
    number,
    expMonth: 12,
    expYear: EXP_YEAR,
    cvc: '123',
    holderName,
  });
  if (status !== 201) throw new Error(`tokenise: ${status} ${JSON.stringify(json)}`);
  return json as { token: string; brand: string; last4: string; expMonth: number; expYear: number };
}

export async function createCardPayment(t: TestApp, auth: Auth, input: Record<string, unknown> = {}) {
  const result = await t.gql(
    CREATE_CARD_PAYMENT,
    { input: { amount: '10.00', currency: 'EUR', description: 'Card test', ...input } },
    auth,
  );
  const payload = result.data?.createCardPayment;
  if (!payload?.payment) throw new Error(`createCardPayment: ${JSON.stringify(result)}`);
  return { ...payload, pageToken: pageTokenOf(payload.payUrl) } as {
    payment: { id: string; status: string };
    payUrl: string;
    pageToken: string;
  };
}

/** Tokenises `number` on the payment's page and pays with it. */
export async function payWith(t: TestApp, pageToken: string, number: string, email: string | null = null) {
  const card = await tokenise(t, pageToken, number);
  const result = await t.gql(PAY_BY_CARD, { pageToken, cardToken: card.token, key: newKey('pay'), email });
  if (result.errors) throw new Error(`payByCard: ${JSON.stringify(result.errors)}`);
  return result.data!.payByCard;
}

/** What the rail's workers run on, for driving reconciliation from a test. */
export function workerDeps(t: TestApp): CardDeps {
  const platform = t.app.platform;
  return {
    em: platform.orm.em.fork(),
    pubsub: platform.pubsub,
    config: platform.config,
    extensions: platform.extensions,
    limits: platform.limits,
  };
}
