import { useEffect, useLayoutEffect } from 'react';
import { useLocation, useMatches } from 'react-router';

const SITE = 'Tollgate';

function titled(title: string | null | undefined): string {
  return title ? `${title} · ${SITE}` : SITE;
}

/**
 * Sets the tab's title to "<title> · Tollgate" while the calling page is shown. A page's own title (this hook, a
 * passive effect) runs after its route's default (useRouteTitle, a layout effect), so the more specific one wins, also
 * on each navigation. Nothing to undo on unmount: the next page or route sets its own.
 */
export function useDocumentTitle(title: string | null | undefined): void {
  const { pathname } = useLocation();
  useEffect(() => {
    if (title) document.title = titled(title);
  }, [title, pathname]);
}

/** The route's default title (the navigation label, or a detail page's kind), before its page says more. */
export function useRouteTitle(title: string | null | undefined): void {
  const { pathname } = useLocation();
  useLayoutEffect(() => {
    document.title = titled(title);
  }, [title, pathname]);
}

/** What a route says of itself in `handle` (router.tsx): the default title of its page. */
export interface RouteHandle {
  title?: string;
}

/** The title of the deepest matched route that names one. */
export function useMatchedTitle(): string | undefined {
  const matches = useMatches();
  for (let i = matches.length - 1; i >= 0; i--) {
    const title = (matches[i].handle as RouteHandle | undefined)?.title;
    if (title) return title;
  }
  return undefined;
}
