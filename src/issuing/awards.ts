import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { generateIssuerKey } from '../credentials/index.js';
import { AppError } from '../errors.js';
import { enqueue, type JobHandler } from '../jobs/index.js';
import { seal } from '../secrets.js';
import {
  type AwardForIssue,
  findAwardForIssue,
  findCredentialsByAward,
  findIssuerByPlatform,
  type IssuerRow,
  insertIssuerKey,
  insertPlatformIssuerIfAbsent,
} from '../store/credentials.js';
import type { Queryable } from '../store/index.js';
import { type IssueRequest, issueCredentialIn, revokeCredentialIn } from './credentials.js';
import { issuerDid } from './issuers.js';

type Deps = Pick<AppContext, 'pool' | 'clock' | 'newId' | 'secret' | 'config' | 'signing'>;

/** The durable queue that turns awards into credentials. */
export const ISSUE_CREDENTIAL_QUEUE = 'credentials.issue';

/** One credential per award version: the job's dedupe key and the credential's award key. */
export function awardKey(awardId: string, achievementVersion: number): string {
  return `${awardId}:v${achievementVersion}`;
}

/**
 * Enqueues issuing the credential of an award; call it inside the transaction that records the award
 * (outbox). Enqueueing the same award version twice is a no-op.
 */
export async function enqueueCredentialIssue(
  db: Queryable,
  award: { id: string; achievementVersion: number },
): Promise<void> {
  await enqueue(db, {
    queue: ISSUE_CREDENTIAL_QUEUE,
    payload: { awardId: award.id },
    dedupeKey: awardKey(award.id, award.achievementVersion),
  });
}

/**
 * The job handler of ISSUE_CREDENTIAL_QUEUE: reads the award, finds (or creates) its platform's issuer, and
 * issues in the job's transaction. A retried job, or two racing workers, yield one credential (unique
 * award key). Revoked awards are skipped.
 */
export function issueCredentialHandler(deps: Deps): JobHandler {
  return async (job, client) => {
    const awardId = (job.payload as { awardId?: unknown } | null)?.awardId;
    if (typeof awardId !== 'string') throw new AppError('ERR_VALIDATION', 'job payload needs awardId');
    const award = await findAwardForIssue(client, awardId);
    if (!award || award.revokedAt) return;
    const issuer = await ensurePlatformIssuer(deps, client, award);
    await issueCredentialIn(deps, client, toIssueRequest(deps, award, issuer));
  };
}

async function ensurePlatformIssuer(deps: Deps, db: Queryable, award: AwardForIssue): Promise<IssuerRow> {
  const existing = await findIssuerByPlatform(db, award.platformId);
  if (existing) return existing;
  const id = deps.newId();
  const issuer = await insertPlatformIssuerIfAbsent(db, {
    id,
    platformId: award.platformId,
    name: award.platformName || 'Laurel',
    url: null,
    email: null,
    image: null,
    description: null,
  });
  // Another worker created it first (the unique index decided): use theirs.
  if (!issuer) return (await findIssuerByPlatform(db, award.platformId))!;
  const key = await generateIssuerKey(issuerDid(deps.config.publicUrl, id));
  await insertIssuerKey(db, {
    id: deps.newId(),
    issuerId: id,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeySealed: seal(deps.secret, 'issuer-key', key.secretKeyMultibase),
    createdAt: deps.clock.now(),
  });
  return issuer;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function toIssueRequest(deps: Deps, award: AwardForIssue, issuer: IssuerRow): IssueRequest {
  const body = award.achievementBody;
  const criteria = (body.criteria ?? {}) as Record<string, unknown>;
  const image = body.image as { id?: unknown; caption?: unknown } | undefined;
  const name = text(body.name);
  if (!name) throw new AppError('ERR_CREDENTIAL_INVALID', `achievement ${award.achievementId} has no name`);
  if (!award.email)
    throw new AppError(
      'ERR_CREDENTIAL_INVALID',
      `the learner of award ${award.awardId} has no email and no DID`,
    );
  const imageId = text(image?.id);
  const imageCaption = text(image?.caption);
  const achievementType = text(body.achievementType);
  return {
    issuerId: issuer.id,
    awardKey: awardKey(award.awardId, award.achievementVersion),
    name,
    achievement: {
      id: award.achievementId,
      name,
      description: text(body.description) ?? name,
      criteriaNarrative: text(criteria.narrative) ?? `Awarded by ${issuer.name} through Laurel.`,
      ...(imageId
        ? {
            image: imageId.startsWith('/')
              ? `${deps.config.publicUrl.replace(/\/+$/, '')}${imageId}`
              : imageId,
          }
        : {}),
      ...(imageCaption ? { imageCaption } : {}),
      ...(achievementType ? { achievementType } : {}),
    },
    // A fresh salt per credential, carried in the credential (OB 3.0 IdentityObject.salt).
    recipient: { email: award.email, salt: randomBytes(12).toString('base64url') },
    awardedDate: award.awardedAt,
    // xAPI statement ids are UUIDs: urn:uuid names the statement that met the rule.
    evidence: award.evidence.map((e) =>
      e.kind === 'statement' && /^[0-9a-f-]{36}$/.test(e.ref)
        ? {
            id: `urn:uuid:${e.ref}`,
            name: 'xAPI statement',
            narrative: `Statement ${e.ref} met the award rule.`,
          }
        : { name: `${e.kind} evidence`, narrative: e.ref },
    ),
  };
}

/**
 * The job handler of the badges side's revocation hand-off (payload `{ awardId }`): revokes every credential
 * issued for the award, with the award's reason, in the job's transaction. Already revoked ones are left.
 */
export function revokeAwardCredentialsHandler(deps: Deps): JobHandler {
  return async (job, client) => {
    const awardId = (job.payload as { awardId?: unknown } | null)?.awardId;
    if (typeof awardId !== 'string') throw new AppError('ERR_VALIDATION', 'job payload needs awardId');
    const { rows } = await client.query<{ reason: string | null }>(
      'SELECT revocation_reason AS reason FROM awards WHERE id = $1',
      [awardId],
    );
    const reason = rows[0]?.reason ?? 'award revoked';
    for (const credential of await findCredentialsByAward(client, awardId)) {
      if (!credential.revokedAt) await revokeCredentialIn(deps, client, credential.id, reason);
    }
  };
}
