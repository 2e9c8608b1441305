import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp } from '../../../src/http/app.js';
import { hashSessionToken } from '../../../src/lti/session.js';
import { insertLtiSession } from '../../../src/store/lti-sessions.js';
import { testConfig } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, type Lrs, statement } from './setup.js';

let db: TestSchema;
let lrs: Lrs;
const adminToken = 'admin-token-admin-token-admin-token';
const instructorRole = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
const learnerRole = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

beforeAll(async () => {
  db = await createTestSchema();
  lrs = await createLrs(db, { config: testConfig({ ADMIN_TOKEN: adminToken }) });
});

afterAll(async () => {
  await db.drop();
});

async function session(roles: string[]): Promise<string> {
  const userId = randomUUID();
  await db.pool.query('INSERT INTO users (id, platform_id, sub) VALUES ($1, $2, $3)', [
    userId,
    lrs.platformId,
    userId,
  ]);
  const token = `token-${randomUUID()}`;
  const now = lrs.ctx.clock.now();
  await insertLtiSession(db.pool, {
    tokenHash: hashSessionToken(token),
    platformId: lrs.platformId,
    deploymentId: 'd1',
    courseId: lrs.courseId,
    userId,
    roles,
    messageType: 'LtiResourceLinkRequest',
    resourceLinkId: null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
  });
  return token;
}

const basic = (created: { key: string; secret: string }) =>
  `Basic ${Buffer.from(`${created.key}:${created.secret}`).toString('base64')}`;

describe('LRS key API', () => {
  it('an admin creates a key that works at /xapi, lists it without secrets, and revokes it', async () => {
    const res = await request(lrs.app)
      .post('/admin/api/lrs-keys')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ platformId: lrs.platformId, scopes: ['statements/write'], label: 'Moodle' })
      .expect(201);
    expect(res.body.secret).toHaveLength(43);
    await request(lrs.app)
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '1.0.3')
      .set('Authorization', basic(res.body))
      .send(statement())
      .expect(200);
    const list = await request(lrs.app)
      .get('/admin/api/lrs-keys')
      .query({ platformId: lrs.platformId })
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect(list.body.keys.map((k: any) => k.key)).toContain(res.body.key);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
    await request(lrs.app)
      .delete(`/admin/api/lrs-keys/${res.body.key}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(204);
    // A fresh app (no key cache) refuses the revoked key.
    await request(createApp(lrs.ctx))
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '1.0.3')
      .set('Authorization', basic(res.body))
      .send(statement())
      .expect(401);
  });

  it('admin API: wrong token 401, unknown platform or scope 400', async () => {
    await request(lrs.app)
      .post('/admin/api/lrs-keys')
      .set('Authorization', 'Bearer nope')
      .send({})
      .expect(401);
    const unknown = await request(lrs.app)
      .post('/admin/api/lrs-keys')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ platformId: randomUUID() })
      .expect(400);
    expect(unknown.body.error.code).toBe('ERR_XAPI_KEY_INVALID');
    await request(lrs.app)
      .post('/admin/api/lrs-keys')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ platformId: lrs.platformId, scopes: ['everything'] })
      .expect(400);
  });

  it("an instructor creates course keys for the launch's course; a learner cannot", async () => {
    const token = await session([instructorRole]);
    const res = await request(lrs.app)
      .post('/api/lrs-keys')
      .set('X-Laurel-Session', token)
      .send({ scopes: ['statements/write', 'all/read'] })
      .expect(201);
    expect(res.body.courseId).toBe(lrs.courseId);
    const list = await request(lrs.app).get('/api/lrs-keys').set('X-Laurel-Session', token).expect(200);
    expect(list.body.keys).toHaveLength(1);
    await request(lrs.app)
      .post('/api/lrs-keys')
      .send({ platformId: lrs.platformId })
      .set('X-Laurel-Session', token)
      .expect(400);
    const learner = await session([learnerRole]);
    await request(lrs.app).post('/api/lrs-keys').set('X-Laurel-Session', learner).send({}).expect(403);
    await request(lrs.app).delete(`/api/lrs-keys/${res.body.key}`).set('X-Laurel-Session', token).expect(204);
    await request(lrs.app).delete(`/api/lrs-keys/${res.body.key}`).set('X-Laurel-Session', token).expect(404);
  });
});
