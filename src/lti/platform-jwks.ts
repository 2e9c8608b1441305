import { type CryptoKey, importJWK, type JWK } from 'jose';
import type { Clock } from '../clock.js';
import { AppError, isAppError } from '../errors.js';

/** Fetches a JWK Set document; returns the parsed JSON body. */
export type JwksFetcher = (url: string) => Promise<unknown>;

export interface PlatformJwksOptions {
  clock: Clock;
  fetchJwks: JwksFetcher;
  /** How long a fetched JWKS is used before it is fetched again. */
  maxAgeMs?: number;
  /** Least time between two fetches of one JWKS caused by an unknown kid (rate limit). */
  refetchCooldownMs?: number;
}

interface CachedJwks {
  fetchedAt: number;
  keys: Map<string, JWK>;
  imported: Map<string, Promise<CryptoKey | Uint8Array>>;
}

function usableKeys(body: unknown): Map<string, JWK> {
  const list = (body as { keys?: unknown })?.keys;
  if (!Array.isArray(list))
    throw new AppError('ERR_LTI_JWKS_UNAVAILABLE', "The platform's JWKS has no keys array");
  const keys = new Map<string, JWK>();
  for (const jwk of list as JWK[]) {
    // RS256 only (LTI Security Framework §6.1); keys for encryption or other algorithms are not candidates.
    if (jwk?.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.alg !== undefined && jwk.alg !== 'RS256') continue;
    keys.set(jwk.kid, jwk);
  }
  return keys;
}

/**
 * The platforms' public keys by JWKS URL and kid, cached (LTI Security Framework §6.3: platforms rotate keys and
 * publish them by kid). An unknown kid triggers one refetch, at most once per cooldown per URL.
 */
export class PlatformJwksCache {
  private readonly cache = new Map<string, CachedJwks>();
  private readonly inflight = new Map<string, Promise<CachedJwks>>();
  private readonly maxAgeMs: number;
  private readonly refetchCooldownMs: number;

  constructor(private readonly options: PlatformJwksOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.refetchCooldownMs = options.refetchCooldownMs ?? 30_000;
  }

  /**
   * The verification key `kid` of the JWKS at `jwksUrl`.
   * @throws AppError ERR_LTI_KID_UNKNOWN, ERR_LTI_JWKS_UNAVAILABLE.
   */
  async key(jwksUrl: string, kid: string): Promise<CryptoKey | Uint8Array> {
    const now = this.options.clock.now().getTime();
    let entry = this.cache.get(jwksUrl);
    if (!entry || now - entry.fetchedAt >= this.maxAgeMs) entry = await this.fetch(jwksUrl);
    else if (!entry.keys.has(kid) && now - entry.fetchedAt >= this.refetchCooldownMs) {
      entry = await this.fetch(jwksUrl);
    }
    const jwk = entry.keys.get(kid);
    if (!jwk) {
      throw new AppError(
        'ERR_LTI_KID_UNKNOWN',
        `The platform's JWKS has no RS256 signing key with kid "${kid}"`,
      );
    }
    let imported = entry.imported.get(kid);
    if (!imported) {
      imported = importJWK(jwk, 'RS256');
      entry.imported.set(kid, imported);
    }
    try {
      return await imported;
    } catch (error) {
      entry.imported.delete(kid);
      throw new AppError('ERR_LTI_JWKS_UNAVAILABLE', `The platform's key "${kid}" is not a valid RSA JWK`, {
        cause: error,
      });
    }
  }

  /** Forgets a platform's keys (e.g. after its registration changed). */
  forget(jwksUrl: string): void {
    this.cache.delete(jwksUrl);
  }

  private fetch(jwksUrl: string): Promise<CachedJwks> {
    let pending = this.inflight.get(jwksUrl);
    if (!pending) {
      pending = this.load(jwksUrl).finally(() => this.inflight.delete(jwksUrl));
      this.inflight.set(jwksUrl, pending);
    }
    return pending;
  }

  private async load(jwksUrl: string): Promise<CachedJwks> {
    const fetchedAt = this.options.clock.now().getTime();
    let body: unknown;
    try {
      body = await this.options.fetchJwks(jwksUrl);
    } catch (error) {
      // Remember the failure time too, so an unreachable platform is not hammered on every launch.
      const stale = this.cache.get(jwksUrl);
      if (stale) stale.fetchedAt = fetchedAt;
      if (isAppError(error, 'ERR_LTI_JWKS_UNAVAILABLE')) throw error;
      throw new AppError('ERR_LTI_JWKS_UNAVAILABLE', "The platform's JWKS could not be fetched", {
        cause: error,
      });
    }
    const entry: CachedJwks = { fetchedAt, keys: usableKeys(body), imported: new Map() };
    this.cache.set(jwksUrl, entry);
    return entry;
  }
}
