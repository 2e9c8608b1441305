import type { GradeEvidence } from '../badges/index.js';
import type { Queryable } from './pool.js';

/** A line item a rule's `lineItem.id` resolved to (`badge_line_items`, migrations/0410_badges_grades.sql). */
export interface LineItemRef {
  ref: string;
  lineItemUrl: string;
  label: string;
  scoreMaximum: number;
}

/** A result as a grades sync stores it (`badge_grades`): AGS `userId` is the LTI `sub`. */
export interface StoredGrade {
  lineItemUrl: string;
  userSub: string;
  resultId: string | null;
  scoreGiven: number;
  scoreMaximum: number;
}

/**
 * The distinct `lineItem.id`s named by the active rules that learners of this course may earn: the course's
 * achievements and the platform library. Empty when the course is unknown.
 */
export async function courseLineItemRefs(db: Queryable, courseId: string): Promise<string[]> {
  const { rows } = await db.query<{ ref: string }>(
    `SELECT DISTINCT unnest(r.line_item_ids) AS ref
     FROM award_rules r JOIN achievements a ON a.id = r.achievement_id JOIN courses c ON c.id = $1
     WHERE r.active AND r.line_item_ids <> '{}' AND a.archived_at IS NULL AND a.platform_id = c.platform_id
       AND (a.course_id = c.id OR a.course_id IS NULL)
     ORDER BY ref`,
    [courseId],
  );
  return rows.map((row) => row.ref);
}

/**
 * Replaces the course's resolved line item references with `refs`; returns the line item URLs named under a
 * reference they were not named under before (their stored grades are new to some rule).
 */
export async function replaceLineItemRefs(
  db: Queryable,
  courseId: string,
  refs: readonly LineItemRef[],
  now: Date,
): Promise<string[]> {
  const { rows } = await db.query<{ ref: string; line_item_url: string }>(
    'DELETE FROM badge_line_items WHERE course_id = $1 RETURNING ref, line_item_url',
    [courseId],
  );
  const before = new Set(rows.map((row) => `${row.ref}\n${row.line_item_url}`));
  await db.query(
    `INSERT INTO badge_line_items (course_id, ref, line_item_url, label, score_maximum, synced_at)
     SELECT $1, r.ref, r.url, r.label, r.max, $3
     FROM jsonb_to_recordset($2::jsonb) AS r(ref text, url text, label text, max double precision)
     ON CONFLICT DO NOTHING`,
    [
      courseId,
      JSON.stringify(
        refs.map((r) => ({ ref: r.ref, url: r.lineItemUrl, label: r.label, max: r.scoreMaximum })),
      ),
      now,
    ],
  );
  return [
    ...new Set(refs.filter((r) => !before.has(`${r.ref}\n${r.lineItemUrl}`)).map((r) => r.lineItemUrl)),
  ];
}

/**
 * Makes the course's stored grades exactly `grades` (idempotent: an unchanged score is left as it was, with its
 * `observed_at`); grades no longer listed are removed. Returns the subs whose score on some line item is new or
 * changed, and those with grades on `alsoUrls` (line items newly named by a rule).
 */
