import type { EvidenceRef, Explain } from '../badges/index.js';
import type { Queryable } from './pool.js';

/** An award (migrations/0400_badges.sql `awards`) with its evidence. */
export interface Award {
  id: string;
  platformId: string;
  userId: string;
  achievementId: string;
  achievementVersion: number;
  ruleId: string | null;
  kind: 'rule' | 'manual';
  awardedBy: string | null;
  awardedAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  evidence: (EvidenceRef & { voided: boolean })[];
}

export interface NewAward {
  id: string;
  platformId: string;
  userId: string;
  achievementId: string;
  achievementVersion: number;
  ruleId: string | null;
  kind: 'rule' | 'manual';
  awardedBy: string | null;
  explain: Explain | null;
  evidence: EvidenceRef[];
}

const refOf = (ref: EvidenceRef) => (ref.type === 'statement' ? ref.id : ref.ref);

/**
 * Inserts the award unless the learner already holds this achievement (the unique key decides, so concurrent
 * workers award once) and, when this insert won, its evidence. Returns true when it won. Call inside a transaction.
 */
export async function insertAward(db: Queryable, award: NewAward, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO awards (id, platform_id, user_id, achievement_id, achievement_version, rule_id, kind, awarded_by,
       awarded_at, explain)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (user_id, achievement_id) DO NOTHING`,
    [
      award.id,
      award.platformId,
      award.userId,
      award.achievementId,
      award.achievementVersion,
      award.ruleId,
      award.kind,
      award.awardedBy,
      now,
      award.explain === null ? null : JSON.stringify(award.explain),
    ],
  );
  if (rowCount !== 1) return false;
  if (award.evidence.length > 0) {
    await db.query(
      `INSERT INTO award_evidence (award_id, platform_id, kind, ref)
       SELECT $1, $2, e.kind, e.ref FROM jsonb_to_recordset($3::jsonb) AS e(kind text, ref text)
       ON CONFLICT DO NOTHING`,
      [
        award.id,
        award.platformId,
        JSON.stringify(award.evidence.map((ref) => ({ kind: ref.type, ref: refOf(ref) }))),
      ],
    );
  }
  return true;
}

interface AwardRow {
  id: string;
  platform_id: string;
  user_id: string;
  achievement_id: string;
  achievement_version: number;
  rule_id: string | null;
  kind: 'rule' | 'manual';
  awarded_by: string | null;
  awarded_at: Date;
  revoked_at: Date | null;
  revocation_reason: string | null;
  evidence: { kind: EvidenceRef['type']; ref: string; voided: boolean }[];
}

const selectAward = `SELECT w.id, w.platform_id, w.user_id, w.achievement_id, w.achievement_version, w.rule_id, w.kind,
    w.awarded_by, w.awarded_at, w.revoked_at, w.revocation_reason,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'ref', e.ref, 'voided', e.voided)
                               ORDER BY e.kind, e.ref)
              FROM award_evidence e WHERE e.award_id = w.id), '[]') AS evidence
  FROM awards w`;

function toAward(row: AwardRow): Award {
  return {
    id: row.id,
    platformId: row.platform_id,
    userId: row.user_id,
    achievementId: row.achievement_id,
    achievementVersion: row.achievement_version,
    ruleId: row.rule_id,
    kind: row.kind,
    awardedBy: row.awarded_by,
    awardedAt: row.awarded_at,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
    evidence: row.evidence.map((e) =>
      e.kind === 'statement'
        ? { type: 'statement', id: e.ref, voided: e.voided }
        : { type: e.kind, ref: e.ref, voided: e.voided },
    ),
  };
}

export async function findAward(db: Queryable, id: string): Promise<Award | undefined> {
  const { rows } = await db.query<AwardRow>(`${selectAward} WHERE w.id = $1`, [id]);
  return rows[0] ? toAward(rows[0]) : undefined;
}

export async function findAwardFor(
  db: Queryable,
  userId: string,
  achievementId: string,
): Promise<Award | undefined> {
  const { rows } = await db.query<AwardRow>(`${selectAward} WHERE w.user_id = $1 AND w.achievement_id = $2`, [
    userId,
    achievementId,
  ]);
  return rows[0] ? toAward(rows[0]) : undefined;
}

/** Awards filtered by achievement and/or learner, newest first. */
export async function listAwards(
  db: Queryable,
  filter: {
    platformId: string;
    achievementId?: string;
    userId?: string;
    courseId?: string | null;
    limit: number;
  },
): Promise<Award[]> {
  const { rows } = await db.query<AwardRow>(
    `${selectAward} JOIN achievements a ON a.id = w.achievement_id
     WHERE w.platform_id = $1 AND ($2::uuid IS NULL OR w.achievement_id = $2) AND ($3::uuid IS NULL OR w.user_id = $3)
       AND ($4::uuid IS NULL OR a.course_id IS NULL OR a.course_id = $4)
     ORDER BY w.awarded_at DESC, w.id LIMIT $5`,
    [
      filter.platformId,
      filter.achievementId ?? null,
      filter.userId ?? null,
      filter.courseId ?? null,
      filter.limit,
    ],
  );
  return rows.map(toAward);
}

/** Of these achievements, the ones the learner already holds (revoked or not). */
export async function heldAchievements(
  db: Queryable,
  userId: string,
  achievementIds: string[],
): Promise<Set<string>> {
  if (achievementIds.length === 0) return new Set();
  const { rows } = await db.query<{ achievement_id: string }>(
    'SELECT achievement_id FROM awards WHERE user_id = $1 AND achievement_id = ANY($2::uuid[])',
    [userId, achievementIds],
  );
  return new Set(rows.map((row) => row.achievement_id));
}

/** Revokes an award once; returns true when this call revoked it. */
export async function revokeAward(db: Queryable, id: string, reason: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE awards SET revoked_at = $2, revocation_reason = $3 WHERE id = $1 AND revoked_at IS NULL',
    [id, now, reason],
  );
  return rowCount === 1;
}

/**
 * Marks the evidence rows naming a voided statement, and returns the awards (not revoked) whose statement evidence
 * is now all voided, with their rule's `on_void` policy.
 */
export async function voidStatementEvidence(
  db: Queryable,
  platformId: string,
  statementId: string,
): Promise<{ awardId: string; onVoid: 'revoke' | 'keep' }[]> {
  const { rows } = await db.query<{ award_id: string; on_void: 'revoke' | 'keep' | null }>(
    `WITH marked AS (
       UPDATE award_evidence SET voided = true
       WHERE platform_id = $1 AND kind = 'statement' AND ref = $2 AND NOT voided
       RETURNING award_id)
     SELECT w.id AS award_id, r.on_void FROM awards w LEFT JOIN award_rules r ON r.id = w.rule_id
     WHERE w.id IN (SELECT award_id FROM marked) AND w.revoked_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM award_evidence e WHERE e.award_id = w.id AND NOT e.voided
                       AND e.ref <> $2)`,
    [platformId, statementId],
  );
  return rows.map((row) => ({ awardId: row.award_id, onVoid: row.on_void ?? 'revoke' }));
}
