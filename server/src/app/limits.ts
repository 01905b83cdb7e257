import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import {
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
  type ComplexityEstimator,
} from 'graphql-query-complexity';

export const MAX_DEPTH = 12;
/** A signed-in dashboard or a partner's key: a dashboard page costs a few hundred. */
export const MAX_COST = 5000;
/**
 * Anyone on the internet: a payer page costs well under 100 (a voucher shop with its country quotes is ~30), so the
 * ceiling leaves room for every page and none for fan-out of aliases.
 */
export const MAX_PUBLIC_COST = 300;

/** How deep the deepest field selection of the document's operations goes (fragments followed, cycles cut). */
export function queryDepth(document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const depthOf = (selectionSet: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) {
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, name])));
        }
      }
    }
    return deepest;
  };
  let deepest = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      deepest = Math.max(deepest, depthOf(definition.selectionSet, new Set()));
    }
  }
  return deepest;
}

/**
 * A connection costs its page size (`first`, default 20) times what each item costs, plus what the field itself
 * declares (a fixed `complexity` on the resolver for its own work).
 */
const pageEstimator: ComplexityEstimator = ({ args, field, childComplexity }) => {
  if (!String(field.type).replace(/!/g, '').endsWith('Connection')) return undefined;
  const first = typeof args.first === 'number' ? args.first : 20;
  const own = typeof field.extensions?.complexity === 'number' ? field.extensions.complexity : 1;
  return own + first * Math.max(childComplexity, 1);
};

/**
 * Fields that do real work declare it (`@Query(…, { complexity: 20 })`): it is added to what their selection costs.
 * A list field costs its own work plus one item's selection (lists of this schema are bounded by their data).
 */
const declaredWorkEstimator = fieldExtensionsEstimator();

/**
 * Throws QUERY_TOO_DEEP or QUERY_TOO_COSTLY before anything executes. Checked after validation (not as a validation
 * rule) because Apollo rewrites every validation error's code to GRAPHQL_VALIDATION_FAILED.
 */
export function assertWithinLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
  maxCost: number = MAX_COST,
  /** The refusal's code: QUERY_TOO_COSTLY, or UNAUTHENTICATED where signing in would raise the ceiling. */
  code: 'QUERY_TOO_COSTLY' | 'UNAUTHENTICATED' = 'QUERY_TOO_COSTLY',
): void {
  // Apollo hands the same parsed document for the same query text, so a dashboard's repeated query is measured once.
  const key = `${maxCost}\n${operationName ?? ''}\n${JSON.stringify(variables)}`;
  let checked = checkedDocuments.get(document);
  if (checked?.has(key)) return;
  measure(schema, document, variables, operationName, maxCost, code);
  if (!checked) checkedDocuments.set(document, (checked = new Set()));
  if (checked.size < 100) checked.add(key);
}

const checkedDocuments = new WeakMap<DocumentNode, Set<string>>();

function measure(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
  maxCost: number,
  code: string,
): void {
  const depth = queryDepth(document);
  if (depth > MAX_DEPTH) {
    throw new GraphQLError(`query is nested ${depth} levels deep; the limit is ${MAX_DEPTH}`, {
      extensions: { code: 'QUERY_TOO_DEEP' },
    });
  }
  const cost = getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [pageEstimator, declaredWorkEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
  if (cost > maxCost) {
    const signIn = code === 'UNAUTHENTICATED' ? ' without signing in' : '';
    throw new GraphQLError(`query would cost ${cost}; the limit is ${maxCost}${signIn}`, {
      extensions: { code },
    });
  }
}
