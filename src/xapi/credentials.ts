import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/** What an LRS key may do (scopes of xAPI 1.0.3 Communication 4.2, as Laurel uses them). */
export const lrsScopes = ['statements/write', 'statements/read/mine', 'all/read'] as const;
export type LrsScope = (typeof lrsScopes)[number];

export interface GeneratedCredentials {
  key: string;
  secret: string;
  secretSha256: Buffer;
}

/**
 * A new key and secret: the secret is 32 random bytes (base64url), stored only as its SHA-256. A random
 * 256-bit secret cannot be brute-forced from its hash, so a slow KDF would only cost CPU on every request.
 */
export function generateCredentials(random: (size: number) => Buffer = randomBytes): GeneratedCredentials {
  const key = `lrs_${random(9).toString('base64url')}`;
  const secret = random(32).toString('base64url');
  return { key, secret, secretSha256: hashSecret(secret) };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares a presented secret with the stored hash in constant time. */
export function secretMatches(secret: string, secretSha256: Buffer): boolean {
  const presented = hashSecret(secret);
  return presented.length === secretSha256.length && timingSafeEqual(presented, secretSha256);
}

/** Reads scope names; defaults to write + read own. @throws ERR_XAPI_KEY_INVALID on an unknown scope. */
export function parseScopes(values: readonly string[]): LrsScope[] {
  if (values.length === 0) return ['statements/write', 'statements/read/mine'];
  const out = new Set<LrsScope>();
  for (const value of values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean)) {
    if (!(lrsScopes as readonly string[]).includes(value)) {
      throw new AppError('ERR_XAPI_KEY_INVALID', `scope "${value}" is not one of ${lrsScopes.join(', ')}`, {
        details: { path: 'scope' },
      });
    }
    out.add(value as LrsScope);
  }
  return [...out];
}

/** Reads `Authorization: Basic ...`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { key: string; secret: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
