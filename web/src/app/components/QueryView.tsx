import type { ReactNode } from 'react';
import type { AnyVariables, OperationContext, UseQueryState } from 'urql';
import { ErrorState, Loading } from './States';

/**
 * The three states of a urql query in one place: a spinner until the first answer, the error (with a retry) when
 * there is nothing to show, then the data. Data already on screen stays while a refetch runs or fails.
 */
export function QueryView<Data, Variables extends AnyVariables = AnyVariables>({
  query,
  refetch,
  loading,
  errorWrap,
  children,
}: {
  query: UseQueryState<Data, Variables>;
  refetch?: (opts?: Partial<OperationContext>) => void;
  /** Label of the spinner. */
  loading?: string;
  /** Where the error goes, e.g. inside the page's frame. */
  errorWrap?: (error: ReactNode) => ReactNode;
  /** Without children: only the loading and error states, for `if (!data) return <QueryView … />`. */
  children?: (data: Data) => ReactNode;
}) {
  const { data, fetching, error } = query;
  if (data) return children ? <>{children(data)}</> : null;
  if (error) {
    const state = (
      <ErrorState error={error} onRetry={refetch ? () => refetch({ requestPolicy: 'network-only' }) : undefined} />
    );
    return <>{errorWrap ? errorWrap(state) : state}</>;
  }
  if (fetching || !data) return <Loading label={loading} />;
  return null;
}
