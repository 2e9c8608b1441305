import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

/**
 * Outbound HTTP with an SSRF guard, for every URL that comes from outside (an LMS's OpenID configuration,
 * its JWKS, a credential's issuer). The guard:
 * - refuses `http:` unless `allowHttp` (development), and every other scheme;
 * - resolves the host and refuses private, loopback, link-local, multicast and reserved addresses unless
 *   `allowPrivate` (OUTBOUND_ALLOW_PRIVATE); the check runs inside the socket's own `lookup`, so the address
 *   checked is the address connected to (no DNS-rebinding window);
 * - follows no redirects (a caller may have them returned, to vet the next URL itself), stops after
 *   `timeoutMs`, and refuses bodies over `maxBytes`.
 */
export interface OutboundPolicy {
  readonly allowHttp: boolean;
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly userAgent: string;
}

/** The policy for this configuration: https only in production; private addresses only when allowed. */
export function outboundPolicy(
  config: Pick<Config, 'production' | 'outboundAllowPrivate'>,
  overrides: Partial<OutboundPolicy> = {},
): OutboundPolicy {
  return {
    allowHttp: !config.production,
    allowPrivate: config.outboundAllowPrivate,
    timeoutMs: 10_000,
    maxBytes: 1024 * 1024,
    userAgent: 'Laurel (LTI 1.3 tool)',
    ...overrides,
  };
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True when `address` (IPv4 or IPv6 literal) is not a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped =
    /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const hexMapped = /^(?:0*:)*:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped) {
    const hi = Number.parseInt(hexMapped[1]!, 16);
    const lo = Number.parseInt(hexMapped[2]!, 16);
    return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return blocked.check(address, 'ipv6');
}

function refused(url: string, rule: string): AppError {
  return new AppError('ERR_OUTBOUND_REFUSED', `Outbound request to ${url} refused: ${rule}`);
}

/** Checks scheme and, for an IP literal host, the address. Returns the parsed URL. */
export function checkOutboundUrl(
  raw: string,
  policy: Pick<OutboundPolicy, 'allowHttp' | 'allowPrivate'>,
): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(raw, 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw refused(
      url.origin,
      policy.allowHttp ? 'only http(s) URLs are fetched' : 'only https URLs are fetched',
    );
  }
  if (url.username || url.password) throw refused(url.origin, 'URLs with credentials are not fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !policy.allowPrivate && isPrivateAddress(host)) {
    throw refused(url.origin, 'the address is private, loopback or reserved');
  }
  return url;
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const bad = allowPrivate ? undefined : addresses.find((entry) => isPrivateAddress(entry.address));
      if (bad || addresses.length === 0) {
        const refusal = Object.assign(
          new Error(`${hostname} resolves to a private, loopback or reserved address`),
          {
            code: 'ERR_OUTBOUND_PRIVATE',
          },
        );
        return callback(refusal, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** `return`: a 3xx answer is returned (with its `location`) for the caller to vet; default: it fails. */
  redirects?: 'refuse' | 'return';
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Fetches `url` under `policy`; any status is returned, the caller decides what it means.
 * @throws AppError ERR_OUTBOUND_REFUSED (scheme or address refused), ERR_OUTBOUND_FAILED (network, timeout,
 * redirect, body too large).
 */
export async function guardedFetch(
  raw: string,
  request: OutboundRequest,
  policy: OutboundPolicy,
): Promise<OutboundResponse> {
  const url = checkOutboundUrl(raw, policy);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'user-agent': policy.userAgent, ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise<OutboundResponse>((resolve, reject) => {
    const fail = (message: string, cause?: unknown) =>
      reject(
        new AppError(
          'ERR_OUTBOUND_FAILED',
          `Outbound request to ${url.origin}${url.pathname} failed: ${message}`,
          { cause },
        ),
      );
    const req = client.request(
      url,
      { method: request.method ?? 'GET', headers, lookup: guardedLookup(policy.allowPrivate), agent: false },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && request.redirects !== 'return') {
          res.resume();
          req.destroy();
          fail(`answered ${status} (redirects are not followed)`);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > policy.maxBytes) {
            req.destroy();
            fail(`body larger than ${policy.maxBytes} bytes`);
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => fail(error.message, error));
      },
    );
    req.setTimeout(policy.timeoutMs, () => {
      req.destroy();
      fail(`no answer within ${policy.timeoutMs} ms`);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ERR_OUTBOUND_PRIVATE') reject(refused(url.origin, error.message));
      else fail(error.message, error);
    });
    req.end(request.body);
  });
}

/** Parses a JSON object body; undefined when it is not JSON or not an object. */
export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
