import {
  type EvidenceStatement,
  evaluateRule,
  type GradeEvidence,
  isRelevant,
  normalizeStatement,
  type StoredStatement,
} from '../badges/index.js';
import type { Clock, NewId } from '../clock.js';
import { enqueueCredentialIssue } from '../issuing/index.js';
import { enqueue } from '../jobs/index.js';
import type { ScopedRule } from '../store/achievements.js';
import { heldAchievements, insertAward } from '../store/awards.js';
import { learnerStatements, lockKey } from '../store/badge-evidence.js';
import { learnerGrades } from '../store/grades.js';
import type { Queryable } from '../store/pool.js';

/** The hand-off of a revocation to the credentials side (status list update). */
export const awardRevokeQueue = 'award.revoke';

export interface AwardDeps {
  clock: Clock;
  newId: NewId;
}

/**
 * The durable hand-off of a new award to credential issuance (src/issuing's queue, one job per award version), in
 * the transaction that made the award (outbox).
 */
export async function handOffAward(
  db: Queryable,
  award: { id: string; achievementVersion: number },
): Promise<void> {
  await enqueueCredentialIssue(db, award);
}

/** The hand-off of a revocation (the credentials side updates the status list). */
export async function handOffRevocation(db: Queryable, awardId: string, now: Date): Promise<void> {
  await enqueue(db, { queue: awardRevokeQueue, payload: { awardId }, dedupeKey: awardId, runAt: now });
}

/** Serialises evaluation per learner: whoever evaluates last sees every statement the others committed. */
export const learnerLock = (userId: string) => `badges:learner:${userId}`;

/** A stored statement in evidence form, with the store's (lower-case) ids. */
export function evidenceOf(id: string, statement: Record<string, unknown>): EvidenceStatement {
  const evidence = { ...normalizeStatement(statement as unknown as StoredStatement), id };
  if (evidence.voids !== undefined) evidence.voids = evidence.voids.toLowerCase();
  return evidence;
}

/**
 * The learner's stored LMS grades (AGS results) under the line item references this rule makes, loaded once per
 * course scope and only for rules that name line items.
 */
async function gradesFor(
  db: Queryable,
  cache: Map<string, GradeEvidence[]>,
  q: { platformId: string; userId: string; courseId: string | null },
  rule: Pick<ScopedRule, 'relevance'>,
): Promise<GradeEvidence[]> {
  const names = rule.relevance.lineItemIds;
  if (names.length === 0) return [];
  const scope = q.courseId ?? '';
  let all = cache.get(scope);
  if (all === undefined) {
    all = await learnerGrades(db, q);
    cache.set(scope, all);
  }
  return all.filter((g) => names.includes(g.lineItemId));
}

/**
 * Evaluates rules for one learner under the learner's lock and awards those met and not yet held: the award insert
 * is ON CONFLICT DO NOTHING on (learner, achievement), and only the insert that won hands off to issuance in the
 * same transaction. Returns the ids of the awards made. Call inside a transaction.
 */
export async function evaluateForLearner(
  db: Queryable,
  deps: AwardDeps,
  learner: { platformId: string; userId: string },
  rules: readonly ScopedRule[],
): Promise<string[]> {
  if (rules.length === 0) return [];
  await lockKey(db, learnerLock(learner.userId));
  const held = await heldAchievements(
    db,
    learner.userId,
    rules.map((r) => r.achievementId),
  );
  const byCourse = new Map<string, EvidenceStatement[]>();
  const gradesByCourse = new Map<string, GradeEvidence[]>();
  const made: string[] = [];
  for (const rule of rules) {
    if (held.has(rule.achievementId)) continue;
    const scope = rule.courseId ?? '';
    let all = byCourse.get(scope);
    if (all === undefined) {
      all = await learnerStatements(db, { ...learner, courseId: rule.courseId });
      byCourse.set(scope, all);
    }
    const statements = all.filter((s) => isRelevant(rule.relevance, s));
    const grades = await gradesFor(db, gradesByCourse, { ...learner, courseId: rule.courseId }, rule);
    const result = evaluateRule(rule.rule, { statements, grades }, { nearest: false });
    if (!result.met) continue;
    const awardId = deps.newId();
    const won = await insertAward(
      db,
      {
        id: awardId,
        platformId: learner.platformId,
        userId: learner.userId,
        achievementId: rule.achievementId,
        achievementVersion: rule.achievementVersion,
        ruleId: rule.id,
        kind: 'rule',
        awardedBy: null,
        explain: result.explain,
        evidence: result.evidence,
      },
      deps.clock.now(),
    );
    if (!won) continue;
    await handOffAward(db, { id: awardId, achievementVersion: rule.achievementVersion });
    made.push(awardId);
  }
  return made;
}
