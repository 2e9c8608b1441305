import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fixedClock } from '../../src/clock.js';
import { createWorker, enqueue } from '../../src/jobs/index.js';
import { transaction } from '../../src/store/index.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema({ max: 8 });
  await db.pool.query('CREATE TABLE effects (job_key text PRIMARY KEY)');
});
afterAll(async () => {
  await db.drop();
});

describe('durable jobs', () => {
  it('keeps one job per dedupe key', async () => {
    const first = await enqueue(db.pool, { queue: 'q1', payload: { n: 1 }, dedupeKey: 'k' });
    const second = await enqueue(db.pool, { queue: 'q1', payload: { n: 2 }, dedupeKey: 'k' });
    expect(first).toEqual(expect.any(Number));
    expect(second).toBeUndefined();
  });

  it('a job enqueued in a rolled-back transaction never exists', async () => {
    await transaction(db.pool, async (client) => {
      await enqueue(client, { queue: 'q2', payload: {} });
      throw new Error('abort');
    }).catch(() => {});
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM jobs WHERE queue = 'q2'`);
    expect(rows[0].n).toBe(0);
  });

  it('two workers racing do every job exactly once', async () => {
    for (let i = 0; i < 200; i++) await enqueue(db.pool, { queue: 'race', payload: { key: `k${i}` } });
    const clock = fixedClock(new Date(Date.now() + 1000));
    const handled: string[] = [];
    const handler = async (
      job: { payload: unknown },
      client: { query: (sql: string, values: unknown[]) => Promise<unknown> },
    ) => {
      const key = (job.payload as { key: string }).key;
      handled.push(key);
      await client.query('INSERT INTO effects (job_key) VALUES ($1)', [key]);
    };
    const a = createWorker({ pool: db.pool, queue: 'race', handler, clock });
    const b = createWorker({ pool: db.pool, queue: 'race', handler, clock });
    const [na, nb] = await Promise.all([a.drain(), b.drain()]);
    expect(na + nb).toBe(200);
    expect(new Set(handled).size).toBe(200);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM effects');
    expect(rows[0].n).toBe(200);
  });

  it('a failing handler leaves no partial writes and is retried later with backoff', async () => {
    await enqueue(db.pool, { queue: 'flaky', payload: { key: 'flaky-1' }, maxAttempts: 2 });
    const clock = fixedClock(new Date(Date.now() + 1000));
    let calls = 0;
    const errors: unknown[] = [];
    const worker = createWorker({
      pool: db.pool,
      queue: 'flaky',
      clock,
      onError: (error) => errors.push(error),
      handler: async (job, client) => {
        calls++;
        await client.query('INSERT INTO effects (job_key) VALUES ($1)', [
          (job.payload as { key: string }).key,
        ]);
        if (calls === 1) throw new Error('boom');
      },
    });
    expect(await worker.drain()).toBe(1);
    expect(errors).toHaveLength(1);
    let effects = await db.pool.query(`SELECT * FROM effects WHERE job_key = 'flaky-1'`);
    expect(effects.rows).toHaveLength(0);
    expect(await worker.drain()).toBe(0);
    clock.advance(5000);
    expect(await worker.drain()).toBe(1);
    effects = await db.pool.query(`SELECT * FROM effects WHERE job_key = 'flaky-1'`);
    expect(effects.rows).toHaveLength(1);
    const { rows } = await db.pool.query(
      `SELECT attempts, done_at, last_error FROM jobs WHERE queue = 'flaky'`,
    );
    expect(rows[0]).toMatchObject({ attempts: 2, last_error: 'Error: boom' });
    expect(rows[0].done_at).not.toBeNull();
  });
});
