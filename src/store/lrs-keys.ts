import { AppError } from '../errors.js';
import type { Queryable } from './pool.js';

/** An LRS credential (migrations/0200_xapi.sql `lrs_keys`). */
export interface LrsKey {
  key: string;
  platformId: string;
  courseId: string | null;
  secretSha256: Buffer;
  scopes: string[];
  label: string;
  revokedAt: Date | null;
}

export interface NewLrsKey {
  key: string;
  platformId: string;
  courseId?: string | null;
  secretSha256: Buffer;
  scopes: readonly string[];
  label?: string;
}

interface LrsKeyRow {
  key: string;
  platform_id: string;
  course_id: string | null;
  secret_sha256: Buffer;
  scopes: string[];
  label: string;
  revoked_at: Date | null;
}

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Stores a new key; the course, when given, must belong to the platform.
 * @throws ERR_XAPI_KEY_INVALID when the platform or course does not exist.
 */
export async function insertLrsKey(db: Queryable, input: NewLrsKey): Promise<void> {
  if (!uuidLike.test(input.platformId)) {
    throw new AppError('ERR_XAPI_KEY_INVALID', 'platform must be a platform id (UUID)', {
      details: { path: 'platform' },
    });
  }
  if (input.courseId && !uuidLike.test(input.courseId)) {
    throw new AppError('ERR_XAPI_KEY_INVALID', 'course must be a course id (UUID)', {
      details: { path: 'course' },
    });
  }
  const { rowCount } = await db.query(
    `INSERT INTO lrs_keys (key, platform_id, course_id, secret_sha256, scopes, label)
     SELECT $1, p.id, c.id, $4, $5, $6 FROM platforms p
     LEFT JOIN courses c ON c.id = $3 AND c.platform_id = p.id
     WHERE p.id = $2 AND ($3::uuid IS NULL OR c.id IS NOT NULL)`,
    [
      input.key,
      input.platformId,
      input.courseId ?? null,
      input.secretSha256,
      input.scopes,
      input.label ?? '',
    ],
  );
  if (rowCount !== 1) {
    throw new AppError(
      'ERR_XAPI_KEY_INVALID',
      input.courseId ? 'No such course on that platform' : 'No such platform',
      { details: { path: input.courseId ? 'course' : 'platform' } },
    );
  }
}

/** The key, revoked or not; undefined when unknown. */
export async function findLrsKey(db: Queryable, key: string): Promise<LrsKey | undefined> {
  const { rows } = await db.query<LrsKeyRow>(
    'SELECT key, platform_id, course_id, secret_sha256, scopes, label, revoked_at FROM lrs_keys WHERE key = $1',
    [key],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    key: row.key,
    platformId: row.platform_id,
    courseId: row.course_id,
    secretSha256: row.secret_sha256,
    scopes: row.scopes,
    label: row.label,
    revokedAt: row.revoked_at,
  };
}

export async function revokeLrsKey(db: Queryable, key: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE lrs_keys SET revoked_at = $2 WHERE key = $1 AND revoked_at IS NULL',
    [key, now],
  );
  return rowCount === 1;
}

/** A key as listed to admins and instructors: never the secret hash. */
export interface LrsKeySummary {
  key: string;
  platformId: string;
  courseId: string | null;
  scopes: string[];
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** The keys of a platform, or of one course of it. */
export async function listLrsKeys(
  db: Queryable,
  platformId: string,
  courseId?: string,
): Promise<LrsKeySummary[]> {
  const { rows } = await db.query<{
    key: string;
    platform_id: string;
    course_id: string | null;
    scopes: string[];
    label: string;
    created_at: Date;
    revoked_at: Date | null;
  }>(
    `SELECT key, platform_id, course_id, scopes, label, created_at, revoked_at FROM lrs_keys
     WHERE platform_id = $1 AND ($2::uuid IS NULL OR course_id = $2) ORDER BY created_at, key`,
    [platformId, courseId ?? null],
  );
  return rows.map((row) => ({
    key: row.key,
    platformId: row.platform_id,
    courseId: row.course_id,
    scopes: row.scopes,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}
