import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import {
  type AchievementInput,
  buildStatusListCredential,
  type CredentialSigner,
  createBitstring,
  type EvidenceInput,
  fastSignerCache,
  type IssuerKey,
  issueOpenBadgeCredential,
  MIN_STATUS_LIST_LENGTH,
  type RecipientInput,
  randomIndex,
  STATUS_MESSAGE_SIZE,
  STATUS_MESSAGES,
  STATUS_VALUE,
  type StatusEntryInput,
  setStatusValue,
  signCredential,
} from '../credentials/index.js';
import { AppError } from '../errors.js';
import {
  type CredentialRow,
  findCredential,
  findCredentialByAwardKey,
  findIssuer,
  insertCredential,
  insertStatusList,
  isStatusIndexFree,
  lockOpenStatusList,
  lockStatusList,
  markStatus,
  type StatusListRow,
  updateStatusList,
  upsertAchievement,
} from '../store/credentials.js';
import { type Queryable, transaction } from '../store/index.js';
import { currentIssuerKey, issuerDid, issuerProfile } from './issuers.js';

type Deps = Pick<AppContext, 'pool' | 'clock' | 'newId' | 'secret' | 'config' | 'signing'>;

export interface IssueRequest {
  issuerId: string;
  /** One credential per award version: issuing twice with one key returns the first credential. */
  awardKey: string;
  name: string;
  achievement: AchievementInput;
  recipient: RecipientInput;
  awardedDate?: Date;
  validUntil?: Date;
  evidence?: EvidenceInput[];
}

function baseUrl(deps: Pick<Deps, 'config'>): string {
  return deps.config.publicUrl.replace(/\/+$/, '');
}

export function statusListUrl(deps: Pick<Deps, 'config'>, id: string): string {
  return `${baseUrl(deps)}/status/${id}`;
}

/** Where the `message` entries' statusReference points: what each status value means. */
export function statusMessagesUrl(deps: Pick<Deps, 'config'>): string {
  return `${baseUrl(deps)}/status/messages`;
}

/** The purpose of the lists new credentials go into: `message` (revoked or suspended) or `revocation`. */
function issuePurpose(deps: Pick<Deps, 'config'>): 'message' | 'revocation' {
  return deps.config.credentialSuspension ? 'message' : 'revocation';
}

function statusEntry(deps: Pick<Deps, 'config'>, list: StatusListRow, index: number): StatusEntryInput {
  const entry = {
    statusListCredential: statusListUrl(deps, list.id),
    statusListIndex: index,
  };
  if (list.purpose !== 'message') return { ...entry, statusPurpose: list.purpose };
  return {
    ...entry,
    statusPurpose: 'message',
    statusSize: list.statusSize,
    statusMessage: STATUS_MESSAGES,
    statusReference: statusMessagesUrl(deps),
  };
}

/**
 * Issues (builds, signs, stores) one credential for an award, idempotently by `awardKey`; its revocation index
 * is drawn at random from the issuer's open status list.
 * @throws AppError ERR_NOT_FOUND (issuer), ERR_CREDENTIAL_INVALID
 */
export async function issueCredential(deps: Deps, request: IssueRequest): Promise<CredentialRow> {
  const existing = await findCredentialByAwardKey(deps.pool, request.awardKey);
  if (existing) return existing;
  return transaction(deps.pool, (client) => issueCredentialIn(deps, client, request));
}

