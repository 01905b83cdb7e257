import { randomInt } from 'node:crypto';
import { newToken } from '../../common/ids';
import { SIGNATURE_HEADER, signPayload } from '../../common/signature';
import { encodeForm, resultForm } from '../purse';
import { EndpointCheckProbeKind, type EndpointCheckReference } from './endpoint-check.entity';

/*
 * The test callbacks of a check, built but not sent. Each names test operations no payment has, so a merchant's
 * system can tell them apart and no money moves:
 * - purses (sms:bank): `s_order_id=0` (the test order, as sendPurseTestCallback uses) with the extra fields `test=1`
 *   and `check=<check id>`; `s_inv` from 2000000000 up, a range real operation numbers do not reach.
 * - webhooks: event ids `evt_test_…` of type `payment.paid` about a payment `pay_test_…`, `metadata.test = true`.
 *
 * "Stale": webhooks carry a signed timestamp, so a stale one is signed an hour ago (receivers allow 5 minutes). The
 * sms:bank protocol has none: nothing in a callback says when it was made, so the only defence against a replayed
 * callback is remembering every `s_inv` for ever. A stale purse callback is therefore the valid callback of the
 * purse's previous check replayed (its `s_inv` was fulfilled then, so fulfilling it now is a second time); a first
 * check has none to replay and says so.
 */

export interface PlannedProbe {
  kind: EndpointCheckProbeKind;
  reference: string | null;
  description: string;
  /** Null: not sent (nothing to replay). */
  request: { body: string; headers: Record<string, string> } | null;
}

export interface Plan {
  probes: PlannedProbe[];
  references: EndpointCheckReference[];
}

const FORM_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  'user-agent': 'Tollgate-EndpointCheck/1',
};

/** The first `s_inv` of a check's operations: 2000000000 + a multiple of 10, below the int limit. */
export const TEST_INV_BASE = 2_000_000_000;

function reference(value: string, description: string, expected: number): EndpointCheckReference {
  return { reference: value, description, expected, fulfilled: null };
}

/** A purse's test callbacks. `previousValid` is the valid callback's `s_inv` of the purse's previous check. */
export function pursePlan(
  purse: { number: number; secret: string },
  checkId: string,
  previous: { checkId: string; inv: string } | null,
): Plan {
  const base = TEST_INV_BASE + randomInt(0, 14_000_000) * 10;
  const [a, b, c, d] = [0, 1, 2, 3].map((offset) => String(base + offset));
  const callback = (inv: string, secret: string, check = checkId) =>
    encodeForm(
      resultForm(
        {
          s_purse: String(purse.number),
          s_order_id: '0',
          s_amount: '1.00',
          s_clear_amount: '0',
          s_inv: inv,
          s_phone: '70000000000',
        },
        secret,
        [
          { name: 'test', value: '1' },
          { name: 'check', value: check },
        ],
      ),
    );
  const send = (body: string) => ({ body, headers: FORM_HEADERS });
  const probes: PlannedProbe[] = [
    {
      kind: EndpointCheckProbeKind.VALID,
      reference: a,
      description: `s_inv=${a}, correctly signed`,
      request: send(callback(a, purse.secret)),
    },
    {
      kind: EndpointCheckProbeKind.DUPLICATE,
      reference: a,
      description: `s_inv=${a} again, as a retry sends it`,
      request: send(callback(a, purse.secret)),
    },
    {
      kind: EndpointCheckProbeKind.OUT_OF_ORDER_LATER,
      reference: c,
      description: `s_inv=${c}, before ${b}`,
      request: send(callback(c, purse.secret)),
    },
    {
      kind: EndpointCheckProbeKind.OUT_OF_ORDER_EARLIER,
      reference: b,
      description: `s_inv=${b}, after ${c}`,
      request: send(callback(b, purse.secret)),
    },
    {
      kind: EndpointCheckProbeKind.BAD_SIGNATURE,
      reference: d,
      description: `s_inv=${d}, s_sign_v2 made with a wrong secret code`,
      request: send(callback(d, newToken(16))),
    },
    previous
      ? {
          kind: EndpointCheckProbeKind.STALE,
          reference: previous.inv,
          description: `s_inv=${previous.inv} from the previous check, replayed (the protocol has no timestamp)`,
          request: send(callback(previous.inv, purse.secret, previous.checkId)),
        }
      : {
          kind: EndpointCheckProbeKind.STALE,
          reference: null,
          description: 'not sent: a stale purse callback is a replay of the previous check’s; run the check again',
          request: null,
        },
  ];
  const references = [
    reference(a, 'valid, sent twice', 1),
    reference(c, 'valid, sent before the next one', 1),
    reference(b, 'valid, sent after the previous one', 1),
    reference(d, 'wrong signature', 0),
  ];
  // Fulfilled once in its own check; fulfilled again now means twice in all.
  if (previous) references.push(reference(previous.inv, 'fulfilled in the previous check, replayed now', 1));
  return { probes, references };
}

