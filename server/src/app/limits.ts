import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type GraphQLSchema,
  type DocumentNode,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

export const MAX_DEPTH = 12;
export const MAX_COST = 5000;

/** Rejects documents nested deeper than MAX_DEPTH (introspection included), before anything executes. */
export function depthLimitRule(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const depthOf = (selectionSet: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(deepest, selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen) : 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name))
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, name])));
      }
    }
    return deepest;
  };
  return {
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, new Set());
      if (depth > MAX_DEPTH) {
        context.reportError(
          new GraphQLError(`query is nested ${depth} levels deep; the limit is ${MAX_DEPTH}`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP' },
          }),
        );
      }
    },
  };
}

/** A connection costs its page size (`first`, default 20) times what each item costs. */
const pageEstimator: ComplexityEstimator = ({ args, field, childComplexity }) => {
  if (!String(field.type).replace(/!/g, '').endsWith('Connection')) return undefined;
  const first = typeof args.first === 'number' ? args.first : 20;
  return 1 + first * Math.max(childComplexity, 1);
};

/** Throws QUERY_TOO_COSTLY when an operation's estimated cost exceeds MAX_COST. */
export function assertAffordable(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string,
): void {
  const cost = getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
  if (cost > MAX_COST) {
    throw new GraphQLError(`query would cost ${cost}; the limit is ${MAX_COST}`, {
      extensions: { code: 'QUERY_TOO_COSTLY' },
    });
  }
}
