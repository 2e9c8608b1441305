import type { AchievementBody } from '../badges/achievement.js';
import type { Relevance, RuleNode } from '../badges/index.js';
import type { Queryable } from './pool.js';

/** An achievement at its current version (migrations/0400_badges.sql `achievements` + `achievement_versions`). */
export interface Achievement {
  id: string;
  platformId: string;
  /** null: a platform library achievement. */
  courseId: string | null;
  version: number;
  body: AchievementBody;
  createdBy: string | null;
  createdAt: Date;
  archivedAt: Date | null;
}

interface AchievementRow {
  id: string;
  platform_id: string;
  course_id: string | null;
  current_version: number;
  body: AchievementBody;
  created_by: string | null;
  created_at: Date;
  archived_at: Date | null;
}

const selectAchievement = `SELECT a.id, a.platform_id, a.course_id, a.current_version, v.body, a.created_by, a.created_at,
    a.archived_at
  FROM achievements a JOIN achievement_versions v ON v.achievement_id = a.id AND v.version = a.current_version`;

function toAchievement(row: AchievementRow): Achievement {
  return {
    id: row.id,
    platformId: row.platform_id,
    courseId: row.course_id,
    version: row.current_version,
    body: row.body,
    createdBy: row.created_by,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
  };
}

/** Inserts an achievement and its version 1; call inside a transaction. */
export async function insertAchievement(
  db: Queryable,
  a: {
    id: string;
    platformId: string;
    courseId: string | null;
    body: AchievementBody;
    createdBy: string | null;
  },
  now: Date,
): Promise<Achievement> {
  await db.query(
    `INSERT INTO achievements (id, platform_id, course_id, current_version, created_by, created_at)
     VALUES ($1, $2, $3, 1, $4, $5)`,
    [a.id, a.platformId, a.courseId, a.createdBy, now],
  );
  await db.query(
    'INSERT INTO achievement_versions (achievement_id, version, body, created_at) VALUES ($1, 1, $2, $3)',
    [a.id, JSON.stringify(a.body), now],
  );
  return { ...a, version: 1, createdAt: now, archivedAt: null };
}

/**
 * Stores `body` as the next version and makes it current; the version number comes from the row lock on the
 * achievement, so two concurrent edits get distinct versions. Returns the new version, or undefined when unknown.
 */
export async function addAchievementVersion(
  db: Queryable,
  id: string,
  body: AchievementBody,
  now: Date,
): Promise<number | undefined> {
  const { rows } = await db.query<{ current_version: number }>(
    'UPDATE achievements SET current_version = current_version + 1 WHERE id = $1 RETURNING current_version',
    [id],
  );
  const version = rows[0]?.current_version;
  if (version === undefined) return undefined;
  await db.query(
    'INSERT INTO achievement_versions (achievement_id, version, body, created_at) VALUES ($1, $2, $3, $4)',
    [id, version, JSON.stringify(body), now],
  );
  return version;
}

export async function findAchievement(db: Queryable, id: string): Promise<Achievement | undefined> {
  const { rows } = await db.query<AchievementRow>(`${selectAchievement} WHERE a.id = $1`, [id]);
  return rows[0] ? toAchievement(rows[0]) : undefined;
}

/** One stored version of an achievement (what an award was issued under). */
export async function findAchievementVersion(
  db: Queryable,
  id: string,
  version: number,
): Promise<AchievementBody | undefined> {
  const { rows } = await db.query<{ body: AchievementBody }>(
    'SELECT body FROM achievement_versions WHERE achievement_id = $1 AND version = $2',
    [id, version],
  );
  return rows[0]?.body;
}

/** The course's achievements and the platform's library, not archived, oldest first. */
export async function listAchievements(
  db: Queryable,
  platformId: string,
  courseId: string | null,
): Promise<Achievement[]> {
  const { rows } = await db.query<AchievementRow>(
    `${selectAchievement}
     WHERE a.platform_id = $1 AND (a.course_id IS NULL OR a.course_id = $2) AND a.archived_at IS NULL
     ORDER BY a.created_at, a.id`,
    [platformId, courseId],
  );
  return rows.map(toAchievement);
}

