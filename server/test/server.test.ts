import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './harness';

describe('HTTP server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('answers health and readiness probes', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('keeps CSRF prevention on: a simple GET query without a preflight header is refused', async () => {
    const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ me { scopes } }')}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('refuses queries nested too deeply before executing them', async () => {
    let selection = 'name';
    for (let i = 0; i < 14; i++) selection = `ofType { ${selection} }`;
    const result = await t.gql(`{ __schema { types { fields { type { ${selection} } } } } }`, {}, await t.ownerAuth());
    expect(result.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
    expect(result.data).toBeUndefined();
  });

  it('refuses queries whose estimated cost is too high', async () => {
    const fields = Array.from(
      { length: 40 },
      (_, i) => `k${i}: apiKeys(first: 100) { edges { node { id name prefix } } }`,
    );
    const result = await t.gql(`{ ${fields.join(' ')} }`, {}, await t.ownerAuth());
    expect(result.errors?.[0].extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(result.data).toBeUndefined();
  });

  it('rejects a page size out of range with BAD_USER_INPUT', async () => {
    const result = await t.gql('{ auditEvents(first: 1000) { totalCount } }', {}, await t.ownerAuth());
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
