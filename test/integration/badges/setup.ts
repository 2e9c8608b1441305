import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createAwardWorkers, onLearnerLinked } from '../../../src/awards/index.js';
import type { AchievementBody } from '../../../src/badges/achievement.js';
import { parseRule, relevance } from '../../../src/badges/index.js';
import type { AppContext } from '../../../src/context.js';
import { ISSUE_CREDENTIAL_QUEUE } from '../../../src/issuing/index.js';
import { drainWorkers } from '../../../src/jobs/index.js';
import { insertAchievement, replaceRule } from '../../../src/store/achievements.js';
import { transaction } from '../../../src/store/index.js';
import { type Statement, storeStatements } from '../../../src/xapi/index.js';
import type { TestSchema } from '../../helpers/db.js';

export const fixtureDir = new URL('../../vectors/xapi/', import.meta.url);

/** A fixture statement exactly as its emitter sends it. */
export function fixture(name: string): Statement {
  return JSON.parse(readFileSync(new URL(`${name}.json`, fixtureDir), 'utf8')) as Statement;
}

export const body: AchievementBody = {
  name: 'Quiz master',
  description: 'Scored well on the quiz',
  criteria: { narrative: 'Score 50 % or more' },
  tags: [],
  alignment: [],
  achievementType: 'Badge',
};

/** A tenant: one platform (issuer = the emitter's site), one course. */
export async function tenant(
  db: TestSchema,
  issuer: string,
): Promise<{ platformId: string; courseId: string }> {
  const platformId = randomUUID();
  const courseId = randomUUID();
  await db.pool.query(
    `INSERT INTO platforms (id, issuer, client_id, auth_login_url, auth_token_url, jwks_url)
     VALUES ($1, $2, $3, 'https://lms.example/auth', 'https://lms.example/token', 'https://lms.example/jwks')`,
    [platformId, issuer, `client-${platformId}`],
  );
  await db.pool.query('INSERT INTO courses (id, platform_id, context_id) VALUES ($1, $2, $3)', [
    courseId,
    platformId,
    `course-${courseId}`,
  ]);
  return { platformId, courseId };
}

/** A learner as a launch records them (user + enrolment), then linked as the launch flow will do. */
export async function learner(
  ctx: AppContext,
  t: { platformId: string; courseId: string },
  sub: string,
  email: string | null = null,
  role = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
): Promise<string> {
  const userId = randomUUID();
  await transaction(ctx.pool, async (db) => {
    await db.query('INSERT INTO users (id, platform_id, sub, email) VALUES ($1, $2, $3, $4)', [
      userId,
      t.platformId,
      sub,
      email,
    ]);
    await db.query('INSERT INTO enrollments (course_id, user_id, roles) VALUES ($1, $2, ARRAY[$3])', [
      t.courseId,
      userId,
      role,
    ]);
    await onLearnerLinked(db, ctx, userId, t.courseId);
  });
  return userId;
}

/** An achievement of the course with this rule (parsed as the API does). */
export async function achievementWithRule(
  ctx: AppContext,
  t: { platformId: string; courseId: string },
  rule: unknown,
  onVoid: 'revoke' | 'keep' = 'revoke',
): Promise<{ achievementId: string; ruleId: string }> {
  return transaction(ctx.pool, async (db) => {
    const a = await insertAchievement(
      db,
      { id: randomUUID(), platformId: t.platformId, courseId: t.courseId, body, createdBy: null },
      ctx.clock.now(),
    );
    const parsed = parseRule(rule);
    const r = await replaceRule(
      db,
      {
        id: randomUUID(),
        achievementId: a.id,
        rule: parsed,
        relevance: relevance(parsed),
        onVoid,
        createdBy: null,
      },
      ctx.clock.now(),
    );
    return { achievementId: a.id, ruleId: r.id };
  });
}

/** Stores statements through the LRS's ingest (one transaction with their xapi.statement jobs). */
export function ingest(
  ctx: AppContext,
  t: { platformId: string; courseId: string | null },
  statements: Statement[],
): Promise<string[]> {
  return storeStatements(
    ctx,
    {
      platformId: t.platformId,
      courseId: t.courseId,
      lrsKey: null,
      authority: { objectType: 'Agent', account: { homePage: 'https://laurel.test', name: 'lrs' } } as never,
    },
    statements,
    '2.0.0',
  );
}

/** Runs the badge workers until both queues are empty. */
export function drain(ctx: AppContext): Promise<number> {
  return drainWorkers(createAwardWorkers(ctx));
}

export async function awardsOf(db: TestSchema, userId: string) {
  const { rows } = await db.pool.query(
    `SELECT w.id, w.achievement_id, w.revoked_at, w.kind,
       ARRAY(SELECT ref FROM award_evidence e WHERE e.award_id = w.id ORDER BY ref) AS evidence
     FROM awards w WHERE w.user_id = $1`,
    [userId],
  );
  return rows as {
    id: string;
    achievement_id: string;
    revoked_at: Date | null;
    kind: string;
    evidence: string[];
  }[];
}

export async function issueJobs(db: TestSchema, awardId: string): Promise<number> {
  const { rows } = await db.pool.query(
    "SELECT count(*)::int AS n FROM jobs WHERE queue = $2 AND payload->>'awardId' = $1",
    [awardId, ISSUE_CREDENTIAL_QUEUE],
  );
  return rows[0].n;
}