/** `issueCredential` inside the caller's transaction (a job handler's). */
export async function issueCredentialIn(
  deps: Deps,
  client: Queryable,
  request: IssueRequest,
): Promise<CredentialRow> {
  const already = await findCredentialByAwardKey(client, request.awardKey);
  if (already) return already;
  const issuer = await findIssuer(client, request.issuerId);
  if (!issuer) throw new AppError('ERR_NOT_FOUND', `Issuer ${request.issuerId} does not exist`);
  const key = await currentIssuerKey(deps, client, issuer.id);
  const now = deps.clock.now();
  const purpose = issuePurpose(deps);
  const list =
    (await lockOpenStatusList(client, issuer.id, purpose)) ??
    (await createStatusList(deps, client, issuer.id, purpose));
  const index = await drawIndex(client, list);
  const id = deps.newId();
  const document = await issueOpenBadgeCredential(
    {
      baseUrl: baseUrl(deps),
      credentialId: id,
      name: request.name,
      issuer: issuerProfile(deps.config.publicUrl, issuer),
      achievement: request.achievement,
      recipient: request.recipient,
      awardedDate: request.awardedDate ?? now,
      validFrom: now,
      ...(request.validUntil ? { validUntil: request.validUntil } : {}),
      evidence: request.evidence ?? [],
      status: statusEntry(deps, list, index),
    },
    key,
    now,
    await signerFor(deps, key),
  );
  const row = await insertCredential(client, {
    id,
    issuerId: issuer.id,
    awardKey: request.awardKey,
    achievementKey: request.achievement.id,
    statusListId: list.id,
    statusIndex: index,
    document,
    createdAt: now,
  });
  // Another worker issued this award first: answer its credential (the unique key decided).
  if (!row) return (await findCredentialByAwardKey(client, request.awardKey))!;
  await updateStatusList(client, { ...list, used: list.used + 1 });
  const subject = document.credentialSubject as { achievement: object };
  await upsertAchievement(client, request.achievement.id, subject.achievement, now);
  return row;
}

// Fast signers by verification method id, for signing on this thread.
const fastSignerFor = fastSignerCache();

/**
 * The signing threads when the context has them (SIGNING_THREADS > 0), else a fast signer on this thread: the
 * same bytes either way. Signing happens before the insert, so the unique award key still decides a race.
 */
function signerFor(deps: Pick<Deps, 'signing'>, key: IssuerKey): Promise<CredentialSigner> {
  const { signing } = deps;
  if (signing)
    return Promise.resolve({ sign: (credential, created) => signing.sign(credential, key, created) });
  return fastSignerFor(key);
}

async function drawIndex(db: Queryable, list: StatusListRow): Promise<number> {
  for (let attempt = 0; attempt < 64; attempt++) {
    const index = randomIndex(list.length, randomBytes);
    if (await isStatusIndexFree(db, list.id, index)) return index;
  }
  throw new AppError('ERR_INTERNAL', `No free index found in status list ${list.id}`);
}

async function createStatusList(
  deps: Deps,
  db: Queryable,
  issuerId: string,
  purpose: 'message' | 'revocation',
): Promise<StatusListRow> {
  const id = deps.newId();
  const statusSize = purpose === 'message' ? STATUS_MESSAGE_SIZE : 1;
  const bits = createBitstring(MIN_STATUS_LIST_LENGTH, statusSize);
  const now = deps.clock.now();
  const document = await signStatusList(deps, db, { id, issuerId, purpose, bits, now });
  const list: StatusListRow = {
    id,
    issuerId,
    purpose,
    length: MIN_STATUS_LIST_LENGTH,
    statusSize,
    bits: Buffer.from(bits),
    used: 0,
    document,
    updatedAt: now,
  };
  await insertStatusList(db, list);
  return list;
}

async function signStatusList(
  deps: Deps,
  db: Queryable,
  list: { id: string; issuerId: string; purpose: StatusListRow['purpose']; bits: Uint8Array; now: Date },
): Promise<Record<string, unknown>> {
  const key = await currentIssuerKey(deps, db, list.issuerId);
  const unsigned = buildStatusListCredential({
    id: statusListUrl(deps, list.id),
    issuer: issuerDid(deps.config.publicUrl, list.issuerId),
    validFrom: list.now,
    statusPurpose: list.purpose,
    bits: list.bits,
  });
  return signCredential(unsigned, key, list.now);
}

/** A credential's status as its list says it: revocation wins over suspension. */
export function credentialState(credential: {
  revokedAt: Date | null;
  suspendedAt: Date | null;
}): 'valid' | 'suspended' | 'revoked' {
  return credential.revokedAt ? 'revoked' : credential.suspendedAt ? 'suspended' : 'valid';
}

