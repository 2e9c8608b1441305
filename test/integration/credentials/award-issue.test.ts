import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fixedClock } from '../../../src/clock.js';
import type { AppContext } from '../../../src/context.js';
import { createSigningPool, type SigningPool, verifyCredential } from '../../../src/credentials/index.js';
import {
  createVerifyFetchers,
  enqueueCredentialIssue,
  ISSUE_CREDENTIAL_QUEUE,
  issueCredentialHandler,
} from '../../../src/issuing/index.js';
import { createWorker } from '../../../src/jobs/index.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let db: TestSchema;
let ctx: AppContext;

async function seedAward(
  email: string | null = 'learner@example.org',
): Promise<{ awardId: string; statementId: string }> {
  const platformId = randomUUID();
  const userId = randomUUID();
  const achievementId = randomUUID();
  const awardId = randomUUID();
  const statementId = randomUUID();
  const q = db.pool;
  await q.query(
    `INSERT INTO platforms (id, issuer, client_id, name, auth_login_url, auth_token_url, jwks_url)
     VALUES ($1, $2, 'client', 'Example Moodle', 'https://lms.example/auth', 'https://lms.example/token', 'https://lms.example/jwks')`,
    [platformId, `https://lms.example/${platformId}`],
  );
  await q.query('INSERT INTO users (id, platform_id, sub, email) VALUES ($1, $2, $3, $4)', [
    userId,
    platformId,
    'u1',
    email,
  ]);
  await q.query('INSERT INTO achievements (id, platform_id, created_at) VALUES ($1, $2, now())', [
    achievementId,
    platformId,
  ]);
  await q.query(
    `INSERT INTO achievement_versions (achievement_id, version, body, created_at) VALUES ($1, 1, $2, now())`,
    [
      achievementId,
      {
        name: 'Quiz Master',
        description: 'Passed every quiz.',
        criteria: { narrative: 'Score 80% or more on every quiz.' },
        image: { id: 'https://laurel.test/images/quiz.png', type: 'Image' },
      },
    ],
  );
  await q.query(
    `INSERT INTO awards (id, platform_id, user_id, achievement_id, achievement_version, kind, awarded_at)
     VALUES ($1, $2, $3, $4, 1, 'manual', '2026-01-10T09:00:00Z')`,
    [awardId, platformId, userId, achievementId],
  );
  await q.query(
    `INSERT INTO award_evidence (award_id, platform_id, kind, ref) VALUES ($1, $2, 'statement', $3)`,
    [awardId, platformId, statementId],
  );
  return { awardId, statementId };
}

