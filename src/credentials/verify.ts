import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import { type FetchJson, type ResolvedMethod, resolveVerificationMethod } from './did.js';
import { createDocumentLoader, isKnownContext, VC_V1_CONTEXT, VC_V2_CONTEXT } from './document-loader.js';
import type { SchemaCheck } from './schema.js';
import { findAppError } from './sign.js';
import { checkStatus } from './verify-status.js';

export type CheckName =
  | 'format'
  | 'context'
  | 'proof'
  | 'issuer'
  | 'controller'
  | 'schema'
  | 'status'
  | 'validity';

export interface VerifyCheck {
  check: CheckName;
  valid: boolean;
  message: string;
}

/** The answer of POST /verify: `verified` is true only when every check is valid. */
export interface VerificationReport {
  verified: boolean;
  checks: VerifyCheck[];
}

export interface VerifyOptions {
  /** The time to check validity dates against (injected). */
  now: Date;
  /** Fetches did:web DID documents (through the SSRF-guarded client); without it did:web fails. */
  fetchDidDocument?: FetchJson;
  /** Fetches status list credentials; without it a credential with a credentialStatus fails the status check. */
  fetchStatusList?: FetchJson;
  /** JSON Schema check (its schemas loaded by the caller); without it the schema check reports "not checked". */
  schemaCheck?: SchemaCheck;
  /** Internal: skip the status check (used when verifying a status list credential itself). */
  skipStatus?: boolean;
  /**
   * Accept keys the issuer does not publish, as the 1EdTech validator does: an https `<issuer>#<multikey>`
   * verification method (the key is only asserted by the credential itself), or a did:key signing for a `urn:`
   * issuer. Off by default: anyone can mint such a credential in any issuer's name.
   */
  acceptUnboundKeys?: boolean;
  /** The credential must have one of these types (default: the Open Badges 3.0 credential types). */
  expectedTypes?: readonly string[];
}

type Json = Record<string, unknown>;

const eddsa2022 = { ...eddsaRdfc2022, name: 'eddsa-2022' };
const OPEN_BADGE_TYPES = ['OpenBadgeCredential', 'AchievementCredential', 'EndorsementCredential'];
const DATA_INTEGRITY_V1_CONTEXT = 'https://w3id.org/security/data-integrity/v1';

/**
 * Verifies any Open Badges 3.0 credential (ours or not) and reports each check; never throws on bad input.
 */
export async function verifyCredential(input: unknown, options: VerifyOptions): Promise<VerificationReport> {
  const checks: VerifyCheck[] = [];
  const add = (check: CheckName, valid: boolean, message: string) => checks.push({ check, valid, message });
  const report = () => ({ verified: checks.length > 0 && checks.every((c) => c.valid), checks });
  try {
    const credential = parseCredential(input, options.expectedTypes ?? OPEN_BADGE_TYPES);
    if (typeof credential === 'string') {
      add('format', false, credential);
      return report();
    }
    add('format', true, 'a JSON-LD verifiable credential');
    const contextProblem = checkContexts(credential);
    add('context', !contextProblem, contextProblem ?? 'every @context is known');
    if (contextProblem) return report();

    const issuerId = getIssuerId(credential);
    const proof = selectProof(credential);
    const resolved = typeof proof === 'string' ? undefined : await resolveMethod(proof, options);
    const method = resolved && 'method' in resolved ? resolved.method : undefined;
    if (issuerId === undefined) add('issuer', false, 'issuer (or issuer.id) is missing');
    else if (resolved && 'error' in resolved) add('issuer', false, resolved.error);
    else if (method) add('issuer', true, `key ${method.id} resolved (${method.source})`);
    if (typeof proof === 'string') add('proof', false, proof);
    else if (!method) add('proof', false, 'not checked: the verification method could not be resolved');
    else await checkProof(credential, proof, method, add);
    if (method && issuerId !== undefined) {
      const controller = checkController(method, issuerId, options.acceptUnboundKeys ?? false);
      add('controller', controller.valid, controller.message);
    }

    const schema = await options.schemaCheck?.(credential);
    add(
      'schema',
      schema?.valid ?? true,
      schema?.message ?? 'not checked: no JSON Schema applies to this credential',
    );
    if (!options.skipStatus) {
      const status = await checkStatus(credential, issuerId, options, verifyCredential);
      add('status', status.valid, status.message);
    }
    const validity = checkValidity(credential, options.now);
    add('validity', validity === undefined, validity ?? 'within its validity period');
  } catch (error) {
    add('format', false, `verification stopped: ${(error as Error)?.message ?? String(error)}`);
  }
  return report();
}

