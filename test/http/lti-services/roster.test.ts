import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp } from '../../../src/http/app.js';
import { createWorker } from '../../../src/jobs/index.js';
import type { PlatformEmulator } from '../../../src/lti/emulator/index.js';
import type { EmulatedMember, PlatformServices } from '../../../src/lti/emulator/services.js';
import {
  courseServiceTarget,
  enqueueRosterSync,
  parseServiceEndpoints,
  recordCourseServices,
  rosterSyncJobHandler,
  rosterSyncQueue,
  syncRoster,
} from '../../../src/lti/services/index.js';
import { upsertCourse } from '../../../src/store/people.js';
import type { Platform } from '../../../src/store/platforms.js';
import { testConfig } from '../../helpers/context.js';
import { type ServicesHarness, seedMembers, startServicesHarness } from './harness.js';

let h: ServicesHarness;
let platform: PlatformEmulator;
let services: PlatformServices;
let registration: Platform;

beforeAll(async () => {
  h = await startServicesHarness();
  ({ platform, services, registration } = await h.addPlatform('roster', 'moodle'));
});

afterAll(async () => {
  await h?.close();
});

/** A course as a launch would record it: the emulator's id_token, its service claims parsed and stored. */
async function launchedCourse(contextId: string, members: EmulatedMember[]): Promise<string> {
  services.addCourse({ id: contextId, title: `Course ${contextId}` }, members);
  const payload = platform.idTokenPayload(
    {
      user: members[0]!.user,
      roles: members[0]!.roles,
      context: { id: contextId },
      overrides: services.launchClaims(contextId),
    },
    'nonce',
  );
  const courseId = await upsertCourse(h.db.pool, {
    id: h.ctx.newId(),
    platformId: registration.id,
    contextId,
  });
  await recordCourseServices(
    h.db.pool,
    { courseId, deploymentId: '1' },
    parseServiceEndpoints(payload),
    h.clock.now(),
  );
  return courseId;
}

async function roster(courseId: string) {
  const { rows } = await h.db.pool.query<{ sub: string; email: string | null; roles: string[] }>(
    `SELECT u.sub, u.email, e.roles FROM enrollments e JOIN users u ON u.id = e.user_id
     WHERE e.course_id = $1 ORDER BY u.sub::int`,
    [courseId],
  );
  return rows;
}

describe('roster sync through NRPS', () => {
  it('upserts users with their emails and enrolments, then follows changes', async () => {
    const members = seedMembers(platform, 5);
    const courseId = await launchedCourse('101', members);
    const first = await syncRoster(h.ctx, h.client, courseId);
    expect(first).toEqual({
      usersInserted: 5,
      usersUpdated: 0,
      enrollments: 5,
      enrollmentsRemoved: 0,
      listed: 5,
      pageCount: 3,
    });
    const rows = await roster(courseId);
    expect(rows.map((row) => row.email)).toEqual(members.map((m) => m.user.email));
    expect(rows[0]!.roles).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
    expect(rows[1]!.roles).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner']);

    // Person 1 is now hidden by privacy settings, person 3 left, person 4 is inactive, person 2 became a TA.
    const course = services.course('101');
    course.members = [
      members[0]!,
      { user: { sub: members[1]!.user.sub }, roles: ['Learner'] },
      { user: members[2]!.user, roles: ['Learner', 'TeachingAssistant'] },
      { ...members[4]!, status: 'Inactive' },
    ];
    const second = await syncRoster(h.ctx, h.client, courseId);
    expect(second).toMatchObject({
      usersInserted: 0,
      usersUpdated: 3,
      enrollments: 3,
      enrollmentsRemoved: 2,
    });
    const after = await roster(courseId);
    expect(after.map((row) => row.sub)).toEqual([0, 1, 2].map((i) => members[i]!.user.sub));
    expect(after[1]!.email).toBe('person1@example.edu');
    expect(after[2]!.roles).toEqual([
      'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
      'http://purl.imsglobal.org/vocab/lis/v2/membership#TeachingAssistant',
    ]);
    // The users themselves stay (their badges do).
    const { rows: users } = await h.db.pool.query('SELECT 1 FROM users WHERE platform_id = $1', [
      registration.id,
    ]);
    expect(users).toHaveLength(5);
  });

  it('writes nothing when a page is unreadable', async () => {
    const members = seedMembers(platform, 3);
    const courseId = await launchedCourse('102', members);
    members[2]!.user.sub = '';
    const error = await syncRoster(h.ctx, h.client, courseId).catch((e) => e);
    expect(error.code).toBe('ERR_LTI_NRPS_RESPONSE_INVALID');
    expect(await roster(courseId)).toEqual([]);
  });

  it('needs a launch that offered NRPS', async () => {
    const courseId = await upsertCourse(h.db.pool, {
      id: h.ctx.newId(),
      platformId: registration.id,
      contextId: '103',
    });
    const error = await syncRoster(h.ctx, h.client, courseId).catch((e) => e);
    expect(error.code).toBe('ERR_LTI_NRPS_NOT_OFFERED');
    const ags = await courseServiceTarget(h.ctx, courseId, 'AGS').catch((e) => e);
    expect(ags.code).toBe('ERR_LTI_AGS_NOT_OFFERED');
    const unknown = await syncRoster(h.ctx, h.client, h.ctx.newId()).catch((e) => e);
    expect(unknown.code).toBe('ERR_NOT_FOUND');
  });

  it('syncs from the admin API', async () => {
    const members = seedMembers(platform, 3);
    const courseId = await launchedCourse('104', members);
    const adminToken = 'a'.repeat(40);
    const app = createApp({
      ...h.ctx,
      config: testConfig({ PUBLIC_URL: h.toolUrl, OUTBOUND_ALLOW_PRIVATE: 'true', ADMIN_TOKEN: adminToken }),
    });
    const path = `/admin/api/courses/${courseId}/roster-sync`;
    await request(app).post(path).expect(401);
    const res = await request(app).post(path).set('Authorization', `Bearer ${adminToken}`).expect(200);
    expect(res.body.roster).toMatchObject({ usersInserted: 3, enrollments: 3, pageCount: 2 });
    await request(app).get(path).set('Authorization', `Bearer ${adminToken}`).expect(405);
    const bad = await request(app)
      .post('/admin/api/courses/not-a-uuid/roster-sync')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(404);
    expect(bad.body.error.code).toBe('ERR_NOT_FOUND');
  });

  it('syncs from the durable queue, once per course per hour', async () => {
    const members = seedMembers(platform, 3);
    const courseId = await launchedCourse('105', members);
    expect(await enqueueRosterSync(h.db.pool, courseId, h.clock.now())).toEqual(expect.any(Number));
    expect(await enqueueRosterSync(h.db.pool, courseId, h.clock.now())).toBeUndefined();
    // A course without NRPS is done, not retried.
    const plain = await upsertCourse(h.db.pool, {
      id: h.ctx.newId(),
      platformId: registration.id,
      contextId: '106',
    });
    await enqueueRosterSync(h.db.pool, plain, h.clock.now());
    const errors: unknown[] = [];
    const worker = createWorker({
      pool: h.db.pool,
      queue: rosterSyncQueue,
      clock: h.clock,
      handler: rosterSyncJobHandler(h.ctx, h.client),
      onError: (error) => errors.push(error),
    });
    expect(await worker.drain()).toBe(2);
    expect(errors).toEqual([]);
    expect(await roster(courseId)).toHaveLength(3);
  });
});
