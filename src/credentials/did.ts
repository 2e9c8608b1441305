import { AppError } from '../errors.js';
import { isEd25519PublicMultibase, type PublicKey } from './keys.js';

/** Fetches a JSON document (a did:web DID document, a status list); HTTP and its SSRF guard live outside. */
export type FetchJson = (url: string) => Promise<unknown>;

/** A verification method resolved to an Ed25519 public key and the controller that published it. */
export interface ResolvedMethod {
  id: string;
  controller: string;
  publicKeyMultibase: string;
  /** How the key was found: from the did:key itself, a did:web document, or the `<controller>#<key>` fragment. */
  source: 'did:key' | 'did:web' | 'fragment';
}

export interface DidDocument {
  '@context': string[];
  id: string;
  verificationMethod: PublicKey[];
  assertionMethod: string[];
  authentication?: string[];
}

const DID_CONTEXTS = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'];

/** The did:web DID for a path on `host` (a port is percent-encoded, per did:web §3.2). */
export function didWebFromHost(host: string, ...segments: string[]): string {
  return ['did:web', host.replace(':', '%3A'), ...segments.map(encodeURIComponent)].join(':');
}

/**
 * The HTTPS URL of a did:web DID document (did:web "Read (Resolve)" steps 1-5).
 * @throws AppError ERR_VERIFY_DID_UNSUPPORTED when `did` is not a well-formed did:web.
 */
export function didWebToUrl(did: string): string {
  const match = /^did:web:([^#?/]+)$/.exec(did);
  if (!match) throw new AppError('ERR_VERIFY_DID_UNSUPPORTED', `${did} is not a did:web DID`);
  const [host, ...path] = match[1]!.split(':');
  const decodedHost = decodeURIComponent(host!);
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(decodedHost))
    throw new AppError('ERR_VERIFY_DID_UNSUPPORTED', `${did} has an invalid host`);
  const suffix =
    path.length === 0
      ? '/.well-known'
      : `/${path.map((p) => encodeURIComponent(decodeURIComponent(p))).join('/')}`;
  return `https://${decodedHost}${suffix}/did.json`;
}

/** A DID document listing `keys` (current and rotated) under assertionMethod, as Laurel serves it. */
export function buildDidDocument(did: string, keys: PublicKey[]): DidDocument {
  return {
    '@context': DID_CONTEXTS,
    id: did,
    verificationMethod: keys,
    assertionMethod: keys.map((key) => key.id),
    authentication: keys.map((key) => key.id),
  };
}

/**
 * Resolves `verificationMethod` to an Ed25519 key: did:key, did:web (via `fetchDidDocument`), or an
 * http(s) `<controller>#<publicKeyMultibase>` as the 1EdTech validator accepts.
 * @throws AppError ERR_VERIFY_DID_UNSUPPORTED, ERR_VERIFY_KEY_UNRESOLVED
 */
export async function resolveVerificationMethod(
  verificationMethod: string,
  fetchDidDocument?: FetchJson,
): Promise<ResolvedMethod> {
  const [base = '', fragment] = verificationMethod.split('#', 2);
  if (base.startsWith('did:key:')) return resolveDidKey(verificationMethod, base, fragment);
  if (base.startsWith('did:web:')) return resolveDidWeb(verificationMethod, base, fetchDidDocument);
  if (/^https?:\/\/[^\s]+$/i.test(base)) {
    if (fragment && (await isEd25519PublicMultibase(fragment)))
      return { id: verificationMethod, controller: base, publicKeyMultibase: fragment, source: 'fragment' };
    throw new AppError(
      'ERR_VERIFY_KEY_UNRESOLVED',
      `verificationMethod ${verificationMethod} has no Ed25519 key fragment; key documents over HTTP are not fetched`,
    );
  }
  if (base.startsWith('did:'))
    throw new AppError(
      'ERR_VERIFY_DID_UNSUPPORTED',
      `DID method of ${base} is not supported (did:key, did:web)`,
    );
  throw new AppError(
    'ERR_VERIFY_DID_UNSUPPORTED',
    `verificationMethod ${verificationMethod} must be a did:key, did:web or https URL`,
  );
}

async function resolveDidKey(vm: string, did: string, fragment: string | undefined): Promise<ResolvedMethod> {
  const key = did.slice('did:key:'.length);
  if (!(await isEd25519PublicMultibase(key)) || (fragment !== undefined && fragment !== key))
    throw new AppError('ERR_VERIFY_KEY_UNRESOLVED', `${vm} is not an Ed25519 did:key`);
  return { id: `${did}#${key}`, controller: did, publicKeyMultibase: key, source: 'did:key' };
}

async function resolveDidWeb(vm: string, did: string, fetchDidDocument?: FetchJson): Promise<ResolvedMethod> {
  const url = didWebToUrl(did);
  if (!fetchDidDocument) throw new AppError('ERR_VERIFY_KEY_UNRESOLVED', `did:web resolution is not enabled`);
  let document: unknown;
  try {
    document = await fetchDidDocument(url);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AppError('ERR_VERIFY_KEY_UNRESOLVED', `DID document ${url} could not be fetched: ${why}`, {
      cause: error,
    });
  }
  const method = findAssertionMethod(document, did, vm);
  if (!(await isEd25519PublicMultibase(method.publicKeyMultibase)))
    throw new AppError('ERR_VERIFY_KEY_UNRESOLVED', `${vm} is not an Ed25519 key`);
  return { ...method, source: 'did:web' };
}

function findAssertionMethod(document: unknown, did: string, vm: string): Omit<ResolvedMethod, 'source'> {
  const fail = (why: string) => new AppError('ERR_VERIFY_KEY_UNRESOLVED', `DID document of ${did}: ${why}`);
  if (typeof document !== 'object' || document === null) throw fail('not a JSON object');
  const doc = document as Record<string, unknown>;
  if (doc.id !== did) throw fail(`its id must be ${did}`);
  const absolute = (id: unknown) => (typeof id === 'string' && id.startsWith('#') ? `${did}${id}` : id);
  const methods = [
    ...(Array.isArray(doc.verificationMethod) ? doc.verificationMethod : []),
    ...(Array.isArray(doc.assertionMethod) ? doc.assertionMethod.filter((m) => typeof m === 'object') : []),
  ] as Record<string, unknown>[];
  const assertion = Array.isArray(doc.assertionMethod)
    ? doc.assertionMethod.map((m) => absolute(typeof m === 'object' && m ? (m as { id?: unknown }).id : m))
    : [];
  if (!assertion.includes(vm)) throw fail(`${vm} is not under assertionMethod`);
  const method = methods.find((m) => m && absolute(m.id) === vm);
  if (!method || typeof method.publicKeyMultibase !== 'string') throw fail(`${vm} has no publicKeyMultibase`);
  return {
    id: vm,
    controller: String(absolute(method.controller) ?? did),
    publicKeyMultibase: method.publicKeyMultibase,
  };
}