export async function replaceCourseGrades(
  db: Queryable,
  course: { platformId: string; courseId: string },
  grades: readonly StoredGrade[],
  alsoUrls: readonly string[],
  now: Date,
): Promise<string[]> {
  const rows = JSON.stringify(
    grades.map((g) => ({
      url: g.lineItemUrl,
      sub: g.userSub,
      result_id: g.resultId,
      given: g.scoreGiven,
      max: g.scoreMaximum,
    })),
  );
  const recordset = `jsonb_to_recordset($1::jsonb)
    AS r(url text, sub text, result_id text, given double precision, max double precision)`;
  await db.query(
    `DELETE FROM badge_grades g WHERE g.course_id = $2
       AND NOT EXISTS (SELECT 1 FROM ${recordset} WHERE r.url = g.line_item_url AND r.sub = g.user_sub)`,
    [rows, course.courseId],
  );
  const changed = await db.query<{ user_sub: string }>(
    `INSERT INTO badge_grades AS g (platform_id, course_id, line_item_url, user_sub, result_id, score_given,
       score_maximum, observed_at)
     SELECT $2, $3, r.url, r.sub, r.result_id, r.given, r.max, $4 FROM ${recordset}
     ON CONFLICT (course_id, line_item_url, user_sub) DO UPDATE
       SET result_id = EXCLUDED.result_id, score_given = EXCLUDED.score_given,
           score_maximum = EXCLUDED.score_maximum, observed_at = EXCLUDED.observed_at
       WHERE (g.score_given, g.score_maximum) IS DISTINCT FROM (EXCLUDED.score_given, EXCLUDED.score_maximum)
     RETURNING g.user_sub`,
    [rows, course.platformId, course.courseId, now],
  );
  const named = await db.query<{ user_sub: string }>(
    'SELECT user_sub FROM badge_grades WHERE course_id = $1 AND line_item_url = ANY($2::text[])',
    [course.courseId, alsoUrls],
  );
  return [...new Set([...changed.rows, ...named.rows].map((row) => row.user_sub))].sort();
}

/** The platform users with these subs (unknown subs are left out). */
export async function usersBySub(
  db: Queryable,
  platformId: string,
  subs: readonly string[],
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM users WHERE platform_id = $1 AND sub = ANY($2::text[]) ORDER BY id',
    [platformId, subs],
  );
  return rows.map((row) => row.id);
}

interface GradeRow {
  user_id: string;
  ref: string;
  line_item_url: string;
  user_sub: string;
  result_id: string | null;
  score_given: number;
  score_maximum: number;
  observed_at: Date;
}

const gradeSelect = `SELECT u.id AS user_id, l.ref, g.line_item_url, g.user_sub, g.result_id, g.score_given,
    g.score_maximum, g.observed_at
  FROM badge_grades g
  JOIN users u ON u.platform_id = g.platform_id AND u.sub = g.user_sub
  JOIN badge_line_items l ON l.course_id = g.course_id AND l.line_item_url = g.line_item_url`;

/** A stored grade in evidence form: `lineItemId` is the rule's reference, `ref` the AGS result id. */
function toEvidence(row: GradeRow): GradeEvidence {
  return {
    ref: row.result_id ?? `${row.line_item_url}#user=${row.user_sub}`,
    lineItemId: row.ref,
    scoreGiven: row.score_given,
    scoreMaximum: row.score_maximum,
    timestampMs: row.observed_at.getTime(),
  };
}

/** A learner's grades under every reference a rule makes to them, in one course (or every course: `null`). */
export async function learnerGrades(
  db: Queryable,
  q: { platformId: string; userId: string; courseId: string | null },
): Promise<GradeEvidence[]> {
  const { rows } = await db.query<GradeRow>(
    `${gradeSelect} WHERE g.platform_id = $1 AND u.id = $2 AND ($3::uuid IS NULL OR g.course_id = $3)
     ORDER BY g.observed_at, l.ref, g.line_item_url`,
    [q.platformId, q.userId, q.courseId],
  );
  return rows.map(toEvidence);
}

/** Several learners' grades, by learner: one query for a dry run. */
export async function gradesByLearner(
  db: Queryable,
  q: { platformId: string; courseId: string | null; userIds: readonly string[] },
): Promise<Map<string, GradeEvidence[]>> {
  const { rows } = await db.query<GradeRow>(
    `${gradeSelect} WHERE g.platform_id = $1 AND u.id = ANY($3::uuid[]) AND ($2::uuid IS NULL OR g.course_id = $2)
     ORDER BY u.id, g.observed_at, l.ref, g.line_item_url`,
    [q.platformId, q.courseId, q.userIds],
  );
  const out = new Map<string, GradeEvidence[]>(q.userIds.map((id) => [id, []]));
  for (const row of rows) out.get(row.user_id)?.push(toEvidence(row));
  return out;
}
