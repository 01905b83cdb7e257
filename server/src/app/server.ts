import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { parse as parseCookies } from 'cookie';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Config } from '../common/config';
import type { Context, Viewer } from '../common/context';
import { log as rootLog, type Logger } from '../common/log';
import { viewerForSession, SESSION_COOKIE } from '../modules/auth/auth.service';
import { viewerForApiKey } from '../modules/api-key/api-key.service';
import { poolFor, requestShareOf } from './database';
import { assertValidInput } from './input-guard';
import {
  graphqlObservabilityPlugin,
  httpMetrics,
  mountMetrics,
  requestIdFrom,
  requestIdInErrorBodies,
  requestIdOf,
  requestLogging,
} from './observability';
import { poolShareMiddleware } from './pool-share';
import { assertWithinLimits, MAX_COST, MAX_PUBLIC_COST } from './limits';
import type { AppPubSub } from './pubsub';
import { createAppRateLimits } from './rate-limits';
import { createSchema } from './schema';
import { securityHeaders } from './security';
import type { DomainModule, Platform } from '../common/module';
import { MODULES, mountRoutes, platformOf } from './modules';

export interface App {
  config: Config;
  orm: MikroORM;
  pubsub: AppPubSub;
  /** What the modules run on, for workers and tests that drive them. */
  platform: Platform;
  schema: GraphQLSchema;
  httpServer: http.Server;
  /** Starts listening; resolves with the base URL (useful with port 0 in tests). */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

interface RequestLike {
  headers: http.IncomingHttpHeaders;
  socket: { remoteAddress?: string };
}

/** Who is calling: a bearer API key wins over a session cookie; neither means anonymous. */
async function resolveViewer(
  em: EntityManager,
  req: RequestLike,
): Promise<{ viewer: Viewer | null; sessionToken: string | null }> {
  const authorization = req.headers.authorization;
  if (authorization?.startsWith('Bearer ')) {
    return { viewer: await viewerForApiKey(em, authorization.slice(7).trim()), sessionToken: null };
  }
  const sessionToken = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE] ?? null;
  return { viewer: sessionToken ? await viewerForSession(em, sessionToken) : null, sessionToken };
}

/** Limits, and errors a client can switch on: unexpected failures never leak internals in production. */
function guardPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName, contextValue }) {
          assertValidInput(schema, document, request.variables ?? {}, operationName ?? undefined);
          const variables = request.variables ?? {};
          assertWithinLimits(schema, document, variables, operationName ?? undefined, MAX_COST);
          // Between the two ceilings, signing in is the answer: an expired session's dashboard query says so, and
          // the SPA sends its user to log in instead of showing a cost error.
          if (!contextValue.viewer) {
            assertWithinLimits(
              schema,
              document,
              variables,
              operationName ?? undefined,
              MAX_PUBLIC_COST,
              'UNAUTHENTICATED',
            );
          }
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!error.extensions?.code)
              contextValue.log.error({ err: unwrapResolverError(error) }, 'graphql: unexpected error');
          }
        },
      };
    },
  };
}

/** PostgreSQL's answer when a statement outlives API_STATEMENT_TIMEOUT_MS. */
const STATEMENT_TIMEOUT = '57014';

function formatError(config: Config) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if ((unwrapResolverError(error) as { code?: unknown } | null)?.code === STATEMENT_TIMEOUT) {
      return {
        message: 'the request took too long and was stopped; ask for less at once',
        path: formatted.path,
        extensions: { code: 'TIMEOUT' },
      };
    }
    const code = formatted.extensions?.code;
    if (code === 'INTERNAL_SERVER_ERROR' && config.mode === 'production') {
      return { message: 'internal error', extensions: { code } };
    }
    return formatted;
  };
}

/**
 * A body express.json refused (malformed JSON, over the size limit, a bad charset) answers like any GraphQL error:
 * JSON with a code, not Express's HTML page.
 */
