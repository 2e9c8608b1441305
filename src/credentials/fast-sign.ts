import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { AppError } from '../errors.js';
import { createDocumentLoader } from './document-loader.js';
import { type IssuerKey, importIssuerKey } from './keys.js';
import { type Credential, toSigningError } from './sign.js';
import { createTemplateCanonize, type TemplateStats } from './template-canonize.js';

// PKCS#8 DER prefix of an Ed25519 private key (RFC 8410 §7); the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const PROOF_CACHE_LIMIT = 256;

/**
 * The proof options' canonical form depends only on the context, type, cryptosuite, created,
 * verificationMethod and purpose (ob3-signing note: ~22% of a signature): reuse it while those are equal.
 */
class CachedProofOptions extends DataIntegrityProof {
  private readonly cache = new Map<string, string>();

  override async canonizeProof(
    proof: Record<string, unknown>,
    options: { document: Record<string, unknown>; documentLoader: unknown },
  ): Promise<string> {
    const { proofValue: _omitted, ...rest } = proof;
    const cacheKey = JSON.stringify([options.document['@context'], rest]);
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const canonical = await super.canonizeProof(proof, options);
    if (this.cache.size >= PROOF_CACHE_LIMIT) this.cache.clear();
    this.cache.set(cacheKey, canonical);
    return canonical;
  }
}

export interface FastSigner {
  /** Same output, byte for byte, as `signCredential(credential, key, created)`. */
  sign(credential: Credential, created: Date): Promise<Credential>;
  /** Canonicalizations by path (template vs plain), for tests and benchmarks. */
  readonly stats: TemplateStats;
}

/**
 * A long-lived signer for one key: the private key stays a `KeyObject` (no re-import per signature), the
 * proof options' canonical form is reused per `created`, and credentials are canonicalized through per-shape
 * templates (template-canonize.ts).
 * @throws AppError ERR_CREDENTIAL_KEY_INVALID
 */
export async function createFastSigner(key: IssuerKey): Promise<FastSigner> {
  const pair = await importIssuerKey(key);
  if (!pair.secretKey || pair.secretKey.length < 32)
    throw new AppError('ERR_CREDENTIAL_KEY_INVALID', 'The issuer key has no Ed25519 secret key');
  const keyObject: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(pair.secretKey.subarray(0, 32))]),
    format: 'der',
    type: 'pkcs8',
  });
  const signer = {
    id: key.id,
    algorithm: 'Ed25519',
    sign: async ({ data }: { data: Uint8Array }) => new Uint8Array(sign(null, data, keyObject)),
  };
  const documentLoader = createDocumentLoader();
  const plainCanonize = eddsaRdfc2022.canonize as Parameters<typeof createTemplateCanonize>[0];
  const stats: TemplateStats = { template: 0, plain: 0 };
  const cryptosuite = { ...eddsaRdfc2022, canonize: createTemplateCanonize(plainCanonize, stats) };
  const suites = new Map<number, CachedProofOptions>();
  return {
    stats,
    async sign(credential, created) {
      let suite = suites.get(created.getTime());
      if (!suite) {
        if (suites.size >= 4) suites.clear();
        suite = new CachedProofOptions({ signer, date: created, cryptosuite });
        suites.set(created.getTime(), suite);
      }
      try {
        return await vc.issue({ credential: structuredClone(credential), suite, documentLoader });
      } catch (error) {
        throw toSigningError(error);
      }
    },
  };
}

/**
 * Long-lived fast signers by verification method id, made on first use (at most 64 kept: a rotated key's
 * signer simply stops being asked for).
 */
export function fastSignerCache(): (key: IssuerKey) => Promise<FastSigner> {
  const signers = new Map<string, Promise<FastSigner>>();
  return (key) => {
    let signer = signers.get(key.id);
    if (!signer) {
      if (signers.size >= 64) signers.clear();
      signer = createFastSigner(key);
      signers.set(key.id, signer);
      signer.catch(() => signers.delete(key.id));
    }
    return signer;
  };
}
