import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { Client, Provider, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';
import { createCacheExchange } from './cache';
import { isSessionEnded } from './session';

interface Api {
  client: Client;
  close(): void;
}

/** A urql client for the same-origin API: POST only (Apollo's CSRF prevention refuses GET), cookies included. */
export function createApi(): Api {
  const wsUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  // Lazy: the socket opens with the first subscription, so pages without live data never connect.
  const ws = createWsClient({ url: wsUrl, lazy: true, retryAttempts: 5 });
  const client = new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [
      mapExchange({
        onError(error) {
          // A session that ended (expired, logged out elsewhere, password changed) sends the user to log in again
          // from wherever they were; a full load also drops everything cached for the old session.
          const path = window.location.pathname;
          if (isSessionEnded(error) && (path.startsWith('/dashboard') || path.startsWith('/admin'))) {
            window.location.assign(`/login?next=${encodeURIComponent(path + window.location.search)}`);
          }
        },
      }),
      // Normalized: one copy of each object, updated by mutations and subscriptions (see cache.ts).
      createCacheExchange(),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });
  return { client, close: () => void ws.dispose() };
}

const ResetContext = createContext<() => void>(() => undefined);

/** Provides the API client; `useResetClient()` swaps in a fresh one so nothing cached outlives a login or logout. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const [api, setApi] = useState(createApi);
  useEffect(() => () => api.close(), [api]);
  const reset = useCallback(() => setApi(createApi()), []);
  return (
    <ResetContext.Provider value={reset}>
      <Provider value={api.client}>{children}</Provider>
    </ResetContext.Provider>
  );
}

export function useResetClient(): () => void {
  return useContext(ResetContext);
}
