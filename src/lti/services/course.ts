import { AppError } from '../../errors.js';
import {
  type CourseServices,
  findCourseServices,
  upsertCourseServices,
} from '../../store/lti-course-services.js';
import { findCourse } from '../../store/people.js';
import { findPlatformById, type Platform } from '../../store/platforms.js';
import type { Queryable } from '../../store/pool.js';
import type { ServiceContext, ServiceTarget } from './client.js';
import type { ServiceEndpoints } from './endpoints.js';
import { nrpsScope } from './scopes.js';

export interface CourseServiceTarget {
  platform: Platform;
  services: CourseServices;
  /** One scope set for every call about this course, so one token serves AGS and NRPS calls alike. */
  target: ServiceTarget;
}

/**
 * The platform and service endpoints of a course, as its latest launch offered them.
 * @throws AppError ERR_NOT_FOUND (no such course, or its platform is gone), ERR_LTI_AGS_NOT_OFFERED /
 * ERR_LTI_NRPS_NOT_OFFERED when `need` names a service no launch offered.
 */
export async function courseServiceTarget(
  ctx: Pick<ServiceContext, 'pool'>,
  courseId: string,
  need: 'AGS' | 'NRPS',
): Promise<CourseServiceTarget> {
  const course = await findCourse(ctx.pool, courseId);
  if (!course) throw new AppError('ERR_NOT_FOUND', `No course ${courseId}`);
  const services = await findCourseServices(ctx.pool, courseId);
  if (need === 'NRPS' && !services?.nrpsMembershipsUrl) {
    throw new AppError(
      'ERR_LTI_NRPS_NOT_OFFERED',
      'No launch from this course offered Names and Role Provisioning Services (enable the service for Laurel in the LMS, then launch again)',
    );
  }
  if (need === 'AGS' && !services?.agsLineItemsUrl) {
    throw new AppError(
      'ERR_LTI_AGS_NOT_OFFERED',
      'No launch from this course offered Assignment and Grade Services line items (enable the service for Laurel in the LMS, then launch again)',
    );
  }
  const platform = await findPlatformById(ctx.pool, course.platformId);
  if (!platform) throw new AppError('ERR_NOT_FOUND', `No platform for course ${courseId}`);
  const scopes = [
    ...services!.agsScopes,
    ...(services!.nrpsMembershipsUrl ? [nrpsScope.contextMembershipReadonly] : []),
  ];
  return { platform, services: services!, target: { platform, scopes } };
}

/**
 * Records the services a launch offered for its course (call it in the launch's transaction). A launch offering
 * neither service (a Deep Linking launch of some platforms) leaves what an earlier launch recorded.
 */
export async function recordCourseServices(
  db: Queryable,
  course: { courseId: string; deploymentId: string },
  endpoints: ServiceEndpoints,
  now: Date,
): Promise<void> {
  if (!endpoints.ags?.lineItemsUrl && !endpoints.nrps) return;
  await upsertCourseServices(db, {
    courseId: course.courseId,
    deploymentId: course.deploymentId,
    agsLineItemsUrl: endpoints.ags?.lineItemsUrl ?? null,
    agsScopes: endpoints.ags?.lineItemsUrl ? endpoints.ags.scopes : [],
    nrpsMembershipsUrl: endpoints.nrps?.membershipsUrl ?? null,
    updatedAt: now,
  });
}
