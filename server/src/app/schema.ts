import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type MiddlewareFn } from 'type-graphql';
import { graphqlError } from '../common/errors';
import { assertMayMutate, assertSecondFactor, type Context, type PubSubLike } from '../common/context';
import type { DomainModule } from '../common/module';
import { MODULES, resolversOf } from './modules';

export const SCHEMA_FILE = path.resolve(__dirname, '../../../schema.graphql');

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** `@Authorized()` needs a caller; `@Authorized('ADMIN')` a platform admin. */
export const authChecker: AuthChecker<Context> = ({ context, info }, roles) => {
  // Thrown here rather than returned: type-graphql would pick its own codes (UNAUTHORIZED) and messages.
  const viewer = context.viewer;
  if (!viewer) throw graphqlError('UNAUTHENTICATED', 'log in or send an API key');
  if (ROOT_TYPES.has(info.parentType.name)) assertSecondFactor(viewer, info.fieldName);
  if (roles.includes('ADMIN') && viewer.role !== 'ADMIN') throw graphqlError('FORBIDDEN', 'platform admins only');
  return true;
};

/**
 * Every mutation needs the `write` scope, so a read-only API key, a READ_ONLY member or a suspended merchant can never
 * change anything, whichever resolver forgets to say so (the rule: common/context.ts).
 */
const writeScopeGuard: MiddlewareFn<Context> = ({ context, info }, next) => {
  if (info.parentType.name === 'Mutation') assertMayMutate(context.viewer, info.fieldName);
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
