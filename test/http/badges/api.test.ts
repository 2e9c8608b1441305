import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { ISSUE_CREDENTIAL_QUEUE } from '../../../src/issuing/index.js';
import { hashSessionToken, newSessionToken } from '../../../src/lti/session.js';
import { insertLrsKey } from '../../../src/store/lrs-keys.js';
import { insertLtiSession } from '../../../src/store/lti-sessions.js';
import { generateCredentials } from '../../../src/xapi/index.js';
import { testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { drain, fixture, learner, tenant } from '../../integration/badges/setup.js';

const moodle = 'http://www.example.org';
const quiz = `${moodle}/mod/quiz/view.php?id=1`;
const roles = {
  instructor: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
  learner: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
  admin: ['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'],
};

let db: TestSchema;
let ctx: AppContext;
let app: Express;
let t: { platformId: string; courseId: string };
let other: { platformId: string; courseId: string };
let learnerId: string;
let learner2Id: string;
let instructorId: string;
let as: { instructor: string; learner: string; otherCourse: string; otherInstructor: string };
let lrsAuth: string;

async function session(userId: string, courseId: string, kind: keyof typeof roles): Promise<string> {
  const token = newSessionToken();
  const now = ctx.clock.now();
  await insertLtiSession(db.pool, {
    tokenHash: hashSessionToken(token),
    platformId: t.platformId,
    deploymentId: '1',
    courseId,
    userId,
    roles: roles[kind],
    messageType: 'LtiResourceLinkRequest',
    resourceLinkId: 'rl-1',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 3_600_000),
  });
  return token;
}

beforeAll(async () => {
  db = await createTestSchema();
  ctx = await testContext(db);
  app = createApp(ctx);
  t = await tenant(db, moodle);
  const otherCourse = randomUUID();
  await db.pool.query('INSERT INTO courses (id, platform_id, context_id) VALUES ($1, $2, $3)', [
    otherCourse,
    t.platformId,
    'other-course',
  ]);
  other = { platformId: t.platformId, courseId: otherCourse };
  learnerId = await learner(ctx, t, '1');
  learner2Id = await learner(ctx, t, '2');
  instructorId = await learner(ctx, t, 'teacher', null, roles.instructor[0]);
  const stranger = await learner(ctx, other, '3');
  as = {
    instructor: await session(instructorId, t.courseId, 'instructor'),
    learner: await session(learnerId, t.courseId, 'learner'),
    otherCourse: await session(stranger, other.courseId, 'learner'),
    otherInstructor: await session(stranger, other.courseId, 'instructor'),
  };
  const credentials = generateCredentials();
  await insertLrsKey(db.pool, {
    key: credentials.key,
    platformId: t.platformId,
    courseId: null,
    secretSha256: credentials.secretSha256,
    scopes: ['statements/write'],
  });
  lrsAuth = `Basic ${Buffer.from(`${credentials.key}:${credentials.secret}`).toString('base64')}`;
});

afterAll(async () => {
  await db.drop();
});

const api = (token: string) => ({
  get: (path: string) => request(app).get(path).set('X-Laurel-Session', token),
  post: (path: string, body?: object) => request(app).post(path).set('X-Laurel-Session', token).send(body),
  put: (path: string, body: object) => request(app).put(path).set('X-Laurel-Session', token).send(body),
  patch: (path: string, body: object) => request(app).patch(path).set('X-Laurel-Session', token).send(body),
});

const newAchievement = {
  name: 'Quiz master',
  description: 'Half marks or more on the Moodle quiz',
  criteria: { narrative: 'Score at least 50 % on the quiz', id: 'https://moodle.example.edu/criteria/quiz' },
  tags: ['quiz'],
  alignment: [
    {
      targetName: 'Algebra',
      targetUrl: 'https://case.example.org/uri/1',
      targetFramework: 'CASE',
      targetType: 'CFItem',
    },
  ],
};

async function createAchievement(): Promise<string> {
  const res = await api(as.instructor).post('/api/achievements', newAchievement).expect(201);
  return res.body.id as string;
}

