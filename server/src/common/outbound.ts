import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/*
 * Requests to URLs a merchant typed (Result URLs, webhook endpoints, and the tests of both). Unless allowed by
 * ALLOW_PRIVATE_CALLBACK_URLS, only public unicast addresses are reached: otherwise a merchant's URL is a way to make
 * our servers call the cloud metadata service, a database or an admin port inside our network (SSRF).
 */

/**
 * Whether an IP address is public unicast. Everything else is refused: loopback, private, link-local, unique-local,
 * multicast, unspecified, carrier-grade NAT, reserved and documentation ranges, and IPv6 forms that embed an IPv4
 * address (NAT64, 6to4, Teredo), whose IPv4 part could be anything. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as
 * the IPv4 address it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!net.isIP(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/**
 * A URL host that is internal by its name or its literal address; checked where a URL is saved, so the merchant
 * hears at once. (A name that resolves to an internal address is caught when connecting.)
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) return true;
  return net.isIP(host) !== 0 && !isPublicAddress(host);
}

/** Why a request was not made; the outbox records the message as the attempt's error. */
export class RefusedAddressError extends Error {
  constructor(host: string, address: string) {
    super(
      host === address
        ? `refused: ${address} is not a public address`
        : `refused: ${host} resolves to ${address}, which is not a public address`,
    );
    this.name = 'RefusedAddressError';
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;
type Resolve = (hostname: string, callback: (error: Error | null, addresses: dns.LookupAddress[]) => void) => void;

const systemResolve: Resolve = (hostname, callback) => dns.lookup(hostname, { all: true }, callback);

/**
 * A `lookup` for sockets that refuses internal addresses. The socket connects to the very addresses checked here, so a
 * name cannot resolve to a public address when checked and to 127.0.0.1 when connecting (DNS rebinding).
 * `resolve` is for tests.
 */
export function publicOnlyLookup(resolve: Resolve = systemResolve): net.LookupFunction {
  const lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    resolve(hostname, (error, found) => {
      if (error) return callback(error, []);
      const addresses = family ? found.filter((entry) => entry.family === family) : found;
      // All or nothing: a name with one internal address among public ones is refused.
      const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
      if (blocked) return callback(new RefusedAddressError(hostname, blocked.address), []);
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
  return lookup;
}

export interface PostResult {
  status: number;
  /** The start of the response body, for the attempt history. */
  body: string;
}

const MAX_BODY_KEPT = 500;

/**
 * POSTs `body` to a merchant's URL and resolves with the status, whatever it is; rejects on network errors, on
 * `signal` and on internal addresses unless `allowPrivate`. Redirects are not followed (a signed request should reach
 * the URL the merchant registered, not wherever it points us). `headers` include the content type.
 */
export function postToUrl(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { signal: AbortSignal; allowPrivate: boolean; resolve?: Resolve },
): Promise<PostResult> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new Error(`refused: ${target.protocol} is not http or https`));
  }
  // Literal addresses never go through `lookup`, so they are checked here.
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isPrivateHost(host)) {
    return Promise.reject(new RefusedAddressError(host, host));
  }
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        signal: options.signal,
        lookup: options.allowPrivate ? undefined : publicOnlyLookup(options.resolve),
        // A fresh connection per request: a pooled socket would skip the lookup, and with it the check.
        agent: false,
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
