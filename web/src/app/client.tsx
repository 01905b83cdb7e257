import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Client, Provider, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';

/** A urql client for the same-origin API: POST only (Apollo's CSRF prevention refuses GET), cookies included. */
export function createApiClient(): Client {
  const wsUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  // Lazy: the socket opens with the first subscription, so pages without live data never connect.
  const ws = createWsClient({ url: wsUrl, lazy: true, retryAttempts: 5 });
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [
      cacheExchange,
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
}

const ResetContext = createContext<() => void>(() => undefined);

/** Provides the API client; `useResetClient()` swaps in a fresh one so nothing cached outlives a login or logout. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const [client, setClient] = useState(createApiClient);
  const reset = useCallback(() => setClient(createApiClient()), []);
  const value = useMemo(() => reset, [reset]);
  return (
    <ResetContext.Provider value={value}>
      <Provider value={client}>{children}</Provider>
    </ResetContext.Provider>
  );
}

export function useResetClient(): () => void {
  return useContext(ResetContext);
}
