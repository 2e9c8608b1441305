import type { Queryable } from './pool.js';

/** Rows of migrations/0300_credentials.sql. */
export interface IssuerRow {
  id: string;
  platformId: string | null;
  name: string;
  url: string | null;
  email: string | null;
  image: string | null;
  description: string | null;
}

export interface IssuerKeyRow {
  id: string;
  issuerId: string;
  publicKeyMultibase: string;
  secretKeySealed: string;
  createdAt: Date;
  rotatedAt: Date | null;
}

export interface StatusListRow {
  id: string;
  issuerId: string;
  purpose: 'revocation' | 'suspension' | 'message';
  /** Entries in the list; `bits` holds `length * statusSize` bits. */
  length: number;
  /** Bits per entry: 1, or 2 for `message` lists (0 valid, 1 revoked, 2 suspended). */
  statusSize: number;
  bits: Buffer;
  used: number;
  document: Record<string, unknown>;
  updatedAt: Date;
}

export interface CredentialRow {
  id: string;
  issuerId: string;
  awardKey: string;
  achievementKey: string;
  statusListId: string;
  statusIndex: number;
  document: Record<string, unknown>;
  revokedAt: Date | null;
  revocationReason: string | null;
  suspendedAt: Date | null;
  suspensionReason: string | null;
  createdAt: Date;
}

/** A row of credential_status_events: who revoked, suspended or unsuspended a credential, and why. */
export interface CredentialStatusEvent {
  action: 'revoke' | 'suspend' | 'unsuspend';
  reason: string;
  createdAt: Date;
}

const issuerColumns = 'id, platform_id AS "platformId", name, url, email, image, description';
const keyColumns = `id, issuer_id AS "issuerId", public_key_multibase AS "publicKeyMultibase",
  secret_key_sealed AS "secretKeySealed", created_at AS "createdAt", rotated_at AS "rotatedAt"`;
const listColumns = `id, issuer_id AS "issuerId", purpose, length, status_size AS "statusSize", bits, used, document,
  updated_at AS "updatedAt"`;
const credentialColumns = `id, issuer_id AS "issuerId", award_key AS "awardKey", achievement_key AS "achievementKey",
  status_list_id AS "statusListId", status_index AS "statusIndex", document, revoked_at AS "revokedAt",
  revocation_reason AS "revocationReason", suspended_at AS "suspendedAt", suspension_reason AS "suspensionReason",
  created_at AS "createdAt"`;

export async function insertIssuer(db: Queryable, issuer: IssuerRow): Promise<IssuerRow> {
  const { rows } = await db.query<IssuerRow>(
    `INSERT INTO issuers (id, platform_id, name, url, email, image, description)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${issuerColumns}`,
    [issuer.id, issuer.platformId, issuer.name, issuer.url, issuer.email, issuer.image, issuer.description],
  );
  return rows[0]!;
}

export async function findIssuer(db: Queryable, id: string): Promise<IssuerRow | undefined> {
  const { rows } = await db.query<IssuerRow>(`SELECT ${issuerColumns} FROM issuers WHERE id = $1`, [id]);
  return rows[0];
}

export async function insertIssuerKey(db: Queryable, key: Omit<IssuerKeyRow, 'rotatedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO issuer_keys (id, issuer_id, public_key_multibase, secret_key_sealed, created_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [key.id, key.issuerId, key.publicKeyMultibase, key.secretKeySealed, key.createdAt],
  );
}

/** Marks the current key rotated (it stays in the DID document). */
export async function rotateCurrentKey(db: Queryable, issuerId: string, at: Date): Promise<void> {
  await db.query('UPDATE issuer_keys SET rotated_at = $2 WHERE issuer_id = $1 AND rotated_at IS NULL', [
    issuerId,
    at,
  ]);
}

/** Every key of the issuer, current first. */
export async function listIssuerKeys(db: Queryable, issuerId: string): Promise<IssuerKeyRow[]> {
  const { rows } = await db.query<IssuerKeyRow>(
    `SELECT ${keyColumns} FROM issuer_keys WHERE issuer_id = $1
     ORDER BY rotated_at IS NOT NULL, created_at DESC, id`,
    [issuerId],
  );
  return rows;
}

