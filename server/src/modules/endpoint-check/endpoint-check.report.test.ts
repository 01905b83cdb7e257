import { describe, expect, it } from 'vitest';
import {
  EndpointCheckProbeKind as Kind,
  EndpointCheckTarget,
  type EndpointCheckProbe,
  type EndpointCheckReference,
} from './endpoint-check.entity';
import { reportFindings } from './endpoint-check.report';

/* The report's judgement, without a network: each probe's answer and each operation's fulfilments in, findings out. */

function probe(kind: Kind, reference: string | null, httpStatus: number | null, error: string | null = null) {
  return {
    kind,
    reference,
    description: kind,
    sent: reference !== null,
    sentAt: reference ? '2026-12-05T10:00:00.000Z' : null,
    httpStatus,
    bodyExcerpt: null,
    durationMs: reference ? 3 : null,
    error,
  } satisfies EndpointCheckProbe;
}
const ref = (reference: string, expected: number, fulfilled: number | null): EndpointCheckReference => ({
  reference,
  description: reference,
  expected,
  fulfilled,
});

/** A webhook check's probes with these statuses (VALID, DUPLICATE, LATER, EARLIER, BAD_SIGNATURE, STALE). */
function webhookProbes(statuses: (number | null)[]) {
  const refs = ['a', 'a', 'c', 'b', 'd', 's'];
  return [
    Kind.VALID,
    Kind.DUPLICATE,
    Kind.OUT_OF_ORDER_LATER,
    Kind.OUT_OF_ORDER_EARLIER,
    Kind.BAD_SIGNATURE,
    Kind.STALE,
  ].map((kind, i) => probe(kind, refs[i], statuses[i], statuses[i] === null ? 'connect ECONNREFUSED' : null));
}
const webhookRefs = (a: number, c: number, b: number, d: number, s: number) => [
  ref('a', 1, a),
  ref('c', 1, c),
  ref('b', 1, b),
  ref('d', 0, d),
  ref('s', 0, s),
];
const codes = (findings: { code: string }[]) => findings.map((finding) => finding.code);

describe('endpoint check report', () => {
  it('is clean for an endpoint that refuses what it should and fulfils each operation once', () => {
    const findings = reportFindings(
      EndpointCheckTarget.WEBHOOK_ENDPOINT,
      webhookProbes([200, 200, 200, 200, 400, 400]),
      webhookRefs(1, 1, 1, 0, 0),
    );
    expect(findings).toEqual([]);
  });

  it('flags a missed out-of-order callback, unacknowledged valid ones, and forged or stale ones answered 2xx', () => {
    const findings = reportFindings(
      EndpointCheckTarget.WEBHOOK_ENDPOINT,
      webhookProbes([200, 500, 200, 409, 200, 200]),
      webhookRefs(1, 1, 0, 0, 0),
    );
    expect(codes(findings)).toEqual(['MISSED_CALLBACK', 'NOT_ACKNOWLEDGED', 'REFUSAL_NOT_SIGNALLED']);
    expect(findings[0]).toMatchObject({ severity: 'WARNING', message: expect.stringContaining('event id b') });
    expect(findings[1].message).toContain('DUPLICATE: HTTP 500; OUT_OF_ORDER_EARLIER: HTTP 409');
    expect(findings[2].message).toContain('HTTP 200 to the badly signed callback and HTTP 200 to the stale callback');
  });

  it('reports an endpoint nothing reached as unreachable, whatever the answers say', () => {
    const findings = reportFindings(
      EndpointCheckTarget.PURSE_RESULT_URL,
      webhookProbes([null, null, null, null, null, null]),
      webhookRefs(0, 0, 0, 0, 0),
    );
    expect(codes(findings)).toEqual(['UNREACHABLE']);
    expect(findings[0].message).toContain('connect ECONNREFUSED');
  });

  it('takes a replayed purse callback answered 2xx as right, and one fulfilled again as stale', () => {
    const probes = [
      probe(Kind.VALID, '2000000010', 200),
      probe(Kind.DUPLICATE, '2000000010', 200),
      probe(Kind.OUT_OF_ORDER_LATER, '2000000012', 200),
      probe(Kind.OUT_OF_ORDER_EARLIER, '2000000011', 200),
      probe(Kind.BAD_SIGNATURE, '2000000013', 403),
      probe(Kind.STALE, '2000000000', 200),
    ];
    const refs = (replayed: number) => [
      ref('2000000010', 1, 1),
      ref('2000000012', 1, 1),
      ref('2000000011', 1, 1),
      ref('2000000013', 0, 0),
      ref('2000000000', 1, replayed),
    ];
    expect(reportFindings(EndpointCheckTarget.PURSE_RESULT_URL, probes, refs(1))).toEqual([]);
    const stale = reportFindings(EndpointCheckTarget.PURSE_RESULT_URL, probes, refs(2));
    expect(codes(stale)).toEqual(['ACCEPTED_STALE']);
    expect(stale[0].fix).toContain('Keep every s_inv');
  });
});
