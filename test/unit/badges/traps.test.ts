import { describe, expect, it } from '@jest/globals';
import { evaluateRule, normalizeStatement, parseRule } from '../../../src/badges/index.js';
import { evidenceOf, fixtureNames, stored } from './fixtures.js';

const moodleQuiz = 'http://www.example.org/mod/quiz/view.php?id=1';
const moodleCourse = 'http://www.example.org/course/view.php?id=2';
const cmi5Au = 'http://www.example.com/LA1/001/intro';
const cmi5Course = 'https://lms.example.com/cmi5/courses/7f0c2d5e';
const h5pContent = 'https://wp.example.org/wp-admin/admin-ajax.php?action=h5p_embed&id=12';

/** [trap, fixture, condition, met by default, met when the condition accepts the trap (or null: n/a)] */
const table: [string, string, Record<string, unknown>, boolean, boolean | null][] = [
  // Moodle SCORM: `completed` is sent for every lesson_status but passed/failed: never a completion by default.
  [
    'moodle-scorm-status',
    'moodle-scorm-status-incomplete',
    { verb: 'completed', objectIdPrefix: 'http://www.example.org/mod/scorm/view.php?id=1' },
    false,
    true,
  ],
  [
    'moodle-scorm-status',
    'moodle-scorm-status-incomplete',
    { completion: true, objectIdPrefix: 'http://www.example.org/mod/scorm/' },
    false,
    true,
  ],
  // Moodle quiz without a pass grade: success is true for any score, so success is not trusted by default...
  [
    'moodle-quiz-success',
    'moodle-quiz-attempt-no-pass-grade',
    { objectId: moodleQuiz, success: true },
    false,
    true,
  ],
  ['moodle-quiz-success', 'moodle-quiz-attempt', { objectId: moodleQuiz, success: true }, false, true],
  // ...and a score threshold is the safe way: 20/100 is below 0.5 whatever success says.
  [
    'moodle-quiz-success',
    'moodle-quiz-attempt-no-pass-grade',
    { objectId: moodleQuiz, score: { minScaled: 0.5 } },
    false,
    false,
  ],
  // Moodle >= 4.8 sends scaled in -1..1 (0.0 for 50/100): the fraction comes from raw/min/max.
  [
    'moodle-scaled-range',
    'moodle-quiz-attempt',
    { objectId: moodleQuiz, score: { minScaled: 0.5 } },
    true,
    null,
  ],
  [
    'moodle-scaled-range',
    'moodle-quiz-attempt',
    { objectId: moodleQuiz, score: { minScaled: 0.51 } },
    false,
    null,
  ],
  // Moodle quiz statements are about the attempt: conditions name the quiz (first context parent).
  ['moodle-quiz-attempt', 'moodle-quiz-attempt', { verb: 'completed', objectId: moodleQuiz }, true, null],
  [
    'moodle-quiz-attempt',
    'moodle-quiz-attempt-v4',
    { verb: 'completed', objectId: moodleQuiz, score: { minScaled: 0.5 } },
    true,
    null,
  ],
  ['moodle-quiz-success', 'moodle-quiz-attempt-v4', { objectId: moodleQuiz, success: true }, false, true],
  [
    'moodle-quiz-attempt',
    'moodle-quiz-attempt',
    { verb: 'completed', objectId: 'http://www.example.org/mod/quiz/attempt.php?attempt=1&cmid=1' },
    false,
    null,
  ],
  [
    'moodle-quiz-attempt',
    'moodle-quiz-attempt',
    { activityType: 'http://adlnet.gov/expapi/activities/assessment', verb: 'completed' },
    true,
    null,
  ],
  // H5P: only statements without a context parent are results of the content (H5P.xAPICompletedListener).
  ['h5p-child', 'h5p-child-answered', { objectIdPrefix: h5pContent, completion: true }, false, true],
  ['h5p-child', 'h5p-child-answered', { parentId: h5pContent, success: true }, false, true],
  [
    'h5p-child',
    'h5p-top-level-completed',
    { objectId: h5pContent, completion: true, score: { minScaled: 0.75 } },
    true,
    null,
  ],
  // cmi5: satisfied on the course is the course-level signal; an AU's completed is not.
  ['cmi5-satisfied', 'cmi5-satisfied', { objectId: cmi5Course, completion: true }, true, null],
  [
    'cmi5-satisfied',
    'cmi5-satisfied',
    { activityType: 'https://w3id.org/xapi/cmi5/activitytype/course', completion: true },
    true,
    null,
  ],
  [
    'cmi5-satisfied',
    'cmi5-completed',
    { activityType: 'https://w3id.org/xapi/cmi5/activitytype/course', completion: true },
    false,
    null,
  ],
  [
    'cmi5-satisfied',
    'cmi5-completed',
    { objectId: cmi5Au, completion: true, registration: 'ec231277-b27b-4c15-8291-d29225b2b8f7' },
    true,
    null,
  ],
  // cmi5 waived: counts only when the rule says so (accept, or naming the verb).
  [
    'waived',
    'cmi5-waived',
    { objectId: 'http://www.example.com/LA1/002/assessment', completion: true },
    false,
    true,
  ],
  [
    'waived',
    'cmi5-waived',
    { verb: ['passed', 'waived'], objectId: 'http://www.example.com/LA1/002/assessment' },
    true,
    null,
  ],
  ['waived', 'cmi5-passed', { verb: 'passed', objectId: cmi5Au, score: { minScaled: 0.8 } }, true, null],
  [
    'waived',
    'cmi5-failed',
    { objectId: 'https://example.adlnet.gov/AUidentifier', success: true },
    false,
    null,
  ],
  // The plain cases: an emitter without traps.
  [
    'none',
    'scorm-wrapper-completed',
    { verb: 'completed', groupingId: 'https://lms.example.edu/scorm/golf-explained' },
    true,
    null,
  ],
  ['none', 'moodle-course-completed', { objectId: moodleCourse, completion: true }, true, null],
  [
    'none',
    'moodle-module-completed',
    { objectId: 'http://www.example.org/mod/book/view.php?id=1', completion: true, success: true },
    true,
    null,
  ],
  ['none', 'moodle-module-completed', { parentId: moodleCourse, completion: true }, true, null],
];