const answerBadBodyAsGraphQL: express.ErrorRequestHandler = (error: unknown, _req, res, next) => {
  const status = (error as { status?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return next(error);
  const tooLarge = status === 413;
  res.status(status).json({
    errors: [
      {
        message: tooLarge ? 'the request body is larger than 1 MB' : 'the request body is not valid JSON',
        extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' },
      },
    ],
  });
};

export async function createApp(
  config: Config,
  orm: MikroORM,
  pubsub: AppPubSub,
  modules: readonly DomainModule[] = MODULES,
  /** `log`: where the app logs (tests capture it); the root logger by default. */
  options: { log?: Logger } = {},
): Promise<App> {
  const appLog = options.log ?? rootLog;
  const platform = platformOf({ config, orm, pubsub, limits: createAppRateLimits(config) }, modules);
  const schema = await createSchema(pubsub, modules);
  const expressApp = express();
  expressApp.disable('x-powered-by');
  // First, so every request gets its id, its log line and its latency measured, whatever answers it.
  expressApp.use(requestLogging(appLog), requestIdInErrorBodies, httpMetrics);
  // Security headers (CSP, no framing, HSTS over https) on every answer, errors included.
  expressApp.use(securityHeaders(config));
  // Before everything else, so all a request does (GraphQL fields, webhooks, forms) runs under its share of the pool.
  expressApp.use(poolShareMiddleware(requestShareOf(poolFor(config, 'api'))));
  expressApp.set('trust proxy', 'loopback');
  const httpServer = http.createServer(expressApp);

  /** One operation's context: its own EntityManager fork and the caller behind the request. */
  const requestContext = async (
    req: RequestLike,
    ip: string | undefined,
    trace: Pick<Context, 'requestId' | 'log'>,
  ): Promise<Context> => {
    const em = orm.em.fork();
    const { viewer, sessionToken } = await resolveViewer(em, req);
    return {
      em,
      viewer,
      sessionToken,
      config,
      pubsub,
      limits: platform.limits,
      extensions: platform.extensions,
      ip: ip ?? '',
      idempotencyKey: null,
      setCookie: () => undefined,
      clearCookie: () => undefined,
      ...trace,
    };
  };

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { context?: Context }>(
    {
      schema,
      context: (ctx) => {
        const req = ctx.extra.request;
        // Browsers cannot set headers on a WebSocket: partners may pass their key in the connection parameters.
        const authorization = (ctx.connectionParams?.authorization as string | undefined) ?? req.headers.authorization;
        const requestId = requestIdFrom(undefined);
        return requestContext(
          { headers: { ...req.headers, authorization }, socket: req.socket },
          req.socket.remoteAddress,
          { requestId, log: appLog.child({ reqId: requestId }) },
        );
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    introspection: config.mode !== 'production',
    // No "Did you mean …" suggestions in production: they would map the schema for whoever probes it.
    hideSchemaDetailsFromClientErrors: config.mode === 'production',
    formatError: formatError(config),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      // No HTTP caching of GraphQL answers here; the plugin would cost every request for nothing.
      ApolloServerPluginCacheControlDisabled(),
      guardPlugin(),
      graphqlObservabilityPlugin(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  expressApp.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  expressApp.get('/readyz', async (_req, res) => {
    const database = await orm.checkConnection();
    res
      .status(database.ok ? 200 : 503)
      .json({ status: database.ok ? 'ok' : 'unavailable', database: database.ok ? 'ok' : database.reason });
  });
  mountMetrics(expressApp, config, orm);

  const secureCookies = config.publicUrl.startsWith('https:');
  expressApp.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    answerBadBodyAsGraphQL,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => ({
        ...(await requestContext(req, req.ip, { requestId: requestIdOf(req), log: req.log })),
        idempotencyKey: req.get('idempotency-key')?.trim() || null,
        setCookie: (name, value, maxAgeSeconds) =>
          res.cookie(name, value, {
            httpOnly: true,
            sameSite: 'lax',
            secure: secureCookies,
            path: '/',
            maxAge: maxAgeSeconds * 1000,
          }),
        clearCookie: (name) => res.clearCookie(name, { path: '/' }),
      }),
    }),
  );

  mountRoutes(expressApp, platform, modules);

  if (config.webDist && fs.existsSync(path.join(config.webDist, 'index.html'))) {
    const webDist = config.webDist;
    expressApp.use(express.static(webDist, { index: false, maxAge: '1h' }));
    // Client-side routes: any other GET that accepts HTML gets the SPA.
    expressApp.get('/{*splat}', (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.sendFile(path.join(webDist, 'index.html'));
    });
  }

  return {
    config,
    orm,
    pubsub,
    platform,
    schema,
    httpServer,
    listen: (port = config.port) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, () => {
          const address = httpServer.address();
          resolve(`http://localhost:${typeof address === 'object' && address ? address.port : port}`);
        });
      }),
    close: async () => {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await platform.limits.close();
    },
  };
}