// The same guarantees whether credentials are signed on the main thread or in the signing threads.
describe.each([
  ['on the main thread', 0],
  ['in two signing threads', 2],
])('issuing credentials from awards (durable jobs), signing %s', (_where, threads) => {
  let signing: SigningPool | undefined;

  // A schema per run: the checks below count the queue's failed jobs.
  beforeAll(async () => {
    db = await createTestSchema();
    signing = threads > 0 ? createSigningPool({ threads }) : undefined;
    // Jobs are due at the database's now(): the worker's clock must not be behind it.
    const base = await testContext(db, {
      config: testConfig({ PUBLIC_URL: 'https://laurel.test' }),
      clock: fixedClock(new Date(Date.now() + 60_000)),
    });
    ctx = signing ? { ...base, signing } : base;
  });

  afterAll(async () => {
    await signing?.close();
    await db.drop();
  });

  it('an award produces one signed credential that verifies, even when enqueued and run twice', async () => {
    const { awardId, statementId } = await seedAward();
    await enqueueCredentialIssue(db.pool, { id: awardId, achievementVersion: 1 });
    await enqueueCredentialIssue(db.pool, { id: awardId, achievementVersion: 1 });
    const worker = createWorker({
      pool: db.pool,
      queue: ISSUE_CREDENTIAL_QUEUE,
      handler: issueCredentialHandler(ctx),
      clock: ctx.clock,
    });
    expect(await worker.drain()).toBe(1);
    // A retried job (same award) issues nothing new.
    await db.pool.query(`INSERT INTO jobs (queue, payload) VALUES ($1, $2)`, [
      ISSUE_CREDENTIAL_QUEUE,
      JSON.stringify({ awardId }),
    ]);
    expect(await worker.drain()).toBe(1);
    const { rows } = await db.pool.query('SELECT document FROM credentials WHERE award_key = $1', [
      `${awardId}:v1`,
    ]);
    expect(rows).toHaveLength(1);
    const credential = rows[0].document;
    expect(credential.credentialSubject.achievement.name).toBe('Quiz Master');
    expect(credential.evidence[0].id).toBe(`urn:uuid:${statementId}`);
    expect(credential.awardedDate).toBe('2026-01-10T09:00:00Z');
    const report = await verifyCredential(credential, { now: ctx.clock.now(), ...createVerifyFetchers(ctx) });
    expect(report.checks.filter((c) => !c.valid)).toEqual([]);
  });

  it('two workers racing on the same award yield one credential', async () => {
    const { awardId } = await seedAward('race@example.org');
    await db.pool.query(`INSERT INTO jobs (queue, payload) VALUES ($1, $2), ($1, $2)`, [
      ISSUE_CREDENTIAL_QUEUE,
      JSON.stringify({ awardId }),
    ]);
    const make = () =>
      createWorker({
        pool: db.pool,
        queue: ISSUE_CREDENTIAL_QUEUE,
        handler: issueCredentialHandler(ctx),
        clock: ctx.clock,
      });
    const counts = await Promise.all([make().drain(), make().drain()]);
    expect(counts[0]! + counts[1]!).toBe(2);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM credentials WHERE award_key = $1', [
      `${awardId}:v1`,
    ]);
    expect(rows[0].n).toBe(1);
    const failed = await db.pool.query(
      `SELECT count(*)::int AS n FROM jobs WHERE queue = $1 AND last_error IS NOT NULL`,
      [ISSUE_CREDENTIAL_QUEUE],
    );
    expect(failed.rows[0].n).toBe(0);
  });

  it('a learner without email fails the job with a clear error (retried later), issuing nothing', async () => {
    const { awardId } = await seedAward(null);
    await enqueueCredentialIssue(db.pool, { id: awardId, achievementVersion: 1 });
    const errors: unknown[] = [];
    const worker = createWorker({
      pool: db.pool,
      queue: ISSUE_CREDENTIAL_QUEUE,
      handler: issueCredentialHandler(ctx),
      clock: ctx.clock,
      onError: (error) => errors.push(error),
    });
    await worker.drain();
    expect(String((errors[0] as Error).message)).toMatch(/no email/);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM credentials WHERE award_key = $1', [
      `${awardId}:v1`,
    ]);
    expect(rows[0].n).toBe(0);
  });
});

describe('issuing with a signing pool', () => {
  it('signs through the pool: with the pool closed the job fails, issuing nothing, and stays queued for a retry', async () => {
    db = await createTestSchema();
    try {
      const signing = createSigningPool({ threads: 1 });
      await signing.close();
      const base = await testContext(db, { clock: fixedClock(new Date(Date.now() + 60_000)) });
      ctx = { ...base, signing };
      const { awardId } = await seedAward();
      await enqueueCredentialIssue(db.pool, { id: awardId, achievementVersion: 1 });
      const errors: unknown[] = [];
      const worker = createWorker({
        pool: db.pool,
        queue: ISSUE_CREDENTIAL_QUEUE,
        handler: issueCredentialHandler(ctx),
        clock: ctx.clock,
        onError: (error) => errors.push(error),
      });
      await worker.drain();
      expect(errors).toEqual([expect.objectContaining({ code: 'ERR_SHUTTING_DOWN' })]);
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM credentials');
      expect(rows[0].n).toBe(0);
      const job = await db.pool.query('SELECT done_at, failed_at FROM jobs WHERE queue = $1', [
        ISSUE_CREDENTIAL_QUEUE,
      ]);
      expect(job.rows).toEqual([{ done_at: null, failed_at: null }]);
    } finally {
      await db.drop();
    }
  });
});
