import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
// One copy of graphql: Vite would otherwise load its ESM build beside the CommonJS one type-graphql uses.
const alias = [{ find: /^graphql$/, replacement: require.resolve('graphql') }];

const shared = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

export default defineConfig({
  resolve: { alias },
  test: {
    passWithNoTests: false,
    projects: [
      {
        resolve: { alias },
        test: { ...shared, name: 'sqlite', env: { TEST_DATABASE: 'sqlite' } },
      },
      {
        resolve: { alias },
        test: { ...shared, name: 'postgres', env: { TEST_DATABASE: 'postgres' } },
      },
    ],
  },
});
