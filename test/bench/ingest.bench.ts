import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { systemClock } from '../../src/clock.js';
import { createApp } from '../../src/http/app.js';
import { type Actor, statementTerms, validateStatement } from '../../src/xapi/index.js';
import { testContext } from '../helpers/context.js';
import { createTestSchema, type TestSchema, testServerUrl } from '../helpers/db.js';
import { createLrs } from '../http/xapi/setup.js';

// POST batches of 50 (BENCH_BATCH_SIZE) realistic statements over HTTP with concurrency, beside a raw multi-row INSERT of
// the same rows into the same table, in the same run. Prints statements/s, p50/p99 and the ratio. The two
// paths take turns in rounds (HTTP, raw, HTTP, raw, ...) and the ratio is the median of the rounds' ratios:
// a shared machine's speed drifts by half within minutes, which one long phase each turned into the result.
const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 50);
const batches = Number(process.env.BENCH_BATCHES ?? 400);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const client = process.env.BENCH_CLIENT === 'fetch' ? 'fetch' : 'http';
// in-process: createApp in this (jest) process. dist: `node dist/main.js serve` as a child process over the
// same schema, as production runs it (job workers included); run `npm run build` first.
const serverMode = process.env.BENCH_SERVER === 'dist' ? 'dist' : 'in-process';
// Extra node flags for the dist server (e.g. BENCH_SERVER_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof').
const serverArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);

let db: TestSchema;
/** The server under test, closed in afterAll when the test fails before closing it. */
let running: BenchServer | undefined;

beforeAll(async () => {
  db = await createTestSchema({ max: 20 });
});

