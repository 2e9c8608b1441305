import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createAwardWorkers,
  enqueueBackfill,
  handleStatementJob,
  onRosterLinked,
} from '../../../src/awards/index.js';
import type { AppContext } from '../../../src/context.js';
import { enqueue } from '../../../src/jobs/index.js';
import { findAchievement, findActiveRule } from '../../../src/store/achievements.js';
import { transaction } from '../../../src/store/index.js';
import { type Statement, statementQueue } from '../../../src/xapi/index.js';
import { testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import {
  achievementWithRule,
  awardsOf,
  drain,
  fixture,
  ingest,
  issueJobs,
  learner,
  tenant,
} from './setup.js';

let db: TestSchema;
let ctx: AppContext;

beforeAll(async () => {
  db = await createTestSchema({ max: 8 });
  ctx = await testContext(db);
});

afterAll(async () => {
  await db.drop();
});

const moodle = 'http://www.example.org';
const quiz = `${moodle}/mod/quiz/view.php?id=1`;
const cmi5Site = 'http://www.example.com';
const h5p = 'https://wp.example.org/wp-admin/admin-ajax.php?action=h5p_embed&id=12';

/** [fixture, issuer, learner sub, learner email, rule, awarded] — the traps of docs/rules.md, through the worker. */
const table: [string, string, string, string | null, unknown, boolean][] = [
  [
    'moodle-course-completed',
    moodle,
    '1',
    null,
    { statement: { verb: 'completed', objectId: `${moodle}/course/view.php?id=2` } },
    true,
  ],
  [
    'moodle-module-completed',
    moodle,
    '1',
    null,
    { statement: { objectId: `${moodle}/mod/book/view.php?id=1`, completion: true } },
    true,
  ],
  [
    'moodle-quiz-attempt',
    moodle,
    '1',
    null,
    { statement: { objectId: quiz, score: { minScaled: 0.5 } } },
    true,
  ],
  ['moodle-quiz-attempt-v4', moodle, '1', null, { statement: { verb: 'completed', objectId: quiz } }, true],
  [
    'moodle-quiz-attempt-no-pass-grade',
    moodle,
    '1',
    null,
    { statement: { objectId: quiz, success: true } },
    false,
  ],
  [
    'moodle-quiz-attempt-no-pass-grade',
    moodle,
    '1',
    null,
    { statement: { objectId: quiz, score: { minScaled: 0.5 } } },
    false,
  ],
  [
    'moodle-scorm-status-incomplete',
    moodle,
    '1',
    null,
    { statement: { verb: 'completed', objectIdPrefix: `${moodle}/mod/scorm/` } },
    false,
  ],
  [
    'moodle-scorm-status-incomplete',
    moodle,
    '1',
    null,
    {
      statement: {
        verb: 'completed',
        objectIdPrefix: `${moodle}/mod/scorm/`,
        accept: ['moodle-scorm-status'],
      },
    },
    true,
  ],
  [
    'h5p-child-answered',
    'https://wp.example.org',
    'ada',
    'ada@example.org',
    { statement: { verb: 'answered', objectIdPrefix: 'https://wp.example.org/' } },
    false,
  ],
  [
    'h5p-top-level-completed',
    'https://wp.example.org',
    'ada',
    'Ada@Example.org',
    { statement: { verb: 'completed', objectId: h5p } },
    true,
  ],
  [
    'cmi5-satisfied',
    cmi5Site,
    '1625378',
    null,
    { statement: { verb: 'satisfied', objectId: 'https://lms.example.com/cmi5/courses/7f0c2d5e' } },
    true,
  ],
  [
    'cmi5-completed',
    cmi5Site,
    '1625378',
    null,
    { statement: { verb: 'completed', objectId: 'https://lms.example.com/cmi5/courses/7f0c2d5e' } },
    false,
  ],
  [
    'cmi5-waived',
    cmi5Site,
    '1625378',
    null,
    { statement: { objectId: `${cmi5Site}/LA1/002/assessment`, completion: true } },
    false,
  ],
  [
    'cmi5-waived',
    cmi5Site,
    '1625378',
    null,
    { statement: { objectId: `${cmi5Site}/LA1/002/assessment`, completion: true, accept: ['waived'] } },
    true,
  ],
  [
    'cmi5-passed',
    cmi5Site,
    '1625378',
    null,
    { statement: { verb: 'passed', objectId: `${cmi5Site}/LA1/001/intro`, score: { minScaled: 0.5 } } },
    true,
  ],
  [
    'scorm-wrapper-completed',
    'https://lms.example.edu',
    'learner-0042',
    null,
    { statement: { verb: 'completed', groupingId: 'https://lms.example.edu/scorm/golf-explained' } },
    true,
  ],
];

describe('the xapi.statement worker over the real fixtures', () => {
  it.each(table)('%s (%s): awarded %s', async (name, issuer, sub, email, rule, awarded) => {
    const t = await tenant(db, issuer);
    const userId = await learner(ctx, t, sub, email);
    const { achievementId } = await achievementWithRule(ctx, t, rule);
    const [id] = await ingest(ctx, t, [fixture(name)]);
    await drain(ctx);
    const awards = await awardsOf(db, userId);
    if (!awarded) {
      expect(awards).toEqual([]);
      return;
    }
    expect(awards).toHaveLength(1);
    expect(awards[0]).toMatchObject({ achievement_id: achievementId, kind: 'rule', revoked_at: null });
    expect(awards[0]!.evidence).toEqual([id!.toLowerCase()]);
    expect(await issueJobs(db, awards[0]!.id)).toBe(1);
  });
});

describe('statement jobs of many statements', () => {
  it('a job whose statement fails is split into jobs of one: the others are handled, the bad one retried alone', async () => {
    const t = await tenant(db, moodle);
    const userId = await learner(ctx, t, '1');
    const { achievementId } = await achievementWithRule(ctx, t, table[0]![4]);
    const [id] = await ingest(ctx, t, [fixture('moodle-course-completed')]);
    // Hand the stored statement off again in one job with a statement id the store refuses (not a UUID).
    await db.pool.query("DELETE FROM jobs WHERE queue = $1 AND payload->'statementIds' ? $2", [
      statementQueue,
      id,
    ]);
    const batch = await enqueue(db.pool, {
      queue: statementQueue,
      payload: { platformId: t.platformId, statementIds: [id, 'not-a-uuid'] },
      runAt: ctx.clock.now(),
    });
    await drain(ctx);
    const awards = await awardsOf(db, userId);
    expect(awards.map((a) => a.achievement_id)).toEqual([achievementId]);
    const { rows } = await db.pool.query(
      `SELECT id, payload, attempts, done_at IS NOT NULL AS done FROM jobs
       WHERE queue = $1 AND payload->>'platformId' = $2 ORDER BY id`,
      [statementQueue, t.platformId],
    );
    expect(rows.map((r) => [r.payload.statementIds, r.done, r.attempts])).toEqual([
      [[id, 'not-a-uuid'], true, 1],
      [[id], true, 1],
      [['not-a-uuid'], false, 1],
    ]);
    expect(String(rows[0].id)).toBe(String(batch));
  });

  it('still handles a job in the one-statement form written before batches', async () => {
    const t = await tenant(db, moodle);
    const userId = await learner(ctx, t, '1');
    await achievementWithRule(ctx, t, table[0]![4]);
    const [id] = await ingest(ctx, t, [fixture('moodle-course-completed')]);
    await db.pool.query("DELETE FROM jobs WHERE queue = $1 AND payload->'statementIds' ? $2", [
      statementQueue,
      id,
    ]);
    await enqueue(db.pool, {
      queue: statementQueue,
      payload: { statementId: id, platformId: t.platformId },
      runAt: ctx.clock.now(),
    });
    await drain(ctx);
    expect(await awardsOf(db, userId)).toHaveLength(1);
  });
});

describe('identity', () => {
  it('keeps statements of an unknown actor and awards when the learner appears (onLearnerLinked)', async () => {
    const t = await tenant(db, moodle);
    const { achievementId } = await achievementWithRule(ctx, t, {
      statement: { verb: 'completed', objectId: `${moodle}/course/view.php?id=2` },
    });
    const [id] = await ingest(ctx, t, [fixture('moodle-course-completed')]);
    await drain(ctx);
    const kept = await db.pool.query(
      'SELECT user_id, actor_key FROM statement_evidence WHERE platform_id = $1',
      [t.platformId],
    );
    expect(kept.rows).toEqual([{ user_id: null, actor_key: `account:${moodle} 1` }]);

    const userId = await learner(ctx, t, '1');
    await drain(ctx);
    const awards = await awardsOf(db, userId);
    expect(awards).toHaveLength(1);
    expect(awards[0]).toMatchObject({ achievement_id: achievementId, evidence: [id] });
  });

  it('a roster sync links the kept statements of every listed learner (onRosterLinked)', async () => {
    const t = await tenant(db, moodle);
    const { achievementId } = await achievementWithRule(ctx, t, {
      statement: { objectId: `${moodle}/mod/page/view.php?id=1` },
    });
    await ingest(ctx, t, [completion('ro1', 1), completion('ro2', 1), completion('nobody', 1)]);
    await drain(ctx);
    const ids = [randomUUID(), randomUUID()];
    await transaction(db.pool, async (c) => {
      for (const [i, id] of ids.entries()) {
        await c.query('INSERT INTO users (id, platform_id, sub) VALUES ($1, $2, $3)', [
          id,
          t.platformId,
          `ro${i + 1}`,
        ]);
        await c.query('INSERT INTO enrollments (course_id, user_id) VALUES ($1, $2)', [t.courseId, id]);
      }
      expect((await onRosterLinked(c, ctx, t.platformId, t.courseId)).sort()).toEqual([...ids].sort());
    });
    await drain(ctx);
    for (const id of ids)
      expect((await awardsOf(db, id)).map((a) => a.achievement_id)).toEqual([achievementId]);
    const kept = await db.pool.query(
      'SELECT count(*)::int AS n FROM statement_evidence WHERE platform_id = $1 AND user_id IS NULL',
      [t.platformId],
    );
    expect(kept.rows[0].n).toBe(1);
  });

  it('an identifier shared by two users links nobody', async () => {
    const t = await tenant(db, 'https://wp.example.org');
    const a = await learner(ctx, t, 'a', 'ada@example.org');
    const b = await learner(ctx, t, 'b', 'ada@example.org');
    await achievementWithRule(ctx, t, { statement: { verb: 'completed', objectId: h5p } });
    await ingest(ctx, t, [fixture('h5p-top-level-completed')]);
    await drain(ctx);
    expect(await awardsOf(db, a)).toEqual([]);
    expect(await awardsOf(db, b)).toEqual([]);
  });
});

/** A Moodle course-completion statement of learner `sub` on activity `n`. */
function completion(sub: string, n: number, id = randomUUID()) {
  return {
    ...fixture('moodle-module-completed'),
    id,
    actor: { account: { homePage: moodle, name: sub } },
    object: {
      id: `${moodle}/mod/page/view.php?id=${n}`,
      definition: { type: 'http://adlnet.gov/expapi/activities/lesson' },
    },
    result: { completion: true },
    timestamp: `2026-01-10T10:0${n}:00Z`,
  };
}

describe('exactly once under concurrent workers', () => {
  it('two workers racing over interleaved, duplicated statements award each learner once', async () => {
    const t = await tenant(db, moodle);
    const { achievementId } = await achievementWithRule(ctx, t, {
      allOf: [
        { statement: { objectId: `${moodle}/mod/page/view.php?id=1`, completion: true } },
        {
          nOfM: {
            n: 2,
            activities: [2, 3, 4].map((n) => `${moodle}/mod/page/view.php?id=${n}`),
            where: { completion: true },
          },
        },
      ],
    });
    const subs = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const users = await Promise.all(subs.map((sub) => learner(ctx, t, sub)));
    const statements = subs.flatMap((sub) => [1, 2, 3, 4].map((n) => completion(sub, n)));
    // Interleave learners and activities, then store in batches of different sizes.
    statements.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (let i = 0; i < statements.length; i += 7) await ingest(ctx, t, statements.slice(i, i + 7));
    // Redelivery: every statement's job a second time (as after a crash between handling and marking done).
    for (const s of statements) {
      await enqueue(db.pool, {
        queue: statementQueue,
        payload: { statementId: s.id, platformId: t.platformId },
        dedupeKey: `again:${s.id}`,
      });
    }
    const [w1, w2] = [createAwardWorkers(ctx), createAwardWorkers(ctx)];
    await Promise.all([w1[0]!.drain(), w2[0]!.drain(), w1[1]!.drain(), w2[1]!.drain()]);
    await Promise.all([w1[0]!.drain(), w2[0]!.drain(), w1[1]!.drain(), w2[1]!.drain()]);
    for (const userId of users) {
      const awards = await awardsOf(db, userId);
      expect(awards).toHaveLength(1);
      expect(awards[0]!.achievement_id).toBe(achievementId);
      expect(awards[0]!.evidence).toHaveLength(3);
      expect(await issueJobs(db, awards[0]!.id)).toBe(1);
    }
    const failed = await db.pool.query(
      `SELECT count(*)::int AS n, string_agg(last_error, ' | ') AS e FROM jobs
       WHERE last_error IS NOT NULL AND queue LIKE 'xapi%' AND payload->>'platformId' = $1`,
      [t.platformId],
    );
    expect(failed.rows[0]).toEqual({ n: 0, e: null });
  });
});

describe('no award lost when the completing statements are handled at the same moment', () => {
  it('two workers each taking one of the two statements a rule needs: the later sees both', async () => {
    const t = await tenant(db, moodle);
    const { achievementId } = await achievementWithRule(ctx, t, {
      allOf: [
        { statement: { objectId: `${moodle}/mod/page/view.php?id=1` } },
        { statement: { objectId: `${moodle}/mod/page/view.php?id=2` } },
      ],
    });
    const subs = Array.from({ length: 10 }, (_, i) => `pair${i}`);
    const users = await Promise.all(subs.map((sub) => learner(ctx, t, sub)));
    for (const sub of subs) {
      // Adjacent jobs: the two workers claim them together.
      await ingest(ctx, t, [completion(sub, 1), completion(sub, 2)]);
    }
    const [w1, w2] = [createAwardWorkers(ctx), createAwardWorkers(ctx)];
    await Promise.all([w1[0]!.drain(), w2[0]!.drain()]);
    for (const userId of users) {
      expect((await awardsOf(db, userId)).map((a) => a.achievement_id)).toEqual([achievementId]);
    }
  });
});

describe('the learner lock', () => {
  it('a statement handled while another of the same learner (other actor key) is uncommitted waits and sees it', async () => {
    const t = await tenant(db, moodle);
    const userId = await learner(ctx, t, 'x', 'x@example.org');
    const { achievementId } = await achievementWithRule(ctx, t, {
      allOf: [
        { statement: { objectId: `${moodle}/mod/page/view.php?id=1` } },
        { statement: { objectId: `${moodle}/mod/page/view.php?id=2` } },
      ],
    });
    const a = completion('x', 1);
    const b = { ...completion('x', 2), actor: { mbox: 'mailto:x@example.org' } } as Statement;
    await ingest(ctx, t, [a, b]);
    const job = (id: string) =>
      ({ id: 0, queue: statementQueue, payload: { statementId: id, platformId: t.platformId } }) as never;
    const first = await db.pool.connect();
    await first.query('BEGIN');
    await handleStatementJob(first, ctx, job(a.id!));
    let secondDone = false;
    const second = transaction(db.pool, (c) => handleStatementJob(c, ctx, job(b.id!))).then(() => {
      secondDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(secondDone).toBe(false);
    await first.query('COMMIT');
    first.release();
    await second;
    expect((await awardsOf(db, userId)).map((w) => w.achievement_id)).toEqual([achievementId]);
  });
});

function voiding(target: string, sub: string): Statement {
  return {
    id: randomUUID(),
    actor: { account: { homePage: moodle, name: sub } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
    object: { objectType: 'StatementRef', id: target },
  } as Statement;
}

describe('voiding', () => {
  it.each([
    ['revoke', true],
    ['keep', false],
  ] as const)('an award whose evidence is all voided: onVoid %s -> revoked %s', async (onVoid, revoked) => {
    const t = await tenant(db, moodle);
    const userId = await learner(ctx, t, 'v1');
    await achievementWithRule(
      ctx,
      t,
      { statement: { objectId: `${moodle}/mod/page/view.php?id=1` } },
      onVoid,
    );
    const s = completion('v1', 1);
    await ingest(ctx, t, [s]);
    await drain(ctx);
    expect(await awardsOf(db, userId)).toHaveLength(1);
    await ingest(ctx, t, [voiding(s.id, 'v1')]);
    await drain(ctx);
    const [award] = await awardsOf(db, userId);
    expect(award!.revoked_at !== null).toBe(revoked);
    const { rows } = await db.pool.query('SELECT voided FROM award_evidence WHERE award_id = $1', [
      award!.id,
    ]);
    expect(rows).toEqual([{ voided: true }]);
    const jobs = await db.pool.query(
      "SELECT count(*)::int AS n FROM jobs WHERE queue = 'award.revoke' AND payload->>'awardId' = $1",
      [award!.id],
    );
    expect(jobs.rows[0].n).toBe(revoked ? 1 : 0);
  });

  it('a voided statement is not evidence for a later award', async () => {
    const t = await tenant(db, moodle);
    const userId = await learner(ctx, t, 'v2');
    const s = completion('v2', 1);
    await ingest(ctx, t, [s]);
    await ingest(ctx, t, [voiding(s.id, 'v2')]);
    await drain(ctx);
    await achievementWithRule(ctx, t, { statement: { objectId: `${moodle}/mod/page/view.php?id=1` } });
    await ingest(ctx, t, [completion('v2', 2)]);
    await drain(ctx);
    expect(await awardsOf(db, userId)).toEqual([]);
  });
});

describe('backfill', () => {
  it('a rule created after the statements awards from stored history', async () => {
    const t = await tenant(db, moodle);
    const done = await learner(ctx, t, 'b1');
    const halfway = await learner(ctx, t, 'b2');
    await ingest(ctx, t, [completion('b1', 1), completion('b1', 2), completion('b2', 1)]);
    await drain(ctx);
    const { achievementId } = await achievementWithRule(ctx, t, {
      atLeast: { count: 2, where: { completion: true, objectIdPrefix: `${moodle}/mod/page/` } },
    });
    expect(await awardsOf(db, done)).toEqual([]);
    const achievement = (await findAchievement(db.pool, achievementId))!;
    const rule = (await findActiveRule(db.pool, achievementId))!;
    expect(await enqueueBackfill(db.pool, achievement, rule, ctx.clock.now())).toBe(2);
    expect(await enqueueBackfill(db.pool, achievement, rule, ctx.clock.now())).toBe(0);
    await drain(ctx);
    expect(await awardsOf(db, done)).toHaveLength(1);
    expect(await awardsOf(db, halfway)).toEqual([]);
  });
});
