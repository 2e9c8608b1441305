import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseRule, verbs } from '../../../src/badges/index.js';
import { AppError } from '../../../src/errors.js';

function failure(input: unknown): { code: string; path: unknown; message: string } {
  try {
    parseRule(input);
  } catch (error) {
    if (error instanceof AppError)
      return { code: error.code, path: error.details?.path, message: error.message };
    throw error;
  }
  throw new Error('parseRule accepted the rule');
}

describe('parseRule', () => {
  it('expands verb names and single values to lists of IRIs', () => {
    expect(
      parseRule({
        statement: { verb: 'completed', activityType: 'http://adlnet.gov/expapi/activities/lesson' },
      }),
    ).toEqual({
      statement: { verb: [verbs.completed], activityType: ['http://adlnet.gov/expapi/activities/lesson'] },
    });
    expect(parseRule({ statement: { verb: ['passed', 'https://example.org/verbs/aced'] } })).toEqual({
      statement: { verb: [verbs.passed, 'https://example.org/verbs/aced'] },
    });
  });

  it.each([
    [{ statement: { verb: 'finished' } }, '/statement/verb', 'must be a verb IRI or one of'],
    [{ statement: { objectId: 'quiz 1' } }, '/statement/objectId', 'absolute IRI'],
    [{ statement: { colour: 'red' } }, '/statement', 'Unrecognized key'],
    [{ statement: {} }, '/statement', 'empty condition'],
    [
      { allOf: [{ statement: { verb: 'passed' } }, { statement: { score: { minScaled: 1.5 } } }] },
      '/allOf/1/statement/score/minScaled',
      '',
    ],
    [{ anyOf: [] }, '/anyOf', ''],
    [{ allOf: [{ statement: { verb: 'passed' } }], anyOf: [] }, '/', 'exactly one of'],
    [{ when: {} }, '/', 'exactly one of'],
    ['completed', '/', 'exactly one of'],
    [
      { nOfM: { n: 3, activities: ['https://a.example/1', 'https://a.example/2'] } },
      '/nOfM/n',
      'must not exceed',
    ],
    [
      { nOfM: { n: 1, activities: ['https://a.example/1', 'https://a.example/1'] } },
      '/nOfM/activities',
      'distinct',
    ],
    [
      { nOfM: { n: 1, activities: ['https://a.example/1'], where: { objectId: 'https://a.example/1' } } },
      '/nOfM/where',
      'activities list',
    ],
    [{ atLeast: { count: 0, where: { verb: 'answered' } } }, '/atLeast/count', ''],
    [
      { within: { duration: '7 days', rule: { statement: { verb: 'passed' } } } },
      '/within/duration',
      'ISO 8601',
    ],
    [
      { within: { duration: 'P7D', rule: { statement: { verb: 'nope' } } } },
      '/within/rule/statement/verb',
      '',
    ],
    [{ lineItem: { id: 'li-1' } }, '/lineItem', 'exactly one of minScaled, minScore'],
    [{ lineItem: { id: 'li-1', minScaled: 0.8, minScore: 8 } }, '/lineItem', 'exactly one of'],
    [{ manual: { by: 'me' } }, '/manual', 'Unrecognized key'],
    [{ statement: { registration: 'not-a-uuid' } }, '/statement/registration', ''],
    [{ statement: { accept: ['everything'] } }, '/statement/accept/0', ''],
    [{ statement: { duration: { min: 'PT' } } }, '/statement/duration/min', 'ISO 8601'],
  ])('refuses %j at %s', (input, path, message) => {
    const error = failure(input);
    expect(error).toMatchObject({ code: 'ERR_RULE_INVALID', path });
    expect(error.message).toContain(message);
    expect(error.message).toContain(`rule ${path}`);
  });

  it('refuses rules beyond the size limits, and hostile nesting without exhausting the stack', () => {
    let deep: unknown = { statement: { verb: 'passed' } };
    for (let i = 0; i < 20; i++) deep = { allOf: [deep] };
    expect(failure(deep).code).toBe('ERR_RULE_TOO_COMPLEX');
    let hostile: unknown = {};
    for (let i = 0; i < 100_000; i++) hostile = { allOf: [hostile] };
    expect(failure(hostile).code).toBe('ERR_RULE_TOO_COMPLEX');
    const wide = {
      anyOf: Array.from({ length: 100 }, () => ({
        allOf: [{ statement: { verb: 'passed' } }, { manual: {} }],
      })),
    };
    expect(failure(wide).code).toBe('ERR_RULE_TOO_COMPLEX');
  });
});

describe('docs/rules.md', () => {
  const doc = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
  const examples = [...doc.matchAll(/```json rule\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  it.each(examples.map((text, i) => [i, text]))(
    'example %i parses, and its parsed form parses to itself',
    (_i, text) => {
      const parsed = parseRule(JSON.parse(text as string));
      expect(parseRule(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    },
  );
});
