import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  conditionFailures,
  type EvidenceStatement,
  evaluateRule,
  isRelevant,
  matchesCondition,
  parseRule,
  type RuleNode,
  relevance,
  type StatementCondition,
  verbs,
} from '../../../src/badges/index.js';
import { evidenceOf, fixtureNames } from './fixtures.js';

const t0 = Date.parse('2026-03-01T09:00:00Z');
const hour = 3_600_000;
const activities = ['https://c.example/a1', 'https://c.example/a2', 'https://c.example/a3'];

/** Synthetic statements over three activities and a few days, plus every real fixture. */
function pool(): EvidenceStatement[] {
  const synthetic: EvidenceStatement[] = [];
  for (let i = 0; i < 24; i++) {
    const activity = activities[i % 3]!;
    synthetic.push({
      id: `s${i}`,
      verb: i % 4 === 0 ? verbs.passed : verbs.completed,
      objectId: activity,
      objectType: 'Activity',
      activityId: activity,
      parentIds: [],
      groupingIds: [],
      categoryIds: [],
      completion: i % 4 !== 0,
      ...(i % 4 === 0 ? { success: true, scaled: (i % 10) / 10 } : {}),
      ...(i % 5 === 0 ? { registration: `reg-${i % 2}` } : {}),
      timestampMs: t0 + ((i * 7) % 30) * 6 * hour,
      emitter: 'other',
      traps: [],
    });
  }
  return [...synthetic, ...fixtureNames.map(evidenceOf)];
}

const voiding = (target: string): EvidenceStatement => ({
  id: `void-${target}`,
  verb: verbs.voided,
  objectId: target,
  objectType: 'StatementRef',
  activityId: target,
  parentIds: [],
  groupingIds: [],
  categoryIds: [],
  timestampMs: t0 + 100 * hour,
  emitter: 'other',
  traps: [],
  voids: target,
});

const rules: RuleNode[] = [
  { nOfM: { n: 2, activities, where: { completion: true } } },
  { within: { duration: 'P1D', rule: { nOfM: { n: 3, activities, where: { completion: true } } } } },
  { atLeast: { count: 3, where: { verb: 'passed' }, distinct: 'activity' } },
  {
    allOf: [
      { statement: { verb: 'passed', score: { minScaled: 0.8 } } },
      {
        anyOf: [
          { statement: { verb: 'satisfied' } },
          { statement: { objectIdPrefix: 'http://www.example.org/mod/' } },
        ],
      },
    ],
  },
  {
    within: { duration: 'PT12H', rule: { atLeast: { count: 2, where: { verb: ['completed', 'passed'] } } } },
  },
  {
    statement: { completion: true, accept: ['waived'], registration: 'ec231277-b27b-4c15-8291-d29225b2b8f7' },
  },
].map((rule) => parseRule(rule));

const all = pool();

/** A subset of the pool, some voided, then every statement duplicated and the whole shuffled. */
const scenario = fc
  .tuple(fc.subarray(all), fc.subarray(all.map((s) => s.id)))
  .chain(([subset, voidTargets]) => {
    const statements = [...subset, ...voidTargets.map(voiding)];
    return fc.tuple(
      fc.constant(statements),
      fc.shuffledSubarray([...statements, ...statements], { minLength: statements.length * 2 }),
    );
  });

describe('evaluation is a function of the set of statements', () => {
  it.each(rules.map((rule, i) => [i, rule]))(
    'rule %i: any order or duplication gives the same evaluation',
    (_i, rule) => {
      fc.assert(
        fc.property(scenario, ([statements, shuffled]) => {
          const once = evaluateRule(rule as RuleNode, { statements });
          expect(evaluateRule(rule as RuleNode, { statements: shuffled })).toEqual(once);
        }),
        { numRuns: 150 },
      );
    },
  );

  // Two workers take statements off one queue in any interleaving; each evaluates the learner's stored set after
  // storing its statement and inserts the award with ON CONFLICT (learner, achievement) DO NOTHING. Rules are
  // monotone (no negation, no "at most"), so without voiding: awarded during processing <=> met on the final set.
  const twoWorkers = fc.subarray(all).chain((subset) => {
    const doubled = [...subset, ...subset];
    const coins = fc.array(fc.boolean(), { minLength: doubled.length * 2, maxLength: doubled.length * 2 });
    return fc.tuple(fc.constant(subset), fc.shuffledSubarray(doubled, { minLength: doubled.length }), coins);
  });

  it.each(rules.map((rule, i) => [i, rule]))(
    'rule %i: two interleaved workers award once, exactly when the set meets it',
    (_i, rule) => {
      fc.assert(
        fc.property(twoWorkers, ([subset, queue, coins]) => {
          const workers: EvidenceStatement[][] = [[], []];
          for (const [i, s] of queue.entries()) workers[coins[i] ? 1 : 0]!.push(s);
          const storedSet: EvidenceStatement[] = [];
          const awards = new Set<string>();
          let inserts = 0;
          for (let step = queue.length; workers[0]!.length + workers[1]!.length > 0; step++) {
            const w =
              workers[0]!.length === 0
                ? 1
                : workers[1]!.length === 0
                  ? 0
                  : coins[step % coins.length]
                    ? 1
                    : 0;
            storedSet.push(workers[w]!.shift()!);
            if (
              evaluateRule(rule as RuleNode, { statements: storedSet }).met &&
              !awards.has('learner|achievement')
            ) {
              awards.add('learner|achievement');
              inserts++;
            }
          }
          expect(inserts).toBe(evaluateRule(rule as RuleNode, { statements: subset }).met ? 1 : 0);
        }),
        { numRuns: 100 },
      );
    },
  );
});

describe('matchesCondition', () => {
  const conditions = fc.record(
    {
      verb: fc.subarray(['completed', 'passed', 'failed', 'answered', 'satisfied', 'waived'], {
        minLength: 1,
      }),
      objectIdPrefix: fc.constantFrom('https://c.example/', 'http://www.example.', 'https://wp.example.org/'),
      completion: fc.boolean(),
      success: fc.boolean(),
      score: fc.record({ minScaled: fc.double({ min: 0, max: 1, noNaN: true }) }),
      duration: fc.constantFrom({ min: 'PT1S' }, { max: 'PT20M' }),
      parentIdPrefix: fc.constantFrom('http://www.example.org/', 'https://wp.example.org/'),
      groupingId: fc.constantFrom('https://lms.example.edu/scorm/golf-explained', 'http://www.example.org'),
      activityType: fc.constantFrom(
        'http://adlnet.gov/expapi/activities/assessment',
        'http://adlnet.gov/expapi/activities/lesson',
      ),
      accept: fc.subarray(['waived', 'h5p-child', 'moodle-quiz-success', 'moodle-scorm-status']),
    },
    { requiredKeys: [] },
  );

  it('agrees with conditionFailures, and relevance never skips a statement it matches', () => {
    fc.assert(
      fc.property(conditions, (raw) => {
        const rule = parseRule({ statement: Object.keys(raw).length > 0 ? raw : { completion: true } });
        const condition = (rule as { statement: StatementCondition }).statement;
        for (const s of all) {
          const matches = matchesCondition(condition, s);
          expect(matches).toBe(conditionFailures(condition, s).length === 0);
          if (matches) expect(isRelevant(relevance(rule), s)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
