import type { Queryable } from './pool.js';

/** A badges API token (migrations/0401_badge_api_tokens.sql); the secret itself is never stored. */
export interface ApiToken {
  id: string;
  platformId: string;
  courseId: string | null;
  label: string;
  createdBy: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  platform_id: string;
  course_id: string | null;
  label: string;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const columns = 'id, platform_id, course_id, label, created_by, created_at, revoked_at';

function toToken(row: Row): ApiToken {
  return {
    id: row.id,
    platformId: row.platform_id,
    courseId: row.course_id,
    label: row.label,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertApiToken(
  db: Queryable,
  token: Omit<ApiToken, 'revokedAt' | 'createdAt'> & { tokenSha256: string },
  now: Date,
): Promise<ApiToken> {
  const { rows } = await db.query<Row>(
    `INSERT INTO api_tokens (id, token_sha256, platform_id, course_id, label, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
    [token.id, token.tokenSha256, token.platformId, token.courseId, token.label, token.createdBy, now],
  );
  return toToken(rows[0]!);
}

/** The live (not revoked) token with this hash. */
export async function findApiTokenByHash(db: Queryable, sha256: string): Promise<ApiToken | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${columns} FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL`,
    [sha256],
  );
  return rows[0] ? toToken(rows[0]) : undefined;
}

/** A platform's tokens (a course's and the platform-wide ones when `courseId` is given), newest first. */
export async function listApiTokens(
  db: Queryable,
  platformId: string,
  courseId: string | null,
): Promise<ApiToken[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${columns} FROM api_tokens WHERE platform_id = $1 AND ($2::uuid IS NULL OR course_id = $2)
     ORDER BY created_at DESC, id`,
    [platformId, courseId],
  );
  return rows.map(toToken);
}

export async function findApiToken(db: Queryable, id: string): Promise<ApiToken | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${columns} FROM api_tokens WHERE id = $1`, [id]);
  return rows[0] ? toToken(rows[0]) : undefined;
}

export async function revokeApiToken(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1', [id, now]);
}
