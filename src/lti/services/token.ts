import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { guardedFetch, type OutboundPolicy, parseJsonObject } from '../../net/guarded-fetch.js';
import type { Platform } from '../../store/platforms.js';
import { signJwt } from '../keys.js';
import { jwtBearerAssertionType } from './scopes.js';

/** What obtaining an access token needs from the AppContext. */
export type TokenContext = Pick<AppContext, 'pool' | 'clock' | 'secret' | 'newId'>;

/** The platform fields the token request reads. */
export type TokenPlatform = Pick<Platform, 'id' | 'clientId' | 'authTokenUrl' | 'authTokenAudience'>;

export interface AccessToken {
  accessToken: string;
  /** Scopes granted: the response's `scope`, or the requested ones when it names none (RFC 6749 §5.1). */
  scopes: ReadonlySet<string>;
  expiresAt: Date;
}

// Client assertions live 5 minutes: long enough for clock skew, short enough to be useless if leaked.
const assertionLifetimeSeconds = 300;
// A token is reused until this long before its expiry (or half its lifetime, when that is shorter).
const refreshMarginMs = 60_000;
// RFC 6749 §5.1 makes expires_in optional; without it, assume a short life.
const defaultTokenLifetimeSeconds = 300;

/**
 * The client assertion of LTI Security Framework §4.1.1 / RFC 7523 §3: `iss` = `sub` = client_id, `aud` = the
 * token endpoint (or the audience the platform names), a unique `jti`, 5 minutes of life, signed with the tool key.
 */
export async function signClientAssertion(ctx: TokenContext, platform: TokenPlatform): Promise<string> {
  return signJwt(
    ctx,
    {
      iss: platform.clientId,
      sub: platform.clientId,
      aud: platform.authTokenAudience ?? platform.authTokenUrl,
      jti: ctx.newId(),
    },
    { lifetimeSeconds: assertionLifetimeSeconds },
  );
}

function tokenRefused(status: number, body: string): AppError {
  const json = parseJsonObject(body);
  const error = typeof json?.error === 'string' ? json.error.slice(0, 64) : undefined;
  const description =
    typeof json?.error_description === 'string' ? `: ${json.error_description.slice(0, 200)}` : '';
  return new AppError(
    'ERR_LTI_TOKEN_REFUSED',
    `The platform's token endpoint refused the client credentials grant (${status}${error ? ` ${error}` : ''})${description}`,
    { details: { platformStatus: status, ...(error ? { platformError: error } : {}) } },
  );
}

function invalidTokenResponse(rule: string): AppError {
  return new AppError('ERR_LTI_TOKEN_RESPONSE_INVALID', `The platform's token response ${rule}`);
}

/** Reads a successful token response (RFC 6749 §5.1). */
function parseTokenResponse(body: string, requested: readonly string[], now: Date): AccessToken {
  const json = parseJsonObject(body);
  if (!json) throw invalidTokenResponse('is not a JSON object');
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn, scope } = json;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw invalidTokenResponse('has no access_token');
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw invalidTokenResponse('token_type must be Bearer');
  }
  if (expiresIn !== undefined && !(typeof expiresIn === 'number' && expiresIn > 0)) {
    throw invalidTokenResponse('expires_in must be a positive number');
  }
  if (scope !== undefined && typeof scope !== 'string') throw invalidTokenResponse('scope must be a string');
  const granted = typeof scope === 'string' && scope.trim() !== '' ? scope.trim().split(/\s+/) : requested;
  const lifetimeMs = ((expiresIn as number | undefined) ?? defaultTokenLifetimeSeconds) * 1000;
  return { accessToken, scopes: new Set(granted), expiresAt: new Date(now.getTime() + lifetimeMs) };
}

/**
 * The OAuth 2 client credentials grant with a JWT client assertion (LTI Security Framework §4.1, RFC 7523 §2.2).
 * @throws AppError ERR_LTI_TOKEN_REFUSED (an error answer), ERR_LTI_TOKEN_RESPONSE_INVALID,
 * ERR_OUTBOUND_REFUSED / ERR_OUTBOUND_FAILED (the guarded fetch).
 */
export async function requestAccessToken(
  ctx: TokenContext,
  platform: TokenPlatform,
  scopes: readonly string[],
  policy: OutboundPolicy,
): Promise<AccessToken> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: jwtBearerAssertionType,
    client_assertion: await signClientAssertion(ctx, platform),
    scope: scopes.join(' '),
  });
  const res = await guardedFetch(
    platform.authTokenUrl,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    },
    policy,
  );
  if (res.status !== 200) throw tokenRefused(res.status, res.body);
  return parseTokenResponse(res.body, scopes, ctx.clock.now());
}

interface CachedToken {
  token: AccessToken;
  renewAt: number;
}

/**
 * Access tokens per platform and scope set, reused until shortly before they expire; concurrent callers needing
 * the same token share one request.
 */
export class AccessTokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<AccessToken>>();

  constructor(
    private readonly ctx: TokenContext,
    private readonly policyFor: (url: string) => OutboundPolicy,
  ) {}

  private static key(platformId: string, scopes: readonly string[]): string {
    return `${platformId} ${[...new Set(scopes)].sort().join(' ')}`;
  }

  /**
   * A token for `scopes` on `platform`, from the cache or the platform.
   * @throws the errors of requestAccessToken.
   */
  async get(platform: TokenPlatform, scopes: readonly string[]): Promise<AccessToken> {
    const key = AccessTokenCache.key(platform.id, scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.renewAt > this.ctx.clock.now().getTime()) return cached.token;
    let request = this.pending.get(key);
    if (!request) {
      request = this.fetch(key, platform, [...new Set(scopes)].sort());
      this.pending.set(key, request);
    }
    return request;
  }

  private async fetch(key: string, platform: TokenPlatform, scopes: string[]): Promise<AccessToken> {
    try {
      const policy = this.policyFor(platform.authTokenUrl);
      const token = await requestAccessToken(this.ctx, platform, scopes, policy);
      const now = this.ctx.clock.now().getTime();
      const lifetime = token.expiresAt.getTime() - now;
      this.tokens.set(key, { token, renewAt: now + lifetime - Math.min(refreshMarginMs, lifetime / 2) });
      return token;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Forgets a token the platform no longer accepts (a 401 from a service). */
  discard(platform: TokenPlatform, scopes: readonly string[], token: AccessToken): void {
    const key = AccessTokenCache.key(platform.id, scopes);
    if (this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  /** Forgets every token of a platform (its registration changed or was removed). */
  forgetPlatform(platformId: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${platformId} `)) this.tokens.delete(key);
  }
}
