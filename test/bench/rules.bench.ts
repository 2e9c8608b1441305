import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createAwardWorkers, dryRun, evidenceOf } from '../../src/awards/index.js';
import { parseRule, relevance } from '../../src/badges/index.js';
import { systemClock } from '../../src/clock.js';
import type { AppContext } from '../../src/context.js';
import { createWorker } from '../../src/jobs/index.js';
import {
  findAchievement,
  findActiveRule,
  insertAchievement,
  replaceRule,
} from '../../src/store/achievements.js';
import { loadStatementForBadges } from '../../src/store/badge-evidence.js';
import { transaction } from '../../src/store/index.js';
import { type Statement, statementQueue, storeStatements } from '../../src/xapi/index.js';
import { testContext } from '../helpers/context.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

// Issue 5's benchmark: 100 rules in a course, 10,000 learners with a stored history, then incoming statements
// through the real ingest and the real xapi.statement worker against Postgres. Beside it, in the same run: the same
// number of jobs drained by a worker whose handler only loads the statement (the queue's floor every hand-off pays).
const learners = Number(process.env.BENCH_LEARNERS ?? 10_000);
const historyPerLearner = Number(process.env.BENCH_HISTORY ?? 5);
const incoming = Number(process.env.BENCH_STATEMENTS ?? 1000);
// BENCH_COURSE=0: statements written with a platform-wide LRS key (no course), Moodle's usual set-up.
const withCourse = process.env.BENCH_COURSE !== '0';
const site = 'https://moodle.example.edu';
const activities = Array.from({ length: 40 }, (_, i) => `${site}/mod/quiz/view.php?id=${i}`);

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
          where: { verb: 'completed', objectIdPrefix: `${site}/mod/quiz/` },
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
});

let db: TestSchema;
let ctx: AppContext;
let platformId: string;
let courseId: string;
let seq = 0;

