import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('has working defaults for the embedded SQLite database', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('development');
    expect(config.port).toBe(4000);
    expect(config.publicUrl).toBe('http://localhost:4000');
    expect(config.database).toMatchObject({ kind: 'sqlite' });
    expect(config.redisUrl).toBeNull();
  });

  it('lets merchant URLs reach internal addresses only outside production, unless told', () => {
    const secret = { SESSION_SECRET: 'x'.repeat(32), SMS_WEBHOOK_SECRET: 'y'.repeat(16) };
    expect(loadConfig({}).allowPrivateCallbackUrls).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', ...secret }).allowPrivateCallbackUrls).toBe(false);
    const allowed = { NODE_ENV: 'production', ALLOW_PRIVATE_CALLBACK_URLS: 'true', ...secret };
    expect(loadConfig(allowed).allowPrivateCallbackUrls).toBe(true);
    expect(loadConfig({ ALLOW_PRIVATE_CALLBACK_URLS: 'false' }).allowPrivateCallbackUrls).toBe(false);
    expect(loadConfig({ OUTBOX_RETENTION_DAYS: '7' })).toMatchObject({
      outboxRetentionDays: 7,
      webhookRetentionDays: 30,
      webhookFailedRetentionDays: 90,
    });
  });

  it('logs at info, quietly under tests, and serves no metrics unless given a token', () => {
    expect(loadConfig({})).toMatchObject({ logLevel: 'info', metricsToken: null });
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'Debug' }).logLevel).toBe('debug');
    expect(loadConfig({ METRICS_TOKEN: 'a-scrape-token-of-some-length' }).metricsToken).toBe(
      'a-scrape-token-of-some-length',
    );
  });

  it('reads PostgreSQL and Redis URLs', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/tollgate', REDIS_URL: 'redis://cache:6379' });
    expect(config.database).toEqual({ kind: 'postgresql', url: 'postgres://u@db:5432/tollgate' });
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://localhost' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ PUBLIC_URL: 'tollgate.example' }, 'PUBLIC_URL'],
    [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ ALLOW_PRIVATE_CALLBACK_URLS: 'yes' }, 'ALLOW_PRIVATE_CALLBACK_URLS'],
    [{ OUTBOX_RETENTION_DAYS: '0' }, 'OUTBOX_RETENTION_DAYS'],
    [{ WEBHOOK_RETENTION_DAYS: 'a month' }, 'WEBHOOK_RETENTION_DAYS'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
  ])('refuses %o naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
  });
});
