import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp } from '../../../src/http/app.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let db: TestSchema;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  db = await createTestSchema();
  app = createApp(await testContext(db, { config: testConfig({ BODY_LIMIT_BYTES: '2048' }) }));
});
afterAll(async () => {
  await db.drop();
});

describe('xAPI answers to bodies the parsers refuse', () => {
  it.each([
    ['malformed JSON', '{"actor":', 400],
    ['a body over the limit', JSON.stringify({ pad: 'x'.repeat(4096) }), 413],
  ])('%s -> %i with the version header and CORS', async (_name, body, status) => {
    const res = await request(app)
      .post('/xapi/statements')
      .set('Origin', 'https://content.example.org')
      .set('X-Experience-API-Version', '1.0.3')
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(status);
    expect(res.headers['x-experience-api-version']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBe('https://content.example.org');
  });
});
