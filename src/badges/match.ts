import { parseDuration } from './duration.js';
import type { StatementCondition } from './rule.js';
import type { EvidenceStatement, TrapId } from './statement.js';
import { verbs } from './vocabulary.js';

const trapReasons: Record<TrapId, string> = {
  waived: 'waived (cmi5 §9.3.7) counts only when the condition names the waived verb or accepts "waived"',
  'h5p-child': 'an H5P child statement (context parent / subContentId) is not a result of the content',
  'moodle-quiz-success': 'Moodle quiz attempts report success when the quiz has no pass grade',
  'moodle-scorm-status': "Moodle's SCORM player sends completed for incomplete lessons",
};

function acceptsTrap(condition: StatementCondition, trap: TrapId): boolean {
  if (condition.accept?.includes(trap)) return true;
  return trap === 'waived' && (condition.verb?.includes(verbs.waived) ?? false);
}

/** Traps that exclude the statement for this condition (the quiz-success trap only matters for `success`). */
function trapFailures(condition: StatementCondition, s: EvidenceStatement): string[] {
  return s.traps
    .filter((trap) => trap !== 'moodle-quiz-success' || condition.success !== undefined)
    .filter((trap) => !acceptsTrap(condition, trap))
    .map((trap) => `${trap}: ${trapReasons[trap]}`);
}

function scoreFailures(score: NonNullable<StatementCondition['score']>, s: EvidenceStatement): string[] {
  const failures: string[] = [];
  const check = (name: string, value: number | undefined, bound: number | undefined, min: boolean) => {
    if (bound === undefined) return;
    if (value === undefined) failures.push(`${name}: no score`);
    else if (min ? value < bound : value > bound)
      failures.push(`${name}: ${value} ${min ? '<' : '>'} ${bound}`);
  };
  check('score.minScaled', s.scaled, score.minScaled, true);
  check('score.maxScaled', s.scaled, score.maxScaled, false);
  check('score.minRaw', s.raw, score.minRaw, true);
  check('score.maxRaw', s.raw, score.maxRaw, false);
  return failures;
}

function durationFailures(
  duration: NonNullable<StatementCondition['duration']>,
  s: EvidenceStatement,
): string[] {
  if (s.durationMs === undefined) return ['duration: none sent'];
  const min = duration.min === undefined ? undefined : parseDuration(duration.min);
  const max = duration.max === undefined ? undefined : parseDuration(duration.max);
  if (min !== undefined && s.durationMs < min) return [`duration.min: ${s.durationMs} ms < ${duration.min}`];
  if (max !== undefined && s.durationMs > max) return [`duration.max: ${s.durationMs} ms > ${duration.max}`];
  return [];
}

/**
 * Why `s` does not meet `condition` (one entry per failing property); empty when it does.
 * `activityId` (the quiz for a Moodle quiz attempt) is what `objectId`/`objectIdPrefix` compare with.
 */
export function conditionFailures(condition: StatementCondition, s: EvidenceStatement): string[] {
  const f: string[] = trapFailures(condition, s);
  const c = condition;
  if (c.verb && !c.verb.includes(s.verb)) f.push(`verb: ${s.verb} not in the set`);
  if (c.objectId !== undefined && s.activityId !== c.objectId) f.push(`objectId: ${s.activityId}`);
  if (c.objectIdPrefix !== undefined && !s.activityId.startsWith(c.objectIdPrefix)) {
    f.push(`objectIdPrefix: ${s.activityId}`);
  }
  if (c.activityType && (s.activityType === undefined || !c.activityType.includes(s.activityType))) {
    f.push(`activityType: ${s.activityType ?? 'none'}`);
  }
  if (c.completion !== undefined && s.completion !== c.completion)
    f.push(`completion: ${s.completion ?? 'unknown'}`);
  if (c.success !== undefined && s.success !== c.success) f.push(`success: ${s.success ?? 'unknown'}`);
  if (c.score) f.push(...scoreFailures(c.score, s));
  if (c.duration) f.push(...durationFailures(c.duration, s));
  if (c.registration !== undefined && s.registration !== c.registration) {
    f.push(`registration: ${s.registration ?? 'none'}`);
  }
  if (c.parentId !== undefined && !s.parentIds.includes(c.parentId)) f.push('parentId: not a context parent');
  if (c.parentIdPrefix !== undefined && !s.parentIds.some((id) => id.startsWith(c.parentIdPrefix!))) {
    f.push('parentIdPrefix: no context parent starts with it');
  }
  if (c.groupingId !== undefined && !s.groupingIds.includes(c.groupingId))
    f.push('groupingId: not in grouping');
  return f;
}

/**
 * True when `s` meets every property of `condition`: the same test as `conditionFailures(...).length === 0`
 * (a property test keeps them equal), returning at the first failing property, most selective first.
 */
export function matchesCondition(c: StatementCondition, s: EvidenceStatement): boolean {
  if (c.verb && !c.verb.includes(s.verb)) return false;
  if (c.objectId !== undefined && s.activityId !== c.objectId) return false;
  if (c.objectIdPrefix !== undefined && !s.activityId.startsWith(c.objectIdPrefix)) return false;
  if (c.activityType && (s.activityType === undefined || !c.activityType.includes(s.activityType)))
    return false;
  if (c.completion !== undefined && s.completion !== c.completion) return false;
  if (c.success !== undefined && s.success !== c.success) return false;
  if (c.registration !== undefined && s.registration !== c.registration) return false;
  if (c.parentId !== undefined && !s.parentIds.includes(c.parentId)) return false;
  if (c.parentIdPrefix !== undefined && !s.parentIds.some((id) => id.startsWith(c.parentIdPrefix!)))
    return false;
  if (c.groupingId !== undefined && !s.groupingIds.includes(c.groupingId)) return false;
  if (c.score && scoreFailures(c.score, s).length > 0) return false;
  if (c.duration && durationFailures(c.duration, s).length > 0) return false;
  return s.traps.length === 0 || trapFailures(c, s).length === 0;
}