describe('emitter traps over the real statement fixtures', () => {
  it.each(table)('%s: %s %j -> %s', (trap, fixture, condition, metByDefault, metWhenAccepted) => {
    const statements = [evidenceOf(fixture)];
    expect(evaluateRule(parseRule({ statement: condition }), { statements }).met).toBe(metByDefault);
    if (metWhenAccepted !== null) {
      const accepted = parseRule({ statement: { ...condition, accept: [trap] } });
      expect(evaluateRule(accepted, { statements }).met).toBe(metWhenAccepted);
    }
  });

  it('explains the trap that excluded a statement', () => {
    const rule = parseRule({
      statement: { objectIdPrefix: 'http://www.example.org/mod/scorm/', completion: true },
    });
    const { explain } = evaluateRule(rule, { statements: [evidenceOf('moodle-scorm-status-incomplete')] });
    expect(explain.nearest?.failures).toEqual([
      "moodle-scorm-status: Moodle's SCORM player sends completed for incomplete lessons",
    ]);
  });
});

describe('normalizeStatement over every fixture', () => {
  const expected: Record<string, { emitter: string; traps: string[]; activityId?: string }> = {
    'cmi5-completed': { emitter: 'cmi5', traps: [] },
    'cmi5-failed': { emitter: 'cmi5', traps: [] },
    'cmi5-passed': { emitter: 'cmi5', traps: [] },
    'cmi5-satisfied': { emitter: 'cmi5', traps: [] },
    'cmi5-waived': { emitter: 'cmi5', traps: ['waived'] },
    'h5p-child-answered': { emitter: 'h5p', traps: ['h5p-child'] },
    'h5p-top-level-completed': { emitter: 'h5p', traps: [] },
    'moodle-course-completed': { emitter: 'moodle', traps: [] },
    'moodle-module-completed': { emitter: 'moodle', traps: [] },
    'moodle-quiz-attempt': { emitter: 'moodle', traps: ['moodle-quiz-success'], activityId: moodleQuiz },
    'moodle-quiz-attempt-v4': { emitter: 'moodle', traps: ['moodle-quiz-success'] },
    'moodle-quiz-attempt-no-pass-grade': {
      emitter: 'moodle',
      traps: ['moodle-quiz-success'],
      activityId: moodleQuiz,
    },
    'moodle-scorm-status-incomplete': { emitter: 'moodle', traps: ['moodle-scorm-status'] },
    'scorm-wrapper-completed': { emitter: 'scorm-wrapper', traps: [] },
  };

  it('covers every fixture in test/vectors/xapi', () => {
    expect(Object.keys(expected).sort()).toEqual(fixtureNames);
  });

  it.each(fixtureNames)('%s', (name) => {
    const s = normalizeStatement(stored(name));
    const want = expected[name]!;
    expect({ emitter: s.emitter, traps: s.traps }).toEqual({ emitter: want.emitter, traps: want.traps });
    expect(s.activityId).toBe(want.activityId ?? s.objectId);
    expect(Number.isFinite(s.timestampMs)).toBe(true);
  });

  it('reads scores and durations as fractions and milliseconds', () => {
    expect(evidenceOf('moodle-quiz-attempt-no-pass-grade')).toMatchObject({
      scaled: 0.2,
      raw: 20,
      durationMs: 1000,
    });
    expect(evidenceOf('h5p-top-level-completed')).toMatchObject({ scaled: 0.75, durationMs: 94210 });
    expect(evidenceOf('cmi5-passed')).toMatchObject({ scaled: 0.92, success: true, durationMs: 1_504_000 });
  });
});
