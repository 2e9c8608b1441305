import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, type Lrs, statement } from './setup.js';

// Client mistakes of every kind over real HTTP: the answer is a 4xx (or 2xx), never a 5xx.
let db: TestSchema;
let lrs: Lrs;
let auth: string;

beforeAll(async () => {
  db = await createTestSchema();
  lrs = await createLrs(db);
  auth = await lrs.key(['statements/write', 'all/read']);
});

afterAll(async () => {
  await db.drop();
});

const names = [
  'statementId',
  'voidedStatementId',
  'agent',
  'verb',
  'activity',
  'registration',
  'since',
  'until',
  'limit',
  'format',
  'attachments',
  'ascending',
  'more',
  'related_agents',
  'activityId',
  'stateId',
  'profileId',
  'method',
];
const paths = [
  '/xapi/statements',
  '/xapi/activities/state',
  '/xapi/activities/profile',
  '/xapi/agents/profile',
  '/xapi/activities',
  '/xapi/agents',
];

describe('no 500 for client mistakes', () => {
  it('random methods, paths, parameters, versions and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('get', 'put', 'post', 'delete'),
        fc.constantFrom(...paths),
        fc.dictionary(
          fc.constantFrom(...names),
          fc.oneof(fc.string(), fc.constant('{"mbox":"mailto:a@b.c"}'), fc.uuid()),
        ),
        fc.constantFrom('1.0.3', '2.0.0', '1.0', '3.0', ''),
        fc.oneof(
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc.constant(JSON.stringify(statement())),
          fc.string(),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'multipart/mixed; boundary=x',
          'application/x-www-form-urlencoded',
        ),
        async (method, path, query, version, body, type) => {
          const req = request(lrs.app)
            [method as 'get'](path)
            .query(query)
            .set('Authorization', auth)
            .set('Content-Type', type);
          if (version) req.set('X-Experience-API-Version', version);
          const res = method === 'get' ? await req : await req.send(body);
          expect([method, path, res.status < 500]).toEqual([method, path, true]);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  }, 60_000);
});
