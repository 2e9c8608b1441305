import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { systemClock } from '../../src/clock.js';
import { createApp } from '../../src/http/app.js';
import { statementTerms, validateStatement } from '../../src/xapi/index.js';
import { testContext } from '../helpers/context.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';
import { createLrs } from '../http/xapi/setup.js';

// POST batches of 50 realistic statements over HTTP with concurrency, beside a raw multi-row INSERT of
// the same rows into the same table, in the same run. Prints statements/s, p50/p99 and the ratio.
const batchSize = 50;
const batches = Number(process.env.BENCH_BATCHES ?? 400);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

let db: TestSchema;

beforeAll(async () => {
  db = await createTestSchema({ max: 20 });
});

afterAll(async () => {
  await db.drop();
});

function realistic(i: number) {
  const user = i % 500;
  const course = i % 20;
  return {
    id: randomUUID(),
    actor: {
      objectType: 'Agent',
      name: `Learner ${user}`,
      account: { homePage: 'https://moodle.example.edu', name: String(user) },
    },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { en: 'completed' } },
    object: {
      objectType: 'Activity',
      id: `https://moodle.example.edu/mod/quiz/view.php?id=${i % 300}`,
      definition: {
        type: 'http://adlnet.gov/expapi/activities/assessment',
        name: { en: `Quiz ${i % 300}` },
        extensions: { 'https://moodle.example.edu/xapi/extensions/cmid': String(i % 300) },
      },
    },
    result: {
      score: { raw: 8, min: 0, max: 10, scaled: 0.8 },
      completion: true,
      success: true,
      duration: 'PT12M3S',
    },
    context: {
      registration: randomUUID(),
      platform: 'Moodle',
      language: 'en',
      extensions: {
        'http://lrs.learninglocker.net/define/extensions/info': { 'https://moodle.org/': '4.3' },
      },
      contextActivities: {
        grouping: [
          {
            id: 'https://moodle.example.edu',
            definition: { type: 'http://id.tincanapi.com/activitytype/lms' },
          },
        ],
        parent: [{ id: `https://moodle.example.edu/course/view.php?id=${course}` }],
        category: [
          { id: 'http://moodle.org', definition: { type: 'http://id.tincanapi.com/activitytype/source' } },
        ],
      },
    },
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  };
}

// The HTTP client, as CommonJS source for a worker thread: POSTs each body with `concurrency` requests in
// flight and answers the sorted latencies.
const clientSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, auth, bodies, concurrency } = workerData;
const latencies = [];
let next = 0;
async function lane() {
  while (next < bodies.length) {
    const body = bodies[next++];
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', body, headers: {
      Authorization: auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' } });
    const text = await res.text();
    if (res.status !== 200) throw new Error('POST answered ' + res.status + ': ' + text.slice(0, 200));
    latencies.push(performance.now() - started);
  }
}
Promise.all(Array.from({ length: concurrency }, lane)).then(
  () => parentPort.postMessage({ latencies: latencies.sort((a, b) => a - b) }),
  (error) => parentPort.postMessage({ error: String(error) }),
);
`;

function runClient(url: string, auth: string, bodies: string[], lanes: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(clientSource, {
      eval: true,
      workerData: { url, auth, bodies, concurrency: lanes },
    });
    worker.once('message', (message: { latencies?: number[]; error?: string }) => {
      void worker.terminate();
      if (message.error) reject(new Error(message.error));
      else resolve(message.latencies!);
    });
    worker.once('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runPool(count: number, work: (i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        await work(i);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

it('ingest: HTTP POST batches vs raw multi-row INSERT', async () => {
  const lrs = await createLrs(db, { clock: systemClock });
  const ctx = await testContext(db, { clock: systemClock });
  const app = createApp({ ...ctx });
  const auth = await lrs.key(['statements/write']);
  const server = app.listen(0);
  const port = (server.address() as AddressInfo).port;
  const bodies = Array.from({ length: batches }, (_, b) =>
    JSON.stringify(Array.from({ length: batchSize }, (_, j) => realistic(b * batchSize + j))),
  );

  // The client runs in a worker thread, so the server's event loop has its thread to itself.
  const url = `http://127.0.0.1:${port}/xapi/statements`;
  const warmup = Array.from({ length: 5 }, () =>
    JSON.stringify(Array.from({ length: batchSize }, (_, j) => realistic(j))),
  );
  await runClient(url, auth, warmup, 1);
  const eluBefore = performance.eventLoopUtilization();
  const httpStart = performance.now();
  const httpLatencies = await runClient(url, auth, bodies, concurrency);
  const httpSeconds = (performance.now() - httpStart) / 1000;
  // How busy the server's event loop was: near 100 % means Node (not PostgreSQL) is the limit.
  const serverLoopPercent = Math.round(performance.eventLoopUtilization(eluBefore).utilization * 100);
  server.close();

  // Raw: the same rows (validated, terms extracted beforehand) as one multi-row INSERT per batch.
  const rawBatches = bodies.map((body) =>
    (JSON.parse(body) as object[]).map((s) => {
      const statement = validateStatement(s, { version: '1.0.3' });
      statement.id = randomUUID();
      return { statement, terms: statementTerms(statement) };
    }),
  );
  const rawStart = performance.now();
  const rawLatencies = await runPool(batches, async (i) => {
    const rows = rawBatches[i]!;
    const params: unknown[] = [];
    const values = rows.map(({ statement, terms }) => {
      params.push(
        lrs.platformId,
        statement.id,
        JSON.stringify(statement),
        new Date(),
        terms.verbId,
        terms.registration,
        terms.agents,
        terms.relatedAgents,
        terms.activities,
        terms.relatedActivities,
      );
      const n = params.length - 10;
      return `(${Array.from({ length: 10 }, (_, k) => `$${n + k + 1}`).join(', ')})`;
    });
    await db.pool.query(
      `INSERT INTO xapi_statements (platform_id, id, statement, stored, verb_id, registration, agents, related_agents,
         activities, related_activities) VALUES ${values.join(', ')}`,
      params,
    );
  });
  const rawSeconds = (performance.now() - rawStart) / 1000;

  const total = batches * batchSize;
  const httpRate = total / httpSeconds;
  const rawRate = total / rawSeconds;
  const report = {
    statements: total,
    batchSize,
    concurrency,
    http: {
      statementsPerSecond: Math.round(httpRate),
      p50ms: +percentile(httpLatencies, 50).toFixed(1),
      p99ms: +percentile(httpLatencies, 99).toFixed(1),
      serverLoopPercent,
    },
    rawInsert: {
      statementsPerSecond: Math.round(rawRate),
      p50ms: +percentile(rawLatencies, 50).toFixed(1),
      p99ms: +percentile(rawLatencies, 99).toFixed(1),
    },
    ratioHttpToRaw: +(httpRate / rawRate).toFixed(2),
  };
  console.log(JSON.stringify(report, null, 2));
  const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM jobs WHERE queue = 'xapi.statement'");
  expect(rows[0].n).toBeGreaterThanOrEqual(total);
});
