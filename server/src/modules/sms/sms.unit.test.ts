import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../common/config';
import { referenceCandidates } from './sms.products';
import { maskPhone } from '../../common/phone';

describe('SMS rails: pure parts', () => {
  it.each([
    ['K7M2XR9D', ['K7M2XR9D']],
    ['k7m2 xr9d', ['K7M2XR9D']],
    ['PAY K7M2-XR9D', ['K7M2XR9D']],
    ['payK7M2XR9D', ['K7M2XR9D']],
    ['  Code: K7M2XR9D, thanks ', ['K7M2XR9D']],
    ['K7M2 XR9D PLEASE', ['K7M2XR9D']],
    // Look-alikes (0, O, 1, I, L, Q) are never in a reference.
    ['K0M2XR9D', []],
    ['', []],
    ['HELLO', []],
  ])('reads %j as references %j', (text, expected) => {
    expect(referenceCandidates(text)).toEqual(expected);
  });

  it('masks phone numbers for merchants', () => {
    expect(maskPhone('+359888123456')).toBe('+359******456');
    expect(maskPhone('+1202')).toBe('*****');
  });

  it('reads the SMS settings, with development defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      smsWebhookAllowedIps: [],
      smsWebhookProvider: 'http:aggregator',
      smsSendUrl: null,
    });
    expect(config.smsWebhookSecret.length).toBeGreaterThanOrEqual(16);
    expect(
      loadConfig({
        SMS_WEBHOOK_SECRET: 'a-long-enough-secret',
        SMS_WEBHOOK_ALLOWED_IPS: ' 10.0.0.1, 192.168.0.0/16 ,::1',
        SMS_WEBHOOK_PROVIDER: 'http:acme',
        SMS_SEND_URL: 'https://sms.example/send/',
      }),
    ).toMatchObject({
      smsWebhookSecret: 'a-long-enough-secret',
      smsWebhookAllowedIps: ['10.0.0.1', '192.168.0.0/16', '::1'],
      smsWebhookProvider: 'http:acme',
      smsSendUrl: 'https://sms.example/send',
    });
  });

  it.each([
    [{ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }, 'SMS_WEBHOOK_SECRET'],
    [{ SMS_WEBHOOK_SECRET: 'short' }, 'SMS_WEBHOOK_SECRET'],
    [{ SMS_WEBHOOK_ALLOWED_IPS: '10.0.0.1,example.com' }, 'SMS_WEBHOOK_ALLOWED_IPS'],
    [{ SMS_WEBHOOK_ALLOWED_IPS: '10.0.0.0/33' }, 'SMS_WEBHOOK_ALLOWED_IPS'],
    [{ SMS_WEBHOOK_PROVIDER: 'aggregator' }, 'SMS_WEBHOOK_PROVIDER'],
    [{ SMS_SEND_URL: 'ftp://sms.example' }, 'SMS_SEND_URL'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});
