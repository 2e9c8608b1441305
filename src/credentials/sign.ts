import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { AppError, isAppError } from '../errors.js';
import { createDocumentLoader } from './document-loader.js';
import { type IssuerKey, importIssuerKey } from './keys.js';

export type Credential = Record<string, unknown>;

/**
 * Signs `credential` with a DataIntegrityProof (eddsa-rdfc-2022) by `key`, dated `created` (time is injected).
 * The input is not changed; a new signed object is returned.
 * @throws AppError ERR_CREDENTIAL_KEY_INVALID, ERR_CREDENTIAL_UNKNOWN_CONTEXT, ERR_CREDENTIAL_SIGNING_FAILED
 */
export async function signCredential(
  credential: Credential,
  key: IssuerKey,
  created: Date,
): Promise<Credential> {
  const pair = await importIssuerKey(key);
  const suite = new DataIntegrityProof({ signer: pair.signer(), date: created, cryptosuite: eddsaRdfc2022 });
  try {
    // vc.issue mutates its input (adds the proof): give it a copy.
    return await vc.issue({
      credential: structuredClone(credential),
      suite,
      documentLoader: createDocumentLoader(),
    });
  } catch (error) {
    throw toSigningError(error);
  }
}

/** The AppError for a failure inside the library: ours when jsonld wrapped one, else ERR_CREDENTIAL_SIGNING_FAILED. */
export function toSigningError(error: unknown): AppError {
  return (
    findAppError(error) ??
    new AppError(
      'ERR_CREDENTIAL_SIGNING_FAILED',
      `Signing failed: ${(error as Error)?.message ?? String(error)}`,
      {
        cause: error,
      },
    )
  );
}

/** jsonld wraps loader errors in its own; dig out ours so the code survives. */
export function findAppError(error: unknown, depth = 0): AppError | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  if (isAppError(error)) return error;
  const record = error as { cause?: unknown; details?: { cause?: unknown } };
  return findAppError(record.cause, depth + 1) ?? findAppError(record.details?.cause, depth + 1);
}
