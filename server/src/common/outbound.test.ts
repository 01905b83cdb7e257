import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateHost, isPublicAddress, postToUrl } from './outbound';

describe('outbound requests to merchant URLs', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts only public unicast addresses as public', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fd00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '2002:7f00:1::',
      'not an address',
    ]) {
      expect([address, isPublicAddress(address)]).toEqual([address, false]);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34']) {
      expect([address, isPublicAddress(address)]).toEqual([address, true]);
    }
  });

  it('judges hosts by name and literal address', () => {
    for (const host of ['localhost', 'api.localhost', 'metadata.google.internal', '127.0.0.1', '[::1]', '[fc00::5]']) {
      expect([host, isPrivateHost(host)]).toEqual([host, true]);
    }
    for (const host of ['example.com', '93.184.216.34', '[2606:4700:4700::1111]']) {
      expect([host, isPrivateHost(host)]).toEqual([host, false]);
    }
  });

  it('refuses a literal internal address without connecting, unless allowed', async () => {
    const signal = new AbortController().signal;
    const before = hits;
    await expect(postToUrl(`http://127.0.0.1:${port}/`, '{}', {}, { signal, allowPrivate: false })).rejects.toThrow(
      'refused: 127.0.0.1 is not a public address',
    );
    await expect(
      postToUrl(`http://[::ffff:127.0.0.1]:${port}/`, '{}', {}, { signal, allowPrivate: false }),
    ).rejects.toThrow(/^refused: /);
    expect(hits).toBe(before);
    expect(await postToUrl(`http://127.0.0.1:${port}/`, '{}', {}, { signal, allowPrivate: true })).toEqual({
      status: 200,
      body: 'ok',
    });
  });

  it('checks the address a name resolves to when connecting (DNS rebinding), and connects to no other', async () => {
    const signal = new AbortController().signal;
    const before = hits;
    // A merchant's name that resolves to loopback by the time we connect.
    const rebinding = (
      _host: string,
      callback: (error: Error | null, found: { address: string; family: number }[]) => void,
    ) => callback(null, [{ address: '127.0.0.1', family: 4 }]);
    await expect(
      postToUrl(`http://shop.example:${port}/`, '{}', {}, { signal, allowPrivate: false, resolve: rebinding }),
    ).rejects.toThrow('refused: shop.example resolves to 127.0.0.1, which is not a public address');
    // One internal address among public ones is enough to refuse.
    const mixed = (
      _host: string,
      callback: (error: Error | null, found: { address: string; family: number }[]) => void,
    ) =>
      callback(null, [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ]);
    await expect(
      postToUrl(`http://shop.example:${port}/`, '{}', {}, { signal, allowPrivate: false, resolve: mixed }),
    ).rejects.toThrow(/resolves to 10\.0\.0\.1/);
    expect(hits).toBe(before);
  });

  it('refuses schemes other than http and https', async () => {
    const signal = new AbortController().signal;
    await expect(postToUrl('file:///etc/passwd', '', {}, { signal, allowPrivate: true })).rejects.toThrow(
      /not http or https/,
    );
  });
});
