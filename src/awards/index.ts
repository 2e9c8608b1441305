export {
  type AwardDeps,
  awardRevokeQueue,
  evaluateForLearner,
  evidenceOf,
  handOffAward,
  handOffRevocation,
} from './evaluate.js';
export { type DryRunRow, dryRun, enqueueBackfill, explainLearner } from './history.js';
export { handleLearnerJob, learnerJobHandler } from './learner-job.js';
export {
  type LearnerJob,
  learnerQueue,
  linkActorToLearner,
  onGradesChanged,
  onIdentitySettingsChanged,
  onLearnerLinked,
  onRosterLinked,
} from './link.js';
export { handleStatementJob, statementJobHandler } from './statement-job.js';
export { createAwardWorkers } from './workers.js';
