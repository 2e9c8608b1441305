import type { AppContext } from '../../context.js';
import { AppError, type ErrorCode } from '../../errors.js';
import {
  guardedFetch,
  type OutboundPolicy,
  type OutboundResponse,
  outboundPolicy,
} from '../../net/guarded-fetch.js';
import { sandboxPlatformPath } from '../emulator/sandbox-path.js';
import { type AccessToken, AccessTokenCache, type TokenPlatform } from './token.js';
import { serviceUserAgent } from './user-agent.js';

/** What the service clients need from the AppContext. */
export type ServiceContext = Pick<AppContext, 'pool' | 'clock' | 'secret' | 'newId' | 'config'>;

/** Which platform to call, and the scope set to ask tokens for (so one token serves several kinds of call). */
export interface ServiceTarget {
  platform: TokenPlatform;
  /** Scopes to request with every token; the call's scope is added when none allows it. Default: the call's. */
  scopes?: readonly string[];
}

export type ServiceName = 'AGS' | 'NRPS';

export interface ServiceCall {
  service: ServiceName;
  /** The scope the call needs (requested when the target's scope set has none that allows the call). */
  scope: string;
  /** Other scopes that allow the call too (a read accepts the `.readonly` scope). */
  alsoAllowedBy?: readonly string[];
  method: 'GET' | 'POST';
  url: string;
  accept: string;
  contentType?: string;
  body?: string;
}

/** Sends LTI Advantage service calls: bearer tokens from the cache, a User-Agent, the SSRF guard. */
export interface ServiceClient {
  readonly tokens: AccessTokenCache;
  /**
   * Sends `call` with a bearer token for its scope; on a 401 the token is dropped and the call retried once.
   * @throws AppError ERR_LTI_TOKEN_*, ERR_LTI_TOKEN_SCOPE_DENIED, ERR_OUTBOUND_*.
   */
  send(target: ServiceTarget, call: ServiceCall): Promise<OutboundResponse>;
}

/**
 * Creates a client with its own token cache; keep one per process (tokens are cached per platform + scopes).
 * When the sandbox is on, its emulated platform (served by this Laurel under PUBLIC_URL) is reachable even where
 * the SSRF guard refuses loopback addresses: that one URL prefix is this process, not a place an LMS chose.
 */
export function createServiceClient(
  ctx: ServiceContext,
  options: { policy?: Partial<OutboundPolicy> } = {},
): ServiceClient {
  const policy = outboundPolicy(ctx.config, {
    userAgent: serviceUserAgent,
    // NRPS pages of a large course are big; AGS containers too.
    maxBytes: 8 * 1024 * 1024,
    ...options.policy,
  });
  const sandboxPrefix = ctx.config.sandbox ? `${ctx.config.publicUrl}${sandboxPlatformPath}/` : undefined;
  const sandboxPolicy = { ...policy, allowPrivate: true };
  // Compared after URL parsing, so `/sandbox/platform/../admin` does not pass for the sandbox.
  const inSandbox = (url: string) => {
    try {
      return sandboxPrefix !== undefined && new URL(url).href.startsWith(sandboxPrefix);
    } catch {
      return false;
    }
  };
  const policyFor = (url: string) => (inSandbox(url) ? sandboxPolicy : policy);
  const tokens = new AccessTokenCache(ctx, policyFor);

  async function attempt(target: ServiceTarget, call: ServiceCall, scopes: string[]) {
    const token = await tokens.get(target.platform, scopes);
    checkGranted(token, call);
    const headers: Record<string, string> = {
      authorization: `Bearer ${token.accessToken}`,
      accept: call.accept,
      'user-agent': serviceUserAgent,
      ...(call.contentType ? { 'content-type': call.contentType } : {}),
    };
    const res = await guardedFetch(
      call.url,
      { method: call.method, headers, ...(call.body === undefined ? {} : { body: call.body }) },
      policyFor(call.url),
    );
    return { res, token };
  }

  return {
    tokens,
    async send(target, call) {
      const base = [...new Set(target.scopes ?? [])];
      const scopes = base.some((scope) => allows(call, scope)) ? base : [...base, call.scope];
      const first = await attempt(target, call, scopes);
      if (first.res.status !== 401) return first.res;
      // The platform may revoke or shorten a token before its expires_in: one fresh token, one retry.
      tokens.discard(target.platform, scopes, first.token);
      return (await attempt(target, call, scopes)).res;
    },
  };
}

function allows(call: ServiceCall, scope: string): boolean {
  return scope === call.scope || (call.alsoAllowedBy ?? []).includes(scope);
}

