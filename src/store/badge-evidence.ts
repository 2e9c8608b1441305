import type { EvidenceStatement, MappingRule } from '../badges/index.js';
import type { Queryable } from './pool.js';

/** A stored statement as the badge worker reads it (`xapi_statements`, owned by the xAPI side). */
export interface StatementForBadges {
  id: string;
  courseId: string | null;
  statement: Record<string, unknown>;
}

export async function loadStatementForBadges(
  db: Queryable,
  platformId: string,
  statementId: string,
): Promise<StatementForBadges | undefined> {
  const { rows } = await db.query<{
    id: string;
    course_id: string | null;
    statement: Record<string, unknown>;
  }>('SELECT id, course_id, statement FROM xapi_statements WHERE platform_id = $1 AND id = $2', [
    platformId,
    statementId,
  ]);
  const row = rows[0];
  return row ? { id: row.id, courseId: row.course_id, statement: row.statement } : undefined;
}

/** Serialises work on one key inside the caller's transaction (released at COMMIT/ROLLBACK). */
export async function lockKey(db: Queryable, key: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
}

/** Shared (statement jobs) or exclusive (bulk roster linking) lock on one key, released at COMMIT/ROLLBACK. */
export async function lockKeyShared(db: Queryable, key: string, exclusive: boolean): Promise<void> {
  const fn = exclusive ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  await db.query(`SELECT ${fn}(hashtextextended($1, 0))`, [key]);
}

/** A course's enrolled users with what identity keys are made of. */
export async function courseUsers(
  db: Queryable,
  courseId: string,
): Promise<{ id: string; sub: string; email: string | null }[]> {
  const { rows } = await db.query<{ id: string; sub: string; email: string | null }>(
    'SELECT u.id, u.sub, u.email FROM enrollments e JOIN users u ON u.id = e.user_id WHERE e.course_id = $1',
    [courseId],
  );
  return rows;
}

/** All of a platform's users with what identity keys are made of. */
export async function platformUsers(
  db: Queryable,
  platformId: string,
): Promise<{ id: string; sub: string; email: string | null }[]> {
  const { rows } = await db.query<{ id: string; sub: string; email: string | null }>(
    'SELECT id, sub, email FROM users WHERE platform_id = $1',
    [platformId],
  );
  return rows;
}

/** Stores a platform's identity settings (replacing them). */
export async function saveIdentitySettings(
  db: Queryable,
  platformId: string,
  settings: { accountHomePages: string[]; mappings: MappingRule[] },
): Promise<void> {
  await db.query(
    `INSERT INTO platform_identity_settings (platform_id, account_home_pages, mappings) VALUES ($1, $2, $3)
     ON CONFLICT (platform_id) DO UPDATE SET account_home_pages = EXCLUDED.account_home_pages,
       mappings = EXCLUDED.mappings`,
    [platformId, settings.accountHomePages, JSON.stringify(settings.mappings)],
  );
}

/** Records many users' identity keys at once (idempotent). */
export async function addIdentityKeysBulk(
  db: Queryable,
  platformId: string,
  rows: readonly { userId: string; key: string }[],
): Promise<void> {
  await db.query(
    `INSERT INTO learner_identity_keys (platform_id, key, user_id)
     SELECT $1, r.key, r.user_id FROM jsonb_to_recordset($2::jsonb) AS r(key text, user_id uuid)
     ON CONFLICT DO NOTHING`,
    [platformId, JSON.stringify(rows.map((r) => ({ key: r.key, user_id: r.userId })))],
  );
}

/** Links every kept statement whose actor key now names exactly one user; returns the users linked. */
export async function linkAllUnmatched(db: Queryable, platformId: string): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    `WITH single AS (
       SELECT key, min(user_id::text)::uuid AS user_id FROM learner_identity_keys
       WHERE platform_id = $1 AND key IN (SELECT actor_key FROM statement_evidence
                                          WHERE platform_id = $1 AND user_id IS NULL)
       GROUP BY key HAVING count(*) = 1)
     UPDATE statement_evidence e SET user_id = s.user_id FROM single s
     WHERE e.platform_id = $1 AND e.user_id IS NULL AND e.actor_key = s.key
     RETURNING e.user_id`,
    [platformId],
  );
  return [...new Set(rows.map((row) => row.user_id))];
}

/** The users holding this identity key on the platform (more than one: ambiguous). */
export async function usersForKey(db: Queryable, platformId: string, key: string): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM learner_identity_keys WHERE platform_id = $1 AND key = $2 ORDER BY user_id LIMIT 2',
    [platformId, key],
  );
  return rows.map((row) => row.user_id);
}

/** Records the keys under which statements name this user (idempotent). */
export async function addIdentityKeys(
  db: Queryable,
  platformId: string,
  userId: string,
  keys: readonly string[],
): Promise<void> {
  await db.query(
    `INSERT INTO learner_identity_keys (platform_id, key, user_id)
     SELECT $1, k, $2 FROM unnest($3::text[]) AS k ON CONFLICT DO NOTHING`,
    [platformId, userId, keys],
  );
}

