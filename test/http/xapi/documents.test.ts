import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, type Lrs, statement } from './setup.js';

let db: TestSchema;
let lrs: Lrs;
let auth: string;
const agent = JSON.stringify({ objectType: 'Agent', mbox: 'mailto:learner@example.com' });
const activityId = 'https://cmi5.example.com/au/1';
const registration = 'ec531277-b57b-4c15-8d91-d292c5b2b8f7';

beforeAll(async () => {
  db = await createTestSchema();
  lrs = await createLrs(db);
  auth = await lrs.key(['statements/write', 'statements/read/mine']);
});

afterAll(async () => {
  await db.drop();
});

const at = (path: string, version = '2.0.0') => ({
  get: (query: Record<string, string>) =>
    request(lrs.app)
      .get(path)
      .query(query)
      .set('X-Experience-API-Version', version)
      .set('Authorization', auth),
  put: (query: Record<string, string>) =>
    request(lrs.app)
      .put(path)
      .query(query)
      .set('X-Experience-API-Version', version)
      .set('Authorization', auth),
  post: (query: Record<string, string>) =>
    request(lrs.app)
      .post(path)
      .query(query)
      .set('X-Experience-API-Version', version)
      .set('Authorization', auth),
  delete: (query: Record<string, string>) =>
    request(lrs.app)
      .delete(path)
      .query(query)
      .set('X-Experience-API-Version', version)
      .set('Authorization', auth),
});

describe('State resource (cmi5 LMS.LaunchData)', () => {
  const state = at('/xapi/activities/state');
  const q = { activityId, agent, registration, stateId: 'LMS.LaunchData' };

  it('PUT then GET returns the document with its ETag and content type', async () => {
    await state.put(q).send({ launchMode: 'Normal', moveOn: 'Completed' }).expect(204);
    const res = await state.get(q).expect(200);
    expect(res.body).toEqual({ launchMode: 'Normal', moveOn: 'Completed' });
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('POST merges JSON objects; a 2.0 PUT over an existing document without If-Match is 409', async () => {
    await state.post(q).send({ returnURL: 'https://lms.example/return' }).expect(204);
    const merged = await state.get(q).expect(200);
    expect(merged.body).toEqual({
      launchMode: 'Normal',
      moveOn: 'Completed',
      returnURL: 'https://lms.example/return',
    });
    const res = await state.put(q).send({ x: 1 }).expect(409);
    expect(res.body.error.code).toBe('ERR_XAPI_PRECONDITION_REQUIRED');
    await state.put(q).set('If-Match', merged.headers.etag).send({ x: 1 }).expect(204);
    await state.put(q).set('If-Match', merged.headers.etag).send({ x: 2 }).expect(412);
  });

  it('lists ids, stores non-JSON bytes, deletes one or all', async () => {
    const other = { ...q, stateId: 'bookmark' };
    await state.put(other).set('Content-Type', 'text/plain').send('page-7').expect(204);
    const text = await state.get(other).expect(200);
    expect(text.text).toBe('page-7');
    await state.post(other).send({ a: 1 }).expect(400);
    const ids = await state.get({ activityId, agent, registration }).expect(200);
    expect(ids.body).toEqual(['LMS.LaunchData', 'bookmark']);
    await state.delete(other).expect(204);
    await state.get(other).expect(404);
    await state.delete({ activityId, agent, registration }).expect(204);
    await state.get(q).expect(404);
  });

  it('bad parameters -> 400 naming them', async () => {
    const res = await state.get({ activityId: 'not an iri', agent }).expect(400);
    expect(res.body.error.path).toBe('activityId');
    await state.get({ activityId, agent: '{"name":"no ifi"}' }).expect(400);
    await state.put({ activityId, agent }).send({}).expect(400);
    await state.get({ activityId, agent, nonsense: '1' }).expect(400);
  });
});

describe('Activity and Agent Profile resources', () => {
  it('If-None-Match: * creates only once; If-Match guards DELETE', async () => {
    const profile = at('/xapi/activities/profile');
    const q = { activityId, profileId: 'settings' };
    await profile.put(q).set('If-None-Match', '*').send({ a: 1 }).expect(204);
    await profile.put(q).set('If-None-Match', '*').send({ a: 2 }).expect(412);
    await profile.put(q).send({ a: 2 }).expect(409);
    const got = await profile.get(q).expect(200);
    await profile.delete(q).set('If-Match', '"nope"').expect(412);
    await profile.delete(q).set('If-Match', got.headers.etag).expect(204);
  });

  it('agent profiles are keyed by the agent IFI', async () => {
    const profile = at('/xapi/agents/profile');
    await profile
      .put({ agent, profileId: 'cmi5LearnerPreferences' })
      .send({ languagePreference: 'en-US' })
      .expect(204);
    const res = await profile.get({ agent, profileId: 'cmi5LearnerPreferences' }).expect(200);
    expect(res.body.languagePreference).toBe('en-US');
  });
});

describe('Activities and Agents resources', () => {
  it('GET /activities returns the definition last seen in a statement', async () => {
    const s = statement();
    await request(lrs.app)
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '1.0.3')
      .set('Authorization', auth)
      .send(s)
      .expect(200);
    const res = await at('/xapi/activities').get({ activityId: s.object.id }).expect(200);
    expect(res.body).toEqual({ objectType: 'Activity', id: s.object.id, definition: s.object.definition });
  });

  it('GET /agents returns a Person', async () => {
    const res = await at('/xapi/agents').get({ agent }).expect(200);
    expect(res.body).toEqual({ objectType: 'Person', mbox: ['mailto:learner@example.com'] });
  });
});

describe('document concurrency', () => {
  it('of concurrent If-None-Match: * PUTs to a new document exactly one wins', async () => {
    const profile = at('/xapi/activities/profile');
    const q = { activityId, profileId: `race-${Date.now()}` };
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => profile.put(q).set('If-None-Match', '*').send({ writer: i })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 412, 412, 412, 412]);
  });
});
