import {
  EndpointCheckFindingCode as Code,
  EndpointCheckProbeKind as Kind,
  EndpointCheckSeverity as Severity,
  EndpointCheckTarget,
  type EndpointCheckFinding,
  type EndpointCheckProbe,
  type EndpointCheckReference,
} from './endpoint-check.entity';

/*
 * The report: what the answers and the merchant's confirmation (or status URL) say, in plain words with the fix.
 * Pure, so every finding is tested without a network.
 */

const ok = (probe: EndpointCheckProbe) =>
  probe.httpStatus !== null && probe.httpStatus >= 200 && probe.httpStatus <= 299;

function finding(code: Code, severity: Severity, message: string, fix: string): EndpointCheckFinding {
  return { code, severity, message, fix };
}

function answer(probe: EndpointCheckProbe): string {
  return probe.httpStatus !== null ? `HTTP ${probe.httpStatus}` : `no answer (${probe.error ?? 'unknown error'})`;
}

export function reportFindings(
  target: EndpointCheckTarget,
  probes: readonly EndpointCheckProbe[],
  references: readonly EndpointCheckReference[],
): EndpointCheckFinding[] {
  const purse = target === EndpointCheckTarget.PURSE_RESULT_URL;
  const signature = purse ? 's_sign_v2' : 'the X-Tollgate-Signature header';
  const idName = purse ? 's_inv' : 'event id';
  const sent = probes.filter((probe) => probe.sent);
  if (sent.length > 0 && sent.every((probe) => probe.httpStatus === null)) {
    return [
      finding(
        Code.UNREACHABLE,
        Severity.CRITICAL,
        `No test callback reached your endpoint: ${sent[0].error ?? 'no answer'}. Real callbacks would not reach it either, so paid orders would never be fulfilled.`,
        'Serve the URL over http(s) at a public address that answers within 10 seconds; Tollgate never calls loopback, private or link-local addresses.',
      ),
    ];
  }
  const found: EndpointCheckFinding[] = [];
  const kindsOf = (reference: string) => probes.filter((probe) => probe.reference === reference).map((p) => p.kind);
  const probeOf = (kind: Kind) => probes.find((probe) => probe.kind === kind && probe.sent);

  const forged = references.filter((ref) => kindsOf(ref.reference).includes(Kind.BAD_SIGNATURE));
  if (forged.some((ref) => (ref.fulfilled ?? 0) > 0)) {
    found.push(
      finding(
        Code.ACCEPTED_BAD_SIGNATURE,
        Severity.CRITICAL,
        `Your system fulfilled a callback whose ${signature} was wrong. Anyone who knows your URL can send such a callback and get goods or credit without paying.`,
        purse
          ? 'Compute MD5(secret_code::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone) from the posted fields and your secret code, compare it with s_sign_v2, and when they differ answer 403 and do nothing.'
          : 'Compute HMAC-SHA256 of "<t>.<raw body>" with your endpoint’s secret, compare it with v1 in X-Tollgate-Signature, and when they differ answer 400 and do nothing.',
      ),
    );
  }

  const stale = references.filter((ref) => kindsOf(ref.reference).includes(Kind.STALE));
  const twice = references.filter(
    (ref) => !stale.includes(ref) && ref.expected === 1 && ref.fulfilled !== null && ref.fulfilled > 1,
  );
  if (twice.length > 0) {
    found.push(
      finding(
        Code.FULFILLED_TWICE,
        Severity.CRITICAL,
        `Your system fulfilled the same operation more than once (${twice.map((ref) => `${idName} ${ref.reference}: ${ref.fulfilled} times`).join(', ')}). Tollgate sends a callback again whenever an answer is lost, so payers would get twice what they paid for.`,
        `Record each ${idName} you process under a unique index; when one arrives again, answer 200 without fulfilling anything.`,
      ),
    );
  }

  if (stale.some((ref) => ref.fulfilled !== null && ref.fulfilled > ref.expected)) {
    found.push(
      purse
        ? finding(
            Code.ACCEPTED_STALE,
            Severity.CRITICAL,
            'Your system fulfilled again a callback it had already fulfilled in the previous check. The sms:bank protocol has no timestamp: a callback captured once can be replayed at any time.',
            'Keep every s_inv you have processed for ever (a unique index), and never fulfil one twice, however long ago it came.',
          )
        : finding(
            Code.ACCEPTED_STALE,
            Severity.CRITICAL,
            'Your system fulfilled an event signed an hour ago. A captured request can then be replayed later.',
            'Refuse (400) a signature whose t is more than 5 minutes from your clock, and remember the event ids you processed.',
          ),
    );
  }

  const missed = references.filter((ref) => !stale.includes(ref) && ref.expected === 1 && ref.fulfilled === 0);
  if (missed.length > 0) {
    found.push(
      finding(
        Code.MISSED_CALLBACK,
        Severity.WARNING,
        `Your system did not fulfil a valid callback (${missed.map((ref) => `${idName} ${ref.reference}, ${ref.description}`).join('; ')}). A payer would have paid for nothing.`,
        `Fulfil every correctly signed callback on its own, whatever order they arrive in; do not expect ${idName}s to arrive in sequence.`,
      ),
    );
  }

  const unanswered = [Kind.VALID, Kind.DUPLICATE, Kind.OUT_OF_ORDER_LATER, Kind.OUT_OF_ORDER_EARLIER]
    .map(probeOf)
    .filter((probe): probe is EndpointCheckProbe => probe !== undefined && !ok(probe));
  if (unanswered.length > 0) {
    found.push(
      finding(
        Code.NOT_ACKNOWLEDGED,
        Severity.WARNING,
        `Valid callbacks were not answered 2xx (${unanswered.map((probe) => `${probe.kind}: ${answer(probe)}`).join('; ')}). Tollgate retries such a callback for hours, and shows it as failing.`,
        'Answer 200 as soon as a correctly signed callback is recorded, also when you had already processed it.',
      ),
    );
  }

  const badSignature = probeOf(Kind.BAD_SIGNATURE);
  const staleProbe = probeOf(Kind.STALE);
  const quietlyTaken = [
    badSignature && ok(badSignature) && forged.every((ref) => ref.fulfilled === 0) ? badSignature : null,
    // A replayed purse callback is a duplicate, rightly answered 2xx; a stale webhook should be refused.
    !purse && staleProbe && ok(staleProbe) && stale.every((ref) => ref.fulfilled === 0) ? staleProbe : null,
  ].filter((probe): probe is EndpointCheckProbe => probe !== null);
  if (quietlyTaken.length > 0) {
    found.push(
      finding(
        Code.REFUSAL_NOT_SIGNALLED,
        Severity.WARNING,
        `Your endpoint answered ${quietlyTaken.map((probe) => `${answer(probe)} to the ${probe.kind === Kind.STALE ? 'stale' : 'badly signed'} callback`).join(' and ')}, though your system did nothing with it. Your logs then cannot show an attack.`,
        'Answer 403 (or 400) to a callback you refuse.',
      ),
    );
  }
  return found;
}
