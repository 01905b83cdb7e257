import { useCallback, useState } from 'react';

interface PageInfo {
  endCursor?: string | null;
  hasNextPage: boolean;
}

/** Forward cursor paging with a way back: the cursors of the pages already seen are kept on a stack. */
export function usePaging(pageSize = 20) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const next = useCallback((endCursor: string) => setCursors((stack) => [...stack, endCursor]), []);
  const previous = useCallback(() => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)), []);
  const reset = useCallback(() => setCursors([null]), []);
  return { first: pageSize, after, page: cursors.length, next, previous, reset };
}

type Paging = ReturnType<typeof usePaging>;

export function Pager({
  paging,
  pageInfo,
  totalCount,
  shown,
}: {
  paging: Paging;
  pageInfo: PageInfo;
  totalCount: number;
  shown: number;
}) {
  // Nothing to page through: the empty state says so.
  if (totalCount === 0 && paging.page === 1) return null;
  const from = shown === 0 ? 0 : (paging.page - 1) * paging.first + 1;
  const to = from === 0 ? 0 : from + shown - 1;
  const endCursor = pageInfo.endCursor;
  return (
    <nav className="pager" aria-label="Pages">
      <span className="pager__count">
        {from}–{to} of {totalCount}
      </span>
      <span className="pager__buttons">
        <button type="button" className="button button--small" disabled={paging.page <= 1} onClick={paging.previous}>
          ← Previous
        </button>
        <button
          type="button"
          className="button button--small"
          disabled={!pageInfo.hasNextPage || !endCursor}
          onClick={() => endCursor && paging.next(endCursor)}
        >
          Next →
        </button>
      </span>
    </nav>
  );
}
