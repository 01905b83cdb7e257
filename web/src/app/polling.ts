import { useEffect } from 'react';

/** Refetches every `ms` while the tab is visible: for lists a background worker keeps changing. */
export function usePolling(refetch: () => void, ms: number, enabled = true): void {
  useEffect(() => {
    if (!enabled) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') refetch();
    }, ms);
    return () => window.clearInterval(timer);
  }, [refetch, ms, enabled]);
}