export async function insertStatusList(db: Queryable, list: StatusListRow): Promise<void> {
  await db.query(
    `INSERT INTO status_lists (id, issuer_id, purpose, length, status_size, bits, used, document, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      list.id,
      list.issuerId,
      list.purpose,
      list.length,
      list.statusSize,
      list.bits,
      list.used,
      list.document,
      list.updatedAt,
    ],
  );
}

/** The issuer's list for `purpose` with room left, locked for this transaction. */
export async function lockOpenStatusList(
  db: Queryable,
  issuerId: string,
  purpose: string,
): Promise<StatusListRow | undefined> {
  const { rows } = await db.query<StatusListRow>(
    `SELECT ${listColumns} FROM status_lists WHERE issuer_id = $1 AND purpose = $2 AND used < length / 2
     ORDER BY updated_at LIMIT 1 FOR UPDATE`,
    [issuerId, purpose],
  );
  return rows[0];
}

export async function lockStatusList(db: Queryable, id: string): Promise<StatusListRow | undefined> {
  const { rows } = await db.query<StatusListRow>(
    `SELECT ${listColumns} FROM status_lists WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0];
}

export async function findStatusList(db: Queryable, id: string): Promise<StatusListRow | undefined> {
  const { rows } = await db.query<StatusListRow>(`SELECT ${listColumns} FROM status_lists WHERE id = $1`, [
    id,
  ]);
  return rows[0];
}

export async function updateStatusList(
  db: Queryable,
  list: Pick<StatusListRow, 'id' | 'bits' | 'used' | 'document' | 'updatedAt'>,
): Promise<void> {
  await db.query(
    'UPDATE status_lists SET bits = $2, used = $3, document = $4, updated_at = $5 WHERE id = $1',
    [list.id, list.bits, list.used, list.document, list.updatedAt],
  );
}

/** True when `index` is free in the list (callers hold the list's lock). */
export async function isStatusIndexFree(
  db: Queryable,
  statusListId: string,
  index: number,
): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM credentials WHERE status_list_id = $1 AND status_index = $2',
    [statusListId, index],
  );
  return rowCount === 0;
}

/** Inserts the credential; undefined when one exists for the award key already (idempotent issuance). */
export async function insertCredential(
  db: Queryable,
  row: Omit<CredentialRow, 'revokedAt' | 'revocationReason' | 'suspendedAt' | 'suspensionReason'>,
): Promise<CredentialRow | undefined> {
  const { rows } = await db.query<CredentialRow>(
    `INSERT INTO credentials (id, issuer_id, award_key, achievement_key, status_list_id, status_index, document, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (award_key) DO NOTHING RETURNING ${credentialColumns}`,
    [
      row.id,
      row.issuerId,
      row.awardKey,
      row.achievementKey,
      row.statusListId,
      row.statusIndex,
      row.document,
      row.createdAt,
    ],
  );
  return rows[0];
}

