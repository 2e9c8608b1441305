import { buildOpenBadgeCredential, type CredentialInput } from './build.js';
import type { IssuerKey } from './keys.js';
import { type Credential, signCredential } from './sign.js';

/** Signs like `signCredential` with one key, byte for byte: a fast signer, or the signing pool bound to the key. */
export interface CredentialSigner {
  sign(credential: Credential, created: Date): Promise<Credential>;
}

/**
 * Builds and signs one OpenBadgeCredential (with `signer`, a long-lived signer of `key`: same bytes). The proof is written as a one-element array, as the OB 3.0
 * JSON Schema requires (`proof` is `type: array`); the signature is the same either way.
 * @throws AppError ERR_CREDENTIAL_INVALID, ERR_CREDENTIAL_KEY_INVALID, ERR_CREDENTIAL_SIGNING_FAILED
 */
export async function issueOpenBadgeCredential(
  input: CredentialInput,
  key: IssuerKey,
  created: Date,
  signer?: CredentialSigner,
): Promise<Credential> {
  const credential = buildOpenBadgeCredential(input);
  const signed = signer
    ? await signer.sign(credential, created)
    : await signCredential(credential, key, created);
  return { ...signed, proof: [signed.proof] };
}
