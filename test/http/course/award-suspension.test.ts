// Instructors suspend and unsuspend an award's credential through the badges API (CREDENTIAL_SUSPENSION=true):
// the award stays, its credential stops verifying until unsuspended; learners may not; a revoked award or a
// credential not issued yet answers 409.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CourseApp, call, completed, launchAs, lesson, lrsAuth, startCourseApp } from './setup.js';

let app: CourseApp;
let instructor: string;
let learner: string;
let awardId: string;

async function verifyStatus(credentialId: string) {
  const credential = await call(app, 'GET', `/credentials/${credentialId}`);
  const report = await call(app, 'POST', '/verify', { body: credential.body });
  return report.body.checks.find((c: { check: string }) => c.check === 'status');
}

beforeAll(async () => {
  app = await startCourseApp('127.0.0.1', { CREDENTIAL_SUSPENSION: 'true', OUTBOUND_ALLOW_PRIVATE: 'true' });
  instructor = (await launchAs(app, 'instructor')).session;
  learner = (await launchAs(app, 'learner')).session;
  const created = await call(app, 'POST', '/api/achievements', {
    session: instructor,
    body: { name: 'Lesson finished', description: 'Finished lesson 1', criteria: { narrative: 'Lesson 1' } },
  });
  await call(app, 'PUT', `/api/achievements/${created.body.id}/rule`, {
    session: instructor,
    body: { rule: { statement: { verb: 'completed', objectId: lesson } } },
  });
  await call(app, 'POST', '/xapi/statements', { auth: await lrsAuth(app), body: completed(lesson) });
  await app.workers.drain();
  const awards = await call(app, 'GET', '/api/awards', { session: instructor });
  awardId = awards.body.awards[0].id;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('POST /api/awards/{id}/suspend and /unsuspend', () => {
  it('answers 409 while the credential is not issued yet', async () => {
    const other = await call(app, 'POST', '/api/achievements', {
      session: instructor,
      body: { name: 'Helper', description: 'Helped others', criteria: { narrative: 'Helped' } },
    });
    const { userId } = (await call(app, 'GET', `/api/awards/${awardId}`, { session: instructor })).body;
    const manual = await call(app, 'POST', `/api/achievements/${other.body.id}/awards`, {
      session: instructor,
      body: { userId },
    });
    expect(manual.status).toBe(201);
    const res = await call(app, 'POST', `/api/awards/${manual.body.id}/suspend`, {
      session: instructor,
      body: { reason: 'Under review' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ERR_CONFLICT');
    expect(res.body.error.message).toMatch(/not issued yet/);
  });

  it('suspends and unsuspends the credential; award lists show its status', async () => {
    const listed = await call(app, 'GET', '/api/awards', { session: learner });
    const award = listed.body.awards.find((a: { id: string }) => a.id === awardId);
    expect(award).toMatchObject({ credentialStatus: 'valid', suspendable: true });
    const { credentialId } = award;
    expect(await verifyStatus(credentialId)).toMatchObject({ valid: true, message: 'valid' });

    const suspended = await call(app, 'POST', `/api/awards/${awardId}/suspend`, {
      session: instructor,
      body: { reason: '  Under review  ' },
    });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({
      id: awardId,
      revokedAt: null,
      credentialStatus: 'suspended',
      suspensionReason: 'Under review',
    });
    expect(await verifyStatus(credentialId)).toMatchObject({ valid: false, message: 'suspended' });
    const mine = await call(app, 'GET', '/api/awards', { session: learner });
    expect(mine.body.awards.find((a: { id: string }) => a.id === awardId)).toMatchObject({
      credentialStatus: 'suspended',
      suspensionReason: 'Under review',
    });

    const again = await call(app, 'POST', `/api/awards/${awardId}/suspend`, {
      session: instructor,
      body: { reason: 'twice' },
    });
    expect(again.status).toBe(409);

    const lifted = await call(app, 'POST', `/api/awards/${awardId}/unsuspend`, {
      session: instructor,
      body: { reason: 'Cleared' },
    });
    expect(lifted.body).toMatchObject({ credentialStatus: 'valid', suspendedAt: null });
    expect(await verifyStatus(credentialId)).toMatchObject({ valid: true });
  });

  it('refuses learners, missing reasons and unknown awards', async () => {
    const asLearner = await call(app, 'POST', `/api/awards/${awardId}/suspend`, {
      session: learner,
      body: { reason: 'mine' },
    });
    expect(asLearner.status).toBe(403);
    const noReason = await call(app, 'POST', `/api/awards/${awardId}/suspend`, {
      session: instructor,
      body: {},
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('ERR_VALIDATION');
    const unknown = await call(app, 'POST', '/api/awards/00000000-0000-4000-8000-000000000000/unsuspend', {
      session: instructor,
      body: { reason: 'x' },
    });
    expect(unknown.status).toBe(404);
  });

  it('answers 409 for a revoked award', async () => {
    await call(app, 'POST', `/api/awards/${awardId}/revoke`, {
      session: instructor,
      body: { reason: 'Mistake' },
    });
    const res = await call(app, 'POST', `/api/awards/${awardId}/suspend`, {
      session: instructor,
      body: { reason: 'late' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ERR_CONFLICT');
  });
});
