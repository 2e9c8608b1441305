import type { Queryable } from './pool.js';

/** A session after a launch (migrations/0110_lti_login.sql `lti_sessions`); the token itself is never stored. */
export interface LtiSession {
  tokenHash: string;
  platformId: string;
  deploymentId: string;
  courseId: string | null;
  userId: string;
  roles: string[];
  messageType: string;
  resourceLinkId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

interface LtiSessionRow {
  token_hash: string;
  platform_id: string;
  deployment_id: string;
  course_id: string | null;
  user_id: string;
  roles: string[];
  message_type: string;
  resource_link_id: string | null;
  created_at: Date;
  expires_at: Date;
}

const columns =
  'token_hash, platform_id, deployment_id, course_id, user_id, roles, message_type, resource_link_id, created_at, expires_at';

export async function insertLtiSession(db: Queryable, session: LtiSession): Promise<void> {
  await db.query(`INSERT INTO lti_sessions (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
    session.tokenHash,
    session.platformId,
    session.deploymentId,
    session.courseId,
    session.userId,
    session.roles,
    session.messageType,
    session.resourceLinkId,
    session.createdAt,
    session.expiresAt,
  ]);
}

/** The session with this token hash, unless it expired at `now`. */
export async function findLtiSession(
  db: Queryable,
  tokenHash: string,
  now: Date,
): Promise<LtiSession | undefined> {
  const { rows } = await db.query<LtiSessionRow>(
    `SELECT ${columns} FROM lti_sessions WHERE token_hash = $1 AND expires_at > $2`,
    [tokenHash, now],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    tokenHash: row.token_hash,
    platformId: row.platform_id,
    deploymentId: row.deployment_id,
    courseId: row.course_id,
    userId: row.user_id,
    roles: row.roles,
    messageType: row.message_type,
    resourceLinkId: row.resource_link_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export async function deleteExpiredLtiSessions(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM lti_sessions WHERE expires_at < $1', [before]);
  return rowCount ?? 0;
}