describe('achievements', () => {
  it('instructors create, read and version achievements; learners read only', async () => {
    const id = await createAchievement();
    const got = await api(as.learner).get(`/api/achievements/${id}`).expect(200);
    expect(got.body).toMatchObject({
      ...newAchievement,
      id,
      version: 1,
      library: false,
      courseId: t.courseId,
      achievementType: 'Badge',
    });
    const changed = await api(as.instructor)
      .patch(`/api/achievements/${id}`, { name: 'Quiz champion' })
      .expect(200);
    expect(changed.body).toMatchObject({
      name: 'Quiz champion',
      version: 2,
      description: newAchievement.description,
    });
    await api(as.learner).post('/api/achievements', newAchievement).expect(403);
    const bad = await api(as.instructor)
      .post('/api/achievements', { ...newAchievement, colour: 'red' })
      .expect(400);
    expect(bad.body.error.code).toBe('ERR_VALIDATION');
  });

  it("another course's achievement is 403; an unknown one 404", async () => {
    const id = await createAchievement();
    const res = await api(as.otherCourse).get(`/api/achievements/${id}`).expect(403);
    expect(res.body.error.code).toBe('ERR_BADGE_COURSE_FORBIDDEN');
    await api(as.otherInstructor)
      .put(`/api/achievements/${id}/rule`, { rule: { manual: {} } })
      .expect(403);
    const missing = await api(as.instructor).get(`/api/achievements/${randomUUID()}`).expect(404);
    expect(missing.body.error.code).toBe('ERR_BADGE_ACHIEVEMENT_NOT_FOUND');
    await api(as.instructor).get('/api/achievements/not-a-uuid').expect(404);
    await request(app).get(`/api/achievements/${id}`).expect(401);
  });

  it('images: PNG accepted (new version); unsafe SVG refused with the rule broken', async () => {
    const id = await createAchievement();
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      Buffer.from('IHDR'),
      Buffer.alloc(17),
      Buffer.from([0, 0, 0, 0]),
      Buffer.from('IEND'),
      Buffer.alloc(4),
    ]);
    const put = (type: string, content: Buffer | string) =>
      request(app)
        .put(`/api/achievements/${id}/image`)
        .set('X-Laurel-Session', as.instructor)
        .set('Content-Type', type)
        .send(content);
    const ok = await put('image/png', png).expect(200);
    const sha = createHash('sha256').update(png).digest('hex');
    expect(ok.body.image).toEqual({ id: `https://laurel.test/badges/images/${sha}.png`, type: 'image/png' });
    expect(ok.body.version).toBe(2);
    const image = await request(app).get(`/badges/images/${sha}.png`).expect(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(image.body as Buffer, png)).toBe(0);
    await request(app).get('/badges/images/nothing.png').expect(404);
    const safe = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4" fill="url(#g)"/></svg>';
    await put('image/svg+xml', safe).expect(200);
    for (const [svg, rule] of [
      ['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'script'],
      ['<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', 'event-handler'],
      [
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
        'external',
      ],
      ['<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>', 'entities'],
      ['<html></html>', 'svg-root'],
    ] as const) {
      const res = await put('image/svg+xml', svg).expect(400);
      expect(res.body.error).toMatchObject({ code: 'ERR_BADGE_IMAGE_INVALID', rule });
    }
    await put('image/png', Buffer.from('not a png at all, not at all, no')).expect(400);
    await put('image/png', Buffer.alloc(300 * 1024, 1)).expect(413);
  });
});

describe('rules', () => {
  it('a bad rule is 400 naming the path inside the rule; unknown achievement 404', async () => {
    const id = await createAchievement();
    const res = await api(as.instructor)
      .put(`/api/achievements/${id}/rule`, {
        rule: { allOf: [{ manual: {} }, { statement: { objectId: quiz, score: { minScaled: 8 } } }] },
      })
      .expect(400);
    expect(res.body.error).toMatchObject({
      code: 'ERR_RULE_INVALID',
      path: '/allOf/1/statement/score/minScaled',
    });
    const missing = await api(as.instructor)
      .put(`/api/achievements/${randomUUID()}/rule`, { rule: { manual: {} } })
      .expect(404);
    expect(missing.body.error.code).toBe('ERR_BADGE_ACHIEVEMENT_NOT_FOUND');
    await api(as.learner)
      .put(`/api/achievements/${id}/rule`, { rule: { manual: {} } })
      .expect(403);
  });
});

