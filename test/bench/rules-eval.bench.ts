import { expect, it } from '@jest/globals';
import {
  type EvidenceStatement,
  evaluateRule,
  isRelevant,
  normalizeStatement,
  parseRule,
  relevance,
  type StoredStatement,
} from '../../src/badges/index.js';

// The pure part of issue 5's per-statement cost: 100 rules in a course, a learner with a history of 300
// statements; for each incoming statement, normalise it, skip the rules its relevance excludes, and evaluate the
// rest over the learner's history. Beside it, in the same run: JSON.parse of the same statement text (the floor
// every hand-off pays). Storage and the 10,000-learner bench (test/bench/rules) come with the worker.
const statements = Number(process.env.BENCH_STATEMENTS ?? 5000);
const activities = Array.from(
  { length: 40 },
  (_, i) => `https://moodle.example.edu/mod/quiz/view.php?id=${i}`,
);

const rules = Array.from({ length: 100 }, (_, i) => {
  const pick = (k: number) => activities[(i * 7 + k) % activities.length]!;
  switch (i % 5) {
    case 0:
      return { statement: { objectId: pick(0), score: { minScaled: 0.8 } } };
    case 1:
      return {
        nOfM: { n: 3, activities: [pick(0), pick(1), pick(2), pick(3)], where: { completion: true } },
      };
    case 2:
      return {
        atLeast: {
          count: 5,
          where: { verb: 'completed', objectIdPrefix: 'https://moodle.example.edu/mod/quiz/' },
          distinct: 'activity',
        },
      };
    case 3:
      return {
        within: {
          duration: 'P7D',
          rule: {
            allOf: [
              { statement: { objectId: pick(0), completion: true } },
              { statement: { objectId: pick(5), completion: true } },
            ],
          },
        },
      };
    default:
      return {
        anyOf: [
          { lineItem: { id: `li-${i}`, minScaled: 0.7 } },
          { statement: { verb: 'passed', objectId: pick(2) } },
        ],
      };
  }
}).map((r) => parseRule(r));
const relevances = rules.map(relevance);

function moodleAttempt(n: number): string {
  const quiz = activities[(n * 13) % activities.length]!;
  const raw = (n * 37) % 101;
  return JSON.stringify({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    actor: { account: { homePage: 'https://moodle.example.edu', name: String(1000 + (n % 50)) } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { en: 'Completed' } },
    object: {
      id: `https://moodle.example.edu/mod/quiz/attempt.php?attempt=${n}&cmid=1`,
      definition: { type: 'http://adlnet.gov/expapi/activities/attempt' },
    },
    result: { completion: true, success: true, score: { raw, min: 0, max: 100, scaled: raw / 50 - 1 } },
    context: {
      contextActivities: {
        parent: [{ id: quiz, definition: { type: 'http://adlnet.gov/expapi/activities/assessment' } }],
      },
      extensions: {
        'http://lrs.learninglocker.net/define/extensions/info': {
          event_name: '\\mod_quiz\\event\\attempt_submitted',
        },
      },
    },
    timestamp: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString(),
    stored: '2026-03-01T00:00:00.000Z',
  });
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

it(`100 rules, learner history of 300, ${statements} incoming statements`, () => {
  const history: EvidenceStatement[] = Array.from({ length: 300 }, (_, n) =>
    normalizeStatement(JSON.parse(moodleAttempt(100_000 + n)) as StoredStatement),
  );
  const incoming = Array.from({ length: statements }, (_, n) => moodleAttempt(n));

  let t = process.hrtime.bigint();
  let parsed = 0;
  for (const text of incoming) parsed += (JSON.parse(text) as { id: string }).id.length;
  const floorMs = ms(t);

  t = process.hrtime.bigint();
  let evaluated = 0;
  let met = 0;
  for (const text of incoming) {
    const s = normalizeStatement(JSON.parse(text) as StoredStatement);
    // The store reads a learner's statements ORDER BY timestamp, id: the evaluation's canonical order.
    const learner = [...history, s].sort((a, b) => a.timestampMs - b.timestampMs || (a.id < b.id ? -1 : 1));
    for (let r = 0; r < rules.length; r++) {
      if (!isRelevant(relevances[r]!, s)) continue;
      evaluated++;
      const relevant = learner.filter((h) => isRelevant(relevances[r]!, h));
      if (evaluateRule(rules[r]!, { statements: relevant }, { nearest: false }).met) met++;
    }
  }
  const engineMs = ms(t);

  const perStatementUs = (engineMs * 1000) / statements;
  console.log(
    [
      `rules-eval: ${statements} statements, 100 rules, history 300`,
      `  JSON.parse floor: ${((floorMs * 1000) / statements).toFixed(2)} µs/statement`,
      `  engine: ${perStatementUs.toFixed(1)} µs/statement (${(evaluated / statements).toFixed(1)} rules evaluated each, ${met} met)`,
      `  ratio engine / floor: ${(engineMs / floorMs).toFixed(1)}x`,
    ].join('\n'),
  );
  expect(parsed).toBeGreaterThan(0);
});
