import { describe, expect, it } from '@jest/globals';
import {
  type EvidenceStatement,
  evaluateRule,
  parseDuration,
  parseRule,
  verbs,
} from '../../../src/badges/index.js';
import { evidenceOf } from './fixtures.js';

const t0 = Date.parse('2026-03-01T09:00:00Z');
const hour = 3_600_000;

function st(id: string, fields: Partial<EvidenceStatement> = {}): EvidenceStatement {
  return {
    id,
    verb: verbs.completed,
    objectId: 'https://course.example/a1',
    objectType: 'Activity',
    activityId: 'https://course.example/a1',
    parentIds: [],
    groupingIds: [],
    categoryIds: [],
    completion: true,
    timestampMs: t0,
    emitter: 'other',
    traps: [],
    ...fields,
  };
}

const on = (activity: string, id: string, hours = 0, extra: Partial<EvidenceStatement> = {}) =>
  st(id, { objectId: activity, activityId: activity, timestampMs: t0 + hours * hour, ...extra });

const a = (n: number) => `https://course.example/a${n}`;

describe('evaluateRule', () => {
  it('nOfM reports how far the learner is and which activities are missing', () => {
    const rule = parseRule({
      nOfM: { n: 3, activities: [a(1), a(2), a(3), a(4)], where: { completion: true } },
    });
    const partial = evaluateRule(rule, { statements: [on(a(1), 's1'), on(a(3), 's3')] });
    expect(partial.met).toBe(false);
    expect(partial.evidence).toEqual([]);
    expect(partial.explain).toMatchObject({ path: '/nOfM', have: 2, need: 3 });
    expect(partial.explain.reason).toBe(`2 of 3 activities (of 4); missing ${a(2)}, ${a(4)}`);

    const done = evaluateRule(rule, {
      statements: [on(a(1), 's1'), on(a(3), 's3'), on(a(4), 's4'), on(a(2), 's2', 1)],
    });
    expect(done.met).toBe(true);
    expect(done.evidence).toEqual([
      { type: 'statement', id: 's1' },
      { type: 'statement', id: 's2' },
      { type: 'statement', id: 's3' },
    ]);
  });

  it('allOf collects the evidence of every child; the explain tree names the failing one', () => {
    const rule = parseRule({
      allOf: [
        { statement: { verb: 'passed', objectId: a(1), score: { minScaled: 0.8 } } },
        { lineItem: { id: 'li-final', minScaled: 0.7 } },
      ],
    });
    const statements = [
      on(a(1), 'p1', 0, { verb: verbs.passed, scaled: 0.6 }),
      on(a(1), 'p2', 2, { verb: verbs.passed, scaled: 0.85 }),
    ];
    const grades = [{ ref: 'g1', lineItemId: 'li-final', scoreGiven: 6, scoreMaximum: 10, timestampMs: t0 }];
    const notYet = evaluateRule(rule, { statements: statements.slice(0, 1), grades });
    expect(notYet.explain).toMatchObject({ have: 0, need: 2 });
    expect(notYet.explain.children?.[0]).toMatchObject({
      path: '/allOf/0/statement',
      met: false,
      nearest: { statementId: 'p1', failures: ['score.minScaled: 0.6 < 0.8'] },
    });
    expect(notYet.explain.children?.[1]?.reason).toBe('line item li-final: best grade 0.6 < 0.7 (0.1 short)');
    const quick = evaluateRule(rule, { statements: statements.slice(0, 1), grades }, { nearest: false });
    expect(quick.explain.children?.[0]).toMatchObject({ met: false, reason: 'no statement matches' });
    expect(quick.explain.children?.[0]?.nearest).toBeUndefined();

    const met = evaluateRule(rule, {
      statements,
      grades: [
        ...grades,
        { ref: 'g2', lineItemId: 'li-final', scoreGiven: 7.5, scoreMaximum: 10, timestampMs: t0 + hour },
      ],
    });
    expect(met.met).toBe(true);
    expect(met.evidence).toEqual([
      { type: 'grade', ref: 'g2' },
      { type: 'statement', id: 'p2' },
    ]);
  });

  it('anyOf is met by its first met child', () => {
    const rule = parseRule({
      anyOf: [{ lineItem: { id: 'li', minScore: 50 } }, { statement: { verb: 'mastered' } }],
    });
    const result = evaluateRule(rule, { statements: [st('m1', { verb: verbs.mastered })] });
    expect(result).toMatchObject({ met: true, evidence: [{ type: 'statement', id: 'm1' }] });
    expect(result.explain.reason).toBe('/anyOf/1/statement met');
  });

  it('atLeast counts distinct statements, activities or registrations', () => {
    const statements = [
      on(a(1), 'x1', 0, { verb: verbs.answered, registration: 'r1' }),
      on(a(1), 'x2', 1, { verb: verbs.answered, registration: 'r1' }),
      on(a(2), 'x3', 2, { verb: verbs.answered }),
    ];
    const count = (distinct?: string) =>
      evaluateRule(
        parseRule({ atLeast: { count: 3, where: { verb: 'answered' }, ...(distinct ? { distinct } : {}) } }),
        {
          statements,
        },
      ).explain.have;
    expect(count()).toBe(3);
    expect(count('activity')).toBe(2);
    expect(count('registration')).toBe(1);
  });

  it('within needs the inner rule met inside one window', () => {
    const rule = parseRule({
      within: {
        duration: 'P1D',
        rule: { nOfM: { n: 2, activities: [a(1), a(2)], where: { completion: true } } },
      },
    });
    const apart = evaluateRule(rule, { statements: [on(a(1), 'w1', 0), on(a(2), 'w2', 30)] });
    expect(apart.met).toBe(false);
    expect(apart.explain.reason).toContain('best window: 1 of 2 activities');
    const close = evaluateRule(rule, {
      statements: [on(a(1), 'w1', 0), on(a(2), 'w2', 30), on(a(1), 'w3', 40)],
    });
    expect(close.met).toBe(true);
    expect(close.evidence).toEqual([
      { type: 'statement', id: 'w2' },
      { type: 'statement', id: 'w3' },
    ]);
  });

  it('voided statements are not evidence, whether flagged by the store or voided in the same batch', () => {
    const rule = parseRule({ statement: { verb: 'completed', objectId: a(1) } });
    const voiding = st('v1', {
      verb: verbs.voided,
      objectType: 'StatementRef',
      objectId: 'c1',
      activityId: 'c1',
      voids: 'c1',
    });
    expect(evaluateRule(rule, { statements: [on(a(1), 'c1'), voiding] }).met).toBe(false);
    expect(evaluateRule(rule, { statements: [on(a(1), 'c1', 0, { voided: true })] }).met).toBe(false);
    expect(evaluateRule(rule, { statements: [on(a(1), 'c1'), voiding, on(a(1), 'c2', 1)] }).evidence).toEqual(
      [{ type: 'statement', id: 'c2' }],
    );
  });

  it('checks duration, registration and context parent', () => {
    const s = evidenceOf('cmi5-completed');
    const met = (condition: object) =>
      evaluateRule(parseRule({ statement: condition }), { statements: [s] }).met;
    expect(met({ duration: { min: 'PT15M', max: 'PT1H' } })).toBe(true);
    expect(met({ duration: { min: 'PT20M' } })).toBe(false);
    expect(met({ registration: '00000000-0000-4000-8000-000000000000' })).toBe(false);
    const module = evidenceOf('moodle-module-completed');
    const parent = { parentIdPrefix: 'http://www.example.org/course/section.php' };
    expect(evaluateRule(parseRule({ statement: parent }), { statements: [module] }).met).toBe(true);
  });

  it('manual rules are met only by an instructor mark', () => {
    const rule = parseRule({ manual: {} });
    expect(evaluateRule(rule, { statements: [st('x')] })).toMatchObject({ met: false });
    expect(
      evaluateRule(rule, { statements: [], manual: [{ ref: 'mark-1', timestampMs: t0 }] }),
    ).toMatchObject({
      met: true,
      evidence: [{ type: 'manual', ref: 'mark-1' }],
    });
  });
});

describe('parseDuration', () => {
  it.each([
    ['PT1S', 1000],
    ['PT94.21S', 94_210],
    ['PT18M22S', 1_102_000],
    ['P1DT2H', 93_600_000],
    ['P1W', 604_800_000],
    ['P', undefined],
    ['PT', undefined],
    ['1H', undefined],
    ['PT-1S', undefined],
  ])('%s -> %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
