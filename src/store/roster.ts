import type { Queryable } from './pool.js';

/** One listed member of a course, as a roster sync writes it (`users` + `enrollments`). */
export interface RosterMember {
  /** A fresh id, used only when the user is new. */
  id: string;
  sub: string;
  name?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  email?: string | undefined;
  roles: string[];
}

export interface RosterWrite {
  usersInserted: number;
  usersUpdated: number;
  enrollments: number;
  enrollmentsRemoved: number;
}

/**
 * Writes a course's complete active roster in three statements: users upserted by (platform, sub) keeping stored
 * PII the listing leaves out (emails stay for identity linking), enrolments upserted with the listed roles, and
 * enrolments of users no longer listed removed. `members` must have unique `sub`s. Run it in a transaction.
 */
export async function writeRoster(
  db: Queryable,
  platformId: string,
  courseId: string,
  members: readonly RosterMember[],
  now: Date,
): Promise<RosterWrite> {
  const users = await db.query<{ id: string; sub: string; inserted: boolean }>(
    `INSERT INTO users (id, platform_id, sub, name, given_name, family_name, email, created_at, updated_at)
     SELECT m.id, $1::uuid, m.sub, m.name, m.given_name, m.family_name, m.email, $3::timestamptz, $3::timestamptz
     FROM jsonb_to_recordset($2::jsonb)
       AS m(id uuid, sub text, name text, given_name text, family_name text, email text)
     ON CONFLICT (platform_id, sub) DO UPDATE SET
       name = COALESCE(EXCLUDED.name, users.name),
       given_name = COALESCE(EXCLUDED.given_name, users.given_name),
       family_name = COALESCE(EXCLUDED.family_name, users.family_name),
       email = COALESCE(EXCLUDED.email, users.email),
       updated_at = EXCLUDED.updated_at
     RETURNING id, sub, (xmax = 0) AS inserted`,
    [
      platformId,
      JSON.stringify(
        members.map((member) => ({
          id: member.id,
          sub: member.sub,
          name: member.name ?? null,
          given_name: member.givenName ?? null,
          family_name: member.familyName ?? null,
          email: member.email ?? null,
        })),
      ),
      now,
    ],
  );
  const userIds = new Map(users.rows.map((row) => [row.sub, row.id]));
  const enrollments = members.map((member) => ({ user_id: userIds.get(member.sub)!, roles: member.roles }));
  await db.query(
    `INSERT INTO enrollments (course_id, user_id, roles, updated_at)
     SELECT $1::uuid, e.user_id, ARRAY(SELECT jsonb_array_elements_text(e.roles)), $3::timestamptz
     FROM jsonb_to_recordset($2::jsonb) AS e(user_id uuid, roles jsonb)
     ON CONFLICT (course_id, user_id) DO UPDATE SET roles = EXCLUDED.roles, updated_at = EXCLUDED.updated_at`,
    [courseId, JSON.stringify(enrollments), now],
  );
  const removed = await db.query(
    'DELETE FROM enrollments WHERE course_id = $1 AND NOT (user_id = ANY($2::uuid[]))',
    [courseId, [...userIds.values()]],
  );
  const inserted = users.rows.filter((row) => row.inserted).length;
  return {
    usersInserted: inserted,
    usersUpdated: users.rows.length - inserted,
    enrollments: enrollments.length,
    enrollmentsRemoved: removed.rowCount ?? 0,
  };
}
