import { type Explain, evaluateRule, type GradeEvidence, isRelevant } from '../badges/index.js';
import { enqueueMany } from '../jobs/index.js';
import type { Achievement, AwardRule } from '../store/achievements.js';
import { listAwards } from '../store/awards.js';
import { candidateLearners, learnerStatements, statementsByLearner } from '../store/badge-evidence.js';
import { gradesByLearner, learnerGrades } from '../store/grades.js';
import type { Queryable } from '../store/pool.js';
import { type LearnerJob, learnerQueue } from './link.js';

/**
 * Backfill after a rule is created or changed: one 'badges.learner' job per candidate learner (enrolled in the
 * achievement's course or with statements there; every linked learner for a library achievement), deduplicated
 * per rule revision. Call inside the transaction that stored the rule. Returns how many jobs were added.
 */
export async function enqueueBackfill(
  db: Queryable,
  achievement: Achievement,
  rule: AwardRule,
  now: Date,
): Promise<number> {
  const learners = await candidateLearners(db, achievement.platformId, achievement.courseId);
  return enqueueMany(
    db,
    learners.map((userId) => {
      const payload: LearnerJob = {
        platformId: achievement.platformId,
        userId,
        achievementId: achievement.id,
      };
      return { queue: learnerQueue, payload, runAt: now, dedupeKey: `backfill:${rule.id}:${userId}` };
    }),
  );
}

export interface DryRunRow {
  userId: string;
  /** The rule is met by the stored history now. */
  met: boolean;
  /** Progress at the rule's root: `have` of `need`. */
  have: number;
  need: number;
  reason: string;
  /** Already holds an award for the achievement (revoked included). */
  awarded: boolean;
}

/** "Who would earn this now, and how far is each learner": evaluates the rule over every candidate's history. */
export async function dryRun(
  db: Queryable,
  achievement: Achievement,
  rule: AwardRule,
): Promise<{ learners: DryRunRow[]; wouldEarn: number; alreadyAwarded: number }> {
  const userIds = await candidateLearners(db, achievement.platformId, achievement.courseId);
  const byLearner = await statementsByLearner(db, {
    platformId: achievement.platformId,
    courseId: achievement.courseId,
    userIds,
  });
  const gradesOf = rule.relevance.lineItemIds.length
    ? await gradesByLearner(db, {
        platformId: achievement.platformId,
        courseId: achievement.courseId,
        userIds,
      })
    : new Map<string, GradeEvidence[]>();
  const awarded = new Set(
    (
      await listAwards(db, {
        platformId: achievement.platformId,
        achievementId: achievement.id,
        limit: 1_000_000,
      })
    ).map((a) => a.userId),
  );
  const learners = userIds.map((userId) => {
    const statements = (byLearner.get(userId) ?? []).filter((s) => isRelevant(rule.relevance, s));
    const grades = (gradesOf.get(userId) ?? []).filter((g) =>
      rule.relevance.lineItemIds.includes(g.lineItemId),
    );
    const { met, explain } = evaluateRule(rule.rule, { statements, grades }, { nearest: false });
    return {
      userId,
      met,
      have: explain.have,
      need: explain.need,
      reason: explain.reason,
      awarded: awarded.has(userId),
    };
  });
  return {
    learners,
    wouldEarn: learners.filter((l) => l.met && !l.awarded).length,
    alreadyAwarded: learners.filter((l) => l.awarded).length,
  };
}

/** "Why has this learner not earned it": the explain tree with the nearest miss of each unmet condition. */
export async function explainLearner(
  db: Queryable,
  achievement: Achievement,
  rule: AwardRule,
  userId: string,
): Promise<{ met: boolean; explain: Explain; statements: number; grades: number }> {
  const statements = await learnerStatements(db, {
    platformId: achievement.platformId,
    userId,
    courseId: achievement.courseId,
  });
  const grades = rule.relevance.lineItemIds.length
    ? (
        await learnerGrades(db, {
          platformId: achievement.platformId,
          userId,
          courseId: achievement.courseId,
        })
      ).filter((g) => rule.relevance.lineItemIds.includes(g.lineItemId))
    : [];
  const { met, explain } = evaluateRule(rule.rule, { statements, grades });
  return { met, explain, statements: statements.length, grades: grades.length };
}
