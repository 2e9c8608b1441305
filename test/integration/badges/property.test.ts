import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createAwardWorkers, evidenceOf } from '../../../src/awards/index.js';
import { evaluateRule, parseRule } from '../../../src/badges/index.js';
import type { AppContext } from '../../../src/context.js';
import type { Statement } from '../../../src/xapi/index.js';
import { testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { achievementWithRule, awardsOf, ingest, issueJobs, learner, tenant } from './setup.js';

let db: TestSchema;
let ctx: AppContext;

beforeAll(async () => {
  db = await createTestSchema({ max: 8 });
  ctx = await testContext(db);
});

afterAll(async () => {
  await db.drop();
});

const site = 'http://www.example.org';
const page = (n: number) => `${site}/mod/page/view.php?id=${n}`;
const rules = [
  { nOfM: { n: 2, activities: [page(1), page(2), page(3)], where: { completion: true } } },
  { atLeast: { count: 3, where: { objectIdPrefix: `${site}/mod/page/` }, distinct: 'activity' } },
  {
    allOf: [
      { statement: { objectId: page(1), score: { minScaled: 0.5 } } },
      { statement: { objectId: page(4) } },
    ],
  },
];

function statement(sub: string, n: number, scaled: number, minute: number): Statement {
  return {
    id: randomUUID(),
    actor: { account: { homePage: site, name: sub } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { id: page(n), definition: { type: 'http://adlnet.gov/expapi/activities/lesson' } },
    result: { completion: true, score: { scaled } },
    timestamp: new Date(Date.UTC(2026, 0, 10, 10, minute)).toISOString(),
  } as unknown as Statement;
}

const learnerStatements = fc.array(
  fc.record({
    n: fc.integer({ min: 1, max: 4 }),
    scaled: fc.double({ min: 0, max: 1, noNaN: true }),
    minute: fc.integer({ min: 0, max: 59 }),
  }),
  { minLength: 0, maxLength: 5 },
);

describe('property: order, duplication and interleaving across two workers do not change the awards', () => {
  it('awards exactly the learners whose full set meets the rule, each once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(learnerStatements, { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        async (perLearner, ruleIndex, shuffle, batch) => {
          const t = await tenant(db, site);
          const { achievementId } = await achievementWithRule(ctx, t, rules[ruleIndex]);
          const subs = perLearner.map((_, i) => `p${i}`);
          const users = await Promise.all(subs.map((sub) => learner(ctx, t, sub)));
          const all = perLearner.flatMap((list, i) =>
            list.map((s) => statement(subs[i]!, s.n, s.scaled, s.minute)),
          );
          // Any order; each statement possibly sent twice (the LRS keeps one, its job once).
          const order = all.map((s, i) => ({ s, k: shuffle[i % shuffle.length]! + i }));
          order.sort((a, b) => a.k - b.k);
          const sent = order.flatMap(({ s }, i) => (shuffle[i % shuffle.length]! % 3 === 0 ? [s, s] : [s]));
          const workers = [createAwardWorkers(ctx), createAwardWorkers(ctx)];
          for (let i = 0; i < sent.length; i += batch) {
            await ingest(ctx, t, [...new Map(sent.slice(i, i + batch).map((s) => [s.id, s])).values()]);
            if (shuffle[i % shuffle.length]! % 2 === 0) await Promise.all(workers.map((w) => w[0]!.drain()));
          }
          await Promise.all(workers.flatMap((w) => w.map((x) => x.drain())));
          const parsed = parseRule(rules[ruleIndex]);
          for (const [i, userId] of users.entries()) {
            const mine = all.filter(
              (s) => (s.actor as { account: { name: string } }).account.name === subs[i],
            );
            const expected = evaluateRule(parsed, {
              statements: mine.map((s) => evidenceOf(s.id!, s as unknown as Record<string, unknown>)),
            }).met;
            const awards = await awardsOf(db, userId);
            expect(awards.map((a) => a.achievement_id)).toEqual(expected ? [achievementId] : []);
            if (expected) expect(await issueJobs(db, awards[0]!.id)).toBe(1);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
