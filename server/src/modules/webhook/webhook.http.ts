import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Addresses a merchant's URL must not reach in production: otherwise a webhook URL is a way to make our servers
 * call the cloud metadata service or internal admin ports (SSRF).
 */
const PRIVATE = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127], // unspecified and loopback
  ['64:ff9b::', 96], // NAT64, same reason
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}
// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) need no rule of their own: BlockList checks them as IPv4.

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** A host that is, or is named like, something internal; checked when a URL is registered. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || isPrivateAddress(host);
}

/**
 * dns.lookup that refuses private addresses. Checking at connect time (not only at registration) closes the DNS
 * rebinding gap: a name that resolved publicly when saved may resolve to 127.0.0.1 later.
 */
const publicOnlyLookup = ((
  hostname: string,
  options: dns.LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) return callback(new Error(`${hostname} resolves to a private address (${blocked.address})`), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}) as net.LookupFunction;

export interface PostResult {
  status: number;
  /** The start of the response body, for the attempt history. */
  body: string;
}

const MAX_BODY_KEPT = 500;

/**
 * POSTs a body and resolves with the status, whatever it is; rejects on network errors and on `signal`. Redirects are
 * not followed (a signed request should reach the URL the merchant registered, not wherever it points us).
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { signal: AbortSignal; allowPrivate: boolean },
): Promise<PostResult> {
  const target = new URL(url);
  // Literal IP hosts never go through `lookup`, so they are checked here.
  if (!options.allowPrivate && isPrivateHost(target.hostname)) {
    return Promise.reject(new Error(`${target.hostname} is a private address`));
  }
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal: options.signal,
        lookup: options.allowPrivate ? undefined : publicOnlyLookup,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        // Keep reading to the end (so the socket is released) but keep only the start.
        response.on('data', (chunk: string) => {
          if (text.length < MAX_BODY_KEPT) text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text.slice(0, MAX_BODY_KEPT) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
