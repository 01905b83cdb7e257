import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** A refusal of the request itself: HTTP 400 with a GraphQL error, never a 500. */
function badInput(message: string, field: string[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });
}

/** The path of the first string containing a NUL byte inside a JSON value, or null. */
function nulPath(value: unknown, path: string[]): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulPath(item, [...path, String(index)]);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nulPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The GraphQL boundary's input checks, before anything else reads the variables (the cost check does): variables
 * must coerce to their declared types (the spec's 400, not a 500 from whoever reads them first), and no string —
 * variable or inline argument — may carry a NUL byte, which no database column takes. Throws BAD_USER_INPUT naming
 * the variable or argument.
 */
export function assertValidInput(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string,
): void {
  const inVariables = nulPath(variables, []);
  if (inVariables) {
    throw badInput(`variable ${inVariables.join('.')} contains a NUL byte`, ['variables', ...inVariables]);
  }
  const operation: OperationDefinitionNode | null | undefined = getOperationAST(document, operationName);
  if (operation) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
    if (coerced.errors?.length) throw badInput(coerced.errors[0].message, ['variables']);
  }
  let argument: string[] | null = null;
  visit(document, {
    Argument(node) {
      if (argument) return;
      visit(node.value, {
        StringValue(value) {
          if (!argument && value.value.includes('\u0000')) argument = [node.name.value];
        },
      });
    },
  });
  if (argument) throw badInput(`argument ${String(argument[0])} contains a NUL byte`, argument);
}