/** The platform's identity settings (extra account homePages, mapping rules); empty when none are stored. */
export async function findIdentitySettings(
  db: Queryable,
  platformId: string,
): Promise<{ accountHomePages: string[]; mappings: MappingRule[] }> {
  const { rows } = await db.query<{ account_home_pages: string[]; mappings: MappingRule[] }>(
    'SELECT account_home_pages, mappings FROM platform_identity_settings WHERE platform_id = $1',
    [platformId],
  );
  return { accountHomePages: rows[0]?.account_home_pages ?? [], mappings: rows[0]?.mappings ?? [] };
}

/** Stores a statement's evidence form and learner (NULL: not linked yet); a redelivery may only add the learner. */
export async function insertStatementEvidence(
  db: Queryable,
  row: {
    platformId: string;
    statementId: string;
    courseId: string | null;
    actorKey: string | null;
    userId: string | null;
    evidence: EvidenceStatement;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO statement_evidence (platform_id, statement_id, course_id, actor_key, user_id, timestamp_ms, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (platform_id, statement_id) DO UPDATE
       SET user_id = COALESCE(statement_evidence.user_id, EXCLUDED.user_id)`,
    [
      row.platformId,
      row.statementId,
      row.courseId,
      row.actorKey,
      row.userId,
      row.evidence.timestampMs,
      JSON.stringify(row.evidence),
    ],
  );
}

/** Links the kept statements of these actor keys to the user; returns how many were linked. */
export async function linkUnmatchedStatements(
  db: Queryable,
  platformId: string,
  userId: string,
  keys: readonly string[],
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE statement_evidence SET user_id = $2
     WHERE platform_id = $1 AND user_id IS NULL AND actor_key = ANY($3::text[])
       AND actor_key NOT IN (SELECT key FROM learner_identity_keys
                             WHERE platform_id = $1 AND key = ANY($3::text[]) AND user_id <> $2)`,
    [platformId, userId, keys],
  );
  return rowCount ?? 0;
}

/**
 * A learner's statements (not voided), in canonical order (timestamp, id), limited to a course and the
 * statements without one when `courseId` is given.
 */
export async function learnerStatements(
  db: Queryable,
  q: { platformId: string; userId: string; courseId: string | null },
): Promise<EvidenceStatement[]> {
  const { rows } = await db.query<{ evidence: EvidenceStatement }>(
    `SELECT e.evidence FROM statement_evidence e
     JOIN xapi_statements s ON s.platform_id = e.platform_id AND s.id = e.statement_id
     WHERE e.platform_id = $1 AND e.user_id = $2 AND NOT s.voided AND s.voids IS NULL
       AND ($3::uuid IS NULL OR e.course_id IS NULL OR e.course_id = $3)
     ORDER BY e.timestamp_ms, e.statement_id`,
    [q.platformId, q.userId, q.courseId],
  );
  return rows.map((row) => row.evidence);
}

/**
 * Learners who may earn an achievement of this course (enrolled with a Learner role, or with linked statements or
 * LMS grades in it); every learner with linked statements or grades for a library one.
 */
export async function candidateLearners(
  db: Queryable,
  platformId: string,
  courseId: string | null,
): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    `SELECT user_id FROM enrollments WHERE $2::uuid IS NOT NULL AND course_id = $2
       AND EXISTS (SELECT 1 FROM unnest(roles) AS r
                   WHERE r LIKE 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner%'
                      OR r LIKE 'http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#%')
     UNION
     SELECT DISTINCT user_id FROM statement_evidence
     WHERE platform_id = $1 AND user_id IS NOT NULL AND ($2::uuid IS NULL OR course_id = $2)
     UNION
     SELECT u.id FROM badge_grades g JOIN users u ON u.platform_id = g.platform_id AND u.sub = g.user_sub
     WHERE g.platform_id = $1 AND ($2::uuid IS NULL OR g.course_id = $2)
     ORDER BY user_id`,
    [platformId, courseId],
  );
  return rows.map((row) => row.user_id);
}

/** How many statements are kept with no learner yet (unknown or ambiguous actors). */
export async function countUnmatched(db: Queryable, platformId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM statement_evidence WHERE platform_id = $1 AND user_id IS NULL',
    [platformId],
  );
  return rows[0]?.n ?? 0;
}

/** Several learners' statements (not voided) in canonical order, by learner: one query for a dry run. */
export async function statementsByLearner(
  db: Queryable,
  q: { platformId: string; courseId: string | null; userIds: readonly string[] },
): Promise<Map<string, EvidenceStatement[]>> {
  const { rows } = await db.query<{ user_id: string; evidence: EvidenceStatement }>(
    `SELECT e.user_id, e.evidence FROM statement_evidence e
     JOIN xapi_statements s ON s.platform_id = e.platform_id AND s.id = e.statement_id
     WHERE e.platform_id = $1 AND e.user_id = ANY($3::uuid[]) AND NOT s.voided AND s.voids IS NULL
       AND ($2::uuid IS NULL OR e.course_id IS NULL OR e.course_id = $2)
     ORDER BY e.user_id, e.timestamp_ms, e.statement_id`,
    [q.platformId, q.courseId, q.userIds],
  );
  const out = new Map<string, EvidenceStatement[]>(q.userIds.map((id) => [id, []]));
  for (const row of rows) out.get(row.user_id)?.push(row.evidence);
  return out;
}
