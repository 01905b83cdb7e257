import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type MiddlewareFn } from 'type-graphql';
import { graphqlError } from '../common/errors';
import type { Context, PubSubLike } from '../common/context';
import type { DomainModule } from '../common/module';
import { MODULES, resolversOf } from './modules';

export const SCHEMA_FILE = path.resolve(__dirname, '../../../schema.graphql');

/** `@Authorized()` needs a caller; `@Authorized('ADMIN')` a platform admin. */
export const authChecker: AuthChecker<Context> = ({ context }, roles) => {
  // Thrown here rather than returned: type-graphql would pick its own codes (UNAUTHORIZED) and messages.
  const viewer = context.viewer;
  if (!viewer) throw graphqlError('UNAUTHENTICATED', 'log in or send an API key');
  if (roles.includes('ADMIN') && viewer.role !== 'ADMIN') throw graphqlError('FORBIDDEN', 'platform admins only');
  return true;
};

/**
 * Every mutation needs the `write` scope, so a read-only API key can never change anything, whichever resolver
 * forgets to say so.
 */
const writeScopeGuard: MiddlewareFn<Context> = ({ context, info }, next) => {
  if (info.parentType.name === 'Mutation' && context.viewer && !context.viewer.scopes.includes('write')) {
    throw graphqlError('FORBIDDEN', 'this API key is read-only');
  }
  return next();
};

export async function createSchema(
  pubSub?: PubSubLike,
  modules: readonly DomainModule[] = MODULES,
): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: resolversOf(modules),
    authChecker,
    authMode: 'error',
    globalMiddlewares: [writeScopeGuard],
    validate: false,
    // type-graphql wants a pubSub once any subscription exists, even when the schema is only printed.
    pubSub: pubSub ?? {
      publish: () => undefined,
      subscribe: () => {
        throw new Error('this schema was built without a pub/sub');
      },
    },
  });
}

/** The schema as checked in: sorted, so the file changes only when the API does. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return `# Generated from the server's code by \`npm run schema\`; do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

export function writeSchemaFile(schema: GraphQLSchema): void {
  fs.writeFileSync(SCHEMA_FILE, printSchemaFile(schema));
}
