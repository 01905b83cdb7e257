import http from 'node:http';
import https from 'node:https';
import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { isPrivateHost, postToUrl, publicOnlyLookup, RefusedAddressError } from '../../common/outbound';
import { RateLimited, type Limiter, type RateLimits } from '../../common/rate-limit';
import { flushAudited, type AuditActor } from '../audit';
import { purseCallbackTarget } from '../purse';
import { webhookEndpointTarget } from '../webhook';
import {
  EndpointCheck,
  EndpointCheckProbeKind,
  EndpointCheckStatus,
  EndpointCheckTarget,
  type EndpointCheckProbe,
  type EndpointCheckStatusRead,
} from './endpoint-check.entity';
import { pursePlan, webhookPlan, type Plan } from './endpoint-check.probes';
import { reportFindings } from './endpoint-check.report';

/** Each test callback gets this long to be answered (deliveries get 10 s; six in a row must not hold a page a minute). */
const PROBE_TIMEOUT_MS = 5_000;
const EXCERPT = 200;
/** Runs per merchant: each sends six requests to a URL the merchant chose, so a check is no way to flood a host. */
export const CHECK_BUDGET = { points: 10, seconds: 60 * 60 };
const MAX_FULFILMENTS = 10;

/** One limiter per platform: a memory limiter keeps its counts in itself, so it is built once, not per request. */
const limiters = new WeakMap<RateLimits, Limiter>();
function checkLimiter(limits: RateLimits): Limiter {
  let limiter = limiters.get(limits);
  if (!limiter) limiters.set(limits, (limiter = limits.limiter('endpoint-check:merchant', CHECK_BUDGET)));
  return limiter;
}

function invalid(code: UserErrorCode, message: string, field: string): UserFacingError {
  return new UserFacingError(code, message, ['input', field]);
}

/** The status URL: http(s), no credentials, nothing internal unless the platform allows it (as Result URLs). */
function validStatusUrl(config: Config, value: string | null | undefined): string | null {
  const url = value?.trim();
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(
      UserErrorCode.INVALID_URL,
      'enter a full URL, like https://shop.example/tollgate-status',
      'statusUrl',
    );
  }
  if (url.length > 2000) throw invalid(UserErrorCode.TOO_LONG, 'use a URL of at most 2000 characters', 'statusUrl');
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an http or https URL', 'statusUrl');
  }
  if (parsed.username || parsed.password) {
    throw invalid(UserErrorCode.INVALID_URL, 'leave user name and password out of the URL', 'statusUrl');
  }
  if (!config.allowPrivateCallbackUrls && isPrivateHost(parsed.hostname)) {
    throw invalid(UserErrorCode.INVALID_URL, 'use a public address, not an internal one', 'statusUrl');
  }
  return url;
}

function errorText(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  return (error instanceof Error ? error.message || error.name : String(error)).slice(0, 300);
}

/**
 * GETs the merchant's status URL through the same guard as every callback (no internal address unless allowed, the
 * address checked is the one connected to, no redirects); resolves with the status and the body's start.
 */
