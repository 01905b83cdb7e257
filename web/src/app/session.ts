import type { CombinedError } from 'urql';

/** Whether a request failed because the caller is not logged in (any more): the server answers UNAUTHENTICATED. */
export function isSessionEnded(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}
