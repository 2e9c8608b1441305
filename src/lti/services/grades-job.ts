import { isAppError } from '../../errors.js';
import { enqueue, enqueueMany, type JobHandler } from '../../jobs/index.js';
import { courseLineItemRefs } from '../../store/grades.js';
import type { Queryable } from '../../store/pool.js';
import type { ServiceClient, ServiceContext } from './client.js';
import { syncGrades } from './grades.js';

/** The durable queue of grades syncs (AGS results for `lineItem` rules): payload `{ courseId }`. */
export const gradesSyncQueue = 'lti.grades-sync';

/** At most one scheduled sync per course per interval; a course whose rules name line items is synced this often. */
export const gradesSyncIntervalMs = 15 * 60 * 1000;

const slotKey = (courseId: string, at: Date) =>
  `${courseId}@${new Date(Math.floor(at.getTime() / gradesSyncIntervalMs) * gradesSyncIntervalMs).toISOString()}`;

/**
 * Enqueues a grades sync of a course for `runAt` (inside the caller's transaction: outbox), at most one per course
 * per 15-minute interval: the dedupe key names the interval.
 * @returns the job id, or undefined when that interval's sync is already queued or done.
 */
export function enqueueGradesSync(db: Queryable, courseId: string, runAt: Date): Promise<number | undefined> {
  return enqueue(db, {
    queue: gradesSyncQueue,
    payload: { courseId },
    dedupeKey: slotKey(courseId, runAt),
    runAt,
  });
}

/** On a launch offering AGS: enqueues this interval's grades sync when the course's rules name line items. */
export async function scheduleGradesSync(db: Queryable, courseId: string, now: Date): Promise<boolean> {
  if ((await courseLineItemRefs(db, courseId)).length === 0) return false;
  return (await enqueueGradesSync(db, courseId, now)) !== undefined;
}

/**
 * After a rule naming line items is stored (inside that transaction): a grades sync now, once per rule revision,
 * of the achievement's course, or of every course of the platform with AGS for a library achievement.
 * @returns how many syncs were enqueued.
 */
export async function enqueueGradesSyncForRule(
  db: Queryable,
  achievement: { platformId: string; courseId: string | null },
  rule: { id: string; lineItemIds: readonly string[] },
  now: Date,
): Promise<number> {
  if (rule.lineItemIds.length === 0) return 0;
  const courses = achievement.courseId
    ? [achievement.courseId]
    : (
        await db.query<{ course_id: string }>(
          `SELECT s.course_id FROM lti_course_services s JOIN courses c ON c.id = s.course_id
           WHERE c.platform_id = $1 AND s.ags_lineitems_url IS NOT NULL ORDER BY s.course_id`,
          [achievement.platformId],
        )
      ).rows.map((row) => row.course_id);
  return enqueueMany(
    db,
    courses.map((courseId) => ({
      queue: gradesSyncQueue,
      payload: { courseId },
      dedupeKey: `rule:${rule.id}:${courseId}`,
      runAt: now,
    })),
  );
}

/**
 * The job handler: syncs the course's grades in the job's transaction, then schedules the next sync one interval
 * later while the course's rules still name line items. A course gone, or without AGS, is done; any other failure
 * (platform down, token refused, a page unreadable) rolls back and is retried by the queue.
 */
export function gradesSyncJobHandler(ctx: ServiceContext, client: ServiceClient): JobHandler {
  return async (job, db) => {
    const { courseId } = job.payload as { courseId?: unknown };
    if (typeof courseId !== 'string') return;
    try {
      const result = await syncGrades(ctx, client, courseId, { db, change: `job-${job.id}` });
      if (result.refs > 0) {
        await enqueueGradesSync(db, courseId, new Date(ctx.clock.now().getTime() + gradesSyncIntervalMs));
      }
    } catch (error) {
      // Nothing a retry would change: the course is gone, or its launches offer no AGS line items.
      if (!isAppError(error, 'ERR_NOT_FOUND', 'ERR_LTI_AGS_NOT_OFFERED')) throw error;
    }
  };
}
