import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';

/** One RSA key pair of an emulated platform. Node KeyObjects, so a test may sign with any RS/PS alg. */
export interface PlatformKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public JWK as the platform's JWKS publishes it (kty, n, e, kid, alg, use). */
  publicJwk: JWK;
  /** SPKI PEM of the public key: what an HS256 key-confusion attack uses as the HMAC secret. */
  publicPem: string;
}

/** Generates a 2048-bit RSA key pair published under `kid`. */
export async function createPlatformKey(kid: string): Promise<PlatformKey> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = await exportJWK(publicKey);
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' },
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