afterAll(async () => {
  await running?.close();
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
// flight and answers the sorted latencies. node:http with a keep-alive agent by default: the client shares
// the machine's 2 cores with the server and PostgreSQL, and fetch (undici) spends about 3 times its CPU per
// request (BENCH_CLIENT=fetch measures with fetch).
const clientSource = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, auth, bodies, concurrency, client } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const headers = { Authorization: auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' };
function post(body) {
  if (client === 'fetch') {
    return fetch(url, { method: 'POST', body, headers }).then(async (res) => ({ status: res.status, text: await res.text() }));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const latencies = [];
let next = 0;
async function lane() {
  while (next < bodies.length) {
    const body = bodies[next++];
    const started = performance.now();
    const { status, text } = await post(body);
    if (status !== 200) throw new Error('POST answered ' + status + ': ' + text.slice(0, 200));
    latencies.push(performance.now() - started);
  }
}
Promise.all(Array.from({ length: concurrency }, lane)).then(
  () => { agent.destroy(); parentPort.postMessage({ latencies: latencies.sort((a, b) => a - b) }); },
  (error) => parentPort.postMessage({ error: String(error) }),
);
`;

function runClient(url: string, auth: string, bodies: string[], lanes: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(clientSource, {
      eval: true,
      workerData: { url, auth, bodies, concurrency: lanes, client },
    });
    worker.once('message', (message: { latencies?: number[]; error?: string }) => {
      void worker.terminate();
      if (message.error) reject(new Error(message.error));
      else resolve(message.latencies!);
    });
    worker.once('error', reject);
  });
}

interface BenchServer {
  port: number;
  /** CPU time the server has used, in ms (the child's; in-process, counted in nodeCpuMsPer1k). */
  cpuMs(): number;
  close(): Promise<void>;
}

function startInProcess(app: ReturnType<typeof createApp>): BenchServer {
  const server = app.listen(0);
  return {
    port: (server.address() as AddressInfo).port,
    cpuMs: () => 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `node dist/main.js serve` over the bench's schema (search_path in the connection string's options). */
async function startDist(): Promise<BenchServer> {
  const main = new URL('../../dist/main.js', import.meta.url);
  if (!existsSync(main)) throw new Error('BENCH_SERVER=dist needs a build: run `npm run build` first');
  const port = await freePort();
  const url = new URL(testServerUrl());
  url.searchParams.set('options', `-c search_path=${db.schema},public`);
  const child: ChildProcess = spawn(process.execPath, [...serverArgs, main.pathname, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: url.href,
      DATA_DIR: tmpdir(),
      LAUREL_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      SANDBOX: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (i > 100 || child.exitCode !== null) throw new Error('the dist server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // utime + stime of the child, in clock ticks (Linux /proc; 100 per second).
  const cpuMs = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  return {
    port,
    cpuMs,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * CPU time used so far by every PostgreSQL process on this machine, in ms (Linux /proc; 0 elsewhere): the
 * database's share of each phase, when it runs here. Other work on the machine's PostgreSQL counts too.
 */
function postgresCpuMs(): number {
  let ticks = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks * 10;
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

interface Phase {
  seconds: number;
  latencies: number[];
  nodeCpuUs: number;
  postgresCpuMs: number;
  serverCpuMs: number;
  gcMs: number;
}

async function measure(server: BenchServer, run: () => Promise<number[]>): Promise<Phase> {
  // Garbage collection on this process's main thread: the in-process server's (the client thread is not observed).
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  const serverCpu = server.cpuMs();
  const pg = postgresCpuMs();
  const start = performance.now();
  const latencies = await run();
  const seconds = (performance.now() - start) / 1000;
  gcObserver.disconnect();
  const used = process.cpuUsage(cpu);
  return {
    seconds,
    latencies,
    nodeCpuUs: used.user + used.system,
    postgresCpuMs: postgresCpuMs() - pg,
    serverCpuMs: server.cpuMs() - serverCpu,
    gcMs,
  };
}

/**
 * A body's statements as the rows Laurel stores (outside the measured time): validated, with the `stored`,
 * `authority` and `version` the LRS adds, the filter terms, ids of their own.
 */
function toRawRows(body: string) {
  const stored = new Date().toISOString();
  const authority: Actor = {
    objectType: 'Agent',
    name: 'bench',
    account: { homePage: 'http://127.0.0.1/xapi/', name: 'bench' },
  };
  return (JSON.parse(body) as object[]).map((s) => {
    const statement = {
      ...validateStatement(s, { version: '1.0.3' }),
      id: randomUUID(),
      stored,
      authority,
      version: '1.0.0',
    };
    return { statement, terms: statementTerms(statement) };
  });
}

/** The raw path: the rows of one batch, every column Laurel writes, as one multi-row INSERT. */
function rawInsert(
  platformId: string,
  rows: { statement: { id: string }; terms: ReturnType<typeof statementTerms> }[],
) {
  const columns = 15;
  const params: unknown[] = [];
  const values = rows.map(({ statement, terms }) => {
    params.push(
      platformId,
      statement.id,
      null,
      'bench',
      JSON.stringify(statement),
      new Date(),
      terms.verbId,
      terms.registration,
      terms.voids,
      false,
      terms.objectRef,
      terms.agents,
      terms.relatedAgents,
      terms.activities,
      terms.relatedActivities,
    );
    const n = params.length - columns;
    return `(${Array.from({ length: columns }, (_, k) => `$${n + k + 1}`).join(', ')})`;
  });
  return db.pool.query(
    `INSERT INTO xapi_statements (platform_id, id, course_id, lrs_key, statement, stored, verb_id, registration, voids,
       voided, object_ref, agents, related_agents, activities, related_activities) VALUES ${values.join(', ')}`,
    params,
  );
}

/** Waits until the dist server's job workers have handled every hand-off, so the raw round has the machine. */
async function waitForHandOffs(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM jobs WHERE queue = 'xapi.statement' AND done_at IS NULL AND failed_at IS NULL",
    );
    if (rows[0].n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

it('ingest: HTTP POST batches vs raw multi-row INSERT', async () => {
  const lrs = await createLrs(db, { clock: systemClock });
  const ctx = await testContext(db, { clock: systemClock });
  const auth = await lrs.key(['statements/write']);
  const server = serverMode === 'dist' ? await startDist() : startInProcess(createApp({ ...ctx }));
  running = server;
  const url = `http://127.0.0.1:${server.port}/xapi/statements`;
  const perRound = Math.ceil(batches / rounds);
  const bodies = Array.from({ length: perRound * rounds }, (_, b) =>
    JSON.stringify(Array.from({ length: batchSize }, (_, j) => realistic(b * batchSize + j))),
  );
  // The raw rows: the same statements (validated, terms extracted beforehand), under ids of their own.
  const rawBatches = bodies.map(toRawRows);
  // Warm-up of both paths (JIT, connections, the table's first pages) before the measured rounds.
  const warmup = Array.from({ length: 20 }, () =>
    JSON.stringify(Array.from({ length: batchSize }, (_, j) => realistic(j))),
  );
  // The client runs in a worker thread, so the server's event loop has its thread to itself.
  await runClient(url, auth, warmup, concurrency);
  const rawWarmup = warmup.map(toRawRows);
  await runPool(rawWarmup.length, (i) => rawInsert(lrs.platformId, rawWarmup[i]!).then(() => {}));
  const http: Phase[] = [];
  const raw: Phase[] = [];
  for (let round = 0; round < rounds; round++) {
    const slice = bodies.slice(round * perRound, (round + 1) * perRound);
    const rawSlice = rawBatches.slice(round * perRound, (round + 1) * perRound);
    http.push(await measure(server, () => runClient(url, auth, slice, concurrency)));
    if (serverMode === 'dist') await waitForHandOffs();
    raw.push(
      await measure(server, () =>
        runPool(perRound, (i) => rawInsert(lrs.platformId, rawSlice[i]!).then(() => {})),
      ),
    );
  }
  running = undefined;
  await server.close();

  const perRoundStatements = perRound * batchSize;
  const total = perRoundStatements * rounds;
  const rate = (phase: Phase) => perRoundStatements / phase.seconds;
  const per1k = (sum: (phase: Phase) => number, phases: Phase[]) =>
    Math.round(phases.reduce((acc, phase) => acc + sum(phase), 0) / (total / 1000));
  const latencies = (phases: Phase[]) => phases.flatMap((phase) => phase.latencies).sort((a, b) => a - b);
  const summary = (phases: Phase[]) => ({
    statementsPerSecond: Math.round(median(phases.map(rate))),
    roundsPerSecond: phases.map((phase) => Math.round(rate(phase))),
    p50ms: +percentile(latencies(phases), 50).toFixed(1),
    p99ms: +percentile(latencies(phases), 99).toFixed(1),
    // CPU per 1000 statements: less sensitive to outside load than rates. Node: this process (in-process
    // server and the client thread; the raw path's client); PostgreSQL: every postgres process here.
    nodeCpuMsPer1k: per1k((phase) => phase.nodeCpuUs / 1000, phases),
    postgresCpuMsPer1k: per1k((phase) => phase.postgresCpuMs, phases),
  });
  const report = {
    statements: total,
    batchSize,
    concurrency,
    rounds,
    client,
    server: serverMode,
    http: {
      ...summary(http),
      ...(serverMode === 'in-process'
        ? { serverGcMsPer1k: per1k((phase) => phase.gcMs, http) }
        : { serverCpuMsPer1k: per1k((phase) => phase.serverCpuMs, http) }),
    },
    rawInsert: summary(raw),
    // The median of the rounds' ratios (each round's HTTP rate over the raw rate measured right after it).
    ratioHttpToRaw: +median(http.map((phase, i) => rate(phase) / rate(raw[i]!))).toFixed(2),
  };
  console.log(JSON.stringify(report, null, 2));
  // Every statement stored over HTTP was handed off (the raw INSERT writes no jobs).
  const { rows } = await db.pool.query(
    "SELECT sum(jsonb_array_length(payload->'statementIds'))::int AS n FROM jobs WHERE queue = 'xapi.statement'",
  );
  expect(rows[0].n).toBeGreaterThanOrEqual(total);
});
