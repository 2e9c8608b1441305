import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { fixedClock, randomId, systemClock } from '../../../src/clock.js';
import { createLogger } from '../../../src/log.js';
import { outboundPolicy } from '../../../src/net/guarded-fetch.js';
import { seal } from '../../../src/secrets.js';
import { findPullSource, insertPullSource } from '../../../src/store/pull-sources.js';
import { consistencyMarginMs } from '../../../src/xapi/index.js';
import { type PullDeps, pullSecretPurpose, runDuePulls } from '../../../src/xapi/pull.js';
import { testSecret } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, insertPlatform, type Lrs, statement } from './setup.js';

// A second Laurel acts as the institution's LRS; this one pulls from it over real HTTP.
let sourceDb: TestSchema;
let targetDb: TestSchema;
let source: Lrs;
let server: Server;
let writeAuth: string;
let failMore = false;
const sourceId = randomUUID();
let targetPlatform: string;
const clock = fixedClock(new Date('2026-03-01T00:00:00Z'));

beforeAll(async () => {
  sourceDb = await createTestSchema();
  targetDb = await createTestSchema();
  source = await createLrs(sourceDb, { clock: systemClock });
  writeAuth = await source.key(['statements/write']);
  const readAuth = await source.key(['all/read']);
  const front = express();
  // Lets a test break the source in the middle of a poll (a network failure on a `more` page).
  front.use((req, res, next) => {
    if (failMore && String(req.url).includes('more=')) res.status(503).end();
    else next();
  });
  front.use(source.app);
  server = front.listen(0);
  const port = (server.address() as AddressInfo).port;
  targetPlatform = await insertPlatform(targetDb);
  const [key, secret] = Buffer.from(readAuth.slice('Basic '.length), 'base64').toString().split(':') as [
    string,
    string,
  ];
  await insertPullSource(targetDb.pool, {
    id: sourceId,
    platformId: targetPlatform,
    courseId: null,
    endpoint: `http://127.0.0.1:${port}/xapi/`,
    authKey: key,
    authSecretSealed: seal(testSecret, pullSecretPurpose, secret),
    xapiVersion: '1.0.3',
    nextRunAt: clock.now(),
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await sourceDb.drop();
  await targetDb.drop();
});

/** A fresh set of dependencies: what a restarted process would build. */
function deps(): PullDeps {
  return {
    pool: targetDb.pool,
    clock,
    newId: randomId,
    secret: testSecret,
    logger: createLogger('silent'),
    policy: outboundPolicy({ production: false, outboundAllowPrivate: true }),
    pageLimit: 2,
    pollIntervalMs: 60_000,
    backoffBaseMs: 1000,
  };
}

async function postToSource(count: number): Promise<string[]> {
  const batch = Array.from({ length: count }, () => statement());
  await request(source.app)
    .post('/xapi/statements')
    .set('X-Experience-API-Version', '1.0.3')
    .set('Authorization', writeAuth)
    .send(batch)
    .expect(200);
  return batch.map((s) => s.id);
}

async function pulledIds(): Promise<string[]> {
  const { rows } = await targetDb.pool.query('SELECT id FROM xapi_statements WHERE platform_id = $1', [
    targetPlatform,
  ]);
  return rows.map((row) => row.id).sort();
}

/** How many statements the xapi.statement jobs hand off. */
async function jobCount(): Promise<number> {
  const { rows } = await targetDb.pool.query(
    "SELECT coalesce(sum(jsonb_array_length(payload->'statementIds')), 0)::int AS n FROM jobs WHERE queue = 'xapi.statement'",
  );
  return rows[0].n;
}

describe('pull connector', () => {
  it('a poll broken after its first page keeps what it stored and its continuation, and backs off', async () => {
    const ids = await postToSource(5);
    failMore = true;
    expect(await runDuePulls(deps())).toBe(1);
    expect(await pulledIds()).toHaveLength(2);
    const state = await findPullSource(targetDb.pool, sourceId);
    expect(state?.more).toMatch(/^\/xapi\/statements\?more=/);
    expect(state?.failures).toBe(1);
    expect(state?.since).toBeNull();
    expect(state?.nextRunAt.getTime()).toBe(clock.now().getTime() + 1000);
    // Not due yet: nothing runs.
    expect(await runDuePulls(deps())).toBe(0);
    expect(ids).toHaveLength(5);
  });

  it('after a restart it resumes from the continuation; every statement arrives once and is handed off once', async () => {
    failMore = false;
    clock.advance(1000);
    const before = Date.now();
    expect(await runDuePulls(deps())).toBe(1);
    expect(await pulledIds()).toHaveLength(5);
    expect(await jobCount()).toBe(5);
    const state = await findPullSource(targetDb.pool, sourceId);
    expect(state?.more).toBeNull();
    expect(state?.failures).toBe(0);
    // The cursor is the source's Consistent-Through (its clock minus the margin), never later.
    expect(state?.since?.getTime()).toBeGreaterThanOrEqual(before - consistencyMarginMs - 1000);
    expect(state?.since?.getTime()).toBeLessThanOrEqual(Date.now() - consistencyMarginMs);
  });

  it('the next poll picks up only what is new since the cursor', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fresh = await postToSource(3);
    clock.advance(60_000);
    expect(await runDuePulls(deps())).toBe(1);
    const all = await pulledIds();
    expect(all).toHaveLength(8);
    for (const id of fresh) expect(all).toContain(id);
    expect(await jobCount()).toBe(8);
  });

  it('wrong credentials fail the poll and double the backoff', async () => {
    await targetDb.pool.query('UPDATE xapi_pull_sources SET auth_secret_sealed = $2 WHERE id = $1', [
      sourceId,
      seal(testSecret, pullSecretPurpose, 'wrong-secret'),
    ]);
    clock.advance(60_000);
    await runDuePulls(deps());
    clock.advance(1000);
    await runDuePulls(deps());
    const state = await findPullSource(targetDb.pool, sourceId);
    expect(state?.failures).toBe(2);
    expect(state?.lastError).toMatch(/401/);
    expect(state?.nextRunAt.getTime()).toBe(clock.now().getTime() + 2000);
  });
});