/** Archives an achievement: its rule stops (inactive), its awards stay. */
export async function archiveAchievement(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE achievements SET archived_at = COALESCE(archived_at, $2) WHERE id = $1', [id, now]);
  await db.query('UPDATE award_rules SET active = false WHERE achievement_id = $1 AND active', [id]);
}

export async function insertAchievementImage(
  db: Queryable,
  image: { platformId: string; sha256: string; type: string; content: Buffer },
): Promise<void> {
  await db.query(
    `INSERT INTO achievement_images (platform_id, sha256, media_type, content) VALUES ($1, $2, $3, $4)
     ON CONFLICT (platform_id, sha256) DO NOTHING`,
    [image.platformId, image.sha256, image.type, image.content],
  );
}

/** An uploaded image by content hash (public: the same bytes whichever platform uploaded them). */
export async function findAchievementImage(
  db: Queryable,
  sha256: string,
): Promise<{ type: string; content: Buffer } | undefined> {
  const { rows } = await db.query<{ media_type: string; content: Buffer }>(
    'SELECT media_type, content FROM achievement_images WHERE sha256 = $1 LIMIT 1',
    [sha256],
  );
  return rows[0] ? { type: rows[0].media_type, content: rows[0].content } : undefined;
}

/** An award rule revision (`award_rules`). */
export interface AwardRule {
  id: string;
  achievementId: string;
  revision: number;
  rule: RuleNode;
  relevance: Relevance;
  onVoid: 'revoke' | 'keep';
  active: boolean;
  createdAt: Date;
}

interface RuleRow {
  id: string;
  achievement_id: string;
  revision: number;
  rule: RuleNode;
  relevance: Relevance;
  on_void: 'revoke' | 'keep';
  active: boolean;
  created_at: Date;
}

const ruleColumns =
  'r.id, r.achievement_id, r.revision, r.rule, r.relevance, r.on_void, r.active, r.created_at';

function toRule(row: RuleRow): AwardRule {
  return {
    id: row.id,
    achievementId: row.achievement_id,
    revision: row.revision,
    rule: row.rule,
    relevance: row.relevance,
    onVoid: row.on_void,
    active: row.active,
    createdAt: row.created_at,
  };
}

/**
 * Stores a rule as the achievement's next revision and makes it the active one (the previous is deactivated);
 * the achievement's row lock orders concurrent writers. Call inside a transaction.
 */
export async function replaceRule(
  db: Queryable,
  r: {
    id: string;
    achievementId: string;
    rule: RuleNode;
    relevance: Relevance;
    onVoid: 'revoke' | 'keep';
    createdBy: string | null;
  },
  now: Date,
): Promise<AwardRule> {
  await db.query('SELECT 1 FROM achievements WHERE id = $1 FOR UPDATE', [r.achievementId]);
  await db.query('UPDATE award_rules SET active = false WHERE achievement_id = $1 AND active', [
    r.achievementId,
  ]);
  const rel = r.relevance;
  const { rows } = await db.query<RuleRow>(
    `INSERT INTO award_rules AS r (id, achievement_id, revision, rule, relevance, verbs, activity_ids, activity_id_prefixes,
       line_item_ids, on_void, active, created_by, created_at)
     VALUES ($1, $2, (SELECT COALESCE(max(revision), 0) + 1 FROM award_rules WHERE achievement_id = $2), $3, $4, $5, $6,
       $7, $8, $9, true, $10, $11)
     RETURNING ${ruleColumns}`,
    [
      r.id,
      r.achievementId,
      JSON.stringify(r.rule),
      JSON.stringify(rel),
      rel.verbs === 'any' ? null : rel.verbs,
      rel.activityIds === 'any' ? null : rel.activityIds,
      rel.activityIdPrefixes,
      rel.lineItemIds,
      r.onVoid,
      r.createdBy,
      now,
    ],
  );
  return toRule(rows[0]!);
}

