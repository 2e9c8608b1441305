import type { AppContext } from '../context.js';
import {
  buildDidDocument,
  type DidDocument,
  didWebFromHost,
  generateIssuerKey,
  type IssuerKey,
  type IssuerProfile,
  toPublicKey,
} from '../credentials/index.js';
import { AppError } from '../errors.js';
import { seal, unseal } from '../secrets.js';
import {
  findIssuer,
  type IssuerRow,
  insertIssuer,
  insertIssuerKey,
  listIssuerKeys,
  rotateCurrentKey,
} from '../store/credentials.js';
import { type Queryable, transaction } from '../store/index.js';

type Deps = Pick<AppContext, 'pool' | 'clock' | 'newId' | 'secret' | 'config'>;

const SEAL_PURPOSE = 'issuer-key';

/** `did:web:<host>[:<path>]:issuers:<id>` for PUBLIC_URL (its path, if any, becomes DID path segments). */
export function issuerDid(publicUrl: string, issuerId: string): string {
  const url = new URL(publicUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  return didWebFromHost(url.host, ...segments, 'issuers', issuerId);
}

/** The issuer's OB 3.0 Profile as embedded in its credentials. */
export function issuerProfile(publicUrl: string, issuer: IssuerRow): IssuerProfile {
  return {
    id: issuerDid(publicUrl, issuer.id),
    name: issuer.name,
    ...(issuer.url ? { url: issuer.url } : {}),
    ...(issuer.email ? { email: issuer.email } : {}),
    ...(issuer.image ? { image: issuer.image } : {}),
    ...(issuer.description ? { description: issuer.description } : {}),
  };
}

export interface NewIssuer {
  platformId?: string | null;
  name: string;
  url?: string | null;
  email?: string | null;
  image?: string | null;
  description?: string | null;
}

/** Creates an issuer with a fresh Ed25519 key, sealed at rest. */
export async function createIssuer(deps: Deps, input: NewIssuer): Promise<IssuerRow> {
  const id = deps.newId();
  const key = await generateIssuerKey(issuerDid(deps.config.publicUrl, id));
  return transaction(deps.pool, async (client) => {
    const issuer = await insertIssuer(client, {
      id,
      platformId: input.platformId ?? null,
      name: input.name,
      url: input.url ?? null,
      email: input.email ?? null,
      image: input.image ?? null,
      description: input.description ?? null,
    });
    await storeKey(deps, client, id, key);
    return issuer;
  });
}

/** Generates a new current key; the old one stays listed so credentials it signed still verify. */
export async function rotateIssuerKey(deps: Deps, issuerId: string): Promise<void> {
  const key = await generateIssuerKey(issuerDid(deps.config.publicUrl, issuerId));
  await transaction(deps.pool, async (client) => {
    await rotateCurrentKey(client, issuerId, deps.clock.now());
    await storeKey(deps, client, issuerId, key);
  });
}

async function storeKey(deps: Deps, db: Queryable, issuerId: string, key: IssuerKey): Promise<void> {
  await insertIssuerKey(db, {
    id: deps.newId(),
    issuerId,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeySealed: seal(deps.secret, SEAL_PURPOSE, key.secretKeyMultibase),
    createdAt: deps.clock.now(),
  });
}

/**
 * The issuer's current signing key, unsealed.
 * @throws AppError ERR_NOT_FOUND when the issuer does not exist.
 */
export async function currentIssuerKey(
  deps: Pick<Deps, 'secret' | 'config'>,
  db: Queryable,
  issuerId: string,
) {
  const [current] = await listIssuerKeys(db, issuerId);
  if (!current || current.rotatedAt)
    throw new AppError('ERR_NOT_FOUND', `Issuer ${issuerId} has no current key`);
  const controller = issuerDid(deps.config.publicUrl, issuerId);
  return {
    id: `${controller}#${current.publicKeyMultibase}`,
    controller,
    publicKeyMultibase: current.publicKeyMultibase,
    secretKeyMultibase: unseal(deps.secret, SEAL_PURPOSE, current.secretKeySealed),
  } satisfies IssuerKey;
}

/** The DID document served at /issuers/<id>/did.json: every key, current and rotated, under assertionMethod. */
export async function issuerDidDocument(
  deps: Pick<Deps, 'config'>,
  db: Queryable,
  issuerId: string,
): Promise<DidDocument | undefined> {
  const issuer = await findIssuer(db, issuerId);
  if (!issuer) return undefined;
  const did = issuerDid(deps.config.publicUrl, issuerId);
  const keys = await listIssuerKeys(db, issuerId);
  return buildDidDocument(
    did,
    keys.map((key) =>
      toPublicKey({
        id: `${did}#${key.publicKeyMultibase}`,
        controller: did,
        publicKeyMultibase: key.publicKeyMultibase,
      }),
    ),
  );
}
