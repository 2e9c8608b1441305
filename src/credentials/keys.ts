import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { AppError } from '../errors.js';

/** An issuer's Ed25519 key as Multikey strings; `id` is the verification method (`<controller>#<publicKeyMultibase>`). */
export interface IssuerKey {
  id: string;
  controller: string;
  publicKeyMultibase: string;
  secretKeyMultibase: string;
}

/** The public half of an issuer key, as listed in a DID document. */
export interface PublicKey {
  id: string;
  type: 'Multikey';
  controller: string;
  publicKeyMultibase: string;
}

// Multicodec ed25519-pub (0xed 0x01) in base58btc always starts with 'z6Mk' for a 32-byte key.
const ED25519_PUBLIC_PREFIX = 'z6Mk';

/**
 * Generates an Ed25519 key for `controller` (a DID); `seed` (32 bytes) makes it deterministic for tests.
 */
export async function generateIssuerKey(controller: string, seed?: Uint8Array): Promise<IssuerKey> {
  const pair = await Ed25519Multikey.generate(seed ? { controller, seed } : { controller });
  const exported = await pair.export({ publicKey: true, secretKey: true });
  const publicKeyMultibase = String(exported.publicKeyMultibase);
  return {
    id: `${controller}#${publicKeyMultibase}`,
    controller,
    publicKeyMultibase,
    secretKeyMultibase: String(exported.secretKeyMultibase),
  };
}

/** The public part of `key`, for a DID document. */
export function toPublicKey(key: Pick<IssuerKey, 'id' | 'controller' | 'publicKeyMultibase'>): PublicKey {
  return {
    id: key.id,
    type: 'Multikey',
    controller: key.controller,
    publicKeyMultibase: key.publicKeyMultibase,
  };
}

/**
 * Loads `key` into the library's key pair (whose signer signs with it).
 * @throws AppError ERR_CREDENTIAL_KEY_INVALID when the key is not an Ed25519 Multikey.
 */
export async function importIssuerKey(key: IssuerKey): Promise<Ed25519Multikey.KeyPair> {
  if (!key.publicKeyMultibase.startsWith(ED25519_PUBLIC_PREFIX))
    throw new AppError(
      'ERR_CREDENTIAL_KEY_INVALID',
      'publicKeyMultibase must be an Ed25519 Multikey (z6Mk...)',
    );
  try {
    return await Ed25519Multikey.from({ type: 'Multikey', ...key });
  } catch (error) {
    throw new AppError('ERR_CREDENTIAL_KEY_INVALID', 'The issuer key is not a valid Ed25519 Multikey', {
      cause: error,
    });
  }
}

/** True when `value` decodes to an Ed25519 public Multikey (used to accept `<controller>#<key>` methods). */
export async function isEd25519PublicMultibase(value: string): Promise<boolean> {
  if (!value.startsWith(ED25519_PUBLIC_PREFIX)) return false;
  try {
    await Ed25519Multikey.from({
      type: 'Multikey',
      id: `urn:x#${value}`,
      controller: 'urn:x',
      publicKeyMultibase: value,
    });
    return true;
  } catch {
    return false;
  }
}
