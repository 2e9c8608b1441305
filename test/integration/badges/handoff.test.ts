import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { systemClock } from '../../../src/clock.js';
import type { AppContext } from '../../../src/context.js';
import { ISSUE_CREDENTIAL_QUEUE, issueCredentialHandler } from '../../../src/issuing/index.js';
import { createWorker } from '../../../src/jobs/index.js';
import { testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { achievementWithRule, awardsOf, drain, fixture, ingest, learner, tenant } from './setup.js';

let db: TestSchema;
let ctx: AppContext;

beforeAll(async () => {
  db = await createTestSchema();
  // Real time: the issuance hand-off is enqueued to run at the database's now().
  ctx = await testContext(db, { clock: systemClock });
});

afterAll(async () => {
  await db.drop();
});

describe('hand-off to credential issuance', () => {
  it('an award made by the worker is issued as a credential by the credentials queue, once', async () => {
    const t = await tenant(db, 'http://www.example.org');
    const userId = await learner(ctx, t, '1', 'learner@example.org');
    await achievementWithRule(ctx, t, {
      statement: { verb: 'completed', objectId: 'http://www.example.org/course/view.php?id=2' },
    });
    await ingest(ctx, t, [fixture('moodle-course-completed')]);
    await drain(ctx);
    const [award] = await awardsOf(db, userId);
    const issuer = createWorker({
      pool: db.pool,
      queue: ISSUE_CREDENTIAL_QUEUE,
      clock: ctx.clock,
      handler: issueCredentialHandler(ctx),
    });
    expect(await issuer.drain()).toBe(1);
    const { rows } = await db.pool.query('SELECT award_key, document FROM credentials');
    expect(rows.map((r) => r.award_key)).toEqual([`${award!.id}:v1`]);
    // The achievement version the award was made under is what the credential says.
    expect(rows[0].document.credentialSubject.achievement).toMatchObject({
      name: 'Quiz master',
      criteria: { narrative: 'Score 50 % or more' },
    });
    expect(await issuer.drain()).toBe(0);
  });
});
