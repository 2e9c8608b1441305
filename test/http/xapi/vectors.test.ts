import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { validateStatement } from '../../../src/xapi/index.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, type Lrs } from './setup.js';

// Real emitter shapes (Moodle logstore_xapi, cmi5, H5P, SCORM), written by the badges work with their
// sources in test/vectors/xapi/SOURCES.md. Each must be accepted, stored and read back unchanged.
const dir = path.resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../vectors/xapi');
const files = (await readdir(dir).catch(() => [] as string[]))
  .filter((file) => file.endsWith('.json'))
  .sort();

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

describe('real statement fixtures', () => {
  it('there are fixtures to test', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is accepted by 1.0.3 and 2.0, stored and retrievable', async (file) => {
    const fixture = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
    expect(() => validateStatement(fixture, { version: '1.0.3' })).not.toThrow();
    const posted = await request(lrs.app)
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '2.0.0')
      .set('Authorization', auth)
      .send(fixture);
    expect([file, posted.status, posted.body]).toEqual([file, 200, [expect.any(String)]]);
    const id = posted.body[0];
    if (fixture.id) expect(id).toBe(fixture.id);
    const got = await request(lrs.app)
      .get('/xapi/statements')
      .query({ statementId: id })
      .set('X-Experience-API-Version', '1.0.3')
      .set('Authorization', auth)
      .expect(200);
    const { id: _id, stored, authority, version, timestamp, ...rest } = got.body;
    expect(stored).toBeDefined();
    expect(authority).toBeDefined();
    expect(version).toBe('2.0.0');
    if (fixture.timestamp) expect(Date.parse(timestamp)).toBe(Date.parse(fixture.timestamp));
    const expected = structuredClone(fixture);
    delete expected.id;
    delete expected.timestamp;
    // contextActivities are stored as arrays (Data 2.4.6.2 normalization).
    for (const [key, value] of Object.entries(expected.context?.contextActivities ?? {})) {
      if (!Array.isArray(value)) expected.context.contextActivities[key] = [value];
    }
    expect(rest).toEqual(expected);
  });
});
