import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CourseApp,
  call,
  completed,
  launchAs,
  lesson,
  lrsAuth,
  startCourseApp,
} from '../../http/course/setup.js';

// The whole path a course takes, through the real app and the real queues: the sandbox LMS launches Laurel as
// instructor and learner, the instructor designs a badge and its rule, the course's content sends an xAPI
// statement, the workers award the badge and sign an Open Badges 3.0 credential, anyone verifies it, and voiding
// the statement revokes it.

let app: CourseApp;
beforeAll(async () => {
  app = await startCourseApp();
});
afterAll(async () => {
  await app?.close();
});

describe('from a statement to a verified, then revoked, Open Badges 3.0 credential', () => {
  it('works end to end', async () => {
    const instructor = (await launchAs(app, 'instructor')).session;
    const learner = (await launchAs(app, 'learner')).session;

    const achievement = await call(app, 'POST', '/api/achievements', {
      session: instructor,
      body: {
        name: 'Lesson finished',
        description: 'Finished the first lesson',
        criteria: { narrative: 'Complete lesson 1' },
      },
    });
    expect(achievement.status).toBe(201);
    const rule = await call(app, 'PUT', `/api/achievements/${achievement.body.id}/rule`, {
      session: instructor,
      body: { rule: { statement: { verb: 'completed', objectId: lesson } } },
    });
    expect(rule.status).toBe(201);

    const auth = await lrsAuth(app);
    const posted = await call(app, 'POST', '/xapi/statements', { auth, body: completed(lesson) });
    expect(posted.status).toBe(200);
    const statementId = posted.body[0] as string;

    await app.workers.drain();
    const awards = await call(app, 'GET', '/api/awards', { session: learner });
    expect(awards.status).toBe(200);
    expect(JSON.stringify(awards.body)).toContain(achievement.body.id);

    const { rows: issued } = await app.db.pool.query<{ id: string }>('SELECT id FROM credentials');
    expect(issued).toHaveLength(1);
    const credential = await call(app, 'GET', `/credentials/${issued[0]!.id}`);
    expect(credential.status).toBe(200);
    expect(credential.body.type).toContain('OpenBadgeCredential');
    expect(credential.body.proof).toEqual([
      expect.objectContaining({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' }),
    ]);

    const verified = await call(app, 'POST', '/verify', { body: credential.body });
    expect(verified.status).toBe(200);
    expect(verified.body.verified).toBe(true);

    const voided = await call(app, 'POST', '/xapi/statements', {
      auth,
      body: {
        actor: { objectType: 'Agent', mbox: 'mailto:alan@sandbox.invalid' },
        verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } },
        object: { objectType: 'StatementRef', id: statementId },
      },
    });
    expect(voided.status).toBe(200);
    await app.workers.drain();

    const after = await call(app, 'POST', '/verify', { body: credential.body });
    expect(after.body.verified).toBe(false);
    const status = (after.body.checks as { check: string; valid: boolean }[]).find(
      (c) => c.check === 'status',
    );
    expect(status?.valid).toBe(false);
  }, 60000);
});
