import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = 'http://localhost:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      // ws: graphql-ws subscriptions share the /graphql path with queries and mutations.
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/healthz': api,
      '/readyz': api,
      // The products' server-side routes (legacy purse forms, the SMS webhook, access-code checks); the SPA's own
      // payer page under /bank/pay/ stays with Vite.
      '/bank': { target: api, bypass: (req) => (req.url?.startsWith('/bank/pay/') ? req.url : undefined) },
      '/language': api,
      '/check': api,
      '/sms': api,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change far less often than the app: a chunk of their own stays cached across releases.
        codeSplitting: { groups: [{ name: 'vendor', test: /[\\/]node_modules[\\/]/ }] },
      },
    },
  },
});