export async function findCredential(db: Queryable, id: string): Promise<CredentialRow | undefined> {
  const { rows } = await db.query<CredentialRow>(
    `SELECT ${credentialColumns} FROM credentials WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export async function findCredentialByAwardKey(
  db: Queryable,
  awardKey: string,
): Promise<CredentialRow | undefined> {
  const { rows } = await db.query<CredentialRow>(
    `SELECT ${credentialColumns} FROM credentials WHERE award_key = $1`,
    [awardKey],
  );
  return rows[0];
}

/** Every credential issued for an award (one per achievement version it was issued under). */
export async function findCredentialsByAward(db: Queryable, awardId: string): Promise<CredentialRow[]> {
  const { rows } = await db.query<CredentialRow>(
    `SELECT ${credentialColumns} FROM credentials WHERE award_key LIKE $1 ORDER BY created_at`,
    [`${awardId}:v%`],
  );
  return rows;
}

/** Records a revocation, suspension or unsuspension of credential `id` and its event, in one statement. */
export async function markStatus(
  db: Queryable,
  id: string,
  action: CredentialStatusEvent['action'],
  reason: string,
  at: Date,
): Promise<void> {
  await db.query(
    `WITH event AS (
       INSERT INTO credential_status_events (credential_id, action, reason, created_at) VALUES ($1, $2, $3, $4)
     )
     UPDATE credentials SET
       revoked_at = CASE WHEN $2 = 'revoke' THEN $4 ELSE revoked_at END,
       revocation_reason = CASE WHEN $2 = 'revoke' THEN $3 ELSE revocation_reason END,
       suspended_at = CASE $2 WHEN 'suspend' THEN $4 WHEN 'unsuspend' THEN NULL ELSE suspended_at END,
       suspension_reason = CASE $2 WHEN 'suspend' THEN $3 WHEN 'unsuspend' THEN NULL ELSE suspension_reason END
     WHERE id = $1`,
    [id, action, reason, at],
  );
}

/** The credential's status events, oldest first. */
export async function listStatusEvents(db: Queryable, id: string): Promise<CredentialStatusEvent[]> {
  const { rows } = await db.query<CredentialStatusEvent>(
    `SELECT action, reason, created_at AS "createdAt" FROM credential_status_events
      WHERE credential_id = $1 ORDER BY id`,
    [id],
  );
  return rows;
}

export async function upsertAchievement(
  db: Queryable,
  key: string,
  document: object,
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO credential_achievements (key, document, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET document = EXCLUDED.document, updated_at = EXCLUDED.updated_at`,
    [key, document, at],
  );
}

export async function findAchievement(
  db: Queryable,
  key: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query<{ document: Record<string, unknown> }>(
    'SELECT document FROM credential_achievements WHERE key = $1',
    [key],
  );
  return rows[0]?.document;
}

/** What issuing a credential for an award reads from the badges and tenancy tables (0400, 0002). */
export interface AwardForIssue {
  awardId: string;
  platformId: string;
  platformName: string;
  achievementId: string;
  achievementVersion: number;
  achievementBody: Record<string, unknown>;
  awardedAt: Date;
  revokedAt: Date | null;
  email: string | null;
  evidence: { kind: string; ref: string }[];
}

export async function findAwardForIssue(db: Queryable, awardId: string): Promise<AwardForIssue | undefined> {
  const { rows } = await db.query<AwardForIssue>(
    `SELECT a.id AS "awardId", a.platform_id AS "platformId", p.name AS "platformName",
            a.achievement_id AS "achievementId", a.achievement_version AS "achievementVersion",
            v.body AS "achievementBody", a.awarded_at AS "awardedAt", a.revoked_at AS "revokedAt", u.email,
            COALESCE((SELECT json_agg(json_build_object('kind', e.kind, 'ref', e.ref) ORDER BY e.kind, e.ref)
                      FROM award_evidence e WHERE e.award_id = a.id AND NOT e.voided), '[]') AS evidence
       FROM awards a
       JOIN platforms p ON p.id = a.platform_id
       JOIN users u ON u.id = a.user_id
       JOIN achievement_versions v ON v.achievement_id = a.achievement_id AND v.version = a.achievement_version
      WHERE a.id = $1
      -- A revocation of this award waits until the credential issued here is committed, so its job finds it.
      FOR SHARE OF a`,
    [awardId],
  );
  return rows[0];
}

export async function findIssuerByPlatform(
  db: Queryable,
  platformId: string,
): Promise<IssuerRow | undefined> {
  const { rows } = await db.query<IssuerRow>(`SELECT ${issuerColumns} FROM issuers WHERE platform_id = $1`, [
    platformId,
  ]);
  return rows[0];
}

/** Inserts the platform's issuer unless one exists (a racing worker's); undefined when it did. */
export async function insertPlatformIssuerIfAbsent(
  db: Queryable,
  issuer: IssuerRow,
): Promise<IssuerRow | undefined> {
  const { rows } = await db.query<IssuerRow>(
    `INSERT INTO issuers (id, platform_id, name, url, email, image, description)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (platform_id) WHERE platform_id IS NOT NULL DO NOTHING RETURNING ${issuerColumns}`,
    [issuer.id, issuer.platformId, issuer.name, issuer.url, issuer.email, issuer.image, issuer.description],
  );
  return rows[0];
}