function checkGranted(token: AccessToken, call: ServiceCall): void {
  if (![...token.scopes].some((scope) => allows(call, scope))) {
    throw new AppError(
      'ERR_LTI_TOKEN_SCOPE_DENIED',
      `The platform did not grant the scope ${call.scope} this ${call.service} call needs`,
      { details: { scope: call.scope } },
    );
  }
}

/** One `Link` header entry (RFC 8288): its target resolved against the request URL, and its relation types. */
export interface WebLink {
  url: string;
  rels: string[];
}

/** Parses a `Link` header; entries that do not parse are skipped. */
export function parseLinkHeader(header: string | string[] | undefined, base: string): WebLink[] {
  const value = Array.isArray(header) ? header.join(', ') : (header ?? '');
  const links: WebLink[] = [];
  for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? '');
    if (!rel) continue;
    try {
      const url = new URL(match[1]!, base).href;
      links.push({ url, rels: (rel[1] ?? rel[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean) });
    } catch {}
  }
  return links;
}

/** The first link of relation `rel`, or undefined. */
export function linkOf(links: readonly WebLink[], rel: string): string | undefined {
  return links.find((link) => link.rels.includes(rel))?.url;
}

/** The AppError codes a service's failures map to. */
export interface ServiceErrorCodes {
  refused: ErrorCode;
  invalid: ErrorCode;
}

export const serviceErrors: Record<ServiceName, ServiceErrorCodes> = {
  AGS: { refused: 'ERR_LTI_AGS_REQUEST_REFUSED', invalid: 'ERR_LTI_AGS_RESPONSE_INVALID' },
  NRPS: { refused: 'ERR_LTI_NRPS_REQUEST_REFUSED', invalid: 'ERR_LTI_NRPS_RESPONSE_INVALID' },
};

/** The error for a service's non-success answer, naming its status (the body is not echoed: it may be large). */
export function serviceRefused(service: ServiceName, call: string, res: OutboundResponse): AppError {
  return new AppError(serviceErrors[service].refused, `The platform answered ${res.status} to ${call}`, {
    details: { platformStatus: res.status },
  });
}

export function serviceInvalid(service: ServiceName, rule: string): AppError {
  return new AppError(serviceErrors[service].invalid, `The platform's ${service} response ${rule}`);
}

/** Parses a JSON body; throws the service's RESPONSE_INVALID error when it is not JSON. */
export function parseServiceJson(service: ServiceName, res: OutboundResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    throw serviceInvalid(service, 'is not JSON');
  }
}

// A container longer than this many pages is a loop or an abuse, not a course.
const maxPages = 500;

export interface Page {
  res: OutboundResponse;
  links: WebLink[];
}

/**
 * GETs `url` and every page its `Link: rel="next"` headers lead to (AGS 2.0 §3.2.4, NRPS 2.0 §3.6.3), in order.
 * A next link must stay on the first page's origin: the bearer token goes with it.
 * @throws AppError the service's REQUEST_REFUSED (non-200) and RESPONSE_INVALID (bad next link, a loop, too many
 * pages) codes, and the errors of `send`.
 */
export async function* pages(
  client: ServiceClient,
  target: ServiceTarget,
  call: Omit<ServiceCall, 'method'>,
  what: string,
): AsyncGenerator<Page> {
  const origin = new URL(call.url).origin;
  const seen = new Set<string>();
  let url: string | undefined = call.url;
  while (url !== undefined) {
    if (seen.has(url)) throw serviceInvalid(call.service, `paging loops back to ${url}`);
    if (seen.size >= maxPages) throw serviceInvalid(call.service, `has more than ${maxPages} pages`);
    seen.add(url);
    const res = await client.send(target, { ...call, method: 'GET', url });
    if (res.status !== 200) throw serviceRefused(call.service, what, res);
    const links = parseLinkHeader(res.headers.link, url);
    yield { res, links };
    url = linkOf(links, 'next');
    if (url !== undefined && new URL(url).origin !== origin) {
      throw serviceInvalid(call.service, `next link leaves ${origin}`);
    }
  }
}

/** Inserts `segment` at the end of a service URL's path, keeping its query (Moodle's `?type_id=`). */
export function appendPath(url: string, segment: string): string {
  const parsed = new URL(url);
  parsed.pathname = `${parsed.pathname.replace(/\/$/, '')}/${segment}`;
  return parsed.href;
}

/** Adds query parameters to a service URL, keeping those it has. */
export function withQuery(url: string, query: Record<string, string | number | undefined>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) parsed.searchParams.set(key, String(value));
  }
  return parsed.href;
}
