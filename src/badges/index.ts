export { parseDuration } from './duration.js';
export type {
  Evaluation,
  EvidenceRef,
  Explain,
  GradeEvidence,
  LearnerEvidence,
  ManualEvidence,
} from './evaluate.js';
export { evaluateRule, prepareEvidence } from './evaluate.js';
export type {
  LinkResult,
  LinkVia,
  MappingRule,
  PlatformIdentity,
  PlatformUser,
  XapiActor,
} from './identity.js';
export { actorKey, linkActor, normalizeHomePage, userKeys } from './identity.js';
export { conditionFailures, matchesCondition } from './match.js';
export type { Relevance, StatementFilter } from './relevance.js';
export { isRelevant, relevance } from './relevance.js';
export type { RuleNode, StatementCondition } from './rule.js';
export { parseRule, ruleLimits } from './rule.js';
export type { Emitter, EvidenceStatement, StoredStatement, TrapId } from './statement.js';
export { normalizeStatement, trapIds } from './statement.js';
export { activityTypes, verbIri, verbs } from './vocabulary.js';