/** A Moodle quiz attempt (attempt object, quiz parent, raw score) of learner `u`. */
function attempt(u: number): Statement {
  const n = seq++;
  const raw = (n * 37) % 101;
  return {
    id: randomUUID(),
    actor: { account: { homePage: site, name: `u${u}` } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: {
      id: `${site}/mod/quiz/attempt.php?attempt=${n}&cmid=1`,
      definition: { type: 'http://adlnet.gov/expapi/activities/attempt' },
    },
    result: { completion: true, score: { raw, min: 0, max: 100 } },
    context: {
      contextActivities: {
        parent: [
          {
            id: activities[(n * 13) % activities.length]!,
            definition: { type: 'http://adlnet.gov/expapi/activities/assessment' },
          },
        ],
      },
    },
    timestamp: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
  } as unknown as Statement;
}

const writer = () => ({
  platformId,
  courseId: withCourse ? courseId : null,
  lrsKey: null,
  authority: { objectType: 'Agent', account: { homePage: 'https://laurel.test', name: 'lrs' } } as never,
});

async function ingest(statements: Statement[]): Promise<void> {
  for (let i = 0; i < statements.length; i += 1000) {
    await storeStatements(ctx, writer(), statements.slice(i, i + 1000), '2.0.0');
  }
}

beforeAll(async () => {
  db = await createTestSchema({ max: 6 });
  ctx = await testContext(db, { clock: systemClock });
  platformId = randomUUID();
  courseId = randomUUID();
  await db.pool.query(
    `INSERT INTO platforms (id, issuer, client_id, auth_login_url, auth_token_url, jwks_url)
     VALUES ($1, $2, 'c', 'https://l/a', 'https://l/t', 'https://l/j')`,
    [platformId, site],
  );
  await db.pool.query("INSERT INTO courses (id, platform_id, context_id) VALUES ($1, $2, 'c1')", [
    courseId,
    platformId,
  ]);
  // Learners as launches record them: user, enrolment, identity key (userKeys: site account = LTI sub).
  await db.pool.query(
    `INSERT INTO users (id, platform_id, sub) SELECT gen_random_uuid(), $1, 'u' || i FROM generate_series(0, $2 - 1) i`,
    [platformId, learners],
  );
  await db.pool.query(
    `INSERT INTO enrollments (course_id, user_id, roles)
     SELECT $1, id, ARRAY['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] FROM users WHERE platform_id = $2`,
    [courseId, platformId],
  );
  await db.pool.query(
    `INSERT INTO learner_identity_keys (platform_id, key, user_id)
     SELECT platform_id, 'account:${site} ' || sub, id FROM users WHERE platform_id = $1`,
    [platformId],
  );
  for (const rule of rules) {
    await transaction(db.pool, async (client) => {
      const a = await insertAchievement(
        client,
        {
          id: randomUUID(),
          platformId,
          courseId,
          body: {
            name: 'b',
            description: 'd',
            criteria: { narrative: 'n' },
            tags: [],
            alignment: [],
            achievementType: 'Badge',
          },
          createdBy: null,
        },
        ctx.clock.now(),
      );
      const parsed = parseRule(rule);
      await replaceRule(
        client,
        {
          id: randomUUID(),
          achievementId: a.id,
          rule: parsed,
          relevance: relevance(parsed),
          onVoid: 'revoke',
          createdBy: null,
        },
        ctx.clock.now(),
      );
    });
  }
  // History: stored through the real ingest, its evidence rows written in bulk (the worker's result, without its
  // per-statement cost in the setup).
  const history = Array.from({ length: learners * historyPerLearner }, (_, i) => attempt(i % learners));
  await ingest(history);
  await db.pool.query(`UPDATE jobs SET done_at = now() WHERE queue = $1`, [statementQueue]);
  const { rows: users } = await db.pool.query<{ id: string; sub: string }>(
    'SELECT id, sub FROM users WHERE platform_id = $1',
    [platformId],
  );
  const bySub = new Map(users.map((u) => [u.sub, u.id]));
  for (let i = 0; i < history.length; i += 2000) {
    const rows = history.slice(i, i + 2000).map((s) => {
      const evidence = evidenceOf(s.id!.toLowerCase(), s as unknown as Record<string, unknown>);
      const sub = (s.actor as { account: { name: string } }).account.name;
      return {
        statement_id: evidence.id,
        user_id: bySub.get(sub),
        actor_key: `account:${site} ${sub}`,
        ts: evidence.timestampMs,
        evidence,
      };
    });
    await db.pool.query(
      `INSERT INTO statement_evidence (platform_id, statement_id, course_id, actor_key, user_id, timestamp_ms, evidence)
       SELECT $1, r.statement_id, $2, r.actor_key, r.user_id, r.ts, r.evidence
       FROM jsonb_to_recordset($3::jsonb) AS r(statement_id uuid, actor_key text, user_id uuid, ts bigint, evidence jsonb)`,
      [platformId, withCourse ? courseId : null, JSON.stringify(rows)],
    );
  }
  await db.pool.query('ANALYZE');
}, 600_000);

afterAll(async () => {
  await db.drop();
});

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

it(`${incoming} statements through the worker: 100 rules, ${learners} learners, history ${historyPerLearner} each`, async () => {
  const pick = () => Math.floor(Math.random() * learners);
  await ingest(Array.from({ length: incoming }, () => attempt(pick())));
  const floorWorker = createWorker({
    pool: db.pool,
    queue: statementQueue,
    clock: ctx.clock,
    handler: async (job, client) => {
      const p = job.payload as { statementIds: string[]; platformId: string };
      for (const id of p.statementIds) await loadStatementForBadges(client, p.platformId, id);
    },
  });
  let t = process.hrtime.bigint();
  await floorWorker.drain();
  const floorMs = ms(t);

  await ingest(Array.from({ length: incoming }, () => attempt(pick())));
  const [statementWorker] = createAwardWorkers(ctx);
  const before = (await db.pool.query('SELECT count(*)::int AS n FROM awards')).rows[0].n as number;
  t = process.hrtime.bigint();
  const jobs = await statementWorker!.drain();
  const workerMs = ms(t);
  const after = (await db.pool.query('SELECT count(*)::int AS n FROM awards')).rows[0].n as number;
  const failed = (await db.pool.query('SELECT count(*)::int AS n FROM jobs WHERE last_error IS NOT NULL'))
    .rows[0].n;
  // Dry run of one nOfM rule over every learner's stored history.
  const { rows: some } = await db.pool.query<{ achievement_id: string }>(
    "SELECT achievement_id FROM award_rules WHERE rule ? 'nOfM' LIMIT 1",
  );
  const achievement = (await findAchievement(db.pool, some[0]!.achievement_id))!;
  const rule = (await findActiveRule(db.pool, achievement.id))!;
  t = process.hrtime.bigint();
  const dry = await dryRun(db.pool, achievement, rule);
  const dryMs = ms(t);

  console.log(
    [
      `rules: ${incoming} statements, 100 rules, ${learners} learners, history ${historyPerLearner} each, ${withCourse ? 'course' : 'platform-wide'} key (sequential worker)`,
      `  floor (claim + load + done, a job per request's statements): ${(floorMs / incoming).toFixed(2)} ms/statement`,
      `  badge worker: ${(workerMs / incoming).toFixed(2)} ms/statement (${jobs} jobs, ${after - before} awards made)`,
      `  ratio worker / floor: ${(workerMs / floorMs).toFixed(2)}x`,
      `  dry run (one nOfM rule, ${dry.learners.length} learners): ${dryMs.toFixed(0)} ms, ${dry.wouldEarn} would earn`,
    ].join('\n'),
  );
  expect(jobs).toBeGreaterThan(0);
  expect(failed).toBe(0);
});