function parseCredential(input: unknown, expectedTypes: readonly string[]): Json | string {
  let value = input;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const text = value.toString().trim();
    if (/^eyJ[\w-]*\.[\w-]*\.[\w-]*$/.test(text))
      return 'VC-JWT credentials are not supported (embedded proofs only)';
    try {
      value = JSON.parse(text);
    } catch {
      return 'not valid JSON';
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const json = value as Json;
  const types = toArray(json.type);
  if (!types.includes('VerifiableCredential')) return 'type must include "VerifiableCredential"';
  if (!expectedTypes.some((type) => types.includes(type)))
    return `type must include one of ${expectedTypes.map((t) => `"${t}"`).join(', ')}`;
  if (json['@context'] === undefined) return '@context is missing';
  return json;
}

function checkContexts(credential: Json): string | undefined {
  const contexts = toArray(credential['@context']);
  if (contexts[0] !== VC_V2_CONTEXT && contexts[0] !== VC_V1_CONTEXT)
    return `the first @context must be ${VC_V2_CONTEXT} (or ${VC_V1_CONTEXT})`;
  const unknown = contexts.find((context) => !isKnownContext(context));
  if (unknown !== undefined)
    return `@context ${typeof unknown === 'string' ? unknown : 'with an embedded object'} is not a known context`;
  return undefined;
}

function getIssuerId(credential: Json): string | undefined {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  if (typeof issuer === 'object' && issuer !== null && typeof (issuer as Json).id === 'string')
    return (issuer as Json).id as string;
  return undefined;
}

function selectProof(credential: Json): Json | string {
  const proofs = toArray(credential.proof).filter((p): p is Json => typeof p === 'object' && p !== null);
  if (proofs.length === 0) return 'the credential has no proof';
  const supported = proofs.find(
    (p) =>
      p.proofPurpose === 'assertionMethod' &&
      (p.type === 'Ed25519Signature2020' ||
        (p.type === 'DataIntegrityProof' &&
          (p.cryptosuite === 'eddsa-rdfc-2022' || p.cryptosuite === 'eddsa-2022'))),
  );
  return (
    supported ??
    'no proof of a supported type (DataIntegrityProof eddsa-rdfc-2022 or eddsa-2022, Ed25519Signature2020) for assertionMethod'
  );
}

async function resolveMethod(
  proof: Json,
  options: VerifyOptions,
): Promise<{ method: ResolvedMethod } | { error: string }> {
  if (typeof proof.verificationMethod !== 'string') return { error: 'proof.verificationMethod is missing' };
  try {
    return { method: await resolveVerificationMethod(proof.verificationMethod, options.fetchDidDocument) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function checkProof(
  credential: Json,
  proof: Json,
  method: ResolvedMethod,
  add: (check: CheckName, valid: boolean, message: string) => void,
): Promise<void> {
  const methodDocument = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: proof.verificationMethod as string,
    type: 'Multikey',
    controller: method.controller,
    publicKeyMultibase: method.publicKeyMultibase,
  };
  const controllerDocument = { id: method.controller, assertionMethod: [methodDocument.id] };
  const documentLoader = createDocumentLoader(new Map([[methodDocument.id, methodDocument]]));
  const suite =
    proof.type === 'Ed25519Signature2020'
      ? new Ed25519Signature2020()
      : new DataIntegrityProof({
          cryptosuite: proof.cryptosuite === 'eddsa-2022' ? eddsa2022 : eddsaRdfc2022,
          legacyContext: toArray(credential['@context']).includes(DATA_INTEGRITY_V1_CONTEXT),
        });
  const purpose = new jsigs.purposes.AssertionProofPurpose({ controller: controllerDocument });
  const label =
    proof.type === 'DataIntegrityProof' ? `DataIntegrityProof ${proof.cryptosuite}` : String(proof.type);
  try {
    const result = await jsigs.verify({ ...credential, proof }, { suite, purpose, documentLoader });
    const cause = result.error?.errors?.[0];
    const known = findAppError(cause);
    add(
      'proof',
      result.verified,
      result.verified
        ? `${label} signature is valid`
        : `${label} signature is invalid${cause ? `: ${known?.message ?? cause.message}` : ''}`,
    );
  } catch (error) {
    add(
      'proof',
      false,
      `${label} could not be checked: ${(findAppError(error) ?? (error as Error)).message}`,
    );
  }
}

/**
 * The key's controller must be the issuer, and the issuer must publish the key (did:web, did:key issuer). Keys
 * only asserted by the credential are accepted with `acceptUnbound` (1EdTech validator compatibility).
 */
function checkController(
  method: ResolvedMethod,
  issuerId: string,
  acceptUnbound: boolean,
): { valid: boolean; message: string } {
  if (method.controller === issuerId && method.source !== 'fragment')
    return { valid: true, message: `key controller ${method.controller} is the issuer` };
  if (method.controller === issuerId)
    return acceptUnbound
      ? {
          valid: true,
          message: `key controller ${method.controller} is the issuer (key given in the verificationMethod URL, not published)`,
        }
      : {
          valid: false,
          message: `the key is only asserted by the verificationMethod URL; ${issuerId} does not publish it (https key documents are not fetched)`,
        };
  if (method.source === 'did:key' && issuerId.startsWith('urn:'))
    return acceptUnbound
      ? {
          valid: true,
          message: `issuer ${issuerId} cannot be resolved; signed by ${method.controller}, not bound to it`,
        }
      : {
          valid: false,
          message: `issuer ${issuerId} cannot be resolved, so ${method.controller} is not bound to it`,
        };
  return { valid: false, message: `key controller ${method.controller} is not the issuer ${issuerId}` };
}

function checkValidity(credential: Json, now: Date): string | undefined {
  const from = credential.validFrom ?? credential.issuanceDate;
  const until = credential.validUntil ?? credential.expirationDate;
  const parse = (name: string, value: unknown) => {
    if (value === undefined) return undefined;
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new Error(`${name} is not a valid date-time`);
    return date;
  };
  try {
    const start = parse('validFrom', from);
    const end = parse('validUntil', until);
    if (start === undefined) return 'validFrom (or issuanceDate) is missing';
    if (start > now) return `not valid before ${from}`;
    if (end !== undefined && end <= now) return `expired at ${until}`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function toArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