function getFromUrl(url: string, allowPrivate: boolean): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isPrivateHost(host)) return Promise.reject(new RefusedAddressError(host, host));
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.get(
      target,
      {
        headers: { accept: 'application/json', 'user-agent': 'Tollgate-EndpointCheck/1' },
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        lookup: allowPrivate ? undefined : publicOnlyLookup(),
        agent: false,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < 20_000) text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

/**
 * Asks the status URL how often each reference was fulfilled: `GET <statusUrl>?check=<id>` answering
 * `{"fulfilled": {"<reference>": <times>, …}}`; a reference it does not list counts as never fulfilled.
 */
async function readStatus(
  url: string,
  check: EndpointCheck,
  allowPrivate: boolean,
): Promise<{ read: EndpointCheckStatusRead; counts: Map<string, number> | null }> {
  const target = new URL(url);
  target.searchParams.set('check', check.id);
  try {
    const response = await getFromUrl(target.toString(), allowPrivate);
    const read = { httpStatus: response.status, bodyExcerpt: response.body.slice(0, EXCERPT), error: null };
    if (response.status < 200 || response.status > 299)
      return { read: { ...read, error: 'not a 2xx answer' }, counts: null };
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      return { read: { ...read, error: 'not JSON' }, counts: null };
    }
    const fulfilled = (parsed as { fulfilled?: unknown } | null)?.fulfilled;
    if (!fulfilled || typeof fulfilled !== 'object' || Array.isArray(fulfilled)) {
      return { read: { ...read, error: 'no "fulfilled" object' }, counts: null };
    }
    const counts = new Map<string, number>();
    for (const ref of check.references) {
      const value = (fulfilled as Record<string, unknown>)[ref.reference] ?? 0;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_FULFILMENTS) {
        return {
          read: { ...read, error: `"${ref.reference}" is not a count from 0 to ${MAX_FULFILMENTS}` },
          counts: null,
        };
      }
      counts.set(ref.reference, value);
    }
    return { read, counts };
  } catch (error) {
    return { read: { httpStatus: null, bodyExcerpt: null, error: errorText(error) }, counts: null };
  }
}

/** The transition to COMPLETE: the fulfilments are known, the findings final. */
function complete(
  check: EndpointCheck,
  counts: Map<string, number> | null,
  by: 'MERCHANT' | 'STATUS_URL' | null,
): void {
  check.references = check.references.map((ref) => ({ ...ref, fulfilled: counts?.get(ref.reference) ?? null }));
  check.findings = reportFindings(check.target, check.probes, check.references);
  check.answeredBy = by;
  check.status = EndpointCheckStatus.COMPLETE;
  check.completedAt = new Date();
}

async function send(url: string, plan: Plan, allowPrivate: boolean): Promise<EndpointCheckProbe[]> {
  const probes: EndpointCheckProbe[] = [];
  // One after another: the order is part of the test (a duplicate after the original, the later operation first).
  for (const planned of plan.probes) {
    const probe: EndpointCheckProbe = {
      kind: planned.kind,
      reference: planned.reference,
      description: planned.description,
      sent: planned.request !== null,
      sentAt: null,
      httpStatus: null,
      bodyExcerpt: null,
      durationMs: null,
      error: null,
    };
    if (planned.request) {
      const started = Date.now();
      probe.sentAt = new Date(started).toISOString();
      try {
        const response = await postToUrl(url, planned.request.body, planned.request.headers, {
          signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
          allowPrivate,
        });
        probe.httpStatus = response.status;
        probe.bodyExcerpt = response.body.trim().slice(0, EXCERPT);
      } catch (error) {
        probe.error = errorText(error);
      }
      probe.durationMs = Date.now() - started;
    }
    probes.push(probe);
  }
  return probes;
}

export interface RunCheckInput {
  target: EndpointCheckTarget;
  targetId: string;
  statusUrl?: string | null;
}

/**
 * Runs a check now: sends the test callbacks to the purse's Result URL or the webhook endpoint, records every answer,
 * reads the status URL if given, and stores the run. The report is final at once when the endpoint could not be
 * reached or the status URL said what was fulfilled; otherwise the check waits for the merchant's answers.
 * `merchantId` is the owner of the target, checked by the caller.
 */
