import { buildOpenBadgeCredential, type CredentialInput } from './build.js';
import type { FastSigner } from './fast-sign.js';
import type { IssuerKey } from './keys.js';
import { type Credential, signCredential } from './sign.js';

/**
 * Builds and signs one OpenBadgeCredential (with `signer`, a long-lived fast signer of `key`: same bytes). The proof is written as a one-element array, as the OB 3.0
 * JSON Schema requires (`proof` is `type: array`); the signature is the same either way.
 * @throws AppError ERR_CREDENTIAL_INVALID, ERR_CREDENTIAL_KEY_INVALID, ERR_CREDENTIAL_SIGNING_FAILED
 */
export async function issueOpenBadgeCredential(
  input: CredentialInput,
  key: IssuerKey,
  created: Date,
  signer?: FastSigner,
): Promise<Credential> {
  const credential = buildOpenBadgeCredential(input);
  const signed = signer
    ? await signer.sign(credential, created)
    : await signCredential(credential, key, created);
  return { ...signed, proof: [signed.proof] };
}
