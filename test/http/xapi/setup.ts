import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { insertLrsKey } from '../../../src/store/lrs-keys.js';
import { generateCredentials, type LrsScope } from '../../../src/xapi/index.js';
import { testContext } from '../../helpers/context.js';
import type { TestSchema } from '../../helpers/db.js';

export interface Lrs {
  app: Express;
  ctx: AppContext;
  platformId: string;
  courseId: string;
  /** Authorization header value for a new key with these scopes. */
  key(scopes: LrsScope[], options?: { course?: boolean; platformId?: string }): Promise<string>;
}

export async function insertPlatform(db: TestSchema): Promise<string> {
  const id = randomUUID();
  await db.pool.query(
    `INSERT INTO platforms (id, issuer, client_id, auth_login_url, auth_token_url, jwks_url)
     VALUES ($1, $2, 'client', 'https://lms.example/auth', 'https://lms.example/token', 'https://lms.example/jwks')`,
    [id, `https://lms-${id}.example`],
  );
  return id;
}

/** A Laurel app over the schema with one platform and course, and a way to mint LRS keys. */
export async function createLrs(
  db: TestSchema,
  options: Parameters<typeof testContext>[1] = {},
): Promise<Lrs> {
  const ctx = await testContext(db, options);
  const platformId = await insertPlatform(db);
  const courseId = randomUUID();
  await db.pool.query('INSERT INTO courses (id, platform_id, context_id) VALUES ($1, $2, $3)', [
    courseId,
    platformId,
    'course-1',
  ]);
  return {
    app: createApp(ctx),
    ctx,
    platformId,
    courseId,
    async key(scopes, keyOptions = {}) {
      const credentials = generateCredentials();
      await insertLrsKey(db.pool, {
        key: credentials.key,
        platformId: keyOptions.platformId ?? platformId,
        courseId: keyOptions.course ? courseId : null,
        secretSha256: credentials.secretSha256,
        scopes,
      });
      return `Basic ${Buffer.from(`${credentials.key}:${credentials.secret}`).toString('base64')}`;
    },
  };
}

let counter = 0;

/** A realistic statement (Moodle logstore_xapi style) with a fresh id unless `id` is given. */
export function statement(overrides: Record<string, unknown> = {}): Record<string, any> {
  counter++;
  return {
    id: randomUUID(),
    actor: {
      objectType: 'Agent',
      name: `Learner ${counter}`,
      account: { homePage: 'https://moodle.example.edu', name: String(counter) },
    },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { en: 'completed' } },
    object: {
      objectType: 'Activity',
      id: 'https://moodle.example.edu/course/view.php?id=12',
      definition: { type: 'http://id.tincanapi.com/activitytype/lms/course', name: { en: 'Algebra I' } },
    },
    context: {
      platform: 'Moodle',
      language: 'en',
      contextActivities: { grouping: [{ id: 'https://moodle.example.edu' }] },
    },
    timestamp: '2026-01-15T09:00:00Z',
    ...overrides,
  };
}