export async function runEndpointCheck(
  em: EntityManager,
  deps: { config: Config; limits: RateLimits },
  actor: AuditActor,
  input: RunCheckInput & { merchantId: string; url: string; secret: string; purseNumber?: number },
): Promise<EndpointCheck> {
  const statusUrl = validStatusUrl(deps.config, input.statusUrl);
  const spent = await checkLimiter(deps.limits).hit(input.merchantId);
  if (!spent.allowed) throw new RateLimited('endpoint-check:merchant', Math.ceil(spent.msBeforeNext / 1000));

  const check = build(EndpointCheck, {
    merchantId: input.merchantId,
    target: input.target,
    targetId: input.targetId,
    url: input.url,
    statusUrl,
  });
  let plan: Plan;
  if (input.target === EndpointCheckTarget.PURSE_RESULT_URL) {
    // The replay is of an operation the endpoint acknowledged, so a correct system did fulfil it once.
    const earlier = await em.find(
      EndpointCheck,
      { targetId: input.targetId, merchantId: input.merchantId },
      { orderBy: { id: 'desc' }, limit: 10 },
    );
    const acknowledged = (check: EndpointCheck) =>
      check.probes.find(
        (probe) =>
          probe.kind === EndpointCheckProbeKind.VALID &&
          probe.httpStatus !== null &&
          probe.httpStatus >= 200 &&
          probe.httpStatus <= 299,
      );
    const previous = earlier.find(acknowledged);
    const previousValid = previous && acknowledged(previous);
    plan = pursePlan(
      { number: input.purseNumber!, secret: input.secret },
      check.id,
      previous && previousValid?.reference ? { checkId: previous.id, inv: previousValid.reference } : null,
    );
  } else {
    plan = webhookPlan({ merchantId: input.merchantId, secret: input.secret }, check.id, new Date());
  }
  check.references = plan.references;
  check.probes = await send(input.url, plan, deps.config.allowPrivateCallbackUrls);

  const reached = check.probes.some((probe) => probe.httpStatus !== null);
  if (!reached) {
    complete(check, null, null);
  } else if (statusUrl) {
    const { read, counts } = await readStatus(statusUrl, check, deps.config.allowPrivateCallbackUrls);
    check.statusRead = read;
    if (counts) complete(check, counts, 'STATUS_URL');
  }
  em.persist(check);
  await flushAudited(em, actor, {
    action: 'endpointCheck.run',
    merchantId: input.merchantId,
    targetId: input.targetId,
    details: { checkId: check.id, url: input.url, statusUrl },
  });
  return check;
}

/** Loads a purse or webhook endpoint to check: its owner, URL and secret; null when there is none. */
export async function checkTarget(
  em: EntityManager,
  target: EndpointCheckTarget,
  id: string,
): Promise<{ merchantId: string; url: string; secret: string; purseNumber?: number } | null> {
  if (target === EndpointCheckTarget.PURSE_RESULT_URL) {
    const purse = await purseCallbackTarget(em, id);
    return (
      purse && { merchantId: purse.merchantId, url: purse.resultUrl, secret: purse.secret, purseNumber: purse.number }
    );
  }
  return webhookEndpointTarget(em, id);
}

/**
 * The merchant says how many times its system fulfilled each reported operation; the report becomes final. Every
 * reference is answered once, with a count from 0 to 10.
 */
export async function answerEndpointCheck(
  em: EntityManager,
  actor: AuditActor,
  check: EndpointCheck,
  fulfilments: readonly { reference: string; times: number }[],
): Promise<EndpointCheck> {
  if (check.status !== EndpointCheckStatus.AWAITING_ANSWERS) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this check’s report is already final; run a new one');
  }
  const counts = new Map<string, number>();
  for (const { reference, times } of fulfilments) {
    if (!check.references.some((ref) => ref.reference === reference)) {
      throw invalid(
        UserErrorCode.INVALID,
        `"${reference.slice(0, 60)}" is not one of this check’s operations`,
        'fulfilments',
      );
    }
    if (counts.has(reference)) throw invalid(UserErrorCode.INVALID, `"${reference}" is answered twice`, 'fulfilments');
    if (!Number.isInteger(times) || times < 0 || times > MAX_FULFILMENTS) {
      throw invalid(UserErrorCode.INVALID, `say how many times, from 0 to ${MAX_FULFILMENTS}`, 'fulfilments');
    }
    counts.set(reference, times);
  }
  const missing = check.references.find((ref) => !counts.has(ref.reference));
  if (missing) {
    throw invalid(
      UserErrorCode.REQUIRED,
      `say how many times your system fulfilled ${missing.reference}`,
      'fulfilments',
    );
  }
  complete(check, counts, 'MERCHANT');
  await flushAudited(em, actor, {
    action: 'endpointCheck.answer',
    merchantId: check.merchantId,
    targetId: check.id,
    details: { findings: check.findings.map((found) => found.code) },
  });
  return check;
}
