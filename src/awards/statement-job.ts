import { isRelevant } from '../badges/index.js';
import { enqueueMany, type Job, type JobHandler } from '../jobs/index.js';
import { findCandidateRules } from '../store/achievements.js';
import { revokeAward, voidStatementEvidence } from '../store/awards.js';
import { insertStatementEvidence, loadStatementForBadges, lockKey } from '../store/badge-evidence.js';
import type { Queryable } from '../store/pool.js';
import {
  type AwardDeps,
  evaluateForLearner,
  evidenceOf,
  handOffRevocation,
  learnerLock,
} from './evaluate.js';
import { linkActorToLearner } from './link.js';

/**
 * The payload xAPI ingest writes on 'xapi.statement' (src/store/statements.ts): the statements one request
 * stored, in order. `{statementId, platformId}` is the one-statement form jobs had before (still accepted).
 */
type StatementJob =
  | { platformId: string; statementIds: string[] }
  | { platformId: string; statementId: string };

/**
 * Voiding (xAPI Data 2.3.2) is the one non-monotone event: the target's award evidence is marked voided, and an
 * award left with no live evidence is revoked when its rule says so (default), handing the revocation off.
 */
async function applyVoiding(db: Queryable, deps: AwardDeps, platformId: string, targetId: string) {
  const target = await loadStatementForBadges(db, platformId, targetId);
  if (target) {
    // Same lock order as a statement job (identity, then learner): an award being made from the target
    // commits before this looks for it.
    const link = await linkActorToLearner(db, platformId, target.statement.actor);
    if (link.userId) await lockKey(db, learnerLock(link.userId));
  }
  for (const award of await voidStatementEvidence(db, platformId, targetId)) {
    if (award.onVoid !== 'revoke') continue;
    if (await revokeAward(db, award.awardId, 'evidence voided', deps.clock.now())) {
      await handOffRevocation(db, award.awardId, deps.clock.now());
    }
  }
}

/**
 * A job's statements, each handled in turn in the job's transaction. When one fails, the batch's work is
 * rolled back and each statement becomes a job of its own (retried on its own schedule), so one bad
 * statement cannot hold back the others; a one-statement job fails as any job does.
 */
export async function handleStatementJob(db: Queryable, deps: AwardDeps, job: Job): Promise<void> {
  const payload = job.payload as StatementJob;
  const { platformId } = payload;
  const ids = 'statementIds' in payload ? payload.statementIds : [payload.statementId];
  if (ids.length === 1) return handleStatement(db, deps, platformId, ids[0]!);
  await db.query('SAVEPOINT statements');
  try {
    for (const id of ids) await handleStatement(db, deps, platformId, id);
    await db.query('RELEASE SAVEPOINT statements');
  } catch {
    await db.query('ROLLBACK TO SAVEPOINT statements');
    await enqueueMany(
      db,
      ids.map((id) => ({
        queue: job.queue,
        payload: { platformId, statementIds: [id] },
        runAt: deps.clock.now(),
      })),
    );
  }
}

/**
 * Step by step for one stored statement: load → normalise once → link the actor (kept unlinked when unknown) →
 * voiding, or select the relevant active rules → evaluate for the learner → award once.
 */
async function handleStatement(db: Queryable, deps: AwardDeps, platformId: string, statementId: string) {
  const row = await loadStatementForBadges(db, platformId, statementId);
  if (!row) return;
  const evidence = evidenceOf(row.id, row.statement);
  const link = await linkActorToLearner(db, platformId, row.statement.actor);
  await insertStatementEvidence(db, {
    platformId,
    statementId: row.id,
    courseId: row.courseId,
    actorKey: link.key,
    userId: link.userId,
    evidence,
  });
  if (evidence.voids !== undefined) {
    await applyVoiding(db, deps, platformId, evidence.voids);
    return;
  }
  if (!link.userId) return;
  const candidates = await findCandidateRules(db, {
    platformId,
    courseId: row.courseId,
    userId: link.userId,
    verb: evidence.verb,
    activityId: evidence.activityId,
  });
  const relevant = candidates.filter((rule) => isRelevant(rule.relevance, evidence));
  await evaluateForLearner(db, deps, { platformId, userId: link.userId }, relevant);
}

/** The JobHandler for queue 'xapi.statement'. */
export function statementJobHandler(deps: AwardDeps): JobHandler {
  return (job, client) => handleStatementJob(client, deps, job);
}
