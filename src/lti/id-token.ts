import { compactVerify, decodeProtectedHeader, errors as joseErrors } from 'jose';
import { AppError, isAppError } from '../errors.js';
import type { PlatformJwksCache } from './platform-jwks.js';

/** What an id_token is checked against: the platform the login was started for. */
export interface IdTokenPlatform {
  issuer: string;
  clientId: string;
  jwksUrl: string;
}

export interface VerifyIdTokenOptions {
  platform: IdTokenPlatform;
  jwks: PlatformJwksCache;
  now: Date;
  /** Allowed clock difference with the platform, in seconds. */
  skewSeconds?: number;
}

export const defaultSkewSeconds = 60;

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function readHeader(idToken: string): { alg?: unknown; kid?: unknown } {
  if (!compactJws.test(idToken)) {
    throw new AppError('ERR_LTI_ID_TOKEN_INVALID', 'id_token is not a JWT (three base64url parts)');
  }
  try {
    return decodeProtectedHeader(idToken);
  } catch (error) {
    throw new AppError('ERR_LTI_ID_TOKEN_INVALID', 'id_token header is not base64url JSON', { cause: error });
  }
}

async function verifySignature(
  idToken: string,
  options: VerifyIdTokenOptions,
): Promise<Record<string, unknown>> {
  const header = readHeader(idToken);
  // LTI Security Framework §5.1.3: RS256 only; `none` and HMAC (key confusion with the public key) are refused.
  if (header.alg !== 'RS256') {
    throw new AppError(
      'ERR_LTI_ALG_UNSUPPORTED',
      `id_token alg must be RS256 (got ${JSON.stringify(header.alg)})`,
    );
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new AppError(
      'ERR_LTI_KID_MISSING',
      'id_token header must have a kid (LTI Security Framework §6.3)',
    );
  }
  const key = await options.jwks.key(options.platform.jwksUrl, header.kid);
  let bytes: Uint8Array;
  try {
    ({ payload: bytes } = await compactVerify(idToken, key, { algorithms: ['RS256'] }));
  } catch (error) {
    if (isAppError(error)) throw error;
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new AppError(
        'ERR_LTI_SIGNATURE_INVALID',
        "id_token signature does not verify with the platform's key",
        {
          cause: error,
        },
      );
    }
    throw new AppError('ERR_LTI_ID_TOKEN_INVALID', 'id_token is not a valid JWS', { cause: error });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new AppError('ERR_LTI_ID_TOKEN_INVALID', 'id_token payload is not JSON', { cause: error });
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new AppError('ERR_LTI_ID_TOKEN_INVALID', 'id_token payload is not a JSON object');
  }
  return payload as Record<string, unknown>;
}

function checkIssuer(payload: Record<string, unknown>, platform: IdTokenPlatform): void {
  if (payload.iss !== platform.issuer) {
    throw new AppError(
      'ERR_LTI_ID_TOKEN_ISSUER',
      payload.iss === undefined
        ? 'id_token has no iss'
        : 'id_token iss is not the platform this login was started for',
    );
  }
}

// LTI Security Framework §5.1.3 steps 3-4: aud contains our client_id; several audiences need azp = client_id.
function checkAudience(payload: Record<string, unknown>, clientId: string): void {
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(clientId)) {
    throw new AppError(
      'ERR_LTI_AUDIENCE_INVALID',
      aud === undefined ? 'id_token has no aud' : "id_token aud does not contain Laurel's client_id",
    );
  }
  if (payload.azp !== undefined && payload.azp !== clientId) {
    throw new AppError('ERR_LTI_AZP_INVALID', "id_token azp is not Laurel's client_id");
  }
  if (audiences.length > 1 && payload.azp !== clientId) {
    throw new AppError(
      'ERR_LTI_AZP_INVALID',
      "id_token has several audiences: azp must be Laurel's client_id",
    );
  }
}

function checkTimes(payload: Record<string, unknown>, now: Date, skewSeconds: number): void {
  const seconds = now.getTime() / 1000;
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new AppError('ERR_LTI_TOKEN_EXPIRED', 'id_token exp is missing or not a number');
  }
  if (seconds > exp + skewSeconds) throw new AppError('ERR_LTI_TOKEN_EXPIRED', 'id_token has expired (exp)');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new AppError('ERR_LTI_IAT_INVALID', 'id_token iat is missing or not a number');
  }
  if (iat > seconds + skewSeconds) throw new AppError('ERR_LTI_IAT_INVALID', 'id_token iat is in the future');
  if (iat > exp) throw new AppError('ERR_LTI_IAT_INVALID', 'id_token iat is after its exp');
}

/**
 * Verifies an id_token as LTI Security Framework §5.1.3 says: RS256 with the platform's key by kid, iss, aud/azp,
 * exp and iat within `skewSeconds`. The nonce is checked by the caller against the login's.
 * @throws AppError ERR_LTI_ID_TOKEN_INVALID, ERR_LTI_ALG_UNSUPPORTED, ERR_LTI_KID_MISSING, ERR_LTI_KID_UNKNOWN,
 * ERR_LTI_JWKS_UNAVAILABLE, ERR_LTI_SIGNATURE_INVALID, ERR_LTI_ID_TOKEN_ISSUER, ERR_LTI_AUDIENCE_INVALID,
 * ERR_LTI_AZP_INVALID, ERR_LTI_TOKEN_EXPIRED, ERR_LTI_IAT_INVALID.
 */
export async function verifyIdToken(
  idToken: string,
  options: VerifyIdTokenOptions,
): Promise<Record<string, unknown>> {
  const payload = await verifySignature(idToken, options);
  checkIssuer(payload, options.platform);
  checkAudience(payload, options.platform.clientId);
  checkTimes(payload, options.now, options.skewSeconds ?? defaultSkewSeconds);
  return payload;
}
