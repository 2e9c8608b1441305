import { describe, expect, it } from '@jest/globals';
import { isRelevant, parseRule, relevance, verbs } from '../../../src/badges/index.js';
import { evidenceOf } from './fixtures.js';

const quiz = 'http://www.example.org/mod/quiz/view.php?id=1';

describe('relevance', () => {
  const rule = parseRule({
    allOf: [
      { statement: { verb: 'completed', objectId: quiz, score: { minScaled: 0.8 } } },
      {
        nOfM: {
          n: 1,
          activities: ['http://www.example.com/LA1/001/intro'],
          where: { verb: ['passed', 'completed'] },
        },
      },
      { statement: { verb: 'satisfied', objectIdPrefix: 'https://lms.example.com/cmi5/' } },
      { lineItem: { id: 'li-1', minScore: 10 } },
    ],
  });

  it('summarises the verbs, activities and line items a rule can be affected by', () => {
    expect(relevance(rule)).toMatchObject({
      verbs: [verbs.completed, verbs.passed, verbs.satisfied].sort(),
      activityIds: ['http://www.example.com/LA1/001/intro', quiz],
      activityIdPrefixes: ['https://lms.example.com/cmi5/'],
      lineItemIds: ['li-1'],
      manual: false,
    });
    expect(relevance(parseRule({ statement: { completion: true } }))).toMatchObject({
      verbs: 'any',
      activityIds: 'any',
    });
  });

  it('uses context parents and grouping to skip statements from elsewhere', () => {
    const course = relevance(
      parseRule({ statement: { parentId: 'http://www.example.org/course/view.php?id=2', completion: true } }),
    );
    expect(isRelevant(course, evidenceOf('moodle-module-completed'))).toBe(true);
    expect(isRelevant(course, evidenceOf('moodle-quiz-attempt-v4'))).toBe(false);
    expect(isRelevant(course, evidenceOf('cmi5-completed'))).toBe(false);
    const scorm = relevance(
      parseRule({ statement: { groupingId: 'https://lms.example.edu/scorm/golf-explained' } }),
    );
    expect(isRelevant(scorm, evidenceOf('scorm-wrapper-completed'))).toBe(true);
    expect(isRelevant(scorm, evidenceOf('h5p-top-level-completed'))).toBe(false);
  });

  it.each([
    ['moodle-quiz-attempt', true],
    ['cmi5-passed', true],
    ['cmi5-satisfied', true],
    ['cmi5-failed', false],
    ['moodle-course-completed', false],
    ['h5p-top-level-completed', false],
  ])('%s is relevant: %s', (fixture, expected) => {
    expect(isRelevant(relevance(rule), evidenceOf(fixture))).toBe(expected);
  });
});
