import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/common/config';
import { securityHeaders } from '../src/app/security';
import { startTestApp, type TestApp } from './harness';

/** The policy's directives by name, e.g. { 'script-src': "'self'" }. */
function directives(header: string | null): Record<string, string> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => [part.split(' ')[0], part.split(' ').slice(1).join(' ')]),
  );
}

describe('security headers', () => {
  let t: TestApp;
  let webDist: string;
  beforeAll(async () => {
    webDist = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-web-'));
    fs.writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><div id="root"></div>');
    t = await startTestApp({ WEB_DIST: webDist });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(webDist, { recursive: true, force: true });
  });

  it('gives the SPA a policy of its own origin only, websocket included, and forbids framing', async () => {
    const response = await fetch(`${t.url}/dashboard`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(directives(response.headers.get('content-security-policy'))).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data: https:",
      'font-src': "'self'",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'self'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
    });
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // PUBLIC_URL is http here: no HSTS, no upgrading of requests.
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('sends them with GraphQL answers too', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(directives(response.headers.get('content-security-policy'))['frame-ancestors']).toBe("'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lets the server-rendered payer pages keep their inline styles and nothing else, unframed', async () => {
    for (const url of [`${t.url}/bank/`, `${t.url}/check/acs_unknown?code=X`]) {
      const response = await fetch(url, { headers: { accept: 'text/html' } });
      expect(await response.text()).toMatch(/style/);
      const policy = directives(response.headers.get('content-security-policy'));
      expect(policy).toMatchObject({ 'default-src': "'none'", 'style-src': "'unsafe-inline'" });
      expect(policy['script-src']).toBeUndefined();
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('adds HSTS and upgrades requests only when PUBLIC_URL is https', async () => {
    const app = express();
    app.use(securityHeaders(loadConfig({ PUBLIC_URL: 'https://pay.example' })));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const server = app.listen(0);
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(directives(response.headers.get('content-security-policy'))).toHaveProperty('upgrade-insecure-requests');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
