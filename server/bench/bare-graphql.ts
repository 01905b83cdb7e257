import 'reflect-metadata';
import http from 'node:http';
import { execute, parse, validate, specifiedRules, type DocumentNode } from 'graphql';
import { loadConfig } from '../src/common/config';
import { openDatabase } from '../src/app/database';
import { createAppPubSub } from '../src/app/pubsub';
import { createSchema } from '../src/app/schema';
import { viewerForApiKey } from '../src/modules/api-key/api-key.service';
import type { Context } from '../src/common/context';
import { log } from '../src/common/log';
import { createRateLimits } from '../src/common/rate-limit';

/**
 * The P1 baseline: the same schema and resolvers executed by bare graphql-js over node:http, with parse and validate
 * cached per query text, and the caller resolved from the same API key. Whatever the real server costs beyond this is
 * Express, Apollo and our plugins.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await openDatabase(config.database);
  const pubsub = createAppPubSub(null);
  const schema = await createSchema(pubsub);
  const limits = createRateLimits({ redis: null, prefix: 'bench' });
  const documents = new Map<string, DocumentNode>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          query: string;
          variables?: Record<string, unknown>;
        };
        let document = documents.get(query);
        if (!document) {
          document = parse(query);
          const errors = validate(schema, document, specifiedRules);
          if (errors.length) throw errors[0];
          documents.set(query, document);
        }
        const key = req.headers.authorization?.slice(7) ?? '';
        const em = orm.em.fork();
        const contextValue: Context = {
          em,
          viewer: await viewerForApiKey(em, key),
          config,
          pubsub,
          limits,
          extensions: {} as Context['extensions'],
          ip: '',
          requestId: 'bench',
          log,
          idempotencyKey: null,
          sessionToken: null,
          setCookie: () => undefined,
          clearCookie: () => undefined,
        };
        const result = await execute({ schema, document, variableValues: variables, contextValue });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result));
      })().catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  server.listen(config.port, () => console.log('ready'));
}

void main();