/** What a status change does: revoke (for good), suspend, or unsuspend. */
export type StatusAction = 'revoke' | 'suspend' | 'unsuspend';

/**
 * Revokes a credential with a reason: sets its status and re-signs the status list, in one transaction.
 * @throws AppError ERR_NOT_FOUND, ERR_CONFLICT (already revoked)
 */
export async function revokeCredential(
  deps: Deps,
  credentialId: string,
  reason: string,
): Promise<CredentialRow> {
  return changeCredentialStatus(deps, credentialId, 'revoke', reason);
}

/**
 * Revokes, suspends or unsuspends a credential with a reason, in one transaction.
 * @throws AppError ERR_NOT_FOUND, ERR_CONFLICT (revoked, or already in that state),
 *   ERR_CREDENTIAL_NOT_SUSPENDABLE (its entry is a `revocation` one)
 */
export async function changeCredentialStatus(
  deps: Deps,
  credentialId: string,
  action: StatusAction,
  reason: string,
): Promise<CredentialRow> {
  return transaction(deps.pool, (client) =>
    changeCredentialStatusIn(deps, client, credentialId, action, reason),
  );
}

/**
 * revokeCredential inside the caller's transaction (a job's, say).
 * @throws AppError ERR_NOT_FOUND, ERR_CONFLICT (already revoked)
 */
export async function revokeCredentialIn(
  deps: Deps,
  client: Queryable,
  credentialId: string,
  reason: string,
): Promise<CredentialRow> {
  return changeCredentialStatusIn(deps, client, credentialId, 'revoke', reason);
}

/**
 * changeCredentialStatus inside the caller's transaction: sets the credential's entry in its list, re-signs
 * the list and records the event. Revocation wins over suspension and is for good.
 */
export async function changeCredentialStatusIn(
  deps: Deps,
  client: Queryable,
  credentialId: string,
  action: StatusAction,
  reason: string,
): Promise<CredentialRow> {
  const found = await findCredential(client, credentialId);
  if (!found) throw new AppError('ERR_NOT_FOUND', `Credential ${credentialId} does not exist`);
  const list = (await lockStatusList(client, found.statusListId))!;
  // Re-read under the list's lock: a concurrent change of the same credential has committed by now.
  const credential = (await findCredential(client, credentialId))!;
  if (credential.revokedAt)
    throw new AppError('ERR_CONFLICT', `Credential ${credentialId} is already revoked`);
  if (action !== 'revoke' && list.purpose !== 'message')
    throw new AppError(
      'ERR_CREDENTIAL_NOT_SUSPENDABLE',
      `Credential ${credentialId} was issued with a revocation-only status entry: it can be revoked, not suspended`,
    );
  if (action === 'suspend' && credential.suspendedAt)
    throw new AppError('ERR_CONFLICT', `Credential ${credentialId} is already suspended`);
  if (action === 'unsuspend' && !credential.suspendedAt)
    throw new AppError('ERR_CONFLICT', `Credential ${credentialId} is not suspended`);
  const bits = new Uint8Array(list.bits);
  // A revocation list (1 bit) only ever takes `revoke`, whose value 1 is its set bit.
  const value = action === 'revoke' ? 'revoked' : action === 'suspend' ? 'suspended' : 'valid';
  setStatusValue(bits, credential.statusIndex, list.statusSize, STATUS_VALUE[value]);
  const now = deps.clock.now();
  const document = await signStatusList(deps, client, { ...list, bits, now });
  await updateStatusList(client, { ...list, bits: Buffer.from(bits), document, updatedAt: now });
  await markStatus(client, credential.id, action, reason, now);
  return {
    ...credential,
    ...(action === 'revoke' ? { revokedAt: now, revocationReason: reason } : {}),
    ...(action === 'suspend' ? { suspendedAt: now, suspensionReason: reason } : {}),
    ...(action === 'unsuspend' ? { suspendedAt: null, suspensionReason: null } : {}),
  };
}
