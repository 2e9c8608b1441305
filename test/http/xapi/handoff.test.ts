import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createWorker, type Job } from '../../../src/jobs/index.js';
import { statementsPerJob } from '../../../src/store/statements.js';
import {
  consistencyMarginMs,
  statementQueue,
  storeStatements,
  validateStatement,
} from '../../../src/xapi/index.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, type Lrs, statement } from './setup.js';

let db: TestSchema;
let lrs: Lrs;
let writer: string;
const V = { 'X-Experience-API-Version': '2.0.0' };

beforeAll(async () => {
  db = await createTestSchema();
  lrs = await createLrs(db);
  writer = await lrs.key(['statements/write'], { course: true });
});

afterAll(async () => {
  await db.drop();
});

const post = (body: unknown) =>
  request(lrs.app)
    .post('/xapi/statements')
    .set(V)
    .set('Authorization', writer)
    .send(body as object);

/** The xapi.statement jobs that carry this statement id. */
async function jobsFor(id: string) {
  const { rows } = await db.pool.query(
    "SELECT payload FROM jobs WHERE queue = $1 AND payload->'statementIds' ? $2 ORDER BY id",
    [statementQueue, id],
  );
  return rows.map((row) => row.payload);
}

describe('durable hand-off to the badge engine', () => {
  it('the statements a request stores have one xapi.statement job, written with them, in order; the course comes from the key', async () => {
    const a = statement();
    const b = statement();
    await post([a, b]).expect(200);
    expect(await jobsFor(a.id)).toEqual([{ platformId: lrs.platformId, statementIds: [a.id, b.id] }]);
    expect(await jobsFor(b.id)).toHaveLength(1);
    const { rows } = await db.pool.query('SELECT course_id FROM xapi_statements WHERE id = $1', [a.id]);
    expect(rows[0].course_id).toBe(lrs.courseId);
  });

  it('an equal statement stored twice enqueues once; a job carries only the statements newly stored', async () => {
    const s = statement();
    await post(s).expect(200);
    await post(s).expect(200);
    expect(await jobsFor(s.id)).toHaveLength(1);
    const fresh = statement();
    await post([s, fresh]).expect(200);
    expect(await jobsFor(fresh.id)).toEqual([{ platformId: lrs.platformId, statementIds: [fresh.id] }]);
  });

  it(`a large request is handed off in jobs of at most ${statementsPerJob} statements`, async () => {
    const batch = Array.from({ length: statementsPerJob + 20 }, () => statement());
    await post(batch).expect(200);
    const first = await jobsFor(batch[0]!.id);
    const last = await jobsFor(batch[batch.length - 1]!.id);
    expect(first[0].statementIds).toEqual(batch.slice(0, statementsPerJob).map((s) => s.id));
    expect(last[0].statementIds).toEqual(batch.slice(statementsPerJob).map((s) => s.id));
  });

  it('a refused batch leaves neither statements nor jobs', async () => {
    const stored = statement();
    await post(stored).expect(200);
    const fresh = statement();
    await post([fresh, { ...stored, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }]).expect(409);
    expect(await jobsFor(fresh.id)).toHaveLength(0);
  });

  it('a worker on the queue receives every acknowledged statement exactly once', async () => {
    const batch = [statement(), statement(), statement()];
    const ids = (await post(batch).expect(200)).body as string[];
    const seen: string[] = [];
    const worker = createWorker({
      pool: db.pool,
      queue: statementQueue,
      clock: lrs.ctx.clock,
      handler: async (job: Job) => {
        seen.push(...(job.payload as { statementIds: string[] }).statementIds);
      },
    });
    await worker.drain();
    await worker.drain();
    for (const id of ids) expect(seen.filter((s) => s === id)).toHaveLength(1);
  });

  it.each([
    ['one SQL statement (all ids new)', false],
    ['a transaction (a voiding statement in the batch)', true],
  ])(
    'a store whose SQL runs past the rest of the margin fails in the database: %s',
    async (_path, voiding) => {
      // The clock says the whole margin has gone by the time the statements are sent: the database refuses.
      let calls = 0;
      const clock = {
        now: () => new Date(Date.UTC(2026, 0, 15, 10) + (calls++ === 0 ? 0 : consistencyMarginMs)),
      };
      const s = statement();
      const batch = [validateStatement(s, { version: '1.0.3' })];
      if (voiding) {
        batch.push(
          validateStatement(
            {
              actor: s.actor,
              verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
              object: { objectType: 'StatementRef', id: randomUUID() },
            },
            { version: '1.0.3' },
          ),
        );
      }
      const writer = {
        platformId: lrs.platformId,
        courseId: null,
        lrsKey: null,
        authority: { mbox: 'mailto:lrs@example.com' },
      };
      await expect(
        storeStatements({ pool: db.pool, clock, newId: randomUUID }, writer, batch, '1.0.3'),
      ).rejects.toMatchObject({ code: 'ERR_DB_UNAVAILABLE', status: 503 });
      expect(await jobsFor(s.id)).toHaveLength(0);
      const { rows } = await db.pool.query('SELECT 1 FROM xapi_statements WHERE id = $1', [s.id]);
      expect(rows).toHaveLength(0);
    },
  );

  it('a store that would commit after the Consistent-Through margin rolls back: no statement, no job', async () => {
    let calls = 0;
    const slowClock = {
      now: () => new Date(Date.UTC(2026, 0, 15, 10) + (calls++ === 0 ? 0 : consistencyMarginMs + 1)),
    };
    const s = statement();
    const writer = {
      platformId: lrs.platformId,
      courseId: null,
      lrsKey: null,
      authority: { mbox: 'mailto:lrs@example.com' },
    };
    await expect(
      storeStatements(
        { pool: db.pool, clock: slowClock, newId: randomUUID },
        writer,
        [validateStatement(s, { version: '1.0.3' })],
        '1.0.3',
      ),
    ).rejects.toMatchObject({ code: 'ERR_DB_UNAVAILABLE', status: 503 });
    expect(await jobsFor(s.id)).toHaveLength(0);
    const { rows } = await db.pool.query('SELECT 1 FROM xapi_statements WHERE id = $1', [s.id]);
    expect(rows).toHaveLength(0);
  });
});