export async function findActiveRule(db: Queryable, achievementId: string): Promise<AwardRule | undefined> {
  const { rows } = await db.query<RuleRow>(
    `SELECT ${ruleColumns} FROM award_rules r WHERE r.achievement_id = $1 AND r.active`,
    [achievementId],
  );
  return rows[0] ? toRule(rows[0]) : undefined;
}

export async function findRuleById(db: Queryable, id: string): Promise<AwardRule | undefined> {
  const { rows } = await db.query<RuleRow>(`SELECT ${ruleColumns} FROM award_rules r WHERE r.id = $1`, [id]);
  return rows[0] ? toRule(rows[0]) : undefined;
}

/** An active rule with what the worker needs about its achievement. */
export interface ScopedRule extends AwardRule {
  courseId: string | null;
  achievementVersion: number;
}

/**
 * The active rules of the platform that a statement with this verb and activity may affect, for a learner: in the
 * statement's course (or, for a statement without a course, in the courses the learner is enrolled in) and the
 * platform library. Uses the GIN indexes; prefixes and per-condition filters are checked by the caller (isRelevant).
 */
export async function findCandidateRules(
  db: Queryable,
  q: { platformId: string; courseId: string | null; userId: string; verb: string; activityId: string },
): Promise<ScopedRule[]> {
  // Two plans rather than one with `$2 IS NULL OR ...`: the planner cannot drop the enrolment subquery otherwise.
  const owner =
    q.courseId === null
      ? '(a.course_id IS NULL OR a.course_id IN (SELECT course_id FROM enrollments WHERE user_id = $2))'
      : '(a.course_id IS NULL OR a.course_id = $2)';
  const { rows } = await db.query<RuleRow & { course_id: string | null; current_version: number }>(
    `SELECT ${ruleColumns}, a.course_id, a.current_version
     FROM award_rules r JOIN achievements a ON a.id = r.achievement_id
     WHERE r.active AND a.platform_id = $1 AND a.archived_at IS NULL
       AND (r.verbs IS NULL OR r.verbs @> ARRAY[$3::text])
       AND (r.activity_ids IS NULL OR r.activity_ids @> ARRAY[$4::text] OR r.activity_id_prefixes <> '{}')
       AND ${owner}`,
    [q.platformId, q.courseId ?? q.userId, q.verb, q.activityId],
  );
  return rows.map((row) => ({
    ...toRule(row),
    courseId: row.course_id,
    achievementVersion: row.current_version,
  }));
}

/**
 * Active rules a learner may earn: library rules and those of the courses they are enrolled in (or have statements
 * or LMS grades in).
 */
export async function findLearnerRules(
  db: Queryable,
  platformId: string,
  userId: string,
  achievementId?: string,
): Promise<ScopedRule[]> {
  const { rows } = await db.query<RuleRow & { course_id: string | null; current_version: number }>(
    `SELECT ${ruleColumns}, a.course_id, a.current_version
     FROM award_rules r JOIN achievements a ON a.id = r.achievement_id
     WHERE r.active AND a.platform_id = $1 AND a.archived_at IS NULL
       AND ($3::uuid IS NULL OR a.id = $3)
       AND (a.course_id IS NULL OR a.course_id IN (SELECT course_id FROM enrollments WHERE user_id = $2)
            OR a.course_id IN (SELECT course_id FROM statement_evidence
                               WHERE platform_id = $1 AND user_id = $2 AND course_id IS NOT NULL)
            OR a.course_id IN (SELECT g.course_id FROM badge_grades g
                               JOIN users u ON u.platform_id = g.platform_id AND u.sub = g.user_sub
                               WHERE u.id = $2))`,
    [platformId, userId, achievementId ?? null],
  );
  return rows.map((row) => ({
    ...toRule(row),
    courseId: row.course_id,
    achievementVersion: row.current_version,
  }));
}