/** A webhook endpoint's test events, signed as deliveries are (X-Tollgate-Signature). */
export function webhookPlan(endpoint: { merchantId: string; secret: string }, checkId: string, now: Date): Plan {
  const [a, b, c, d, s] = [0, 1, 2, 3, 4].map(() => `evt_test_${newToken(12)}`);
  const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
  const body = (id: string, createdAt: string) => {
    const paymentId = `pay_test_${newToken(12)}`;
    return JSON.stringify({
      id,
      type: 'payment.paid',
      createdAt,
      data: {
        id: paymentId,
        merchantId: endpoint.merchantId,
        kind: 'PURSE',
        status: 'PAID',
        reference: 'TEST',
        externalId: null,
        description: 'Tollgate endpoint check: a test, not a payment',
        amount: '1.00',
        amountReceived: '1.00',
        currency: 'USD',
        net: '0.00',
        refunded: '0.00',
        metadata: { test: true, endpointCheck: checkId },
        createdAt,
        paidAt: createdAt,
      },
    });
  };
  const signed = (raw: string, secret = endpoint.secret, signedAt = now) => ({
    body: raw,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Tollgate-EndpointCheck/1',
      [SIGNATURE_HEADER]: signPayload(secret, raw, signedAt),
    },
  });
  const valid = body(a, at(10));
  const probes: PlannedProbe[] = [
    {
      kind: EndpointCheckProbeKind.VALID,
      reference: a,
      description: `event ${a}, correctly signed`,
      request: signed(valid),
    },
    {
      kind: EndpointCheckProbeKind.DUPLICATE,
      reference: a,
      description: `event ${a} again, as a retry sends it`,
      request: signed(valid),
    },
    {
      kind: EndpointCheckProbeKind.OUT_OF_ORDER_LATER,
      reference: c,
      description: `event ${c}, created after ${b} but sent first`,
      request: signed(body(c, at(2))),
    },
    {
      kind: EndpointCheckProbeKind.OUT_OF_ORDER_EARLIER,
      reference: b,
      description: `event ${b}, created first but sent second`,
      request: signed(body(b, at(5))),
    },
    {
      kind: EndpointCheckProbeKind.BAD_SIGNATURE,
      reference: d,
      description: `event ${d}, signed with a wrong secret`,
      request: signed(body(d, at(1)), `whsec_${newToken(24)}`),
    },
    {
      kind: EndpointCheckProbeKind.STALE,
      reference: s,
      description: `event ${s}, correctly signed an hour ago (receivers allow 5 minutes)`,
      request: signed(body(s, at(3600)), endpoint.secret, new Date(now.getTime() - 3600_000)),
    },
  ];
  return {
    probes,
    references: [
      reference(a, 'valid, sent twice', 1),
      reference(c, 'valid, sent before the next one', 1),
      reference(b, 'valid, sent after the previous one', 1),
      reference(d, 'wrong signature', 0),
      reference(s, 'signed an hour ago', 0),
    ],
  };
}
