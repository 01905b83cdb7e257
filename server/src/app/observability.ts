import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Express, Request, RequestHandler } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import type { Registry } from 'prom-client';
import { pinoHttp } from 'pino-http';
import type { Config } from '../common/config';
import type { Context } from '../common/context';
import type { Logger } from '../common/log';
import {
  createMetricsRegistry,
  graphqlOperationDuration,
  httpRequestDuration,
  operationLabel,
} from '../common/metrics';
import { outboxBacklog } from '../modules/outbox';

/*
 * Logs and metrics of the HTTP server: a request id on every request (its log lines, its `X-Request-Id` response
 * header, its JSON error bodies), one JSON log line per request with secrets left out, and Prometheus metrics.
 */

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** An incoming request id is kept only when it is short and plain: it goes into logs and headers as it is. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when sane (a load balancer's, say), else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** The id requestLogging gave the request (always a string: see genReqId). */
export function requestIdOf(req: http.IncomingMessage): string {
  return typeof req.id === 'string' ? req.id : '';
}

/** Headers worth logging; any other header is left out, so an unknown header carrying a secret is never logged. */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'origin', 'referer', 'x-forwarded-for'];
/** Credentials: logged only as present, never their value. */
const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-tollgate-signature'];

function loggableHeaders(headers: Record<string, unknown> | undefined, allowed: readonly string[]) {
  const picked: Record<string, unknown> = {};
  for (const name of allowed) if (headers?.[name] !== undefined) picked[name] = headers[name];
  for (const name of SECRET_HEADERS) if (headers?.[name] !== undefined) picked[name] = '[Redacted]';
  return picked;
}

interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  headers: Record<string, unknown>;
  remoteAddress?: string;
}

/** The route pattern a request matched (`/check/:serviceId`), never its raw URL: a bounded set of label values. */
export function routeOf(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return req.baseUrl + path;
  if (Array.isArray(path)) return req.baseUrl + path.join('|');
  return req.baseUrl || '(unmatched)';
}

/** What operators poll constantly: logged only when it fails. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * pino-http: gives each request its id (`req.id`, echoed in `X-Request-Id`) and a child logger bound to it
 * (`req.log`), and logs one line when the response is done. The URL is logged without its query string (access
 * codes travel there) and only the headers above.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    genReqId: (req: http.IncomingMessage, res: http.ServerResponse) => {
      const id = requestIdFrom(req.headers['x-request-id']);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    serializers: {
      req: (req: SerializedRequest) => ({
        id: req.id,
        method: req.method,
        url: req.url.split('?')[0],
        remoteAddress: req.remoteAddress,
        headers: loggableHeaders(req.headers, LOGGED_HEADERS),
      }),
      res: (res: { statusCode: number; headers?: Record<string, unknown> }) => ({
        statusCode: res.statusCode,
        headers: loggableHeaders(res.headers, ['content-type', 'content-length']),
      }),
    },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      return PROBES.has(req.url?.split('?')[0] ?? '') ? 'silent' : 'info';
    },
    customSuccessObject: (req, _res, loggable: object) => ({ ...loggable, ...requestFields(req as Request) }),
    customErrorObject: (req, _res, _error, loggable: object) => ({ ...loggable, ...requestFields(req as Request) }),
  });
}

/** The first named operation of a document: a log field, so the cheap reading is enough. */
const NAMED_OPERATION = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})/;

/** What the request line adds: the route pattern and, for GraphQL, the operation's name (never its variables). */
function requestFields(req: Request): Record<string, unknown> {
  const fields: Record<string, unknown> = { route: routeOf(req) };
  if (req.baseUrl !== '/graphql') return fields;
  const body = req.body as { operationName?: unknown; query?: unknown } | undefined;
  if (typeof body?.operationName === 'string') fields.operationName = body.operationName.slice(0, 100);
  else if (typeof body?.query === 'string') fields.operationName = NAMED_OPERATION.exec(body.query)?.[1];
  return fields;
}

type JsonBody = { error?: unknown; errors?: unknown } | null;

/**
 * Every JSON error body names the request id, so a caller's bug report leads to the log lines: `error.requestId`
 * in the routes' `{ error: { code, message } }` bodies, `extensions.requestId` in GraphQL-shaped ones. One place
 * for every route, present and future.
 */
export const requestIdInErrorBodies: RequestHandler = (req, res, next) => {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    if (res.statusCode < 400 || !body || typeof body !== 'object') return json(body);
    const requestId = requestIdOf(req);
    const { error, errors } = body as NonNullable<JsonBody>;
    if (error && typeof error === 'object' && !Array.isArray(error)) {
      return json({ ...body, error: { ...error, requestId } });
    }
    if (Array.isArray(errors)) {
      return json({
        ...body,
        errors: errors.map((item: { extensions?: object }) => ({
          ...item,
          extensions: { ...item.extensions, requestId },
        })),
      });
    }
    return json(body);
  };
  next();
};

/** Observes every request's latency by method, route pattern and status. */
export const httpMetrics: RequestHandler = (req, res, next) => {
  const started = performance.now();
  res.once('close', () => {
    httpRequestDuration.observe(
      { method: req.method, route: routeOf(req), status: String(res.statusCode) },
      (performance.now() - started) / 1000,
    );
  });
  next();
};

/**
 * GraphQL operations: latency by operation name and type, and `extensions.requestId` on every error.
 */
export function graphqlObservabilityPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, operationName, contextValue }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          if (body.kind === 'single' && errors?.length) {
            body.singleResult.errors = errors.map((error) => ({
              ...error,
              extensions: { ...error.extensions, requestId: contextValue.requestId },
            }));
          }
          graphqlOperationDuration.observe(
            {
              operation: operation ? operationLabel(operationName) : 'unresolved',
              type: operation?.operation ?? 'unknown',
              outcome: errors?.length ? 'error' : 'ok',
            },
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}

/** The connection pool's use, read from MikroORM's knex pool (tarn); SQLite's has one connection. */
function poolUsage(orm: MikroORM) {
  type Pool = { numUsed(): number; numFree(): number; numPendingAcquires(): number; max: number };
  const connection = orm.em.getConnection() as unknown as { getKnex(): { client: { pool?: Pool } } };
  const pool = connection.getKnex().client.pool;
  if (!pool) return { used: 0, free: 0, pending: 0, max: 0 };
  return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `GET /metrics` in Prometheus' text format, for a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`
 * (401 without it). Without METRICS_TOKEN there are no metrics to scrape: 404.
 */
export function mountMetrics(app: Express, config: Config, orm: MikroORM): Registry {
  const registry = createMetricsRegistry({
    outbox: () => outboxBacklog(orm.em.fork()),
    pool: () => poolUsage(orm),
  });
  app.get('/metrics', async (req, res) => {
    if (!config.metricsToken) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'metrics are off (METRICS_TOKEN is not set)' } });
      return;
    }
    const authorization = req.get('authorization') ?? '';
    if (!authorization.startsWith('Bearer ') || !sameSecret(authorization.slice(7).trim(), config.metricsToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      res
        .status(401)
        .json({ error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <METRICS_TOKEN>' } });
      return;
    }
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return registry;
}
