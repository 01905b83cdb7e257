import type { CombinedError } from 'urql';

/**
 * Whether a request failed because the caller is not logged in (any more). The server answers UNAUTHENTICATED,
 * or FORBIDDEN with type-graphql's "need to be authenticated" message for `@Authorized()` fields.
 */
export function isSessionEnded(error: CombinedError): boolean {
  return error.graphQLErrors.some(
    (e) => e.extensions?.code === 'UNAUTHENTICATED' || /need to be authenticated/i.test(e.message),
  );
}
