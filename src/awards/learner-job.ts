import type { JobHandler } from '../jobs/index.js';
import { findLearnerRules } from '../store/achievements.js';
import type { Queryable } from '../store/pool.js';
import { type AwardDeps, evaluateForLearner } from './evaluate.js';
import type { LearnerJob } from './link.js';

/** Evaluates a learner's rules (or one achievement's) over their stored history. */
export async function handleLearnerJob(db: Queryable, deps: AwardDeps, job: LearnerJob): Promise<string[]> {
  const rules = await findLearnerRules(db, job.platformId, job.userId, job.achievementId);
  return evaluateForLearner(db, deps, { platformId: job.platformId, userId: job.userId }, rules);
}

/** The JobHandler for queue 'badges.learner'. */
export function learnerJobHandler(deps: AwardDeps): JobHandler {
  return async (job, client) => {
    await handleLearnerJob(client, deps, job.payload as LearnerJob);
  };
}
