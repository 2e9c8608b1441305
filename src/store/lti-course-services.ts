import type { Queryable } from './pool.js';

/** The AGS and NRPS endpoints the latest launch offered for a course (migrations/0140_lti_course_services.sql). */
export interface CourseServices {
  courseId: string;
  deploymentId: string;
  agsLineItemsUrl: string | null;
  agsScopes: string[];
  nrpsMembershipsUrl: string | null;
  updatedAt: Date;
}

/** Records what a launch offered for its course; the latest launch wins. */
export async function upsertCourseServices(db: Queryable, services: CourseServices): Promise<void> {
  await db.query(
    `INSERT INTO lti_course_services
       (course_id, deployment_id, ags_lineitems_url, ags_scopes, nrps_memberships_url, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (course_id) DO UPDATE SET
       deployment_id = EXCLUDED.deployment_id,
       ags_lineitems_url = EXCLUDED.ags_lineitems_url,
       ags_scopes = EXCLUDED.ags_scopes,
       nrps_memberships_url = EXCLUDED.nrps_memberships_url,
       updated_at = EXCLUDED.updated_at`,
    [
      services.courseId,
      services.deploymentId,
      services.agsLineItemsUrl,
      services.agsScopes,
      services.nrpsMembershipsUrl,
      services.updatedAt,
    ],
  );
}

export async function findCourseServices(
  db: Queryable,
  courseId: string,
): Promise<CourseServices | undefined> {
  const { rows } = await db.query<{
    course_id: string;
    deployment_id: string;
    ags_lineitems_url: string | null;
    ags_scopes: string[];
    nrps_memberships_url: string | null;
    updated_at: Date;
  }>(
    `SELECT course_id, deployment_id, ags_lineitems_url, ags_scopes, nrps_memberships_url, updated_at
     FROM lti_course_services WHERE course_id = $1`,
    [courseId],
  );
  const row = rows[0];
  return row
    ? {
        courseId: row.course_id,
        deploymentId: row.deployment_id,
        agsLineItemsUrl: row.ags_lineitems_url,
        agsScopes: row.ags_scopes,
        nrpsMembershipsUrl: row.nrps_memberships_url,
        updatedAt: row.updated_at,
      }
    : undefined;
}