describe('from statement to award, through the API', () => {
  let achievementId: string;

  it('a statement posted to the LRS completes the rule: exactly one award with evidence', async () => {
    achievementId = await createAchievement();
    const put = await api(as.instructor)
      .put(`/api/achievements/${achievementId}/rule`, {
        rule: { statement: { objectId: quiz, score: { minScaled: 0.5 } } },
      })
      .expect(201);
    expect(put.body).toMatchObject({ revision: 1, onVoid: 'revoke' });
    const posted = await request(app)
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '2.0.0')
      .set('Authorization', lrsAuth)
      .send(
        [fixture('moodle-quiz-attempt'), fixture('moodle-quiz-attempt')].map((s, i) => ({
          ...s,
          id: randomUUID(),
          ...(i
            ? {
                actor: { account: { homePage: moodle, name: '2' } },
                result: { score: { raw: 20, min: 0, max: 100 } },
              }
            : {}),
        })),
      )
      .expect(200);
    await drain(ctx);
    await drain(ctx);
    const mine = await api(as.learner).get('/api/awards').expect(200);
    expect(mine.body.awards).toHaveLength(1);
    expect(mine.body.awards[0]).toMatchObject({
      userId: learnerId,
      achievementId,
      achievementVersion: 1,
      kind: 'rule',
      evidence: [{ type: 'statement', id: posted.body[0], voided: false }],
    });
    const all = await api(as.instructor).get(`/api/achievements/${achievementId}/awards`).expect(200);
    expect(all.body.awards).toHaveLength(1);
  });

  it('learners may not read other learners or courses', async () => {
    await api(as.learner).get(`/api/awards?userId=${learner2Id}`).expect(403);
    await api(as.instructor).get('/api/awards?userId=not-a-uuid').expect(400);
    await api(as.instructor).get('/api/awards?limit=0').expect(400);
    await api(as.instructor)
      .post(`/api/achievements/${achievementId}/awards`, { userId: '-'.repeat(36) })
      .expect(404);
    await api(as.learner).get(`/api/achievements/${achievementId}/explain?userId=${learner2Id}`).expect(403);
    await api(as.learner).post(`/api/achievements/${achievementId}/dry-run`).expect(403);
    await api(as.otherCourse).get(`/api/achievements/${achievementId}/awards`).expect(403);
  });

  it('dry run: who would earn it and how far; explain: why not', async () => {
    const dry = await api(as.instructor).post(`/api/achievements/${achievementId}/dry-run`).expect(200);
    const row = (id: string) => dry.body.learners.find((l: { userId: string }) => l.userId === id);
    expect(row(learnerId)).toMatchObject({ met: true, awarded: true });
    expect(row(learner2Id)).toMatchObject({ met: false, awarded: false, have: 0, need: 1 });
    const why = await api(as.instructor)
      .get(`/api/achievements/${achievementId}/explain?userId=${learner2Id}`)
      .expect(200);
    expect(why.body).toMatchObject({ met: false, award: null, statements: 1 });
    expect(why.body.explain.nearest.failures).toEqual(['score.minScaled: 0.2 < 0.5']);
    const own = await api(as.learner).get(`/api/achievements/${achievementId}/explain`).expect(200);
    expect(own.body.met).toBe(true);
  });

  it('changing the rule backfills stored history', async () => {
    const res = await api(as.instructor)
      .put(`/api/achievements/${achievementId}/rule`, {
        rule: { statement: { objectId: quiz, score: { minScaled: 0.1 } } },
      })
      .expect(200);
    expect(res.body).toMatchObject({ revision: 2, backfill: { jobs: 2 } });
    await drain(ctx);
    const awards = await api(as.instructor).get(`/api/achievements/${achievementId}/awards`).expect(200);
    expect(awards.body.awards.map((a: { userId: string }) => a.userId).sort()).toEqual(
      [learnerId, learner2Id].sort(),
    );
    const again = await api(as.instructor).post(`/api/achievements/${achievementId}/backfill`).expect(202);
    expect(again.body.jobs).toBe(2);
    await drain(ctx);
    expect(
      (await api(as.instructor).get(`/api/achievements/${achievementId}/awards`)).body.awards,
    ).toHaveLength(2);
  });

  it('manual award once, revoke with a reason', async () => {
    const id = await createAchievement();
    const first = await api(as.instructor)
      .post(`/api/achievements/${id}/awards`, { userId: learnerId })
      .expect(201);
    expect(first.body).toMatchObject({ kind: 'manual', awardedBy: instructorId });
    const second = await api(as.instructor)
      .post(`/api/achievements/${id}/awards`, { userId: learnerId })
      .expect(200);
    expect(second.body.id).toBe(first.body.id);
    await api(as.instructor).post(`/api/achievements/${id}/awards`, { userId: randomUUID() }).expect(404);
    await api(as.learner).post(`/api/achievements/${id}/awards`, { userId: learnerId }).expect(403);
    await api(as.instructor).post(`/api/awards/${first.body.id}/revoke`, {}).expect(400);
    const revoked = await api(as.instructor)
      .post(`/api/awards/${first.body.id}/revoke`, { reason: 'awarded by mistake' })
      .expect(200);
    expect(revoked.body).toMatchObject({ revocationReason: 'awarded by mistake' });
    expect(revoked.body.revokedAt).not.toBeNull();
    await api(as.instructor).post(`/api/awards/${randomUUID()}/revoke`, { reason: 'x' }).expect(404);
    const { rows } = await db.pool.query(
      "SELECT queue FROM jobs WHERE payload->>'awardId' = $1 ORDER BY queue",
      [first.body.id],
    );
    expect(rows.map((r) => r.queue)).toEqual(['award.revoke', ISSUE_CREDENTIAL_QUEUE].sort());
  });
});

