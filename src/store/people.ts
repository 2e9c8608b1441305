import type { Queryable } from './pool.js';

/** A user as a launch describes them (migrations/0002_tenancy.sql `users`). */
export interface LaunchedUser {
  id: string;
  platformId: string;
  sub: string;
  name?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  email?: string | undefined;
}

/**
 * Inserts or updates a user by (platform, sub) and returns its id. Fields the launch left out keep their stored
 * value: a launch without PII (privacy settings) does not erase what an earlier launch said.
 */
export async function upsertUser(db: Queryable, user: LaunchedUser, now: Date): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (id, platform_id, sub, name, given_name, family_name, email, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     ON CONFLICT (platform_id, sub) DO UPDATE SET
       name = COALESCE(EXCLUDED.name, users.name),
       given_name = COALESCE(EXCLUDED.given_name, users.given_name),
       family_name = COALESCE(EXCLUDED.family_name, users.family_name),
       email = COALESCE(EXCLUDED.email, users.email),
       updated_at = EXCLUDED.updated_at
     RETURNING id`,
    [
      user.id,
      user.platformId,
      user.sub,
      user.name ?? null,
      user.givenName ?? null,
      user.familyName ?? null,
      user.email ?? null,
      now,
    ],
  );
  return rows[0]!.id;
}

/** A course as a launch's context claim describes it (`courses`). */
export interface LaunchedCourse {
  id: string;
  platformId: string;
  contextId: string;
  title?: string | undefined;
  label?: string | undefined;
}

/** Inserts or updates a course by (platform, context id) and returns its id. */
export async function upsertCourse(db: Queryable, course: LaunchedCourse): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO courses (id, platform_id, context_id, title, label) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (platform_id, context_id) DO UPDATE SET
       title = COALESCE(EXCLUDED.title, courses.title),
       label = COALESCE(EXCLUDED.label, courses.label)
     RETURNING id`,
    [course.id, course.platformId, course.contextId, course.title ?? null, course.label ?? null],
  );
  return rows[0]!.id;
}

/** Records a user's roles in a course as of this launch. */
export async function upsertEnrollment(
  db: Queryable,
  courseId: string,
  userId: string,
  roles: readonly string[],
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO enrollments (course_id, user_id, roles, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (course_id, user_id) DO UPDATE SET roles = EXCLUDED.roles, updated_at = EXCLUDED.updated_at`,
    [courseId, userId, roles, now],
  );
}

export interface UserRecord {
  id: string;
  platformId: string;
  sub: string;
  name: string | null;
  email: string | null;
}

export async function findUser(db: Queryable, id: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<{
    id: string;
    platform_id: string;
    sub: string;
    name: string | null;
    email: string | null;
  }>('SELECT id, platform_id, sub, name, email FROM users WHERE id = $1', [id]);
  const row = rows[0];
  return row
    ? { id: row.id, platformId: row.platform_id, sub: row.sub, name: row.name, email: row.email }
    : undefined;
}

export interface CourseRecord {
  id: string;
  platformId: string;
  contextId: string;
  title: string | null;
  label: string | null;
}

export async function findCourse(db: Queryable, id: string): Promise<CourseRecord | undefined> {
  const { rows } = await db.query<{
    id: string;
    platform_id: string;
    context_id: string;
    title: string | null;
    label: string | null;
  }>('SELECT id, platform_id, context_id, title, label FROM courses WHERE id = $1', [id]);
  const row = rows[0];
  return row
    ? {
        id: row.id,
        platformId: row.platform_id,
        contextId: row.context_id,
        title: row.title,
        label: row.label,
      }
    : undefined;
}