describe('identity settings', () => {
  it('platform admins add an account homePage: kept statements of that LMS link to the LTI user', async () => {
    const admin = await session(instructorId, t.courseId, 'admin');
    const cmi5 = {
      ...fixture('cmi5-satisfied'),
      id: randomUUID(),
      actor: { account: { homePage: 'http://www.example.com/', name: '1' } },
    };
    await request(app)
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '2.0.0')
      .set('Authorization', lrsAuth)
      .send(cmi5)
      .expect(200);
    await drain(ctx);
    const linkedTo = async () =>
      (await db.pool.query('SELECT user_id FROM statement_evidence WHERE statement_id = $1', [cmi5.id]))
        .rows[0].user_id;
    expect(await linkedTo()).toBeNull();
    await api(as.instructor)
      .put('/api/identity-settings', { accountHomePages: ['http://www.example.com'] })
      .expect(403);
    const bad = await api(admin)
      .put('/api/identity-settings', { mappings: [{ account: { homePage: 'x', name: 'sub' } }] })
      .expect(400);
    expect(bad.body.error.path).toBe('/mappings/0/account/homePage');
    const res = await api(admin)
      .put('/api/identity-settings', { accountHomePages: ['http://www.example.com'] })
      .expect(200);
    expect(res.body).toMatchObject({
      accountHomePages: ['http://www.example.com'],
      mappings: [],
      learnersLinked: 1,
    });
    expect(await linkedTo()).toBe(learnerId);
    expect((await api(admin).get('/api/identity-settings').expect(200)).body.accountHomePages).toEqual([
      'http://www.example.com',
    ]);
  });
});

describe('API tokens for automation', () => {
  it('a course token acts as an instructor of its course only; revoked tokens are refused', async () => {
    await api(as.learner).post('/api/tokens', { label: 'ci' }).expect(403);
    const created = await api(as.instructor).post('/api/tokens', { label: 'ci' }).expect(201);
    expect(created.body).toMatchObject({ scope: 'course', courseId: t.courseId, label: 'ci' });
    const bearer = (token: string) => ({
      get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
      post: (path: string, body?: object) =>
        request(app).post(path).set('Authorization', `Bearer ${token}`).send(body),
    });
    const bot = bearer(created.body.token);
    const made = await bot.post('/api/achievements', newAchievement).expect(201);
    expect(made.body.courseId).toBe(t.courseId);
    const manual = await bot
      .post(`/api/achievements/${made.body.id}/awards`, { userId: learner2Id })
      .expect(201);
    expect(manual.body.evidence).toEqual([
      { type: 'manual', ref: `awarded-by:api-token:${created.body.id}`, voided: false },
    ]);
    await bot.post('/api/tokens', {}).expect(403);
    const otherCourses = await api(as.otherInstructor).post('/api/achievements', newAchievement).expect(201);
    await bot.get(`/api/achievements/${otherCourses.body.id}`).expect(403);
    const listed = await api(as.instructor).get('/api/tokens').expect(200);
    expect(listed.body.tokens.map((x: { id: string }) => x.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    await request(app)
      .delete(`/api/tokens/${created.body.id}`)
      .set('X-Laurel-Session', as.instructor)
      .expect(204);
    const refused = await bot.get('/api/achievements').expect(401);
    expect(refused.body.error.code).toBe('ERR_UNAUTHENTICATED');
    await bearer('lt_nonsense').get('/api/awards').expect(401);
  });

  it('a platform token (platform admins) reaches every course of the platform', async () => {
    await api(as.instructor).post('/api/tokens', { scope: 'platform' }).expect(403);
    const admin = await session(instructorId, t.courseId, 'admin');
    const created = await api(admin).post('/api/tokens', { scope: 'platform' }).expect(201);
    const id = (await api(as.otherInstructor).post('/api/achievements', newAchievement).expect(201)).body.id;
    await request(app)
      .get(`/api/achievements/${id}`)
      .set('Authorization', `Bearer ${created.body.token}`)
      .expect(200);
  });
});

describe('OpenAPI', () => {
  it('describes the badges API', async () => {
    const res = await request(app).get('/api/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/achievements',
        '/api/achievements/{id}/rule',
        '/api/achievements/{id}/dry-run',
        '/api/awards/{id}/revoke',
        '/api/awards/{id}/suspend',
        '/api/awards/{id}/unsuspend',
      ]),
    );
  });
});
